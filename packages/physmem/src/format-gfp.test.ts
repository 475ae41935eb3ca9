import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatGfp, formatTraceGfp } from './format-gfp';
import { gfpV48, gfpV618 } from './gfp';
import { parseGfp } from './parse-gfp';

const samples = new URL('../../../samples/', import.meta.url);

describe('%pGg in v4.8', () => {
  it.each([
    [0x24200ca, 'GFP_HIGHUSER_MOVABLE'],
    [0x24213ca, 'GFP_HIGHUSER_MOVABLE|__GFP_COLD|__GFP_NOWARN|__GFP_NORETRY'],
    [0x24000c0, 'GFP_KERNEL'],
    [0x2080020, 'GFP_ATOMIC'],
    [0x24000d0, 'GFP_TEMPORARY'],
    [0x4342ca, 'GFP_TRANSHUGE'],
    [0x2080021, 'GFP_ATOMIC|GFP_DMA'],
    [0, ''],
  ])('prints %s as %j', (gfp, text) => {
    expect(formatGfp(gfp, gfpV48)).toBe(text);
  });

  it('prints bits without a name as a hex tail', () => {
    expect(formatGfp(0x24000c0 | 0x80000000, gfpV48)).toBe('GFP_KERNEL|0x80000000');
    expect(formatGfp(0x4000000, gfpV48)).toBe('0x4000000');
  });
});

describe('%pGg in v6.18', () => {
  it.each([
    [0xd2cc0, 'GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_NOMEMALLOC'],
    [0x100cca, 'GFP_HIGHUSER_MOVABLE'],
    [0xcc0, 'GFP_KERNEL'],
    [0x400cc0, 'GFP_KERNEL_ACCOUNT'],
    [0x2800, 'GFP_NOWAIT'],
    [0x821, 'GFP_ATOMIC|GFP_DMA'],
    [0x1c24ca, 'GFP_TRANSHUGE'],
    [0x1c20ca, 'GFP_TRANSHUGE_LIGHT'],
    [0, ''],
  ])('prints %s as %j', (gfp, text) => {
    expect(formatGfp(gfp, gfpV618)).toBe(text);
  });

  it('prints bits without a name as a hex tail after a separator', () => {
    expect(formatGfp(0xcc0 | 0x1000000, gfpV618)).toBe('GFP_KERNEL|0x1000000');
    expect(formatGfp(0x200, gfpV618)).toBe('0x200');
  });

  it('prints none for 0 in tracepoints', () => {
    expect(formatTraceGfp(0, gfpV618)).toBe('none');
    expect(formatTraceGfp(0xcc0, gfpV618)).toBe('GFP_KERNEL');
  });
});

describe('parseGfp', () => {
  it('parses every gfp_flags= string of the v6.18 ftrace sample back to a value that prints the same', () => {
    const text = readFileSync(new URL('ftrace-page-events-6.18.txt', samples), 'utf8');
    const strings = new Set(Array.from(text.matchAll(/gfp_flags=(\S+)/g), (match) => match[1]!));
    expect(strings.size).toBeGreaterThanOrEqual(8);
    for (const symbolic of strings) {
      const value = parseGfp(symbolic, gfpV618);
      expect(value, symbolic).toBeTypeOf('number');
      expect(formatTraceGfp(value!, gfpV618)).toBe(symbolic);
    }
  });

  it('parses the perf script sample too', () => {
    const text = readFileSync(new URL('perf-script-page-alloc-stacks-6.18.txt', samples), 'utf8');
    for (const [, symbolic] of text.matchAll(/gfp_flags=(\S+)/g)) {
      expect(formatTraceGfp(parseGfp(symbolic!, gfpV618)!, gfpV618)).toBe(symbolic);
    }
  });

  it('round-trips every single bit and composite of both eras', () => {
    for (const table of [gfpV48, gfpV618]) {
      for (const { mask } of table.names) {
        if (mask === 0) continue;
        expect(parseGfp(formatGfp(mask, table), table)).toBe(mask);
      }
    }
  });

  it('reads none, hex tails and rejects unknown names', () => {
    expect(parseGfp('none', gfpV618)).toBe(0);
    expect(parseGfp('GFP_KERNEL|0x1000000', gfpV618)).toBe(0x1000cc0);
    expect(parseGfp('__GFP_COLD', gfpV618)).toBeUndefined();
    expect(parseGfp('__GFP_COLD', gfpV48)).toBe(0x100);
    expect(parseGfp('GFP_KERNEL|', gfpV618)).toBeUndefined();
  });
});

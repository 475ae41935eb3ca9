import { readFileSync } from 'node:fs';
import { getProfile, VmCountersBuilder } from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import { formatVmstat, vmstatItems, vmstatValue } from './proc-vmstat';

const fixtures = new URL('./__fixtures__/proc/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, fixtures), 'utf8');

const v48 = getProfile('v4.8');
const v618 = getProfile('v6.18');

/**
 * Evaluates a `#if` expression the way the C preprocessor would for a configuration: `defined(X)` and
 * `IS_ENABLED(X)` are 1 when X is in `config`, other identifiers 0; only `||`, `&&`, `!`, `>` and numbers occur
 * in the excerpts.
 */
function evaluate(expression: string, config: ReadonlySet<string>): boolean {
  const text = expression
    .replace(/\/\*.*?\*\//g, '')
    .replace(/(?:defined|IS_ENABLED)\s*\(\s*(\w+)\s*\)/g, (_, name: string) => (config.has(name) ? '1' : '0'));
  return text.split('||').some((part) =>
    part.split('&&').every((atom) => {
      const trimmed = atom.trim();
      if (trimmed.startsWith('!')) return !evaluate(trimmed.slice(1), config);
      const comparison = /^(\w+)\s*>\s*(\w+)$/.exec(trimmed);
      const number = (word: string) => (/^\d+$/.test(word) ? Number(word) : 0);
      if (comparison !== null) return number(comparison[1]!) > number(comparison[2]!);
      return number(trimmed) !== 0;
    }),
  );
}

/** The lines of a C excerpt the preprocessor keeps for `config`, with the `#define`s it sees, by macro name. */
function preprocess(source: string, config: ReadonlySet<string>) {
  const lines: string[] = [];
  const defines = new Map<string, string>();
  const stack: { active: boolean; taken: boolean }[] = [];
  const active = () => stack.every((frame) => frame.active);
  const raw = source.split('\n');
  for (let index = 0; index < raw.length; index++) {
    let line = raw[index]!;
    while (line.endsWith('\\')) line = `${line.slice(0, -1)} ${raw[++index]}`;
    const directive = /^\s*#\s*(\w+)\s*(.*)$/.exec(line);
    if (directive === null) {
      if (active()) lines.push(line);
      continue;
    }
    const [, keyword, rest] = directive as unknown as [string, string, string];
    const word = rest.split(/\s/)[0]!;
    if (keyword === 'ifdef') stack.push({ active: config.has(word), taken: config.has(word) });
    else if (keyword === 'ifndef') stack.push({ active: !config.has(word), taken: !config.has(word) });
    else if (keyword === 'if') {
      const value = evaluate(rest, config);
      stack.push({ active: value, taken: value });
    } else if (keyword === 'else') {
      const frame = stack.at(-1)!;
      frame.active = !frame.taken;
      frame.taken = true;
    } else if (keyword === 'endif') stack.pop();
    else if (keyword === 'define' && active()) {
      const macro = /^(\w+)(\([^)]*\))?\s*(.*)$/.exec(rest)!;
      defines.set(macro[1]!, macro[3]!);
    }
  }
  return { lines, defines };
}

const strings = (text: string) => [...text.matchAll(/"([^"]*)"/g)].map((match) => match[1]!);

/**
 * The names of `vmstat_text[]` as the kernel compiles them for `config`: every string literal of the array's
 * kept lines, `TEXTS_FOR_ZONES(..., "pgalloc")` expanded through the `TEXT_FOR_*` macros the configuration defines.
 */
function vmstatTextNames(source: string, config: ReadonlySet<string>): string[] {
  const { lines, defines } = preprocess(source, config);
  const zoneMacro = defines.get('TEXTS_FOR_ZONES')!.replace(/TEXT_FOR_\w+\([^)]*\)/g, (call) => {
    return defines.get(call.slice(0, call.indexOf('(')))!;
  });
  const suffixes = strings(zoneMacro);
  const start = lines.findIndex((line) => line.includes('vmstat_text[] = {'));
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const zones = /TEXTS_FOR_ZONES\((?:[^,]*,\s*)?"(\w+)"\)/.exec(line);
    if (zones !== null) names.push(...suffixes.map((suffix) => zones[1] + suffix));
    else names.push(...strings(line.replace(/\/\*.*?\*\//g, '')));
  }
  return names;
}

/**
 * The v4.8 configuration: a distribution kernel of late 2016 on x86_64 (see `vmstatItems`). CONFIG_ZSMALLOC is a
 * module there, which `IS_ENABLED()` counts.
 */
const configV48 = new Set([
  'CONFIG_X86_64',
  'CONFIG_SMP',
  'CONFIG_ZONE_DMA',
  'CONFIG_ZONE_DMA32',
  'CONFIG_ZSMALLOC',
  'CONFIG_NUMA',
  'CONFIG_VM_EVENT_COUNTERS',
  'CONFIG_NUMA_BALANCING',
  'CONFIG_MIGRATION',
  'CONFIG_COMPACTION',
  'CONFIG_HUGETLB_PAGE',
  'CONFIG_TRANSPARENT_HUGEPAGE',
  'CONFIG_MEMORY_BALLOON',
  'CONFIG_BALLOON_COMPACTION',
]);

/** The options `vmstat_text[]` tests that are set in the real 6.18.44 machine's `zcat /proc/config.gz`. */
const configV618 = new Set([
  'CONFIG_X86',
  'CONFIG_X86_64',
  'CONFIG_SMP',
  'CONFIG_ZONE_DMA',
  'CONFIG_ZONE_DMA32',
  'CONFIG_ZONE_DEVICE',
  'CONFIG_ZSMALLOC',
  'CONFIG_NUMA',
  'CONFIG_IOMMU_SUPPORT',
  'CONFIG_SWAP',
  'CONFIG_NUMA_BALANCING',
  'CONFIG_HUGETLB_PAGE',
  'CONFIG_VM_EVENT_COUNTERS',
  'CONFIG_MIGRATION',
  'CONFIG_COMPACTION',
  'CONFIG_TRANSPARENT_HUGEPAGE',
  'CONFIG_HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD',
  'CONFIG_MEMORY_BALLOON',
  'CONFIG_BALLOON_COMPACTION',
  'CONFIG_KSM',
  'CONFIG_ZSWAP',
]);

/** A parsed /proc/vmstat: name/value pairs in order. */
function parseVmstat(text: string): [string, number][] {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => {
      const [name, value] = line.split(' ');
      return [name!, Number(value)];
    });
}

describe('vmstatItems', () => {
  it('lists v4.8 vmstat_text[] as mm/vmstat.c (lines 921-1091) compiles for the chosen configuration', () => {
    const items = vmstatItems(v48);
    const expected = vmstatTextNames(read('vmstat_text-4.8.c'), configV48);
    expect([...items.zone, ...items.numa, ...items.node, ...items.system, ...items.events]).toEqual(expected);
    // enum zone_stat_item of v4.8 include/linux/mmzone.h (lines 112-141) holds the NUMA counters: 21 zone items.
    expect(items.zone).toHaveLength(21);
    expect(items.zone.slice(13, 20)).toEqual([
      'nr_zspages',
      'numa_hit',
      'numa_miss',
      'numa_foreign',
      'numa_interleave',
      'numa_local',
      'numa_other',
    ]);
    expect(items.numa).toEqual([]);
    // enum node_stat_item (lines 143-173): 26 items, nr_pages_scanned among them.
    expect(items.node).toHaveLength(26);
    expect(items.deprecated).toEqual([]);
  });

  it('lists v6.18 vmstat_text[] as mm/vmstat.c (lines 1197-1501) compiles for the real machine’s config', () => {
    const items = vmstatItems(v618);
    const expected = vmstatTextNames(read('vmstat_text-6.18.c'), configV618);
    expect([...items.zone, ...items.numa, ...items.node, ...items.system, ...items.events]).toEqual(expected);
  });

  it('has exactly the names of the real 6.18.44 /proc/vmstat, in its order', () => {
    const items = vmstatItems(v618);
    const names = parseVmstat(read('vmstat-6.18.txt')).map(([name]) => name);
    expect(names).toHaveLength(192);
    expect([
      ...items.zone,
      ...items.numa,
      ...items.node,
      ...items.system,
      ...items.events,
      ...items.deprecated,
    ]).toEqual(names);
  });

  it('names the per-zone events after the profile’s zone types (TEXTS_FOR_ZONES)', () => {
    expect(vmstatItems(v48).events.filter((name) => name.startsWith('pgalloc_'))).toEqual([
      'pgalloc_dma',
      'pgalloc_dma32',
      'pgalloc_normal',
      'pgalloc_movable',
    ]);
    expect(vmstatItems(v618).events.filter((name) => name.startsWith('pgskip_'))).toEqual([
      'pgskip_dma',
      'pgskip_dma32',
      'pgskip_normal',
      'pgskip_movable',
      'pgskip_device',
    ]);
    expect(vmstatItems(getProfile('v4.8', 'i386')).events.filter((name) => name.startsWith('allocstall_'))).toEqual([
      'allocstall_dma',
      'allocstall_normal',
      'allocstall_high',
      'allocstall_movable',
    ]);
  });

  it('formats v4.7 as v4.8', () => {
    expect(vmstatItems(getProfile('v4.7'))).toEqual(vmstatItems(v48));
  });
});

describe('formatVmstat', () => {
  it('reproduces the real 6.18.44 /proc/vmstat byte for byte from counters', () => {
    const real = read('vmstat-6.18.txt');
    const items = vmstatItems(v618);
    const counters = new VmCountersBuilder(1, 1);
    const system = new Map<string, number>();
    for (const [name, value] of parseVmstat(real)) {
      if (items.zone.includes(name) || items.numa.includes(name)) counters.addZone(0, name, value);
      else if (items.node.includes(name)) counters.addNode(0, name, value);
      else if (items.events.includes(name)) counters.addEvent(name, value);
      else system.set(name, value);
    }
    const text = formatVmstat(v618, counters, {
      dirtyThreshold: system.get('nr_dirty_threshold')!,
      dirtyBackgroundThreshold: system.get('nr_dirty_background_threshold')!,
      memmapPages: system.get('nr_memmap_pages')!,
      memmapBootPages: system.get('nr_memmap_boot_pages')!,
    });
    expect(text).toBe(real);
  });

  it('sums zone items over zones and node items over nodes; an uncounted name prints 0', () => {
    const counters = new VmCountersBuilder(3, 2);
    counters.addZone(0, 'nr_free_pages', 10);
    counters.addZone(2, 'nr_free_pages', 5);
    counters.addZone(1, 'numa_hit', 7);
    counters.addNode(0, 'nr_file_pages', 3);
    counters.addNode(1, 'nr_file_pages', 4);
    counters.addEvent('pgfault', 99);
    const lines = formatVmstat(v48, counters, { dirtyThreshold: 11, dirtyBackgroundThreshold: 5 }).split('\n');
    expect(lines).toContain('nr_free_pages 15');
    expect(lines).toContain('numa_hit 7');
    expect(lines).toContain('nr_file_pages 7');
    expect(lines).toContain('pgfault 99');
    expect(lines).toContain('nr_pages_scanned 0');
    expect(lines.slice(47, 49)).toEqual(['nr_dirty_threshold 11', 'nr_dirty_background_threshold 5']);
    expect(lines.at(-2)).toBe('balloon_migrate 0');
    expect(lines.at(-1)).toBe('');
  });

  it('ends v6.18 with the deprecated nr_unstable 0 (vmstat_show)', () => {
    const text = formatVmstat(v618, new VmCountersBuilder(5, 1), { dirtyThreshold: 0, dirtyBackgroundThreshold: 0 });
    expect(text.endsWith('direct_map_level3_collapses 0\nnr_unstable 0\n')).toBe(true);
  });
});

describe('vmstatValue', () => {
  it('reads a name from the counters where the era keeps it', () => {
    const counters = new VmCountersBuilder(2, 1);
    counters.addZone(0, 'nr_slab_reclaimable', 4);
    counters.addZone(1, 'nr_slab_reclaimable', 6);
    counters.addNode(0, 'nr_slab_reclaimable', 100);
    expect(vmstatValue(v48, counters, 'nr_slab_reclaimable')).toBe(10);
    expect(vmstatValue(v618, counters, 'nr_slab_reclaimable')).toBe(100);
  });

  it('refuses a name that is not a counter of the era', () => {
    const counters = new VmCountersBuilder(1, 1);
    expect(() => vmstatValue(v618, counters, 'nr_dirty_threshold')).toThrow(
      "'nr_dirty_threshold' is not a counter of /proc/vmstat in v6.18",
    );
    expect(() => vmstatValue(v48, counters, 'nr_swapcached')).toThrow(/not a counter/);
  });
});

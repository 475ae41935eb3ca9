import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createKernelText } from './create-kernel-text';
import { KernelText } from './kernel-text';

const layout = { coreStart: 0x81000000, moduleStart: 0xc0000000 };

/** The kernel frames of the real perf sample: `ffffffff8163993b __alloc_frozen_pages_noprof+0x26b`. */
function sampleFrames(): { address: string; name: string; offset: number }[] {
  const text = readFileSync(
    new URL('../../../samples/perf-script-page-alloc-stacks-6.18.txt', import.meta.url),
    'utf8',
  );
  return Array.from(text.matchAll(/^\t *([0-9a-f]{16}) (\S+)\+0x([0-9a-f]+) \(\[kernel\.kallsyms\]\)$/gm), (match) => ({
    address: match[1]!,
    name: match[2]!,
    offset: Number.parseInt(match[3]!, 16),
  }));
}

describe('KernelText symbol definition', () => {
  it('places new core symbols after the highest one, 16-byte aligned, and keeps a known symbol as it is', () => {
    const text = new KernelText(layout);
    expect(text.define('first', 0x21)).toBe(0x81000000);
    expect(text.define('second', 0x10)).toBe(0x81000030);
    expect(text.define('first', 0x999)).toBe(0x81000000);
    expect(text.symbol(text.symbolAt(0x81000000))).toEqual({
      name: 'first',
      start: 0x81000000,
      size: 0x21,
      module: undefined,
    });
    expect(text.size).toBe(2);
    expect(text.has('second')).toBe(true);
    expect(text.has('third')).toBe(false);
  });

  it('places module symbols in the module area, apart from the core text', () => {
    const text = new KernelText(layout);
    text.define('core_function', 0x100);
    expect(text.define('xfs_file_buffered_read', 0x1d0, 'xfs')).toBe(0xc0000000);
    expect(text.define('xfs_file_read_iter', 0x80, 'xfs')).toBe(0xc00001d0);
    expect(text.define('next_core_function', 0x10)).toBe(0x81000100);
  });

  it('keeps symbols with a fixed start where they are, whatever their order in the list', () => {
    const text = new KernelText(layout, [
      { name: 'late', start: 0x81002000, size: 0x40 },
      { name: 'floating', size: 0x10 },
      { name: 'early', start: 0x81001000, size: 0x80 },
    ]);
    expect(text.address('early', 0)).toBe(0x81001000);
    expect(text.address('late', 0)).toBe(0x81002000);
    // Symbols without a start go after the highest fixed one.
    expect(text.address('floating', 0)).toBe(0x81002040);
  });

  it('rejects a bad size, a name defined twice and overlapping symbols', () => {
    const text = new KernelText(layout);
    expect(() => text.define('zero', 0)).toThrow(RangeError);
    expect(() => text.define('fraction', 1.5)).toThrow(/size must be a positive integer/);
    expect(
      () =>
        new KernelText(layout, [
          { name: 'twice', start: 0x81000000, size: 0x10 },
          { name: 'twice', start: 0x81000100, size: 0x10 },
        ]),
    ).toThrow(/defined twice/);
    expect(
      () =>
        new KernelText(layout, [
          { name: 'a', start: 0x81000000, size: 0x20 },
          { name: 'b', start: 0x81000010, size: 0x20 },
        ]),
    ).toThrow(/overlaps 'a'/);
  });
});

describe('KernelText lookup by address', () => {
  const text = new KernelText(layout, [
    { name: 'a', start: 0x81000000, size: 0x20 },
    { name: 'b', start: 0x81000040, size: 0x10 },
  ]);

  it('finds the symbol holding an address, and none in gaps, before the text or past its end', () => {
    expect(text.symbolAt(0x81000000)).toBe(0);
    expect(text.symbolAt(0x8100001f)).toBe(0);
    expect(text.symbolAt(0x81000020)).toBe(-1);
    expect(text.symbolAt(0x81000045)).toBe(1);
    expect(text.symbolAt(0x81000050)).toBe(-1);
    expect(text.symbolAt(0x80ffffff)).toBe(-1);
    expect(text.symbolAt(0xffffffff)).toBe(-1);
  });

  it('gives the address of name+offset and refuses offsets outside the function', () => {
    expect(text.address('b', 0xf)).toBe(0x8100004f);
    expect(() => text.address('b', 0x10)).toThrow(RangeError);
    expect(() => text.address('b', -1)).toThrow(/outside b \(size 0x10\)/);
    expect(() => text.address('missing', 0)).toThrow("unknown kernel symbol 'missing'");
  });
});

describe('KernelText.site()', () => {
  it('resolves name+0xoff/0xsize, defining the symbol the first time', () => {
    const text = new KernelText(layout);
    const address = text.site('post_alloc_hook+0x1c0/0x1e0');
    expect(address).toBe(0x810001c0);
    expect(text.formatSymbol(address)).toBe('post_alloc_hook+0x1c0/0x1e0');
    // Known symbols may leave the size out.
    expect(text.site('post_alloc_hook+0x10')).toBe(0x81000010);
  });

  it('resolves module frames into the module area', () => {
    const text = new KernelText(layout);
    const address = text.site('xfs_file_buffered_read+0xe6/0x1d0 [xfs]');
    expect(address).toBe(0xc00000e6);
    expect(text.formatSymbol(address)).toBe('xfs_file_buffered_read+0xe6/0x1d0 [xfs]');
  });

  it('resolves a path, outermost first, into a Uint32Array', () => {
    const text = new KernelText(layout);
    const sites = text.sites(['outer+0x4/0x10', 'inner+0x8/0x10']);
    expect(sites).toBeInstanceOf(Uint32Array);
    expect(Array.from(sites)).toEqual([0x81000004, 0x81000018]);
  });

  it.each([
    'post_alloc_hook',
    'post_alloc_hook+',
    'post_alloc_hook+0x',
    'post_alloc_hook+12/0x20',
    'post_alloc_hook+0x1C/0x20',
    'post_alloc_hook+0x1c/20',
    ' post_alloc_hook+0x1c/0x20',
    'post_alloc_hook+0x1c/0x20 [xfs',
    'post_alloc_hook+0x1c/0x20 []',
  ])('rejects %j as not being %%pS text', (frame) => {
    const text = new KernelText(layout);
    expect(() => text.site(frame)).toThrow(SyntaxError);
    expect(() => text.site(frame)).toThrow(/is not of the form name\+0xoffset\/0xsize \[module\]/);
  });

  it('rejects an unknown symbol without a size, and an offset past the size', () => {
    const text = new KernelText(layout);
    expect(() => text.site('never_defined+0x10')).toThrow("unknown kernel symbol 'never_defined'");
    expect(() => text.site('small+0x20/0x20')).toThrow(RangeError);
  });
});

describe('%pS (formatSymbol) and 64-bit addresses', () => {
  it('prints an offset of 0 as 0x0, as the kernel %#lx does', () => {
    const text = new KernelText(layout, [{ name: 'backtrace_regression_test', start: 0x81000000, size: 0xdb }]);
    expect(text.formatSymbol(0x81000000)).toBe('backtrace_regression_test+0x0/0xdb');
  });

  it('prints an address no symbol holds as 0x%lx of the full 64-bit address', () => {
    const text = new KernelText(layout);
    expect(text.formatSymbol(0xffffffff)).toBe('0xffffffffffffffff');
    expect(text.formatSymbol(0x00001234)).toBe('0xffffffff00001234');
  });

  it('prints the full 64-bit address as 16 hex digits', () => {
    expect(KernelText.hexAddress(0x811682c4)).toBe('ffffffff811682c4');
    expect(KernelText.hexAddress(0)).toBe('ffffffff00000000');
    expect(KernelText.hexAddress(0xffffffff)).toBe('ffffffffffffffff');
  });

  it('holds the v4.6 commit example at its real address', () => {
    const text = createKernelText('v4');
    const address = text.site('__alloc_pages_nodemask+0x134');
    expect(KernelText.hexAddress(address)).toBe('ffffffff811682c4');
    expect(text.formatSymbol(0x811682c4)).toBe('__alloc_pages_nodemask+0x134/0x230');
  });

  it('puts every kernel frame of the real 6.18 perf sample at its exact address', () => {
    const text = createKernelText('v6');
    const frames = sampleFrames();
    expect(frames.length).toBeGreaterThan(20_000);
    const distinct = new Map(frames.map((frame) => [frame.address, frame]));
    for (const { address, name, offset } of distinct.values()) {
      const resolved = text.address(name, offset);
      expect(KernelText.hexAddress(resolved)).toBe(address);
      expect(text.formatSymbol(resolved)).toMatch(
        new RegExp(`^${name.replaceAll('.', '\\.')}\\+0x${offset.toString(16)}/0x[0-9a-f]+$`),
      );
    }
    // The sizes are guesses, but no symbol overlaps its neighbour.
    for (let index = 1; index < text.size; index++) {
      const previous = text.symbol(index - 1);
      expect(previous.start + previous.size).toBeLessThanOrEqual(text.symbol(index).start);
    }
  });

  it('lays the eras out with their module areas', () => {
    expect(createKernelText('v4').layout).toEqual({ coreStart: 0x81000000, moduleStart: 0xa0000000 });
    expect(createKernelText('v6').layout).toEqual({ coreStart: 0x81000000, moduleStart: 0xc0000000 });
    expect(createKernelText('v4').site('ext4_readpage+0x10/0x40 [ext4]')).toBe(0xa0000010);
  });
});

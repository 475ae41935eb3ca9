import { describe, expect, it } from 'vitest';
import { KallsymsFormatError, parseKallsyms, TraceSymbols } from './trace-symbols';

describe('parseKallsyms', () => {
  it("gives each symbol the gap to the next one (kallsyms_lookup_size_offset()), aliases the next distinct one's", () => {
    const symbols = parseKallsyms(
      [
        'ffffffff81000000 T _text',
        'ffffffff81000000 T startup_64',
        'ffffffff81000100 t secondary_startup_64',
        'ffffffffc0a01000 t xfs_fs_fill_super\t[xfs]',
        'ffffffffc0a01400 t xfs_fs_put_super\t[xfs]',
      ].join('\n'),
    );
    expect(symbols.get('_text')).toEqual({ start: 0x81000000, size: 0x100, module: undefined });
    expect(symbols.get('startup_64')!.size).toBe(0x100);
    expect(symbols.get('xfs_fs_fill_super')).toEqual({ start: 0xc0a01000, size: 0x400, module: 'xfs' });
    // The last symbol has nothing after it: its size is left to the trace.
    expect(symbols.get('xfs_fs_put_super')!.size).toBe(0);
  });

  it('refuses a file that is not kallsyms, or one read without the right to see addresses', () => {
    expect(() => parseKallsyms('hello world', 'k.txt')).toThrow(
      new KallsymsFormatError(
        "k.txt:1: expected 'address type name [module]' as /proc/kallsyms prints it, found 'hello world'",
      ),
    );
    expect(() => parseKallsyms('0000000000000000 T _text\n0000000000000000 T f\n', 'k.txt')).toThrow(
      'k.txt: every address is 0: read /proc/kallsyms as root (kptr_restrict)',
    );
    expect(() =>
      parseKallsyms(`ffffffff81000000 T _text\nffffffff81000100 T ${'f'.repeat(1 << 20)}\n`, 'k.txt'),
    ).toThrow('k.txt:2: a line of more than 65536 characters: not kallsyms');
  });
});

describe('TraceSymbols', () => {
  const frame = (symbol: string, offset: number, address = 'ffffffff81400000') => ({
    address,
    symbol,
    offset,
    module: undefined,
  });

  it('sizes a symbol from kallsyms, else the model where every offset fits, else past its largest offset', () => {
    const symbols = new TraceSymbols();
    symbols.note(frame('ksys_write', 0x6f)); // modelled 0xb0: fits
    symbols.note(frame('vfs_write', 0x29c, 'ffffffff81410000'));
    symbols.note(frame('vfs_write', 0x400, 'ffffffff81410164')); // beyond the modelled size: derived
    symbols.note(frame('my_fn', 0x21, 'ffffffff81500021'));
    const text = symbols.buildText('v6', parseKallsyms('ffffffff81500000 T my_fn\nffffffff81500300 T other\n'));
    expect(symbols.sourceOf(frame('ksys_write', 0))).toBe('modelled');
    expect(symbols.sourceOf(frame('vfs_write', 0))).toBe('derived');
    expect(symbols.sourceOf(frame('my_fn', 0))).toBe('kallsyms');
    expect(symbols.sourceOf({ address: 'ffffffffc0001234', symbol: undefined, offset: 0, module: undefined })).toBe(
      'unresolved',
    );
    expect(text.sizeOf('ksys_write')).toBe(0xb0);
    expect(text.sizeOf('vfs_write')).toBe(0x410);
    expect(text.sizeOf('my_fn')).toBe(0x300);
  });
});

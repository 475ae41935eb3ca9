import { describe, expect, it } from 'vitest';
import { catalogText } from './catalog-text';
import { createKernelText } from './create-kernel-text';
import { KernelText } from './kernel-text';
import { symbolizeFrames } from './symbolize-frames';
import { reportSymbolsV4, symbolsV4 } from './symbols-v4';

describe('catalogText()', () => {
  it('is one text per era, laid out as the booted kernel’s', () => {
    expect(catalogText('v4')).toBe(catalogText('v4'));
    expect(catalogText('v6')).not.toBe(catalogText('v4'));
    expect(catalogText('v6').layout).toEqual(createKernelText('v6').layout);
  });

  it('prints a v6.18 sample symbol with the sample’s size, whatever size a frame writes', () => {
    const boot = createKernelText('v6');
    const [frame] = symbolizeFrames(catalogText('v6'), ['__alloc_frozen_pages_noprof+0x2fd/0x330']);
    expect(frame!.symbol).toBe(boot.formatSymbol(boot.site('__alloc_frozen_pages_noprof+0x2fd')));
  });
});

describe('the v4 report functions (reportSymbolsV4)', () => {
  it('are anchored in the gaps between the real symbols, below the highest, without overlap', () => {
    const text = createKernelText('v4');
    const anchored = symbolsV4.filter((symbol) => !reportSymbolsV4.includes(symbol));
    const highest = Math.max(...anchored.map((symbol) => symbol.start!));
    for (const symbol of reportSymbolsV4) {
      expect(symbol.start).toBeLessThan(highest);
      expect(text.symbol(text.symbolAt(symbol.start!)).name).toBe(symbol.name);
    }
    for (let index = 1; index < text.size; index++) {
      const previous = text.symbol(index - 1);
      expect(previous.start + previous.size).toBeLessThanOrEqual(text.symbol(index).start);
    }
  });

  it('print at the same address in any text of the era, and do not move the symbols paths define', () => {
    const boot = createKernelText('v4');
    // A path defines a new symbol first (as page_owner's allocation frames do): it lands after the real symbols.
    const defined = boot.define('get_page_from_freelist', 0xbc0);
    expect(defined).toBe(0x8158cc90);
    expect(symbolizeFrames(boot, ['bad_page+0xc0/0x120', 'dump_stack+0x63/0x90'])).toEqual(
      symbolizeFrames(catalogText('v4'), ['bad_page+0xc0/0x120', 'dump_stack+0x63/0x90']),
    );
  });
});

describe('symbolizeFrames()', () => {
  it('resolves %pS frames to return addresses and prints them back', () => {
    const text = new KernelText({ coreStart: 0x81000000, moduleStart: 0xa0000000 }, [
      { name: '__alloc_pages_nodemask', start: 0x81168190, size: 0x230 },
    ]);
    expect(symbolizeFrames(text, ['__alloc_pages_nodemask+0x134', 'uaf_drv_ioctl+0x101/0x1a0 [uaf_drv]'])).toEqual([
      { address: 'ffffffff811682c4', symbol: '__alloc_pages_nodemask+0x134/0x230' },
      { address: 'ffffffffa0000101', symbol: 'uaf_drv_ioctl+0x101/0x1a0 [uaf_drv]' },
    ]);
  });
});

import { Readable } from 'node:stream';
import { diffPageOwner, formatParsedRecord, parsePageOwner, sortPageOwner } from '@mm/page-owner-tools';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('parses, prints back, sorts and compares v4.8 dumps', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line:
    const record = (pfn: number) => `Page allocated via order 0, mask 0x24200ca(GFP_HIGHUSER_MOVABLE)
PFN ${pfn} type Movable Block ${pfn >> 9} type Movable Flags 0x1fffff80040030(dirty|lru|swapbacked)
 [<ffffffff811682c4>] __alloc_pages_nodemask+0x134/0x230
 [<ffffffff811b6325>] alloc_pages_vma+0xb5/0x250

`;
    const before = record(628753); // a v4.8 dump of one record
    const after = before + record(628754);
    const [parsed] = parsePageOwner(before);
    console.log(parsed!.format, parsed!.pfn, parsed!.frames[1]!.symbol); // v4.x 628753 alloc_pages_vma
    console.log(formatParsedRecord(parsed!) === before); // true: parse, then print, gives the dump back
    console.log(sortPageOwner('v4.8', ['in', 'out'], after.replace(/^PFN.*\n/gm, '')).output); // 2 times: ...
    const [growth] = await diffPageOwner(Readable.from([before]), Readable.from([after]));
    console.log(growth!.growth, growth!.stack); // 1 __alloc_pages_nodemask+0x134/0x230 alloc_pages_vma+0xb5/0x250

    expect(log.mock.calls).toEqual([
      ['v4.x', 628753, 'alloc_pages_vma'],
      [true],
      [
        '2 times:\nPage allocated via order 0, mask 0x24200ca(GFP_HIGHUSER_MOVABLE)\n' +
          ' [<ffffffff811682c4>] __alloc_pages_nodemask+0x134/0x230\n [<ffffffff811b6325>] alloc_pages_vma+0xb5/0x250\n\n',
      ],
      [1, '__alloc_pages_nodemask+0x134/0x230\nalloc_pages_vma+0xb5/0x250'],
    ]);
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});

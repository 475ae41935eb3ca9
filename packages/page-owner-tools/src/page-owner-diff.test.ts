import { describe, expect, it } from 'vitest';
import { diffPageOwner } from './page-owner-diff';

/** A v4.x record of `order` with the given frames at the given addresses. */
const record = (pfn: number, order: number, frames: readonly [string, string][]) =>
  `Page allocated via order ${order}, mask 0x24200ca(GFP_HIGHUSER_MOVABLE)
PFN ${pfn} type Movable Block ${pfn >> 9} type Movable Flags 0x1fffff80040030(dirty|lru|swapbacked)
${frames.map(([address, symbol]) => ` [<${address}>] ${symbol}\n`).join('')}
`;

async function* chunks(text: string): AsyncGenerator<string> {
  yield text;
}

describe('diffPageOwner', () => {
  it('sums pages per stack, ignores addresses (another boot, another KASLR offset), sorts by growth', async () => {
    const leak = [['ffffffff811682c4', 'leaky_ioctl+0x5a/0x1c0 [leaky]']] as [string, string][];
    const leakMoved = [['ffffffffa11682c4', 'leaky_ioctl+0x5a/0x1c0 [leaky]']] as [string, string][];
    const cache = [['ffffffff81177491', 'shmem_alloc_page+0x61/0x90']] as [string, string][];
    const before = record(1, 0, leak) + record(2, 2, cache);
    const after = record(1, 0, leakMoved) + record(3, 1, leakMoved) + record(9, 0, cache);
    const stacks = await diffPageOwner(chunks(before), chunks(after));
    expect(stacks).toEqual([
      {
        stack: 'leaky_ioctl+0x5a/0x1c0 [leaky]',
        before: { pages: 1, records: 1 },
        after: { pages: 3, records: 2 },
        growth: 2,
      },
      {
        stack: 'shmem_alloc_page+0x61/0x90',
        before: { pages: 4, records: 1 },
        after: { pages: 1, records: 1 },
        growth: -3,
      },
    ]);
  });

  it('names the file and line of a malformed record', async () => {
    await expect(diffPageOwner(chunks(''), chunks('garbage\n'), { after: 'b.txt' })).rejects.toThrow(/^b\.txt:1: /);
  });
});

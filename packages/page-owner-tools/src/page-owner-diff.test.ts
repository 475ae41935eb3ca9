import { describe, expect, it } from 'vitest';
import { diffPageOwner } from './page-owner-diff';
import { PageOwnerParseError, type PageOwnerSkips } from './parse-page-owner';

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

  it('reads what it can: no empty line after the last record, unknown lines skipped and counted, CRLF', async () => {
    const stack = [['ffffffff811682c4', 'leaky_ioctl+0x5a/0x1c0 [leaky]']] as [string, string][];
    const before = record(1, 0, stack);
    const after = `${record(1, 0, stack)}>>> a line from a mail\n${record(2, 1, stack).replaceAll('\n', '\r\n').slice(0, -4)}`;
    const heard: PageOwnerSkips[] = [];
    const stacks = await diffPageOwner(chunks(before), chunks(after), {
      before: 'a.txt',
      after: 'b.txt',
      onSkipped: (skipped) => heard.push(skipped),
    });
    expect(stacks).toEqual([
      {
        stack: 'leaky_ioctl+0x5a/0x1c0 [leaky]',
        before: { pages: 1, records: 1 },
        after: { pages: 3, records: 2 },
        growth: 2,
      },
    ]);
    expect(heard.map((skipped) => [skipped.file, skipped.lines, skipped.examples[0]!.line])).toEqual([['b.txt', 1, 5]]);
  });

  it('never sums a record with a field out of range: order 99, a pfn of 2^60, an offset of 400 digits', async () => {
    const stack = [['ffffffff811682c4', 'x+0x1/0x2']] as [string, string][];
    const good = record(1, 0, stack);
    const after =
      good +
      record(2, 99, stack) +
      record(3, 0, stack).replace('PFN 3', `PFN ${2n ** 60n}`) +
      record(4, 0, [['ffffffff811682c4', `x+0x${'f'.repeat(400)}/0x2`]]);
    let skipped: PageOwnerSkips | undefined;
    const [growth] = await diffPageOwner(chunks(good), chunks(after), { onSkipped: (heard) => (skipped = heard) });
    expect(growth).toMatchObject({ before: { pages: 1, records: 1 }, after: { pages: 1, records: 1 }, growth: 0 });
    expect(skipped).toMatchObject({ records: 3, lines: 9 });
    expect(skipped!.summary()).toMatch(/^<after>: skipped 9 lines .*\(3 records with a field out of range\)/);
  });

  it("counts a kernel log's allocated pages and leaves out its freed ones", async () => {
    const log = (state: string, symbol: string) => `page_owner tracks the page as ${state}
page last allocated via order 2, migratetype Unmovable, gfp_mask 0xcc0(GFP_KERNEL), pid 1, tgid 1 (a), ts 5, free_ts 6
 ${symbol}+0x1/0x2
page_owner free stack trace missing
`;
    const stacks = await diffPageOwner(chunks(''), chunks(log('allocated', 'held') + log('freed', 'gone')));
    expect(stacks.map((entry) => [entry.stack, entry.after.pages])).toEqual([['held+0x1/0x2', 4]]);
  });

  it('refuses a 100 MB line at once, naming the file and line and showing 80 characters of it', async () => {
    const line = Buffer.alloc(100 * 1024 * 1024, 'z');
    let read = 0;
    async function* file() {
      for (let at = 0; at < line.length; at += 65536, read++) yield line.subarray(at, at + 65536);
    }
    const error = await diffPageOwner(chunks(''), file(), { after: 'huge.txt' }).catch((caught: unknown) => caught);
    // At once: the chunk past 64 KiB, not the 1600 chunks of the line.
    expect(read).toBeLessThanOrEqual(2);
    expect(error).toBeInstanceOf(PageOwnerParseError);
    expect((error as Error).message).toBe(
      `huge.txt:1: expected a line of at most 65536 characters (page_owner lines are under 1 KiB), got "${'z'.repeat(80)}"... (more than 65536 characters)`,
    );
  });
});

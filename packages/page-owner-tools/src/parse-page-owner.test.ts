import { describe, expect, it } from 'vitest';
import {
  formatParsedRecord,
  PAGE_OWNER_MAX_LINE,
  PageOwnerParseError,
  PageOwnerParser,
  PageOwnerSkips,
  parsePageOwner,
  parsePageOwnerStream,
} from './parse-page-owner';

// Real records: v4.6/v4.7 from the 7cd12b4abfd2 commit message (docs/kernel-notes/page-owner-stackdepot.md §1.8),
// the others in the exact shape print_page_owner() of their era writes.
const v47 = `Page allocated via order 0, mask 0x24200ca(GFP_HIGHUSER_MOVABLE)
PFN 628753 type Movable Block 1228 type Movable Flags 0x1fffff80040030(dirty|lru|swapbacked)
 [<ffffffff811682c4>] __alloc_pages_nodemask+0x134/0x230
 [<ffffffff811b6325>] alloc_pages_vma+0xb5/0x250
 [<ffffffff81177491>] shmem_alloc_page+0x61/0x90
 [<ffffffff8117a438>] shmem_getpage_gfp+0x678/0x960
 [<ffffffff8117c2b9>] shmem_fallocate+0x329/0x440
 [<ffffffff811de600>] vfs_fallocate+0x140/0x230
 [<ffffffff811df434>] SyS_fallocate+0x44/0x70
 [<ffffffffffffffff>] 0xffffffffffffffff
Page has been migrated, last migrate reason: compaction

`;

const v618 = `Page allocated via order 2, mask 0x52cc0(GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP), pid 5640, tgid 5638 (stress-ng (x)), ts 414987114269 ns
PFN 0x11c type Unmovable Block 0 type Unmovable Flags 0x4000000000000040(head|node=0|zone=1)
 post_alloc_hook+0x177/0x1a0
 get_page_from_freelist+0xd01/0x2140
 __alloc_frozen_pages_noprof+0x168/0x3b0
 xfs_buf_alloc_backing_mem+0x0/0x2a0 [xfs]
 xfs_buf_get_map+0x3c/0x80 [xfs]
Page has been migrated, last migrate reason: compaction
Slab cache page
Charged (via objcg) to offline memcg session-4.scope

`;

const tv5 = `Page allocated via order 0, mask 0x0(), pid 1, tgid 1 (swapper/0), ts 357726668 ns, free_ts 0 ns
PFN 5124 type Unmovable Block 10 type Unmovable Flags 0xfffffc0000000(node=0|zone=1|lastcpupid=0x1fffff)
 register_early_stack+0x6d/0xc0
 init_page_owner+0x3c/0x370

Page allocated via order 0, mask 0x0(), pid 1, ts 357726668 ns, free_ts 18446744073709551615 ns
PFN 5125 type Unmovable Block 10 type Unmovable Flags 0xfffffc0000000(node=0|zone=1|lastcpupid=0x1fffff)
 register_early_stack+0x6d/0xc0
Charged to memcg user.slice

`;

const v510 = `Page allocated via order 1, mask 0x100cca(GFP_HIGHUSER_MOVABLE)
PFN 262144 type Movable Block 512 type Movable Flags 0x17ffffc0000000()
 prep_new_page+0x15f/0x180
 ext4_da_write_begin+0x1c3/0x460 [ext4]

`;

const v319 = `Page allocated via order 0, mask 0x200da
PFN 7470 Block 14 type 2 Fallback Flags    U LA    M
 [<ffffffff8116f8e4>] __alloc_pages_nodemask+0x134/0x230
 [<ffffffff811b4058>] alloc_pages_vma+0xb5/0x250

Page allocated via order 3, mask 0xd0
PFN 8192 Block 16 type 0          Flags K      S C  
 [<ffffffff8116f8e4>] __alloc_pages_nodemask+0x134/0x230

`;

function parseAll(text: string, file?: string) {
  return [...parsePageOwner(text, file === undefined ? {} : { file })];
}

/** The records of `text` and what was skipped. */
function parseSkipping(text: string, file = 'dump') {
  const skipped = new PageOwnerSkips();
  const records = [...parsePageOwner(text, { file, skipped })];
  return { records, skipped };
}

/** The PageOwnerParseError a strict parse throws. */
function parseError(text: string, file?: string): PageOwnerParseError {
  try {
    [...parsePageOwner(text, file === undefined ? { strict: true } : { file, strict: true })];
  } catch (error) {
    if (error instanceof PageOwnerParseError) return error;
    throw error;
  }
  throw new Error('parsed without an error');
}

describe('parsePageOwner', () => {
  it('reads a v4.7 record with its inline stack, the ULONG_MAX terminator and the migrate line', () => {
    const [record] = parseAll(v47);
    expect(record).toMatchObject({
      format: 'v4.x',
      line: 1,
      order: 0,
      gfp: 0x24200ca,
      gfpText: 'GFP_HIGHUSER_MOVABLE',
      pfn: 628753,
      pageType: 'Movable',
      block: 1228,
      blockType: 'Movable',
      flags: '0x1fffff80040030(dirty|lru|swapbacked)',
      migrateReason: 'compaction',
      slab: false,
    });
    expect(record!.pid).toBeUndefined();
    expect(record!.frames).toHaveLength(8);
    expect(record!.frames[0]).toEqual({
      address: 'ffffffff811682c4',
      symbol: '__alloc_pages_nodemask',
      offset: 0x134,
      size: 0x230,
    });
    expect(record!.frames[7]).toEqual({ address: 'ffffffffffffffff', symbol: '0xffffffffffffffff' });
  });

  it('reads a v6.18 record: hex PFN, task fields, modules, a zero offset, slab and memcg lines', () => {
    const [record] = parseAll(v618);
    expect(record).toMatchObject({
      format: 'v6.18',
      order: 2,
      gfp: 0x52cc0,
      pid: 5640,
      tgid: 5638,
      comm: 'stress-ng (x)',
      ts: 414987114269n,
      pfn: 0x11c,
      block: 0,
      flags: '0x4000000000000040(head|node=0|zone=1)',
      migrateReason: 'compaction',
      slab: true,
      memcg: { viaObjcg: true, offline: true, name: 'session-4.scope' },
    });
    expect(record!.freeTs).toBeUndefined();
    expect(record!.frames[3]).toEqual({ symbol: 'xfs_buf_alloc_backing_mem', offset: 0, size: 0x2a0, module: 'xfs' });
  });

  it('reads tv-5.x headers with free_ts, with and without tgid, and a memcg line without qualifiers', () => {
    const [first, second] = parseAll(tv5);
    expect(first).toMatchObject({ format: 'tv-5.x', pid: 1, tgid: 1, comm: 'swapper/0', ts: 357726668n, freeTs: 0n });
    expect(second).toMatchObject({ format: 'tv-5.x', pid: 1, ts: 357726668n, freeTs: 18446744073709551615n, line: 6 });
    expect(second!.tgid).toBeUndefined();
    expect(second!.memcg).toEqual({ viaObjcg: false, offline: false, name: 'user.slice' });
  });

  it('tells v5.10 (frames without addresses) from v4.x by the stack lines', () => {
    const [record] = parseAll(v510);
    expect(record!.format).toBe('v5.10');
    expect(record!.frames[1]).toEqual({ symbol: 'ext4_da_write_begin', offset: 0x1c3, size: 0x460, module: 'ext4' });
  });

  it('reads v3.19 records: no gfp names, the pageblock type as a number, Fallback and the flag columns', () => {
    const [first, second] = parseAll(v319);
    expect(first).toMatchObject({
      format: 'v3.19',
      gfp: 0x200da,
      pfn: 7470,
      block: 14,
      blockType: '2',
      fallback: true,
      flags: '   U LA    M',
    });
    expect(first!.gfpText).toBeUndefined();
    expect(second).toMatchObject({ blockType: '0', fallback: false, flags: 'K      S C  ' });
  });

  it.each([
    ['v4.7', v47],
    ['v6.18', v618],
    ['tv-5.x', tv5],
    ['v5.10', v510],
    ['v3.19', v319],
  ])('prints %s records back to the same bytes', (_era, text) => {
    expect(
      parseAll(text)
        .map((record) => formatParsedRecord(record))
        .join(''),
    ).toBe(text);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    const text = v47 + v618 + tv5;
    const whole = parseAll(text);
    for (const size of [1, 2, 7, 64, 1000]) {
      const chunks: string[] = [];
      for (let start = 0; start < text.length; start += size) chunks.push(text.slice(start, start + size));
      expect([...parsePageOwner(chunks)]).toEqual(whole);
    }
  });

  it('streams from byte chunks, decoding UTF-8 split across chunks', async () => {
    const text = v618.replace('stress-ng (x)', 'bäckground');
    const bytes = new TextEncoder().encode(text);
    async function* chunks() {
      for (let start = 0; start < bytes.length; start += 3) yield bytes.subarray(start, start + 3);
    }
    const records = [];
    for await (const record of parsePageOwnerStream(chunks())) records.push(record);
    expect(records).toHaveLength(1);
    expect(records[0]!.comm).toBe('bäckground');
    expect(formatParsedRecord(records[0]!)).toBe(text);
  });

  it('parses an empty input to no records, and reports the first record format', () => {
    expect(parseAll('')).toEqual([]);
    const parser = new PageOwnerParser();
    expect(parser.format).toBeUndefined();
    for (const line of v618.split('\n').slice(0, -1)) parser.line(line);
    parser.end();
    expect(parser.format).toBe('v6.18');
    expect(parser.records).toBe(1);
  });
});

describe('reading what page_owner_sort reads', () => {
  it('reads a last record without its empty line', () => {
    const { records, skipped } = parseSkipping(v510.slice(0, -1) + v618.slice(0, -2));
    expect(records.map((record) => record.format)).toEqual(['v5.10', 'v6.18']);
    expect(records[1]!.memcg!.name).toBe('session-4.scope');
    expect(skipped.empty).toBe(true);
  });

  it('reads a header where the empty line is missing as the start of the next record', () => {
    const { records, skipped } = parseSkipping(v510.replace(/\n\n$/, '\n') + v618);
    expect(records.map((record) => [record.format, record.line])).toEqual([
      ['v5.10', 1],
      ['v6.18', 5],
    ]);
    expect(skipped.empty).toBe(true);
  });

  it('skips unknown lines, counts them, and shows the first three with their file and line', () => {
    const text = `garbage before\n${v510.replace(' prep_new_page', 'junk inside\n prep_new_page')}\n\nline 10\n${tv5}x\ny\n`;
    const { records, skipped } = parseSkipping(text, 'page_owner.txt');
    expect(records.map((record) => record.format)).toEqual(['v5.10', 'tv-5.x', 'tv-5.x']);
    expect(records[0]!.frames).toHaveLength(2);
    expect(skipped.lines).toBe(5);
    expect(skipped.records).toBe(0);
    expect(skipped.examples).toEqual([
      { line: 1, text: 'garbage before', expected: "'Page allocated via order N, mask 0xGFP(...)' header" },
      { line: 4, text: 'junk inside', expected: expect.stringMatching(/^a stack line/) },
      { line: 10, text: 'line 10', expected: "'Page allocated via order N, mask 0xGFP(...)' header" },
    ]);
    expect(skipped.summary()).toBe(
      `page_owner.txt: skipped 5 lines it could not read as page_owner records, e.g. page_owner.txt:1: expected 'Page allocated via order N, mask 0xGFP(...)' header, got "garbage before"; page_owner.txt:4: expected ${skipped.examples[1]!.expected}, got "junk inside"; page_owner.txt:10: expected 'Page allocated via order N, mask 0xGFP(...)' header, got "line 10" (and 2 more)`,
    );
  });

  it('ignores extra empty lines between records, as page_owner_sort does', () => {
    const { records, skipped } = parseSkipping(`\n\n${v510}\n\n\n${v47}`);
    expect(records).toHaveLength(2);
    expect(skipped.empty).toBe(true);
  });

  it('reads CRLF line endings, trailing whitespace, mail quotes and kernel log prefixes', () => {
    const expected = parseAll(v618 + v319 + v47);
    const crlf = (v618 + v319 + v47).replaceAll('\n', '\r\n');
    const trailing = (v618 + v319 + v47).replaceAll('\n', ' \t\n');
    const quoted = (v618 + v319 + v47)
      .split('\n')
      .map((line) => `> ${line}`)
      .join('\n');
    const twice = quoted
      .split('\n')
      .map((line) => `>${line}`)
      .join('\n');
    const logged = (v618 + v319 + v47)
      .split('\n')
      .map((line, index) => `[${String(index).padStart(5)}.123456] ${line}`)
      .join('\n');
    const caller = (v618 + v319 + v47)
      .split('\n')
      .map((line) => `<4>[   12.000001][  T123] ${line}`)
      .join('\n');
    for (const text of [crlf, trailing, quoted, twice, logged, caller]) {
      const { records, skipped } = parseSkipping(text);
      expect(skipped.examples).toEqual([]);
      expect(records).toEqual(expected);
    }
  });

  it('reads a dump without its PFN lines (grep -v ^PFN, as the v4.x page_owner_sort documentation says)', () => {
    const text = (v47 + v618 + v319 + tv5).replace(/^PFN.*\n/gm, '');
    const { records, skipped } = parseSkipping(text);
    expect(skipped.empty).toBe(true);
    expect(records.map((record) => [record.format, record.pfn, record.block, record.blockType, record.flags])).toEqual([
      ['v4.x', -1, -1, '', ''],
      ['tv-5.x', -1, -1, '', ''],
      ['v3.19', -1, -1, '', ''],
      ['v3.19', -1, -1, '', ''],
      ['tv-5.x', -1, -1, '', ''],
      ['tv-5.x', -1, -1, '', ''],
    ]);
    expect(records[0]!.frames).toHaveLength(8);
    expect(records.map((record) => formatParsedRecord(record)).join('')).toBe(text);
  });

  it('reads the v5.19 header with a comm after the pid and no tgid', () => {
    const text = `Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 77 (kworker/0:1), ts 5 ns, free_ts 0 ns
PFN 4096 type Unmovable Block 8 type Unmovable Flags 0x0()
 x+0x1/0x2

`;
    const [record] = parseAll(text);
    expect(record).toMatchObject({ pid: 77, comm: 'kworker/0:1', ts: 5n, freeTs: 0n });
    expect(record!.tgid).toBeUndefined();
    expect(formatParsedRecord(record!)).toBe(text);
  });

  it('takes a comm with odd characters whole: CR, U+2028, parentheses, the text of a ts', () => {
    for (const comm of ['a\rb', 'x\u2028y\u2029z', 'f(o)o', 'sh), ts 1 ns', '', 'x\u0085\u009b']) {
      const text = v618.replace('stress-ng (x)', comm);
      const { records, skipped } = parseSkipping(text);
      expect(skipped.examples, JSON.stringify(comm)).toEqual([]);
      expect(records[0]!.comm).toBe(comm);
      expect(records[0]!.ts).toBe(414987114269n);
      expect(formatParsedRecord(records[0]!)).toBe(text);
    }
  });

  it('reads module names with a build id, and frames of symbols with dots and underscores', () => {
    const text = v510
      .replace('[ext4]', '[ext4 0123456789abcdef0123456789abcdef01234567]')
      .replace('prep_new_page', 'prep_new_page.cold.12');
    const [record] = parseAll(text);
    expect(record!.frames[0]!.symbol).toBe('prep_new_page.cold.12');
    expect(record!.frames[1]!.module).toBe('ext4 0123456789abcdef0123456789abcdef01234567');
    expect(formatParsedRecord(record!)).toBe(text);
  });
});

describe('kernel log records (__dump_page_owner)', () => {
  const v618Log = `[   52.731990] BUG: Bad page state in process uaf_user  pfn:10a3c5
[   52.731990] page: refcount:0 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x10a3c5
[   52.731991] flags: 0x17ffffc0000000(node=0|zone=2|lastcpupid=0x1fffff)
[   52.731993] page dumped because: pagealloc: corrupted page details
[   52.731994] page_owner tracks the page as freed
[   52.731995] page last allocated via order 0, migratetype Unmovable, gfp_mask 0xcc0(GFP_KERNEL), pid 1234, tgid 1234 (uaf_user), ts 52731948213, free_ts 52731990517
[   52.731996]  post_alloc_hook+0xb3/0xe0
[   52.731997]  uaf_drv_ioctl+0x4c/0x1a0 [uaf_drv]
[   52.731998] page last free pid 1234 tgid 1235 stack trace:
[   52.731999]  __free_frozen_pages+0x2c3/0x5a0
[   52.732000]  uaf_drv_ioctl+0xe1/0x1a0 [uaf_drv]
[   52.732001] Modules linked in: uaf_drv(O)
`;

  it('reads a v6.x report: allocated or freed, the task, both stacks, and the pfn of dump_page()', () => {
    const { records, skipped } = parseSkipping(v618Log);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      format: 'dmesg',
      line: 6,
      order: 0,
      gfp: 0xcc0,
      gfpText: 'GFP_KERNEL',
      pageType: 'Unmovable',
      pid: 1234,
      tgid: 1234,
      comm: 'uaf_user',
      ts: 52731948213n,
      freeTs: 52731990517n,
      pfn: 0x10a3c5,
      block: -1,
      blockType: '',
      allocated: false,
      free: { pid: 1234, tgid: 1235 },
    });
    expect(records[0]!.frames.map((frame) => frame.symbol)).toEqual(['post_alloc_hook', 'uaf_drv_ioctl']);
    expect(records[0]!.free!.frames.map((frame) => frame.offset)).toEqual([0x2c3, 0xe1]);
    // The other lines of the log are not page_owner's: counted, not read.
    expect(skipped.lines).toBe(4);
    expect(skipped.examples[0]).toMatchObject({ line: 1, text: 'BUG: Bad page state in process uaf_user  pfn:10a3c5' });
  });

  it.each([
    [
      'v4.8',
      `page allocated via order 0, migratetype Unmovable, gfp_mask 0x24000c0(GFP_KERNEL)
 [<ffffffff811682c4>] __alloc_pages_nodemask+0x134/0x230
 [<ffffffff811b6325>] alloc_pages_vma+0xb5/0x250
page has been migrated, last migrate reason: compaction
`,
      { allocated: undefined, pid: undefined, migrateReason: 'compaction' },
    ],
    [
      'v5.4',
      `page_owner tracks the page as allocated
page last allocated via order 1, migratetype Movable, gfp_mask 0x100cca(GFP_HIGHUSER_MOVABLE)
 prep_new_page+0x15f/0x180
page last free stack trace:
 free_pcp_prepare+0x1/0x2
`,
      { allocated: true, pid: undefined, free: { frames: [{ symbol: 'free_pcp_prepare', offset: 1, size: 2 }] } },
    ],
    [
      'v5.11',
      `page_owner tracks the page as allocated
page last allocated via order 0, migratetype Movable, gfp_mask 0x0(), pid 77, ts 123
page_owner allocation stack trace missing
page_owner free stack trace missing
`,
      { allocated: true, pid: 77, ts: 123n, frames: [], free: undefined },
    ],
    [
      'v5.12',
      `page_owner tracks the page as freed
page last allocated via order 3, migratetype Reclaimable, gfp_mask 0xcc0(GFP_KERNEL), pid 77, ts 123, free_ts 456
 a+0x1/0x2
page_owner free stack trace missing
page has been migrated, last migrate reason: numa_misplaced
`,
      { allocated: false, pid: 77, ts: 123n, freeTs: 456n, migrateReason: 'numa_misplaced' },
    ],
  ])('reads a %s report and prints it back', (_era, text, fields) => {
    const { records, skipped } = parseSkipping(text);
    expect(skipped.examples).toEqual([]);
    expect(records).toHaveLength(1);
    const record = records[0]!;
    expect(record.format).toBe('dmesg');
    expect(record.pfn).toBe(-1);
    for (const [key, value] of Object.entries(fields)) expect(record[key as keyof typeof record], key).toEqual(value);
    expect(formatParsedRecord(record)).toBe(text);
  });

  it('ends a report at the first line that is not part of it, and takes the next one after it', () => {
    const text = `page allocated via order 0, migratetype Unmovable, gfp_mask 0xd0(GFP_KERNEL)
[<ffffffff811682c4>] a+0x1/0x2
something else
page allocated via order 1, migratetype Movable, gfp_mask 0xd0(GFP_KERNEL)
 [<ffffffff811682c4>] b+0x1/0x2
`;
    const { records, skipped } = parseSkipping(text);
    expect(records.map((record) => [record.order, record.frames[0]!.symbol])).toEqual([
      [0, 'a'],
      [1, 'b'],
    ]);
    expect(skipped.examples).toEqual([{ line: 3, text: 'something else', expected: expect.any(String) }]);
  });

  it('does not take the pfn of an earlier dump_page() whose page had no record', () => {
    const text = `page: refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x1000
page_owner info is not present (never set?)
page allocated via order 0, migratetype Unmovable, gfp_mask 0xd0(GFP_KERNEL)
 a+0x1/0x2
`;
    expect(parseSkipping(text).records[0]!.pfn).toBe(-1);
  });
});

describe('numbers out of the kernel range', () => {
  const header = (fields: string) => `Page allocated via order ${fields}\n`;
  const good = `Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 1, tgid 1 (sh), ts 5 ns
PFN 0x11c type Unmovable Block 0 type Unmovable Flags 0x0()
 x+0x1/0x2

`;

  it.each([
    ['order 11', v618.replace('order 2,', 'order 11,'), 'an order of at most 10'],
    ['order 99', v618.replace('order 2,', 'order 99,'), 'an order of at most 10'],
    ['a 400-digit order', v618.replace('order 2,', `order ${'9'.repeat(400)},`), 'an order of at most 10'],
    ['a gfp mask over 32 bits', v618.replace('0x52cc0(', '0x100000000('), 'a gfp mask of 32 bits'],
    ['a pid of 2^32', v618.replace('pid 5640', 'pid 4294967296'), 'a pid below 2^32'],
    ['a tgid of 2^53', v618.replace('tgid 5638', 'tgid 9007199254740993'), 'a tgid below 2^32'],
    ['a ts of 2^64', v618.replace('ts 414987114269', 'ts 18446744073709551616'), 'a ts of 64 bits'],
    [
      'a free_ts of 2^64',
      tv5.slice(0, tv5.indexOf('\n\n') + 2).replace('free_ts 0', 'free_ts 18446744073709551616'),
      'a free_ts of 64 bits',
    ],
    ['a pfn of 2^52', v618.replace('PFN 0x11c', 'PFN 0x10000000000000'), 'a pfn below 2^52'],
    ['a decimal pfn of 2^60', v510.replace('PFN 262144', `PFN ${2n ** 60n}`), 'a pfn below 2^52'],
    [
      'a v3.19 pfn of 10^20',
      v319.slice(0, v319.indexOf('\n\n') + 2).replace('PFN 7470', 'PFN 100000000000000000000'),
      'a pfn below 2^52',
    ],
    ['a block of 2^52', v510.replace('Block 512', `Block ${2 ** 52}`), 'a pageblock number below 2^52'],
    [
      'an offset of 400 digits',
      v510.replace('+0x15f/', `+0x${'f'.repeat(400)}/`),
      'a stack line whose offset and size are below 2^53',
    ],
    ['a size of 2^53', v47.replace('/0x230', '/0x20000000000000'), 'a stack line whose offset and size are below 2^53'],
    [
      'a stack of 257 lines',
      v510.replace(' prep_new_page+0x15f/0x180\n', ' x+0x1/0x2\n'.repeat(257)),
      'at most 256 stack lines in a record',
    ],
  ])('drops a record with %s, counting its lines, and reads on', (_what, bad, expected) => {
    const { records, skipped } = parseSkipping(good + bad + good);
    expect(records.map((record) => record.line)).toEqual([1, 5 + bad.split('\n').length - 1]);
    expect(skipped.records).toBe(1);
    expect(skipped.lines).toBe(bad.split('\n').length - 2);
    expect(skipped.examples).toHaveLength(1);
    expect(skipped.examples[0]!.expected).toBe(expected);
    expect(parseError(good + bad).message).toMatch(
      new RegExp(`^<input>:\\d+: expected ${expected.replace(/[\^$()]/g, '\\$&')}, got "`),
    );
  });

  it('takes every pfn below 2^52, exactly', () => {
    for (const pfn of [7_532_909_325, 2 ** 40, 2 ** 52 - 1]) {
      const [hex] = parseAll(v618.replace('PFN 0x11c', `PFN 0x${pfn.toString(16)}`));
      const [dec] = parseAll(v510.replace('PFN 262144', `PFN ${pfn}`));
      expect([hex!.pfn, dec!.pfn]).toEqual([pfn, pfn]);
    }
  });

  it('takes the largest values the kernel prints: order 10, a 32-bit mask, u32 pids, u64 times', () => {
    const text = header(
      '10, mask 0xffffffff(GFP_KERNEL), pid 4294967295, tgid 4294967295 (x), ts 18446744073709551615 ns, free_ts 18446744073709551615 ns',
    );
    const [record] = parseAll(`${text}PFN 5 type Movable Block 0 type Movable Flags 0x0()\n\n`);
    expect(record).toMatchObject({
      order: 10,
      gfp: 0xffffffff,
      pid: 2 ** 32 - 1,
      tgid: 2 ** 32 - 1,
      ts: 2n ** 64n - 1n,
      freeTs: 2n ** 64n - 1n,
    });
  });

  it('takes a larger order when told to (arm64 with 64 KiB pages: 13)', () => {
    const text = v618.replace('order 2,', 'order 13,');
    expect(parseSkipping(text).records).toHaveLength(0);
    expect([...parsePageOwner(text, { maxOrder: 13 })][0]!.order).toBe(13);
  });

  it('never gives a number that is not finite', () => {
    const text = v510.replace('+0x15f/0x180', `+0x${'f'.repeat(13)}/0x${'f'.repeat(13)}`);
    const [record] = parseAll(text);
    expect(record!.frames[0]).toMatchObject({ offset: 0xfffffffffffff, size: 0xfffffffffffff });
  });
});

describe('line length', () => {
  it('refuses a line over 64 KiB at once, naming the file and line, showing 80 characters of it', () => {
    // Flat, as a file's chunks are ('x'.repeat() gives a rope that takes V8 a second to flatten).
    const bytes = Buffer.alloc(16 * 1024 * 1024, 'x');
    const long = bytes.toString('latin1');
    const whole = Buffer.concat([Buffer.from(v510), bytes, Buffer.from('\n')]).toString('latin1');
    for (const input of [whole, [v510, long.slice(0, 50_000), long]]) {
      let error: unknown;
      try {
        [...parsePageOwner(input as string | string[], { file: 'big.txt' })];
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(PageOwnerParseError);
      const message = (error as Error).message;
      expect(message).toMatch(
        new RegExp(
          `^big\\.txt:6: expected a line of at most ${PAGE_OWNER_MAX_LINE} characters \\(page_owner lines are under 1 KiB\\), got "x{80}"\\.\\.\\. \\(more than ${PAGE_OWNER_MAX_LINE} characters\\)$`,
        ),
      );
      expect(message.length).toBeLessThan(250);
    }
  });

  it('refuses a stream without newlines after 64 KiB (/dev/zero)', async () => {
    let chunks = 0;
    async function* zeros() {
      for (;;) {
        chunks++;
        yield new Uint8Array(4096);
      }
    }
    await expect(parsePageOwnerStream(zeros(), { file: '/dev/zero' }).next()).rejects.toThrow(
      /^\/dev\/zero:1: expected a line of at most 65536 characters .*, got "\\u0000\\u0000/,
    );
    expect(chunks).toBeLessThanOrEqual(17);
  });

  it('takes a line of 64 KiB', () => {
    const comm = 'c'.repeat(PAGE_OWNER_MAX_LINE - 200);
    const text = v618.replace('stress-ng (x)', comm);
    expect(text.split('\n')[0]!.length).toBeLessThanOrEqual(PAGE_OWNER_MAX_LINE);
    expect(parseAll(text)[0]!.comm).toBe(comm);
  });
});

describe('strict mode', () => {
  it('names the file, the line, the expected form and the offending line', () => {
    const error = parseError(`${v47}Page allocated via order 0, mask 0x0()\nBlock 3\n`, 'page_owner');
    expect(error.message).toBe(
      `page_owner:14: expected 'PFN ...' line or a stack line after the header, got "Block 3"`,
    );
    expect(error).toMatchObject({
      file: 'page_owner',
      line: 14,
      text: 'Block 3',
      expected: "'PFN ...' line or a stack line after the header",
    });
  });

  it.each([
    [
      'a bad header',
      'PFN 1 type Movable\n',
      1,
      `expected 'Page allocated via order N, mask 0xGFP(...)' header, got "PFN 1 type Movable"`,
    ],
    [
      'a number in a form the kernel never prints',
      'Page allocated via order 01, mask 0x0()\n',
      1,
      `expected 'Page allocated via order N, mask 0xGFP(...)' header, got "Page allocated via order 01, mask 0x0()"`,
    ],
    [
      'a v4 PFN line after a v3.19 header',
      'Page allocated via order 0, mask 0xd0\nPFN 5 type Movable Block 0 type Movable Flags 0x0()\n',
      2,
      `expected 'PFN N Block N type N <Fallback|8 spaces> Flags <12 columns>' line or a stack line after the v3.19 header, got "PFN 5 type Movable Block 0 type Movable Flags 0x0()"`,
    ],
    [
      'a malformed stack line',
      v510.replace(' prep_new_page+0x15f/0x180', ' prep_new_page+0x15f'),
      3,
      `expected a stack line (' [<address>] symbol+0xoff/0xsize' or ' symbol+0xoff/0xsize [module]'), 'Page has been migrated, last migrate reason: ...', 'Slab cache page', 'Charged to memcg ...' or the empty line ending the record, got " prep_new_page+0x15f"`,
    ],
    [
      'a stack line after the migrate line',
      v47.replace('compaction\n', 'compaction\n [<ffffffff811682c4>] x+0x1/0x2\n'),
      12,
      `expected 'Slab cache page', 'Charged to memcg ...' or the empty line ending the record, got " [<ffffffff811682c4>] x+0x1/0x2"`,
    ],
    [
      'a migrate line after the slab line',
      v618.replace(
        'Slab cache page\n',
        'Slab cache page\nPage has been migrated, last migrate reason: numa_misplaced\n',
      ),
      10,
      `expected 'Charged to memcg ...' or the empty line ending the record, got "Page has been migrated, last migrate reason: numa_misplaced"`,
    ],
    [
      'a second memcg line',
      v618.replace('scope\n', 'scope\nCharged to memcg b\n'),
      11,
      `expected the empty line ending the record, got "Charged to memcg b"`,
    ],
    [
      'stack lines of two styles in one record',
      v510.replace(' ext4_da', ' [<ffffffffc0123456>] ext4_da'),
      4,
      `expected a stack line in the form of the record's first one (' symbol+0xoff/0xsize'), got " [<ffffffffc0123456>] ext4_da_write_begin+0x1c3/0x460 [ext4]"`,
    ],
    [
      'an order out of range',
      v510.replace('order 1,', 'order 12,'),
      1,
      `expected an order of at most 10, got "Page allocated via order 12, mask 0x100cca(GFP_HIGHUSER_MOVABLE)"`,
    ],
  ])('reports %s', (_what, text, line, message) => {
    const error = parseError(text);
    expect(error.message).toBe(`<input>:${line}: ${message}`);
    expect(error.line).toBe(line);
    // Not strict, the same line is skipped and counted.
    const { skipped } = parseSkipping(text);
    expect(skipped.examples[0]).toMatchObject({ line });
  });

  it('escapes control and line-breaking characters in what it shows, and cuts it to 80 characters', () => {
    const error = parseError(`\u009b2J\u2028${'y'.repeat(200)}\n`);
    expect(error.message).toBe(
      `<input>:1: expected 'Page allocated via order N, mask 0xGFP(...)' header, got "\\u009b2J\\u2028${'y'.repeat(66)}"... (204 characters)`,
    );
    expect(error.text).toHaveLength(80);
  });

  it('is thrown by the stream parser too', async () => {
    async function* chunks() {
      yield 'Page allocated via order 0, mask 0x0()\n';
      yield 'nonsense\n';
    }
    const records = parsePageOwnerStream(chunks(), { file: 'stream', strict: true });
    await expect(records.next()).rejects.toThrow(
      `stream:2: expected 'PFN ...' line or a stack line after the header, got "nonsense"`,
    );
  });
});

describe('PageOwnerSkips', () => {
  it('says what made an input of which nothing was read unreadable: its first skipped line', () => {
    const { records, skipped } = parseSkipping(
      'Page allocated via order 0, mask 0xcc0(GFP_KERNEL)\nnot a PFN line\n',
      'bad.txt',
    );
    // A header alone (no PFN line, no stack) is no record page_owner prints: dropped, and counted.
    expect(records).toHaveLength(0);
    expect(skipped.lines).toBe(2);
    expect(skipped.error().message).toBe(
      `bad.txt:2: expected 'PFN ...' line or a stack line after the header, got "not a PFN line" (no page_owner record in bad.txt: 2 lines skipped)`,
    );
    expect(skipped.examples[1]).toEqual({
      line: 3,
      text: '',
      expected: "'PFN ...' line or a stack line after the header (the record starts at line 1)",
    });
    const empty = parseSkipping('not a dump\nat all\n', 'bad.txt');
    expect(empty.records).toHaveLength(0);
    expect(empty.skipped.error().message).toBe(
      `bad.txt:1: expected 'Page allocated via order N, mask 0xGFP(...)' header, got "not a dump" (no page_owner record in bad.txt: 2 lines skipped)`,
    );
    expect(skipped.summary()).toMatch(
      /^bad\.txt: skipped 2 lines it could not read as page_owner records, e\.g\. bad\.txt:2: /,
    );
  });

  it('drops a header alone wherever it ends: an empty line, another header, the end of input', () => {
    const header = 'Page allocated via order 0, mask 0x0()\n';
    const { records, skipped } = parseSkipping(`${header}\n${header}${v510}${header}`);
    expect(records.map((record) => record.line)).toEqual([4]);
    expect(skipped.examples.map((example) => example.line)).toEqual([2, 4, 10]);
    expect(parseError(header).message).toBe(
      "<input>:2: expected 'PFN ...' line or a stack line after the header (the record starts at line 1), got end of input",
    );
    // A trailer is enough: the kernel printed it after an empty stack.
    expect(parseAll(`${header}Page has been migrated, last migrate reason: compaction\n\n`)).toHaveLength(1);
  });
});

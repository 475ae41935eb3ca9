import { describe, expect, it } from 'vitest';
import {
  formatParsedRecord,
  PageOwnerParseError,
  PageOwnerParser,
  parsePageOwner,
  parsePageOwnerStream,
} from './parse-page-owner';

// Real records: v4.6/v4.7 from the 7cd12b4abfd2 commit message (docs/kernel-notes §1.8), the others in the exact
// shape print_page_owner() of their era writes.
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

/** The PageOwnerParseError `parse` throws. */
function parseError(text: string, file?: string): PageOwnerParseError {
  try {
    parseAll(text, file);
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

describe('PageOwnerParseError', () => {
  it('names the file, the line, the expected form and the offending line', () => {
    const error = parseError(`${v47}Page allocated via order 0, mask 0x0()\nBlock 3\n`, 'page_owner');
    expect(error.message).toBe(`page_owner:14: expected 'PFN ...' line after the header, got "Block 3"`);
    expect(error).toMatchObject({
      file: 'page_owner',
      line: 14,
      text: 'Block 3',
      expected: "'PFN ...' line after the header",
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
      'two empty lines in a row',
      `${v510}\n`,
      6,
      `expected 'Page allocated via order N, mask 0xGFP(...)' header, got ""`,
    ],
    [
      'a v4 PFN line after a v3.19 header',
      'Page allocated via order 0, mask 0xd0\nPFN 5 type Movable Block 0 type Movable Flags 0x0()\n',
      2,
      `expected 'PFN N Block N type N <Fallback|8 spaces> Flags <12 columns>' line after the v3.19 header, got "PFN 5 type Movable Block 0 type Movable Flags 0x0()"`,
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
  ])('reports %s', (_what, text, line, message) => {
    const error = parseError(text);
    expect(error.message).toBe(`<input>:${line}: ${message}`);
    expect(error.line).toBe(line);
  });

  it('reports an input that ends inside a record, naming where the record starts', () => {
    expect(parseError(v510.slice(0, -1), 'dump').message).toBe(
      'dump:5: expected the empty line ending the record (the record starts at line 1), got end of input',
    );
    expect(parseError(`${v510}Page allocated via order 0, mask 0x0()`, 'dump').message).toBe(
      "dump:7: expected 'PFN ...' line after the header (the record starts at line 6), got end of input",
    );
    expect(parseError(v510.slice(0, -1)).text).toBeUndefined();
  });

  it('is thrown by the stream parser too', async () => {
    async function* chunks() {
      yield 'Page allocated via order 0, mask 0x0()\n';
      yield 'nonsense\n';
    }
    const records = parsePageOwnerStream(chunks(), { file: 'stream' });
    await expect(records.next()).rejects.toThrow(`stream:2: expected 'PFN ...' line after the header, got "nonsense"`);
  });
});

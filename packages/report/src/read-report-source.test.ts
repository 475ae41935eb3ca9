import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MAX_REPORT_BINARY_BYTES,
  MAX_REPORT_PFNS,
  ReportSourceError,
  RUN_FILES,
  readReportSource,
} from './read-report-source';

// In memory where the host has a tmpfs: the fuzzer writes thousands of directories.
const scratch = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'mmsim-report-source-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const samples = new URL('../../../samples/', import.meta.url);
const sampleFlags = new Uint8Array(readFileSync(new URL('kpageflags-6.18.bin', samples)));
const sampleCounts = new Uint8Array(readFileSync(new URL('kpagecount-6.18.bin', samples)));

type RunFiles = Partial<Record<keyof typeof RUN_FILES, Uint8Array | string>>;

let runs = 0;
/** A run directory holding `files` (`directory` emptied of the others' files first, else a fresh one). */
function runDirectory(files: RunFiles, directory = join(scratch, `run-${runs++}`)): string {
  for (const [key, file] of Object.entries(RUN_FILES)) {
    const path = join(directory, file);
    const content = files[key as keyof typeof RUN_FILES];
    if (content === undefined) {
      if (existsSync(path)) unlinkSync(path);
      continue;
    }
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
  }
  return directory;
}

/** The error readReportSource throws for `path`. */
function failure(path: string): Error {
  try {
    readReportSource(path);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${path} was read`);
}

/** A /proc/zoneinfo of two small zones: DMA [1, 4096) and DMA32 [4096, 8192), with the sample's lines. */
const ZONEINFO = [
  'Node 0, zone      DMA',
  '  pages free     3840',
  '        min      55',
  '        spanned  4095',
  '        present  3998',
  '        protection: (0, 3018, 4554, 4554, 4554)',
  '  start_pfn:           1',
  'Node 0, zone    DMA32',
  '  pages free     2000',
  '        spanned  4096',
  '        present  4096',
  '  start_pfn:           4096',
  '',
].join('\n');

/** A summary.json of the fields a report shows. */
const SUMMARY = JSON.stringify({
  profile: 'v6.18',
  memoryBytes: 33554432,
  totalPages: 8192,
  workload: 'wss',
  seed: 1,
  freePages: 4000,
  freePcpPages: 12,
  failedAllocations: 0,
  oomKills: 0,
  pageExt: { entryBytes: 88, bytes: 720896 },
  stackDepot: { stacks: 12, bytes: 4096, pages: 1 },
  layouts: [{ profile: 'v6.18', staticBytes: 88 }],
  facts: [['page_owner', 'on']],
  timeline: [
    { ns: 0, stacks: 1, depotBytes: 128 },
    { ns: 1000, stacks: 12, depotBytes: 4096 },
  ],
});

/** The path of the first number in `value` that is NaN or infinite, or undefined. */
function nonFinite(value: unknown, path = '$'): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path} = ${value}`;
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = nonFinite(item, `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

describe('readReportSource: bounds', () => {
  it('reads a run directory of the sample files', () => {
    const data = readReportSource(
      runDirectory({
        kpageflags: sampleFlags.subarray(0, 8192 * 8),
        kpagecount: sampleCounts.subarray(0, 8192 * 8),
        zoneinfo: ZONEINFO,
        summary: SUMMARY,
      }),
    );
    expect(data.pages).toBe(8192);
    expect(data.title).toBe('wss on 32 MiB (v6.18)');
    expect(nonFinite(data)).toBeUndefined();
  });

  it('wants whole u64 entries in the per-pfn files, and at most 2 GiB of each', () => {
    const torn = runDirectory({ kpageflags: sampleFlags.subarray(0, 8 * 100 + 3) });
    expect(failure(torn)).toBeInstanceOf(ReportSourceError);
    expect(failure(torn).message).toBe(
      `${join(torn, RUN_FILES.kpageflags)}: expected /proc/kpageflags (little-endian u64 entries), found 803 bytes, not a whole number of entries`,
    );
    const idle = runDirectory({ kpageflags: sampleFlags.subarray(0, 800), idleBitmap: new Uint8Array(5) });
    expect(failure(idle).message).toContain(
      '/sys/kernel/mm/page_idle/bitmap (little-endian u64 entries), found 5 bytes',
    );
    // A sparse file past the bound: refused by its size, before anything is read.
    const huge = runDirectory({ kpageflags: new Uint8Array(0) });
    truncateSync(join(huge, RUN_FILES.kpageflags), MAX_REPORT_BINARY_BYTES + 8);
    expect(failure(huge).message).toBe(
      `${join(huge, RUN_FILES.kpageflags)}: ${MAX_REPORT_BINARY_BYTES + 8} bytes, more than the ${MAX_REPORT_BINARY_BYTES} bytes a report reads of /proc/kpageflags`,
    );
  });

  it('names the line of a zoneinfo zone beyond the pfns a report maps, a bad number, or a line far too long', () => {
    const beyond = runDirectory({
      kpageflags: sampleFlags.subarray(0, 800),
      zoneinfo: ZONEINFO.replace('start_pfn:           4096', `start_pfn:           ${MAX_REPORT_PFNS}`),
    });
    expect(failure(beyond).message).toBe(
      `${join(beyond, RUN_FILES.zoneinfo)}:12: a zone of pfns 0x80000000 to 0x80001000 ends beyond the 8 TiB of memory a report maps (pfns below 0x80000000)`,
    );
    const digits = runDirectory({
      zoneinfo: ZONEINFO.replace('spanned  4096', `spanned  ${'9'.repeat(400)}`),
      kpageflags: sampleFlags.subarray(0, 8),
    });
    expect(failure(digits).message).toBe(
      `${join(digits, RUN_FILES.zoneinfo)}:10: expected /proc/zoneinfo's spanned as a number of pages`,
    );
    const node = runDirectory({
      zoneinfo: ZONEINFO.replace('Node 0, zone    DMA32', 'Node 99999, zone    DMA32'),
      kpageflags: sampleFlags.subarray(0, 8),
    });
    expect(failure(node).message).toBe(
      `${join(node, RUN_FILES.zoneinfo)}:8: expected /proc/zoneinfo's node number (below 1024)`,
    );
    const long = runDirectory({
      zoneinfo: `${ZONEINFO}${'x'.repeat(1 << 20)}\n`,
      kpageflags: sampleFlags.subarray(0, 8),
    });
    expect(failure(long).message).toBe(
      `${join(long, RUN_FILES.zoneinfo)}:13: a line of more than 65536 characters: not /proc/zoneinfo`,
    );
  });

  it("refuses summary.json numbers that are not finite (JSON's 1e400) or fields of the wrong type", () => {
    for (const [text, problem] of [
      [SUMMARY.replace('"memoryBytes":33554432', '"memoryBytes":1e400'), 'memoryBytes is not a number of 0 or more'],
      [SUMMARY.replace('"memoryBytes":33554432', '"memoryBytes":"32M"'), 'memoryBytes is not a number of 0 or more'],
      [SUMMARY.replace('"workload":"wss"', '"workload":7'), 'workload is not a string'],
      [SUMMARY.replace('"bytes":720896', '"bytes":-1'), 'pageExt.bytes is not a number of 0 or more'],
      [
        SUMMARY.replace('"ns":1000', '"ns":null'),
        'timeline[1] is not { ns, stacks?, depotBytes? } of numbers of 0 or more',
      ],
      [SUMMARY.replace('"staticBytes":88', '"staticBytes":"88"'), 'layouts[0] is not { profile, staticBytes }'],
      [SUMMARY.replace('"facts":[["page_owner","on"]]', '"facts":1e400'), 'facts is not an array'],
    ]) {
      const directory = runDirectory({ kpageflags: sampleFlags.subarray(0, 8), summary: text! });
      expect(failure(directory).message).toBe(
        `${join(directory, RUN_FILES.summary)}: expected mmsim's summary.json: ${problem}`,
      );
    }
  });

  it("names the line of a run's page_owner record beyond the pfns a report maps", () => {
    const run = runDirectory({ kpageflags: sampleFlags.subarray(0, 8) });
    const dump = join(run, 'sys/kernel/debug/page_owner');
    mkdirSync(join(dump, '..'), { recursive: true });
    writeFileSync(
      dump,
      [
        'Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 1, tgid 1 (swapper/0), ts 1000 ns',
        'PFN 0x100 type Unmovable Block 0 type Unmovable Flags 0x0()',
        ' post_alloc_hook+0x177/0x1a0',
        '',
        'Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 1, tgid 1 (swapper/0), ts 1000 ns',
        'PFN 0x80000000 type Unmovable Block 4194304 type Unmovable Flags 0x0()',
        ' post_alloc_hook+0x177/0x1a0',
        '',
      ].join('\n'),
    );
    expect(failure(run).message).toBe(
      `${dump}:5: a record of pfn 0x80000000 order 0 lies beyond the 8 TiB of memory a report maps (pfns below 0x80000000, orders to 10)`,
    );
  });
});

/** Byte edits of a per-pfn file: bytes written over, all ones, the file cut or grown by entries, or torn. */
const byteEdit = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  kind: fc.constantFrom('write', 'ones', 'cut', 'grow', 'tear'),
  bytes: fc.uint8Array({ maxLength: 24 }),
});

function editBytes(base: Uint8Array, edits: readonly (typeof byteEdit extends fc.Arbitrary<infer T> ? T : never)[]) {
  let bytes = Uint8Array.from(base);
  for (const edit of edits) {
    const at = Math.floor(edit.at * bytes.length);
    if (edit.kind === 'write') bytes.set(edit.bytes.subarray(0, bytes.length - at), at);
    else if (edit.kind === 'ones') bytes.fill(0xff, at, at + 64);
    else if (edit.kind === 'cut') bytes = bytes.subarray(0, at - (at % 8));
    else if (edit.kind === 'grow')
      bytes = Uint8Array.from(
        [...bytes, ...edit.bytes, ...new Uint8Array(8)].slice(
          0,
          bytes.length + edit.bytes.length + 8 - ((bytes.length + edit.bytes.length) % 8),
        ),
      );
    else bytes = bytes.subarray(0, at);
  }
  return bytes;
}

/** Text edits of zoneinfo and summary.json: tokens of their formats and of the edges of numbers. */
const TEXT_TOKENS = [
  '\n',
  ' ',
  '0',
  '9',
  '-1',
  '1e400',
  '99999999999999999999',
  '4294967296',
  '2147483648',
  'null',
  '"x"',
  '[]',
  '{}',
  ',',
  ':',
  'Node 0, zone   Normal\n',
  'Node 2000, zone X\n',
  '  spanned  ',
  '  start_pfn:  ',
  '"ns":',
  '"memoryBytes":',
];
const textEdit = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  length: fc.nat(40),
  token: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...TEXT_TOKENS) }, fc.string({ maxLength: 6 })),
});

function editText(base: string, edits: readonly (typeof textEdit extends fc.Arbitrary<infer T> ? T : never)[]) {
  let text = base;
  for (const edit of edits) {
    const at = Math.floor(edit.at * text.length);
    text = text.slice(0, at) + edit.token + text.slice(at + edit.length);
  }
  return text;
}

/** The keys of {@link SUMMARY} (nested ones included), and JSON values of the wrong type or beyond a double. */
const SUMMARY_KEYS = [...new Set(SUMMARY.match(/"\w+":/g)!.map((key) => key.slice(1, -2)))];
const SUMMARY_VALUES = ['1e400', '-1e400', '-1', '1.5', '"x"', 'null', 'true', '[]', '{}', '[1,2]', '0'];
const summaryEdit = fc.record({
  key: fc.constantFrom(...SUMMARY_KEYS),
  value: fc.constantFrom(...SUMMARY_VALUES),
  nth: fc.nat(2),
});

/** summary.json with values replaced (the `nth` appearance of each key's value). */
function editSummary(edits: readonly (typeof summaryEdit extends fc.Arbitrary<infer T> ? T : never)[]): string {
  let text = SUMMARY;
  for (const { key, value, nth } of edits) {
    let seen = 0;
    text = text.replace(new RegExp(`"${key}":("[^"]*"|[^,}\\]]*)`, 'g'), (whole) =>
      seen++ === nth ? `"${key}":${value}` : whole,
    );
  }
  return text;
}

describe('fuzzing the per-pfn files, zoneinfo and summary.json of a run directory', () => {
  it('reads thousands of mutated run directories: its own error, or data without NaN or Infinity', () => {
    let read = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        fc.nat(sampleFlags.length / 8 - 2048),
        fc.nat(2048),
        fc.array(byteEdit, { maxLength: 4 }),
        fc.option(fc.array(byteEdit, { maxLength: 3 })),
        fc.option(
          fc.oneof(
            fc.uint8Array({ maxLength: 300 }),
            fc.nat(40).map((words) => new Uint8Array(words * 8)),
          ),
        ),
        fc.option(fc.array(textEdit, { maxLength: 4 })),
        fc.option(
          fc.oneof(
            fc.array(textEdit, { minLength: 1, maxLength: 3 }).map((edits) => editText(SUMMARY, edits)),
            fc.array(summaryEdit, { maxLength: 3 }).map(editSummary),
          ),
        ),
        (first, count, flagEdits, countEdits, idle, zoneEdits, summary) => {
          const window = (bytes: Uint8Array) => bytes.subarray(first * 8, (first + count) * 8);
          const files: RunFiles = { kpageflags: editBytes(window(sampleFlags), flagEdits) };
          if (countEdits !== null) files.kpagecount = editBytes(window(sampleCounts), countEdits);
          if (idle !== null) files.idleBitmap = idle;
          if (zoneEdits !== null) files.zoneinfo = editText(ZONEINFO, zoneEdits);
          if (summary !== null) files.summary = summary;
          const directory = runDirectory(files, join(scratch, 'fuzz'));
          let data: ReturnType<typeof readReportSource>;
          try {
            data = readReportSource(directory);
          } catch (error) {
            expect(error).toBeInstanceOf(ReportSourceError);
            expect((error as Error).message.startsWith(directory)).toBe(true);
            refused++;
            return;
          }
          read++;
          expect(nonFinite(data)).toBeUndefined();
          // The summary's numbers are shown as text: none of them NaN or Infinity there either.
          expect(`${data.title} ${data.facts.flat().join(' ')}`).not.toMatch(/NaN|Infinity/);
        },
      ),
      { numRuns: 1000, seed: 16 },
    );
    expect(read).toBeGreaterThan(200);
    expect(refused).toBeGreaterThan(200);
  });
});

describe('readReportSource: a dump', () => {
  const record = (pfn: number, order = 0) =>
    `Page allocated via order ${order}, mask 0xcc0(GFP_KERNEL), pid 1, tgid 1 (swapper/0), ts 1000 ns
PFN 0x${pfn.toString(16)} type Unmovable Block ${Math.floor(pfn / 512)} type Unmovable Flags 0x0()
 post_alloc_hook+0x177/0x1a0

`;

  it("reads a real machine's pfns far beyond a run's (7,532,909,325 and 2^40), in memory that follows the records", () => {
    const dump = join(scratch, 'numa-dump.txt');
    writeFileSync(dump, record(0x100) + record(7_532_909_325, 3) + record(2 ** 40, 10));
    const data = readReportSource(dump);
    expect(data.records.count).toBe(3);
    expect(data.pages).toBeLessThan(4096);
    expect(data.spans.map((span) => span.start)).toEqual([0, 7_532_909_056, 2 ** 40]);
    expect(nonFinite(data)).toBeUndefined();
    expect(data.skipped).toBeNull();
  });

  it('skips and counts what it cannot read, and says so in the data', () => {
    const dump = join(scratch, 'odd-dump.txt');
    writeFileSync(dump, `${record(0x100)}garbage\n${record(0x200).replace('order 0', 'order 99')}${record(0x300)}`);
    const data = readReportSource(dump);
    expect(data.records.count).toBe(2);
    expect(data.skipped).toMatchObject({ lines: 4, records: 1 });
    expect(data.skipped!.summary).toContain(`${dump}:5: expected 'Page allocated via order N, mask 0xGFP(...)' header`);
  });

  it('refuses a file of which nothing is a record, naming its first line', () => {
    const dump = join(scratch, 'not-a-dump.txt');
    writeFileSync(dump, 'hello\nworld\n');
    expect(failure(dump).message).toBe(
      `${dump}:1: expected 'Page allocated via order N, mask 0xGFP(...)' header, got "hello" (no page_owner record in ${dump}: 2 lines skipped)`,
    );
  });

  it('refuses a line over 64 KiB at once, showing 80 characters of it (/dev/zero, an 8 MB line)', () => {
    const dump = join(scratch, 'long-line.txt');
    writeFileSync(dump, Buffer.alloc(8 * 1024 * 1024, 'y'));
    for (const [path, shown] of [
      ['/dev/zero', '\\u0000'.repeat(14)],
      [dump, 'y'.repeat(80)],
    ] as const) {
      // (/dev/zero never ends: only a refusal at the 64 KiB bound lets this test end.)
      const message = failure(path).message;
      expect(message).toBe(
        `${path}:1: expected a line of at most 65536 characters (page_owner lines are under 1 KiB), got "${shown}"... (more than 65536 characters)`,
      );
    }
  });
});

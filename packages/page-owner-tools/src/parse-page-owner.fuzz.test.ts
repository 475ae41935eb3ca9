import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffPageOwner } from './page-owner-diff';
import { sortPageOwner } from './page-owner-sort';
import {
  formatParsedRecord,
  PAGE_OWNER_MAX_LINE,
  PageOwnerParseError,
  PageOwnerSkips,
  type ParsedPageOwnerRecord,
  parsePageOwner,
} from './parse-page-owner';

/**
 * Fuzzing of the dump readers: the page_owner_sort fixtures and a kernel log, mutated line by line (lines deleted,
 * duplicated, swapped, cut; characters flipped to CR, U+2028, NUL, parentheses, digits; numbers made huge; lines of
 * 70 KiB), read whole and in chunks of any size, diffed and sorted. Whatever the text, the only exception is the
 * parser's own (a line over 64 KiB), and no number read, counted or printed is NaN or infinite.
 */

const inputs = new URL('./__fixtures__/sort/inputs/', import.meta.url);
const KERNEL_LOG = `[   52.731990] page: refcount:0 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x10a3c5
[   52.731994] page_owner tracks the page as freed
[   52.731995] page last allocated via order 0, migratetype Unmovable, gfp_mask 0xcc0(GFP_KERNEL), pid 1234, tgid 1234 (uaf_user), ts 52731948213, free_ts 52731990517
[   52.731996]  post_alloc_hook+0xb3/0xe0
[   52.731997]  uaf_drv_ioctl+0x4c/0x1a0 [uaf_drv]
[   52.731998] page last free pid 1234 tgid 1234 stack trace:
[   52.731999]  __free_frozen_pages+0x2c3/0x5a0
[   52.732001] page has been migrated, last migrate reason: compaction
[   52.732002] page allocated via order 1, migratetype Movable, gfp_mask 0x100cca(GFP_HIGHUSER_MOVABLE)
[   52.732003]  [<ffffffff811682c4>] __alloc_pages_nodemask+0x134/0x230
`;
const corpora = [
  ...readdirSync(inputs)
    .sort()
    .map((name) => readFileSync(new URL(name, inputs), 'latin1')),
  KERNEL_LOG,
];

/** Characters a flip writes: line breaks of every kind, NUL, the format's punctuation, digits, letters. */
const FLIPS = [
  '\r',
  '\u2028',
  '\u2029',
  '\u0085',
  '\0',
  '\t',
  ' ',
  '(',
  ')',
  '[',
  ']',
  '<',
  '>',
  ',',
  '+',
  '/',
  '0',
  '7',
  'f',
  'x',
  'é',
];
/** Numbers that are too big for some field, or just fit. */
const NUMBERS = [
  '99',
  '11',
  '10',
  '4294967295',
  '4294967296',
  '4503599627370495',
  '4503599627370496',
  '9007199254740993',
  '18446744073709551615',
  '18446744073709551616',
  '9'.repeat(400),
  'f'.repeat(40),
];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.nat(80) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), column: fc.nat(120), to: fc.constantFrom(...FLIPS) }),
  fc.record({ kind: fc.constant('number' as const), at: fc.nat(), nth: fc.nat(6), to: fc.constantFrom(...NUMBERS) }),
  fc.record({ kind: fc.constant('crlf' as const) }),
  fc.record({ kind: fc.constant('quote' as const), at: fc.nat(), count: fc.nat(20) }),
  fc.record({
    kind: fc.constant('long' as const),
    at: fc.nat(),
    length: fc.constantFrom(5000, PAGE_OWNER_MAX_LINE + 10),
  }),
  fc.record({ kind: fc.constant('blank' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

/** `text` with the mutations applied, line by line. */
function mutate(text: string, mutations: readonly Mutation[]): string {
  const lines = text.split('\n');
  const pick = (at: number) => at % lines.length;
  for (const change of mutations) {
    if (lines.length === 0) lines.push('');
    const index = 'at' in change ? pick(change.at) : 0;
    const line = lines[index]!;
    switch (change.kind) {
      case 'delete':
        lines.splice(index, 1);
        break;
      case 'duplicate':
        lines.splice(index, 0, line);
        break;
      case 'swap': {
        const other = pick(change.other);
        [lines[index], lines[other]] = [lines[other]!, line];
        break;
      }
      case 'cut':
        lines[index] = line.slice(0, change.length);
        break;
      case 'flip': {
        const column = line.length === 0 ? 0 : change.column % line.length;
        lines[index] = line.slice(0, column) + change.to + line.slice(column + 1);
        break;
      }
      case 'number': {
        let seen = 0;
        lines[index] = line.replace(/[0-9a-f]+/g, (digits) => (seen++ === change.nth ? change.to : digits));
        break;
      }
      case 'crlf':
        for (let at = 0; at < lines.length; at++) lines[at] += '\r';
        break;
      case 'quote':
        for (let at = index; at < Math.min(lines.length, index + change.count); at++) lines[at] = `> ${lines[at]}`;
        break;
      case 'long':
        lines.splice(index, 0, 'x'.repeat(change.length));
        break;
      case 'blank':
        lines.splice(index, 0, '');
        break;
    }
  }
  return lines.join('\n');
}

const input = fc.record({
  corpus: fc.nat(corpora.length - 1),
  mutations: fc.array(mutation, { maxLength: 8 }),
  chunk: fc.oneof(
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 8 }) },
    { weight: 4, arbitrary: fc.integer({ min: 9, max: 4096 }) },
  ),
});

/** Chunks of `size` characters. */
function chunksOf(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let at = 0; at < text.length; at += size) chunks.push(text.slice(at, at + size));
  return chunks;
}

/** The records of `input`, or the parser's error: anything else thrown fails the test. */
function read(input: string | string[], skipped?: PageOwnerSkips): ParsedPageOwnerRecord[] | PageOwnerParseError {
  try {
    return [...parsePageOwner(input, skipped === undefined ? {} : { skipped })];
  } catch (error) {
    expect(error).toBeInstanceOf(PageOwnerParseError);
    expect((error as Error).message).toMatch(/^<input>:\d+: expected a line of at most 65536 characters /);
    return error as PageOwnerParseError;
  }
}

const isSafe = (value: number | undefined) => value === undefined || Number.isSafeInteger(value);

/** Every number of a record within the kernel's range, and its printed form free of NaN and Infinity. */
function checkRecord(record: ParsedPageOwnerRecord): void {
  expect(Number.isInteger(record.order) && record.order >= 0 && record.order <= 10).toBe(true);
  expect(Number.isInteger(record.gfp) && record.gfp >= 0 && record.gfp < 2 ** 32).toBe(true);
  expect(record.pfn === -1 || (Number.isInteger(record.pfn) && record.pfn >= 0 && record.pfn < 2 ** 52)).toBe(true);
  expect(record.block === -1 || (Number.isInteger(record.block) && record.block < 2 ** 52)).toBe(true);
  for (const id of [record.pid, record.tgid])
    expect(id === undefined || (Number.isInteger(id) && id < 2 ** 32)).toBe(true);
  for (const time of [record.ts, record.freeTs]) expect(time === undefined || time < 2n ** 64n).toBe(true);
  for (const frame of [...record.frames, ...(record.free?.frames ?? [])]) {
    expect(isSafe(frame.offset) && isSafe(frame.size)).toBe(true);
  }
  expect(record.frames.length).toBeLessThanOrEqual(256);
  expect(formatParsedRecord(record)).not.toMatch(/NaN|Infinity|undefined/);
}

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

describe('fuzzing the page_owner readers', () => {
  it('parses thousands of mutated dumps, whole and in chunks, to the same records within range, or its own error', () => {
    let records = 0;
    let skippedLines = 0;
    let refused = 0;
    fc.assert(
      fc.property(input, ({ corpus, mutations, chunk }) => {
        const text = mutate(corpora[corpus]!, mutations);
        const skipped = new PageOwnerSkips();
        const whole = read(text, skipped);
        // Tiny chunks only for texts without a long line (a 70 KiB line in 1-character chunks takes 0.2 s).
        const chunked = read(chunksOf(text, text.length > 20_000 ? Math.max(chunk, 512) : chunk));
        if (whole instanceof PageOwnerParseError) {
          refused++;
          expect(chunked).toBeInstanceOf(PageOwnerParseError);
          expect((chunked as PageOwnerParseError).line).toBe(whole.line);
          return;
        }
        expect(chunked).toEqual(whole);
        for (const record of whole) checkRecord(record);
        records += whole.length;
        skippedLines += skipped.lines;
        expect(skipped.examples.length).toBeLessThanOrEqual(3);
        if (!skipped.empty) expect(skipped.summary()).not.toMatch(/[\r\n\u2028\u2029]/);
      }),
      { numRuns: 1500, seed: 16 },
    );
    // The fuzzer reached every kind of outcome.
    expect(records).toBeGreaterThan(2000);
    expect(skippedLines).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(10);
  });

  it('diffs mutated dumps to finite page counts, or the parser error', async () => {
    await fc.assert(
      fc.asyncProperty(input, input, async (before, after) => {
        const first = mutate(corpora[before.corpus]!, before.mutations);
        const second = mutate(corpora[after.corpus]!, after.mutations);
        let stacks: Awaited<ReturnType<typeof diffPageOwner>>;
        try {
          stacks = await diffPageOwner(once(first), once(second), { onSkipped: (skipped) => skipped.summary() });
        } catch (error) {
          expect(error).toBeInstanceOf(PageOwnerParseError);
          return;
        }
        for (const entry of stacks) {
          for (const value of [entry.growth, entry.before.pages, entry.after.pages, entry.before.records]) {
            expect(Number.isSafeInteger(value)).toBe(true);
          }
        }
        expect(JSON.stringify(stacks)).not.toMatch(/NaN|Infinity|null/);
      }),
      { numRuns: 500, seed: 16 },
    );
  });

  it('sorts mutated dumps as page_owner_sort does, without an exception or a NaN', () => {
    const options = [[], ['-a'], ['-m'], ['-d', '-n'], ['--cull', 'pid,tgid,name,st,ator'], ['--pid', '1,7']];
    fc.assert(
      fc.property(
        input,
        fc.constantFrom(...options),
        fc.constantFrom('v4.7', 'v4.8', 'v6.18'),
        (dump, argv, version) => {
          // The tool reads bytes: the text as UTF-8, one char per byte.
          const text = Buffer.from(mutate(corpora[dump.corpus]!, dump.mutations), 'utf8').toString('latin1');
          const run = sortPageOwner(version, version === 'v6.18' ? [...argv, 'in', 'out'] : ['in', 'out'], text);
          expect([0, 1]).toContain(run.exitCode);
          expect(`${run.output}${run.stdout}`).not.toMatch(/NaN|Infinity/);
        },
      ),
      { numRuns: 1500, seed: 16 },
    );
  });
});

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutateTrace, nonFinite, traceMutation } from './__tests__/trace-mutations';
import { formatPerfKmemPageStat, PerfKmemPageStat, perfKmemPageStatJson } from './perf-kmem-page-stat';
import { type TraceEvent, TraceFormatError, traceField, tracePfn } from './trace-event';
import { TraceReader } from './trace-reader';

/**
 * Fuzzing of the trace readers: windows of the real samples and of the perf kmem fixture, mutated (see
 * `__tests__/trace-mutations.ts`), read in chunks of any size by the TraceReader and counted by perf kmem's
 * statistics. Whatever the text, the only exception is the reader's own (TraceFormatError naming file:line), and no
 * number read or counted is NaN or infinite.
 */

const samples = new URL('../../../samples/', import.meta.url);
const fixtures = new URL('./__fixtures__/perf-kmem/', import.meta.url);

/** The first lines of a file. */
const head = (url: URL, lines: number) => readFileSync(url, 'utf8').split('\n').slice(0, lines);

/** Each corpus, and the most lines of a window of it (a perf event is a line and its chain of 10 to 30 frames). */
const corpora = {
  ftrace: { lines: head(new URL('ftrace-page-events-6.18.txt', samples), 400), window: 60 },
  'perf script': {
    lines: [
      ...head(new URL('perf-script-page-alloc-stacks-6.18.txt', samples), 300),
      ...head(new URL('perf-script-6.18.txt', fixtures), 300),
    ],
    window: 150,
  },
};

/** What the runs met, so that the test knows the fuzzer reached the readers' edges. */
interface Coverage {
  runs: number;
  refused: number;
  events: number;
  frames: number;
  counted: number;
}

/** Reads a text in chunks of `size` characters. */
function readAll(text: string, size: number): TraceEvent[] {
  const reader = new TraceReader({ file: 'fuzz.txt' });
  const events: TraceEvent[] = [];
  for (let at = 0; at < text.length; at += size) events.push(...reader.push(text.slice(at, at + size)));
  events.push(...reader.end());
  return events;
}

/** What the fuzzers check of one input. */
function check(text: string, size: number, coverage: Coverage): void {
  coverage.runs++;
  let events: TraceEvent[];
  try {
    events = readAll(text, size);
  } catch (error) {
    expect(error).toBeInstanceOf(TraceFormatError);
    expect((error as Error).message).toMatch(/^fuzz\.txt:\d+: /);
    coverage.refused++;
    return;
  }
  // Plain checks, one expect() at the end: tens of thousands of events are checked.
  let found: string | undefined;
  for (const event of events) {
    found ??= nonFinite(event, `line ${event.line}`) ?? nonFinite(tracePfn(event), `pfn of line ${event.line}`);
    traceField(event, 'gfp_flags');
    coverage.events++;
    coverage.frames += event.chain.length;
  }
  for (const live of [false, true]) {
    const stat = new PerfKmemPageStat({ live }).addAll(events);
    found ??= nonFinite(perfKmemPageStatJson(stat, { caller: true, alloc: true }), 'perf kmem');
    if (!formatPerfKmemPageStat(stat, { caller: true, alloc: true }).includes('SUMMARY (page allocator)')) {
      found ??= 'no SUMMARY';
    }
    if (!live) coverage.counted += stat.summary().allocRequests + stat.summary().freeRequests;
  }
  expect(found).toBeUndefined();
}

for (const [layout, { lines, window }] of Object.entries(corpora)) {
  describe(`fuzzing the ${layout} reader`, () => {
    it('reads 3000 mutated traces with no other exception than its own, and no NaN or Infinity', () => {
      const coverage: Coverage = { runs: 0, refused: 0, events: 0, frames: 0, counted: 0 };
      fc.assert(
        fc.property(
          fc.nat(lines.length - 1),
          fc.integer({ min: 1, max: window }),
          fc.array(traceMutation(), { minLength: 1, maxLength: 6 }),
          fc.oneof(fc.integer({ min: 1, max: 300 }), fc.constantFrom(4096, 1 << 16, 1 << 20)),
          (start, count, edits, size) => {
            const text = edits.reduce(mutateTrace, `${lines.slice(start, start + count).join('\n')}\n`);
            check(text, size, coverage);
          },
        ),
        { numRuns: 3000, seed: 16 },
      );
      // The edges were reached: lines refused as too long, events read and counted, and (perf) call chains.
      expect(coverage.runs).toBe(3000);
      expect(coverage.refused).toBeGreaterThan(30);
      expect(coverage.events).toBeGreaterThan(5000);
      expect(coverage.counted).toBeGreaterThan(5000);
      if (layout === 'perf script') expect(coverage.frames).toBeGreaterThan(10_000);
    });
  });
}

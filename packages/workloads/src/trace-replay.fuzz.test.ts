import { readFileSync } from 'node:fs';
import { allFeatures } from '@mm/defaults';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutateTrace, nonFinite, traceMutation } from './__tests__/trace-mutations';
import { TraceFormatError } from './trace-event';
import { replayTrace, TraceRangeError } from './trace-replay';

/**
 * Fuzzing of the replay: mutated windows of the real samples (their pfns moved below 640 MiB, so that a 1 GiB
 * machine holds them) replayed end to end. Whatever the text, the replay either refuses it with one of its own
 * errors naming file:line (a line over 64 KiB, a page beyond the machine), or replays it: its counts are whole
 * numbers and the page_owner dump it leaves has no NaN or Infinity.
 */

const samples = new URL('../../../samples/', import.meta.url);

/** The first lines of a sample, each pfn moved into [0x8000, 0x28000) with its alignment kept. */
function rebased(file: string, lines: number): string[] {
  return readFileSync(new URL(file, samples), 'utf8')
    .split('\n')
    .slice(0, lines)
    .map((line) =>
      line.replace(/pfn=0x([0-9a-f]+)/, (_, hex: string) => {
        const pfn = Number.parseInt(hex, 16);
        return pfn >= 2 ** 32 ? `pfn=0x${hex}` : `pfn=0x${(0x8000 + (pfn % 0x20000)).toString(16)}`;
      }),
    );
}

const corpus = [
  ...rebased('ftrace-page-events-6.18.txt', 300),
  ...rebased('perf-script-page-alloc-stacks-6.18.txt', 300),
];

/** Text in chunks of 4 KiB, as a file stream gives it (smaller). */
async function* chunks(text: string): AsyncGenerator<string> {
  for (let at = 0; at < text.length; at += 4096) yield text.slice(at, at + 4096);
}

describe('fuzzing the replay', () => {
  it('replays mutated traces, or refuses them with its own errors, never NaN or Infinity in what it leaves', async () => {
    let replayed = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat(corpus.length - 1),
        fc.integer({ min: 1, max: 80 }),
        fc.array(traceMutation(), { minLength: 1, maxLength: 4 }),
        async (start, count, edits) => {
          const text = edits.reduce(mutateTrace, `${corpus.slice(start, start + count).join('\n')}\n`);
          let outcome: Awaited<ReturnType<typeof replayTrace>>;
          try {
            outcome = await replayTrace({
              open: () => chunks(text),
              file: 'fuzz.txt',
              memory: '1G',
              features: allFeatures({ stackDepth: 256 }),
            });
          } catch (error) {
            expect([TraceFormatError, TraceRangeError].some((type) => error instanceof type)).toBe(true);
            expect((error as Error).message).toMatch(/^fuzz\.txt(:\d+)?: /);
            refused++;
            return;
          }
          replayed++;
          const { kernel, result } = outcome;
          expect(nonFinite(result)).toBeUndefined();
          const file = kernel.files().find((each) => each.path === 'sys/kernel/debug/page_owner')!;
          let dump = '';
          file.read((chunk) => {
            dump += chunk;
          });
          expect(dump).not.toMatch(/NaN|Infinity/);
        },
      ),
      { numRuns: 30, seed: 16 },
    );
    expect(replayed).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(0);
  }, 120_000);
});

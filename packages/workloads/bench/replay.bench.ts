import { readFileSync } from 'node:fs';
import { allFeatures } from '@mm/defaults';
import { boot } from '@mm/kernel';
import { replayTrace } from '@mm/workloads';
import { bench, describe } from 'vitest';

const samples = new URL('../../../samples/', import.meta.url);
const ftrace = readFileSync(new URL('ftrace-page-events-6.18.txt', samples), 'utf8');
const perf = readFileSync(new URL('perf-script-page-alloc-stacks-6.18.txt', samples), 'utf8');

/** A trace's text in 1 MiB chunks, as a file stream hands it over. */
async function* chunks(text: string): AsyncGenerator<string> {
  for (let at = 0; at < text.length; at += 1 << 20) yield text.slice(at, at + (1 << 20));
}

// A replay boots its own machine: the replay's own cost (both passes over the text, the allocations at the real
// pfns, the frees) is the difference between a row and the boot row of its group.
for (const [name, text, memory] of [
  ['6.18 ftrace sample', ftrace, '8G'],
  ['6.18 perf script sample (call chains)', perf, '10G'],
] as const) {
  describe(`replay of the ${name} (${text.length} bytes), v6.18, ${memory}, page_owner=on`, () => {
    const options = { warmupTime: 1000, time: 4000 };
    bench(
      'boot only (the control)',
      () => {
        boot({ memory, cmdline: 'page_owner=on', features: allFeatures() });
      },
      options,
    );
    bench(
      'boot, then replay: two passes, allocate at the real pfns, free',
      async () => {
        const { result } = await replayTrace({ open: () => chunks(text), memory, features: allFeatures() });
        if (result.allocations === 0) throw new Error('nothing replayed');
      },
      options,
    );
  });
}

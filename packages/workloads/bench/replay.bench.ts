import { readFileSync } from 'node:fs';
import { boot } from '@mm/kernel';
import { bench, describe } from 'vitest';
import { replayTrace } from '../src/index';

const ftrace = readFileSync(new URL('../../../samples/ftrace-page-events-6.18.txt', import.meta.url), 'utf8');

/** A trace's text in 1 MiB chunks, as a file stream hands it over. */
async function* chunks(text: string): AsyncGenerator<string> {
  for (let at = 0; at < text.length; at += 1 << 20) yield text.slice(at, at + (1 << 20));
}

// Each replay needs a fresh machine (its pages are taken): the replay's own cost is the difference of the rows.
describe(`replay of the 6.18 ftrace sample (${ftrace.length} bytes), v6.18, 8 GiB, page_owner=on`, () => {
  const options = { warmupTime: 1000, time: 4000 };
  bench(
    'boot only',
    () => {
      boot({ memory: '8G', cmdline: 'page_owner=on' });
    },
    options,
  );
  bench(
    'boot, then replay: parse, allocate at the real pfns, free',
    async () => {
      const result = await replayTrace(boot({ memory: '8G', cmdline: 'page_owner=on' }), chunks(ftrace));
      if (result.allocations === 0) throw new Error('nothing replayed');
    },
    options,
  );
});

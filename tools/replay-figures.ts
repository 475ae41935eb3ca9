/**
 * The replay's figures, against the built packages (`pnpm build` first):
 * - throughput: the ftrace sample replayed on an 8 GiB machine 12 times in one process, the last 8 timed, less the
 *   time of a boot of the same machine beside each (the replay alone: both its passes), in MB of trace text per
 *   second, the median run;
 * - peak memory of `mmsim replay` on the sample and on a trace `times` times its size (the sample's events
 *   repeated), each in a fresh process with the same machine size: replay streams, so the peak should not grow
 *   with the file; and the large trace's throughput end to end (one cold process, its boot included).
 *
 *   node --import tsx tools/replay-figures.ts [times=20]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const times = Number(process.argv[2] ?? 20);
const sample = new URL('../samples/ftrace-page-events-6.18.txt', import.meta.url).pathname;
const text = readFileSync(sample, 'utf8');
const events = text
  .split('\n')
  .filter((line) => !line.startsWith('#'))
  .join('\n');
const scratch = mkdtempSync(join(tmpdir(), 'mmsim-replay-memory-'));
const big = join(scratch, `ftrace-x${times}.txt`);
writeFileSync(big, text + `\n${events}`.repeat(times - 1));

// The replay alone: a replay boots its own machine, so a boot of the same machine is timed beside it and taken off.
const throughputChild = `
import { readFileSync } from 'node:fs';
import { allFeatures } from '@mm/defaults';
import { boot } from '@mm/kernel';
import { replayTrace } from '@mm/workloads';
const text = readFileSync(process.argv[1], 'utf8');
async function* chunks() { for (let at = 0; at < text.length; at += 1 << 16) yield text.slice(at, at + (1 << 16)); }
const rates = [];
for (let run = 0; run < 12; run++) {
  let start = performance.now();
  boot({ memory: '8G', cmdline: 'page_owner=on', features: allFeatures() });
  const booted = performance.now() - start;
  start = performance.now();
  await replayTrace({ open: chunks, memory: '8G', features: allFeatures() });
  if (run >= 4) rates.push(text.length / 1e6 / ((performance.now() - start - booted) / 1000));
}
// The median run: this machine's noise is in single runs, both ways.
console.log(rates.sort((a, b) => a - b)[rates.length / 2]);
`;
const throughput = Number(
  execFileSync(process.execPath, ['--input-type=module', '-e', throughputChild, sample], {
    cwd: new URL('../packages/workloads/', import.meta.url),
    encoding: 'utf8',
  }),
);
console.log(`throughput: ${throughput.toFixed(1)} MB/s of trace text (the ftrace sample, replay alone: both passes)`);

const child = `
import { main, memoryIo } from '@mm/cli';
const io = memoryIo();
const start = performance.now();
const code = await main(['replay', process.argv[1], '--mem', '8G', '--json'], io);
if (code !== 0) throw new Error(io.err());
const milliseconds = performance.now() - start;
console.log(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, milliseconds, result: JSON.parse(io.out()) }));
`;
const measure = (file: string) =>
  JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', child, file], {
      cwd: new URL('../packages/cli/', import.meta.url),
      encoding: 'utf8',
    }),
  );
const small = measure(sample);
const large = measure(big);
const mib = (kib: number) => (kib / 1024).toFixed(0);
console.log(`sample: ${(text.length / 1e6).toFixed(1)} MB, peak RSS ${mib(small.maxRssKiB)} MiB`);
const bigMegabytes = readFileSync(big).length / 1e6;
console.log(
  `x${times}: ${bigMegabytes.toFixed(1)} MB, peak RSS ${mib(large.maxRssKiB)} MiB, ratio ${(large.maxRssKiB / small.maxRssKiB).toFixed(2)}`,
);
console.log(
  `x${times} end to end (mmsim replay in a fresh process, boot included): ${(bigMegabytes / (large.milliseconds / 1000)).toFixed(1)} MB/s`,
);
rmSync(scratch, { recursive: true, force: true });

/**
 * The replay's figures, against the built packages (`pnpm build` first):
 * - throughput: the ftrace sample replayed into a fresh 8 GiB machine 12 times in one process, the last 8 timed
 *   (the replay alone: boots are not timed), in MB of trace text per second;
 * - peak memory of `mmsim replay` on the sample and on a trace `times` times its size (the sample's events
 *   repeated), each in a fresh process with the same machine size: replay streams, so the peak should not grow
 *   with the file.
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

const throughputChild = `
import { readFileSync } from 'node:fs';
import { boot } from '@mm/kernel';
import { replayTrace } from '@mm/workloads';
const text = readFileSync(process.argv[1], 'utf8');
async function* chunks() { for (let at = 0; at < text.length; at += 1 << 20) yield text.slice(at, at + (1 << 20)); }
let timed = 0;
for (let run = 0; run < 12; run++) {
  const kernel = boot({ memory: '8G', cmdline: 'page_owner=on' });
  const start = performance.now();
  await replayTrace(kernel, chunks());
  if (run >= 4) timed += performance.now() - start;
}
console.log(text.length / 1e6 / (timed / 8 / 1000));
`;
const throughput = Number(
  execFileSync(process.execPath, ['--input-type=module', '-e', throughputChild, sample], {
    cwd: new URL('../packages/workloads/', import.meta.url),
    encoding: 'utf8',
  }),
);
console.log(`throughput: ${throughput.toFixed(1)} MB/s of trace text (the ftrace sample, replay alone)`);

const child = `
import { main, memoryIo } from '@mm/cli';
const io = memoryIo();
const code = await main(['replay', process.argv[1], '--mem', '8G', '--json'], io);
if (code !== 0) throw new Error(io.err());
console.log(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, result: JSON.parse(io.out()) }));
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
console.log(
  `x${times}: ${(readFileSync(big).length / 1e6).toFixed(1)} MB, peak RSS ${mib(large.maxRssKiB)} MiB, ratio ${(large.maxRssKiB / small.maxRssKiB).toFixed(2)}`,
);
rmSync(scratch, { recursive: true, force: true });

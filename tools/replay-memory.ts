/**
 * Peak memory of `mmsim replay` on the ftrace sample and on a trace 20 times its size (the sample's events repeated),
 * each in a fresh process, with the same machine size: replay streams, so the peak should not grow with the file.
 * Runs against the built packages (`pnpm build` first).
 *
 *   node --import tsx tools/replay-memory.ts [times=20]
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

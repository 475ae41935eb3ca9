/**
 * Order-0 alloc+free throughput with page_owner off and on, side by side: each of several fresh Node.js processes
 * boots both machines (4 GiB, a 16-frame page cache read path on the kernel stack), warms both up, then alternates
 * 100k pairs on one and 100k on the other, 40 times, and reports the ratio of the two totals. Alternating in short
 * rounds gives both sides the same machine: on this kind of VM a process (or a stretch of time) can run everything
 * twice as slowly, which makes two separate timings (a vitest bench group) land anywhere from 0.2 to 0.9. Runs
 * against the built packages (`pnpm build` first).
 *
 *   node --import tsx tools/page-owner-ratio.ts [processes=5] [profiles=v4.8,v6.18]
 */
import { execFileSync } from 'node:child_process';
import { pageCacheReadPaths } from '../packages/kernel/test/read-paths.ts';

const runs = Number(process.argv[2] ?? 5);
const profiles = (process.argv[3] ?? 'v4.8,v6.18').split(',');

const child = `
import { boot } from '@mm/kernel';
const [profile] = process.argv.slice(1);
const paths = JSON.parse(process.argv[2]);
const machine = (cmdline) => {
  const kernel = boot({ memory: '4G', profile, cmdline, cpus: 2 });
  kernel.stack.pushAll(kernel.text.sites(paths[kernel.profile.era]));
  const { buddy } = kernel;
  const gfp = kernel.profile.gfp.flags.GFP_HIGHUSER_MOVABLE;
  return () => { for (let i = 0; i < 100000; i++) buddy.freePages(buddy.allocPages(gfp, 0), 0); };
};
const off = machine('');
const on = machine('page_owner=on');
const timed = (pairs) => { const start = performance.now(); pairs(); return performance.now() - start; };
for (let round = 0; round < 20; round++) { off(); on(); }
let offTime = 0;
let onTime = 0;
for (let round = 0; round < 40; round++) { offTime += timed(off); onTime += timed(on); }
console.log(JSON.stringify({ off: (offTime / 40 / 100000) * 1e6, on: (onTime / 40 / 100000) * 1e6 }));
`;

const measure = (profile: string): { off: number; on: number } =>
  JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', child, profile, JSON.stringify(pageCacheReadPaths)], {
      cwd: new URL('../packages/kernel/', import.meta.url),
      encoding: 'utf8',
    }),
  );
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

for (const profile of profiles) {
  const results = Array.from({ length: runs }, () => measure(profile));
  const ratios = results.map((result) => result.off / result.on);
  console.log(`${profile}: order-0 alloc+free pairs, ns per pair (off / on) in ${runs} processes`);
  console.log(`  ${results.map((result) => `${result.off.toFixed(0)}/${result.on.toFixed(0)}`).join('  ')}`);
  console.log(
    `  throughput on/off: ${ratios.map((ratio) => ratio.toFixed(2)).join(' ')}, median ${median(ratios).toFixed(2)}`,
  );
}

/**
 * Order-0 alloc+free throughput with page_owner off and on, side by side: each of several fresh Node.js processes
 * boots both machines (4 GiB, a 16-frame page cache read path on the kernel stack), warms both up, then alternates
 * 100k pairs on one and 100k on the other, 40 times, and reports two ratios: of the two totals, and of the fastest
 * round of each. Alternating in short rounds gives both sides the same machine: on this kind of VM stretches of a
 * few seconds run everything up to twice as slowly (memory-heavy code more so, page_owner's side most), which makes
 * two separate timings (a vitest bench group) land anywhere from 0.2 to 0.9. The fastest rounds are the code's cost
 * without that interference (the minimum, as `timeit` recommends). Runs against the built packages (`pnpm build`
 * first).
 *
 *   node --import tsx tools/page-owner-ratio.ts [processes=5] [profiles=v4.8,v6.18]
 */
import { execFileSync } from 'node:child_process';
import { pageCacheReadPaths } from './kernel-read-paths.ts';

const runs = Number(process.argv[2] ?? 5);
const profiles = (process.argv[3] ?? 'v4.8,v6.18').split(',');

const child = `
import { boot } from '@mm/kernel';
import { pageOwner } from '@mm/page-owner';
const [profile] = process.argv.slice(1);
const paths = JSON.parse(process.argv[2]);
const machine = (cmdline) => {
  const kernel = boot({ memory: '4G', profile, cmdline, cpus: 2, features: [pageOwner()] });
  kernel.stack.pushAll(kernel.text.sites(paths[kernel.profile.era]));
  const { buddy } = kernel;
  const gfp = kernel.profile.gfp.flags.GFP_HIGHUSER_MOVABLE;
  return () => { for (let i = 0; i < 100000; i++) buddy.freePages(buddy.allocPages(gfp, 0), 0); };
};
const off = machine('');
const on = machine('page_owner=on');
const timed = (pairs) => { const start = performance.now(); pairs(); return performance.now() - start; };
for (let round = 0; round < 20; round++) { off(); on(); }
const offTimes = [];
const onTimes = [];
for (let round = 0; round < 40; round++) { offTimes.push(timed(off)); onTimes.push(timed(on)); }
const ns = (ms) => (ms / 100000) * 1e6;
const sum = (times) => times.reduce((a, b) => a + b, 0);
console.log(JSON.stringify({
  off: ns(sum(offTimes) / 40), on: ns(sum(onTimes) / 40),
  offQuiet: ns(Math.min(...offTimes)), onQuiet: ns(Math.min(...onTimes)),
}));
`;

interface Measured {
  /** Mean ns per pair over the 40 rounds. */
  off: number;
  on: number;
  /** ns per pair of the fastest round of each. */
  offQuiet: number;
  onQuiet: number;
}

const measure = (profile: string): Measured =>
  JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', child, profile, JSON.stringify(pageCacheReadPaths)], {
      cwd: new URL('../packages/page-owner/', import.meta.url),
      encoding: 'utf8',
    }),
  );
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const report = (label: string, results: readonly Measured[], off: keyof Measured, on: keyof Measured) => {
  const ratios = results.map((result) => result[off] / result[on]);
  console.log(
    `  ${label}, ns per pair (off/on): ${results.map((result) => `${result[off].toFixed(0)}/${result[on].toFixed(0)}`).join('  ')}`,
  );
  console.log(
    `    throughput on/off: ${ratios.map((ratio) => ratio.toFixed(2)).join(' ')}, median ${median(ratios).toFixed(2)}`,
  );
};

for (const profile of profiles) {
  const results = Array.from({ length: runs }, () => measure(profile));
  console.log(`${profile}: order-0 alloc+free pairs in ${runs} processes`);
  report('all 40 rounds', results, 'off', 'on');
  report('fastest round', results, 'offQuiet', 'onQuiet');
}

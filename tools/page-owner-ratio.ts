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

const runs = Number(process.argv[2] ?? 5);
const profiles = (process.argv[3] ?? 'v4.8,v6.18').split(',');

const child = `
import { boot } from '@mm/kernel';
const [profile] = process.argv.slice(1);
const paths = {
  v4: ['entry_SYSCALL_64_fastpath+0x12/0x71', 'SyS_read+0x55/0xc0', 'vfs_read+0x93/0x130', '__vfs_read+0xa7/0xd0',
    'generic_file_read_iter+0x453/0x760', 'page_cache_sync_readahead+0x31/0x50', 'ondemand_readahead+0x135/0x260',
    '__do_page_cache_readahead+0xdc/0x240', '__page_cache_alloc+0xe6/0x120', 'alloc_pages_current+0x88/0x120'],
  v6: ['entry_SYSCALL_64_after_hwframe+0x76', 'do_syscall_64+0x71', 'ksys_read+0x6f', 'vfs_read+0xbb',
    'xfs_file_read_iter+0x76/0x100 [xfs]', 'filemap_read+0x13c/0x3b0', 'filemap_get_pages+0x2d6/0x8a0',
    'page_cache_sync_ra+0x1f2/0x300', 'page_cache_ra_unbounded+0x11d/0x240', 'filemap_alloc_folio_noprof+0x34/0x100',
    'alloc_pages_mpol+0x86'],
};
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
    execFileSync(process.execPath, ['--input-type=module', '-e', child, profile], {
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

import { type DumpStackContext, HARDWARE_NAME } from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import {
  formatOomReaped,
  formatOomReport,
  OOM_SCORE_ADJ_MIN,
  type OomTaskRow,
  oomBadness,
  oomKillFrames,
  oomKillStackFrames,
  oomScoreV4,
} from './oom-report';

/**
 * The OOM killer's report and badness. Truth: v6.18 mm/oom_kill.c (`oom_badness()`, `dump_task()`, `dump_tasks()`,
 * `dump_oom_victim()`, `dump_header()`, `__oom_kill_process()`, `oom_kill_process()`, `oom_reap_task_mm()`),
 * mm/memcontrol.c `mem_cgroup_print_oom_context()`, kernel/cgroup/cpuset.c `cpuset_print_current_mems_allowed()`;
 * v4.8 mm/oom_kill.c (`oom_badness()`, `select_bad_process()`, `dump_tasks()`, `dump_header()`,
 * `oom_kill_process()`, `__oom_reap_task()`), kernel/cpuset.c `cpuset_print_current_mems_allowed()`.
 */

const hog: OomTaskRow = {
  pid: 4321,
  uid: 0,
  tgid: 4321,
  totalVm: 1_310_720,
  rssAnon: 1_000_000,
  rssFile: 300,
  rssShmem: 20,
  pgtablesBytes: 2_048_000,
  nrPtes: 500,
  nrPmds: 3,
  swapents: 0,
  oomScoreAdj: 0,
  comm: 'hog',
};
const shell: OomTaskRow = {
  ...hog,
  pid: 1,
  tgid: 1,
  totalVm: 5000,
  rssAnon: 120,
  rssFile: 900,
  rssShmem: 0,
  pgtablesBytes: 65536,
  nrPtes: 16,
  nrPmds: 2,
  oomScoreAdj: -1000,
  comm: 'init',
};

function context(era: 'v4' | 'v6'): DumpStackContext {
  return { era, release: era === 'v4' ? '4.8.15' : '6.18.2', cpu: 0, pid: 4321, comm: 'hog', tainted: 'Not tainted' };
}

describe('oomBadness()', () => {
  const totalpages = 1_048_576;
  it('v6.18: rss + swap + page table bytes / PAGE_SIZE, plus oom_score_adj × totalpages / 1000', () => {
    expect(oomBadness('v6', { rss: 1000, swapents: 10, pgtablesBytes: 8192 * 3, oomScoreAdj: 0 }, totalpages)).toBe(
      1016,
    );
    expect(oomBadness('v6', { rss: 1000, swapents: 0, pgtablesBytes: 0, oomScoreAdj: -1 }, totalpages)).toBe(
      1000 - 1048,
    );
    expect(
      oomBadness('v6', { rss: 1000, swapents: 0, pgtablesBytes: 0, oomScoreAdj: OOM_SCORE_ADJ_MIN }, totalpages),
    ).toBeUndefined();
    expect(
      oomBadness('v6', { rss: 1000, swapents: 0, pgtablesBytes: 0, oomScoreAdj: 0, ineligible: true }, totalpages),
    ).toBeUndefined();
  });

  it('v4.8: rss + swap + nr_ptes + nr_pmds, 3% off for root, at least 1', () => {
    expect(
      oomBadness('v4', { rss: 1000, swapents: 10, pgtablesBytes: 0, nrPtes: 5, nrPmds: 1, oomScoreAdj: 0 }, totalpages),
    ).toBe(1016 - 30);
    expect(
      oomBadness(
        'v4',
        { rss: 1000, swapents: 0, pgtablesBytes: 0, nrPtes: 0, oomScoreAdj: 0, capSysAdmin: false },
        totalpages,
      ),
    ).toBe(1000);
    expect(oomBadness('v4', { rss: 10, swapents: 0, pgtablesBytes: 0, oomScoreAdj: -999 }, totalpages)).toBe(1);
    expect(oomScoreV4(1_000_500, totalpages)).toBe(954);
  });
});

describe('v6.18 OOM report', () => {
  const frames = [
    ...oomKillStackFrames('v6'),
    { address: 'ffffffff81673d36', symbol: 'alloc_pages_mpol+0x86/0xd0' },
    { address: 'ffffffff81677440', symbol: 'folio_alloc_mpol_noprof+0x10/0x20' },
  ];
  const lines = formatOomReport({
    era: 'v6',
    invoker: { comm: 'hog', oomScoreAdj: 0 },
    gfp: 0x140dca,
    gfpText: 'GFP_HIGHUSER_MOVABLE|__GFP_ZERO',
    order: 0,
    context: context('v6'),
    frames,
    memInfo: ['Mem-Info:', 'active_anon:1000000 inactive_anon:0 isolated_anon:0'],
    tasks: [shell, hog],
    victim: hog,
  });

  it('opens with dump_header(): the invoker, then dump_stack() with the OOM killer’s own frames on top', () => {
    expect(lines[0]).toBe(
      'hog invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), order=0, oom_score_adj=0',
    );
    expect(lines.slice(1, 13)).toEqual([
      'CPU: 0 UID: 0 PID: 4321 Comm: hog Not tainted 6.18.2 #1 PREEMPT(voluntary) ',
      `Hardware name: ${HARDWARE_NAME}`,
      'Call Trace:',
      ' <TASK>',
      ' dump_stack_lvl+0x5d/0x80',
      ' dump_header+0x4a/0x240',
      ' oom_kill_process+0x10d/0x1c0',
      ' out_of_memory+0x246/0x590',
      ' __alloc_pages_slowpath.constprop.0+0x9a5/0xd80',
      ' __alloc_frozen_pages_noprof+0x2fd/0x330',
      ' alloc_pages_mpol+0x86/0xd0',
      ' folio_alloc_mpol_noprof+0x10/0x20',
    ]);
    expect(lines[13]).toBe(' </TASK>');
    expect(lines.slice(14, 16)).toEqual(['Mem-Info:', 'active_anon:1000000 inactive_anon:0 isolated_anon:0']);
  });

  it('lists the tasks (dump_tasks(): "[%7d] %5d %5d %8lu %8lu %8lu %8lu %9lu %8ld %8lu         %5hd %s")', () => {
    expect(lines.slice(16, 20)).toEqual([
      'Tasks state (memory values in pages):',
      '[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name',
      '[      1]     0     1     5000     1020      120      900         0    65536        0         -1000 init',
      '[   4321]     0  4321  1310720  1000320  1000000      300        20  2048000        0             0 hog',
    ]);
  });

  it('ends with dump_oom_victim()’s one line summary and __oom_kill_process()’s kill', () => {
    expect(lines.slice(20)).toEqual([
      'oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=hog,pid=4321,uid=0',
      'Out of memory: Killed process 4321 (hog) total-vm:5242880kB, anon-rss:4000000kB, file-rss:1200kB, shmem-rss:80kB, UID:0 pgtables:2000kB oom_score_adj:0',
    ]);
  });

  it('prints the unreclaimable slab caches when asked (dump_unreclaimable_slab(): "%-17s %10luKB %10luKB")', () => {
    const withSlab = formatOomReport({
      era: 'v6',
      invoker: { comm: 'hog', oomScoreAdj: 0 },
      gfp: 0xcc0,
      gfpText: 'GFP_KERNEL',
      order: 0,
      context: context('v6'),
      frames: [],
      memInfo: [],
      unreclaimableSlab: [{ name: 'kmalloc-4k', usedKb: 1024, totalKb: 2048 }],
      tasks: [],
      victim: hog,
    });
    expect(withSlab.slice(6, 9)).toEqual([
      'Unreclaimable slab info:',
      'Name                      Used          Total',
      'kmalloc-4k              1024KB       2048KB',
    ]);
  });

  it('prints the reaper’s line', () => {
    expect(formatOomReaped(hog, { anon: 0, file: 300, shmem: 20 })).toBe(
      'oom_reaper: reaped process 4321 (hog), now anon-rss:0kB, file-rss:1200kB, shmem-rss:80kB',
    );
  });
});

describe('v4.8 OOM report', () => {
  const frames = [
    ...oomKillStackFrames('v4'),
    { address: 'ffffffff811b4058', symbol: 'alloc_pages_current+0x88/0x120' },
  ];
  const lines = formatOomReport({
    era: 'v4',
    invoker: { comm: 'hog', oomScoreAdj: 0 },
    gfp: 0x24280ca,
    gfpText: 'GFP_HIGHUSER_MOVABLE|__GFP_ZERO',
    order: 0,
    context: context('v4'),
    frames,
    memInfo: ['Mem-Info:'],
    tasks: [shell, hog],
    victim: hog,
    score: 954,
  });

  it('opens with the invoker and cpuset_print_current_mems_allowed()’s own line, then dump_stack()', () => {
    expect(lines.slice(0, 3)).toEqual([
      'hog invoked oom-killer: gfp_mask=0x24280ca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), order=0, oom_score_adj=0',
      'hog cpuset=/ mems_allowed=0',
      'CPU: 0 PID: 4321 Comm: hog Not tainted 4.8.15 #1',
    ]);
    expect(lines.slice(7, 13)).toEqual([
      'Call Trace:',
      ' [<ffffffff813c8a53>] dump_stack+0x63/0x90',
      ' [<ffffffff81161c9c>] dump_header+0x5c/0x1e0',
      ' [<ffffffff81162249>] oom_kill_process+0x209/0x3f0',
      ' [<ffffffff8116275d>] out_of_memory+0x11d/0x4a0',
      ' [<ffffffff81168336>] __alloc_pages_nodemask+0x1a6/0x230',
    ]);
    expect(lines[13]).toBe(' [<ffffffff811b4058>] alloc_pages_current+0x88/0x120');
    expect(lines[14]).toBe('Mem-Info:');
  });

  it('lists the tasks with nr_ptes and nr_pmds, then asks to kill the chosen process or a child', () => {
    expect(lines.slice(15)).toEqual([
      '[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name',
      '[    1]     0     1     5000     1020      16       2        0         -1000 init',
      '[ 4321]     0  4321  1310720  1000320     500       3        0             0 hog',
      'Out of memory: Kill process 4321 (hog) score 954 or sacrifice child',
      'Killed process 4321 (hog) total-vm:5242880kB, anon-rss:4000000kB, file-rss:1200kB, shmem-rss:80kB',
    ]);
  });

  it('has the frames of both eras', () => {
    expect(oomKillFrames.v6.slice(0, 2)).toEqual(['dump_stack_lvl+0x5d/0x80', 'dump_header+0x4a/0x240']);
  });
});

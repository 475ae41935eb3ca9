import type { Vm, VmTask } from './vm';

/** What the OOM killer chose and did, for whoever prints its report. */
export interface OomKill {
  /** The task whose allocation invoked the OOM killer. */
  readonly invoker: { readonly pid: number; readonly tgid: number; readonly comm: string };
  readonly gfp: number;
  readonly order: number;
  /** Every candidate process (one task per address space), with its badness; the victim among them. */
  readonly candidates: readonly { readonly task: VmTask; readonly points: number }[];
  readonly victim: VmTask;
  /** The victim's memory when it was killed (pages). */
  readonly rss: { readonly anon: number; readonly file: number; readonly shmem: number };
  readonly totalVm: number;
  readonly pageTables: number;
  /** Pages the OOM reaper freed at once. */
  readonly reaped: number;
}

/**
 * `oom_badness()` (mm/oom_kill.c) of a process: its resident pages, swap entries (none in mmsim) and page-table
 * pages; v4.8 also gives root's processes 3% off (`has_capability_noaudit(p, CAP_SYS_ADMIN)`), which every
 * simulated process is. `oom_score_adj` is 0 for all of them, so it adds nothing.
 */
export function oomBadness(task: VmTask, era: 'v4' | 'v6'): number {
  const { mm } = task;
  let points = mm.rssPages + mm.pageTables.size;
  if (era === 'v4') points -= Math.floor((points * 3) / 100);
  return points;
}

/**
 * The OOM killer (mm/oom_kill.c `out_of_memory()`): when reclaim cannot free memory for an allocation that may not
 * fail, the process with the highest {@link oomBadness} is killed: `report` prints the kernel's report, the OOM
 * reaper frees its anonymous memory at once (`oom_reap_task_mm()`), and its address space is marked so that its
 * owner makes it exit. Requests without `__GFP_FS` kill nothing (the kernel lets them retry: here they fail).
 */
export class OomKiller {
  readonly vm: Vm;
  /** `oom_kill` in /proc/vmstat. */
  kills = 0;
  /** Prints the report of a kill (dmesg). */
  report: (kill: OomKill) => void;

  constructor(vm: Vm, report: (kill: OomKill) => void) {
    this.vm = vm;
    this.report = report;
  }

  /** `out_of_memory()`: returns whether a process was killed (so that retrying may succeed). */
  outOfMemory(gfp: number, order: number): boolean {
    const { vm } = this;
    const { memory } = vm;
    if ((gfp & memory.profile.gfp.flags.FS) === 0) return false;
    const seen = new Set<object>();
    const candidates: { task: VmTask; points: number }[] = [];
    for (const task of vm.tasks.values()) {
      if (seen.has(task.mm) || task.mm.oomKilled) continue;
      seen.add(task.mm);
      candidates.push({ task, points: oomBadness(task, memory.profile.era) });
    }
    let victim: { task: VmTask; points: number } | undefined;
    for (const candidate of candidates)
      if (victim === undefined || candidate.points > victim.points) victim = candidate;
    if (victim === undefined || victim.points <= 0) {
      memory.log.printk('Out of memory and no killable processes...');
      return false;
    }
    const { task } = victim;
    const rss = { ...task.mm.rss };
    const totalVm = task.mm.totalVm;
    const pageTables = task.mm.pageTables.size;
    const current = memory.current;
    const invoker = { pid: current.pid, tgid: current.tgid, comm: current.comm };
    const reaped = vm.reapTask(task);
    this.kills++;
    this.report({ invoker, gfp, order, candidates, victim: task, rss, totalVm, pageTables, reaped });
    return true;
  }
}

import { DUMP_STACK_FRAME, type DumpStackContext, formatDumpStack, PAGE_SIZE, type StackFrame } from '@mm/physmem';
import { catalogText, type KernelText, symbolizeFrames } from '@mm/stacktrace';

/** `OOM_SCORE_ADJ_MIN` (include/uapi/linux/oom.h): a task the OOM killer never picks. */
export const OOM_SCORE_ADJ_MIN = -1000;

/** What `oom_badness()` reads of a process (its `mm` and `signal`). Counts in pages unless said otherwise. */
export interface OomBadnessInput {
  /** `get_mm_rss()`: `MM_ANONPAGES + MM_FILEPAGES + MM_SHMEMPAGES`. */
  readonly rss: number;
  /** `MM_SWAPENTS`. */
  readonly swapents: number;
  /** v6.18 `mm_pgtables_bytes()`: bytes of page tables. */
  readonly pgtablesBytes: number;
  /** v4.8 `mm->nr_ptes` and `mm_nr_pmds()`: page table pages by level (default: `pgtablesBytes` as PTE pages). */
  readonly nrPtes?: number;
  readonly nrPmds?: number;
  /** `signal->oom_score_adj`, -1000..1000. */
  readonly oomScoreAdj: number;
  /** `oom_unkillable_task()` (init, kernel threads), an mm already reaped (`MMF_OOM_SKIP` / v4.8 `MMF_OOM_REAPED`)
   * or a task in the middle of vfork: never chosen. */
  readonly ineligible?: boolean;
  /** v4.8: `has_capability_noaudit(p, CAP_SYS_ADMIN)` (every root process) takes 3% off. Default true. */
  readonly capSysAdmin?: boolean;
}

/**
 * `oom_badness()` (mm/oom_kill.c): the points the OOM killer ranks a process by, or undefined for a process it
 * never chooses (v6.18 returns `LONG_MIN` for it, v4.8 0). `totalpages` is `oc->totalpages`: all RAM pages plus
 * swap pages for a global OOM (`totalram_pages() + total_swap_pages`).
 *
 * - v6.18: `get_mm_rss() + MM_SWAPENTS + mm_pgtables_bytes() / PAGE_SIZE`, plus `oom_score_adj * (totalpages /
 *   1000)`; it may be negative.
 * - v4.8: `get_mm_rss() + MM_SWAPENTS + nr_ptes + nr_pmds`, 3% off for CAP_SYS_ADMIN (`points * 3 / 100`), plus
 *   `oom_score_adj * (totalpages / 1000)`; at least 1 for an eligible process.
 */
export function oomBadness(era: 'v4' | 'v6', task: OomBadnessInput, totalpages: number): number | undefined {
  if (task.ineligible === true || task.oomScoreAdj === OOM_SCORE_ADJ_MIN) return undefined;
  const adj = task.oomScoreAdj * Math.floor(totalpages / 1000);
  if (era === 'v6') return task.rss + task.swapents + Math.floor(task.pgtablesBytes / PAGE_SIZE) + adj;
  const ptes = task.nrPtes ?? Math.floor(task.pgtablesBytes / PAGE_SIZE);
  let points = task.rss + task.swapents + ptes + (task.nrPmds ?? 0);
  if (task.capSysAdmin !== false) points -= Math.trunc((points * 3) / 100);
  points += adj;
  return points > 0 ? points : 1;
}

/**
 * v4.8 `select_bad_process()`'s score, printed by `Out of memory: Kill process %d (%s) score %u or sacrifice child`:
 * `chosen_points * 1000 / totalpages`.
 */
export function oomScoreV4(points: number, totalpages: number): number {
  return Math.floor((points * 1000) / totalpages);
}

/**
 * The kernel's own frames of the OOM report's `dump_stack()`, innermost first, down to the allocator's caller
 * (whose frames are on the shadow stack): `dump_header()` called from `oom_kill_process()`, called from
 * `out_of_memory()`, called from `__alloc_pages_may_oom()` (static inline) in the slow path: v6.18
 * `__alloc_pages_slowpath.constprop.0` (out of line, as in real traces) called from `__alloc_frozen_pages_noprof()`
 * at the same site as for an allocation failure; v4.8 `__alloc_pages_nodemask()`, into which 4.8 builds the slow
 * path. The sizes are those the simulated paths give the symbols; the call sites are plausible.
 */
export const oomKillFrames: Readonly<Record<'v4' | 'v6', readonly string[]>> = {
  v4: [
    DUMP_STACK_FRAME.v4,
    'dump_header+0x5c/0x1e0',
    'oom_kill_process+0x209/0x3f0',
    'out_of_memory+0x11d/0x4a0',
    '__alloc_pages_nodemask+0x1a6/0x230',
  ],
  v6: [
    DUMP_STACK_FRAME.v6,
    'dump_header+0x4a/0x240',
    'oom_kill_process+0x10d/0x1c0',
    'out_of_memory+0x246/0x590',
    '__alloc_pages_slowpath.constprop.0+0x9a5/0xd80',
    '__alloc_frozen_pages_noprof+0x2fd/0x330',
  ],
};

/** {@link oomKillFrames} symbolised against `text` (default the era's catalog text), ready to put above a caller's path. */
export function oomKillStackFrames(era: 'v4' | 'v6', text?: KernelText): StackFrame[] {
  return symbolizeFrames(text ?? catalogText(era), oomKillFrames[era]);
}

/** A row of `dump_tasks()`: one process. Counts in pages unless said otherwise. */
export interface OomTaskRow {
  readonly pid: number;
  readonly uid: number;
  readonly tgid: number;
  /** `mm->total_vm`. */
  readonly totalVm: number;
  /** `MM_ANONPAGES`, `MM_FILEPAGES`, `MM_SHMEMPAGES` (their sum is `get_mm_rss()`). */
  readonly rssAnon: number;
  readonly rssFile: number;
  readonly rssShmem: number;
  /** v6.18 `mm_pgtables_bytes()`. */
  readonly pgtablesBytes: number;
  /** v4.8 `nr_ptes` and `mm_nr_pmds()` (default: `pgtablesBytes` as PTE pages, no PMD pages). */
  readonly nrPtes?: number;
  readonly nrPmds?: number;
  /** `MM_SWAPENTS`. */
  readonly swapents: number;
  readonly oomScoreAdj: number;
  /** `task->comm` (at most 15 characters). */
  readonly comm: string;
}

/** What an OOM kill report is printed from: plain values the OOM killer knows. */
export interface OomReport {
  readonly era: 'v4' | 'v6';
  /** The task whose allocation invoked the OOM killer (`current`). */
  readonly invoker: { readonly comm: string; readonly oomScoreAdj: number };
  /** `oc->gfp_mask` and its `%pGg` text (`formatGfp()`). */
  readonly gfp: number;
  readonly gfpText: string;
  readonly order: number;
  /** What `dump_stack()` prints of the current task (`dumpStackContext(memory)`). */
  readonly context: DumpStackContext;
  /** The call trace, innermost first: the kernel's own frames ({@link oomKillStackFrames}) then the caller's path. */
  readonly frames: readonly StackFrame[];
  /** The `Mem-Info:` block (`formatShowMem()` of the request's zones). */
  readonly memInfo: readonly string[];
  /** v6.18 `dump_unreclaimable_slab()`'s caches, printed when the caller saw `should_dump_unreclaim_slab()`. */
  readonly unreclaimableSlab?: readonly { readonly name: string; readonly usedKb: number; readonly totalKb: number }[];
  /** `dump_tasks()` (`sysctl_oom_dump_tasks`, on by default): every eligible process. */
  readonly tasks: readonly OomTaskRow[];
  /** The process killed (v4.8: after sacrificing a child, the child). */
  readonly victim: OomTaskRow;
  /** v4.8: the process `select_bad_process()` chose and its score ({@link oomScoreV4}), when it differs from
   * `victim` by a sacrificed child; default the victim and `score`. */
  readonly chosen?: { readonly pid: number; readonly comm: string };
  /** v4.8: the chosen process's score. */
  readonly score?: number;
  /** `mems_allowed` of the current task as `%*pbl` prints it (`0`, `0-1`). Default `0`. */
  readonly memsAllowed?: string;
  /** v6.18 `task_memcg=`: the victim's memory cgroup path. Default `/`. */
  readonly taskMemcg?: string;
}

/**
 * The report of an OOM kill, line for line as each era prints it (mm/oom_kill.c). v6.18: `dump_header()` (`%s
 * invoked oom-killer: gfp_mask=%#x(%pGg), order=%d, oom_score_adj=%hd`, `dump_stack()`, `__show_mem()`, optionally
 * `dump_unreclaimable_slab()`, `dump_tasks()` with `Tasks state (memory values in pages):` and rows `[%7d] %5d %5d
 * %8lu %8lu %8lu %8lu %9lu %8ld %8lu         %5hd %s`), `dump_oom_victim()` (`oom-kill:constraint=%s,nodemask=%*pbl`
 * + `,cpuset=/,mems_allowed=%*pbl` + `,global_oom,task_memcg=%s` + `,task=%s,pid=%d,uid=%d`) and
 * `__oom_kill_process()` (`%s: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB,
 * shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%hd` with message `Out of memory`). v4.8: `dump_header()`
 * (the invoked line, kernel/cpuset.c `cpuset_print_current_mems_allowed()`'s `%s cpuset=/ mems_allowed=%*pbl`,
 * `dump_stack()`, `show_mem()`, `dump_tasks()` rows `[%5d] %5d %5d %8lu %8lu %7ld %7ld %8lu         %5hd %s`), then
 * `oom_kill_process()`'s `%s: Kill process %d (%s) score %u or sacrifice child` and `Killed process %d (%s)
 * total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB`. A global OOM of a plain allocation: constraint
 * `CONSTRAINT_NONE`, nodemask NULL, the root cpuset (CONFIG_COMPACTION is on, so no `COMPACTION is disabled!!!`).
 */
export function formatOomReport(report: OomReport): string[] {
  const { era, victim } = report;
  const kb = (pages: number) => pages * 4;
  const mems = report.memsAllowed ?? '0';
  const lines = [
    `${report.invoker.comm} invoked oom-killer: gfp_mask=0x${report.gfp.toString(16)}(${report.gfpText}), order=${report.order}, oom_score_adj=${report.invoker.oomScoreAdj}`,
  ];
  if (era === 'v4') lines.push(`${report.invoker.comm} cpuset=/ mems_allowed=${mems}`);
  lines.push(...formatDumpStack(report.context, report.frames), ...report.memInfo);
  if (era === 'v6' && report.unreclaimableSlab !== undefined) {
    lines.push('Unreclaimable slab info:', 'Name                      Used          Total');
    for (const cache of report.unreclaimableSlab) {
      lines.push(`${cache.name.padEnd(17)} ${`${cache.usedKb}`.padStart(10)}KB ${`${cache.totalKb}`.padStart(10)}KB`);
    }
  }
  const pad = (value: number, width: number) => `${value}`.padStart(width);
  if (era === 'v6') {
    lines.push(
      'Tasks state (memory values in pages):',
      '[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name',
    );
    for (const task of report.tasks) {
      const rss = task.rssAnon + task.rssFile + task.rssShmem;
      lines.push(
        `[${pad(task.pid, 7)}] ${pad(task.uid, 5)} ${pad(task.tgid, 5)} ${pad(task.totalVm, 8)} ${pad(rss, 8)} ` +
          `${pad(task.rssAnon, 8)} ${pad(task.rssFile, 8)} ${pad(task.rssShmem, 9)} ${pad(task.pgtablesBytes, 8)} ` +
          `${pad(task.swapents, 8)}         ${pad(task.oomScoreAdj, 5)} ${task.comm}`,
      );
    }
    lines.push(
      `oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=${mems},global_oom,task_memcg=${report.taskMemcg ?? '/'},task=${victim.comm},pid=${victim.pid},uid=${victim.uid}`,
      `Out of memory: Killed process ${victim.pid} (${victim.comm}) total-vm:${kb(victim.totalVm)}kB, anon-rss:${kb(victim.rssAnon)}kB, file-rss:${kb(victim.rssFile)}kB, shmem-rss:${kb(victim.rssShmem)}kB, UID:${victim.uid} pgtables:${Math.floor(victim.pgtablesBytes / 1024)}kB oom_score_adj:${victim.oomScoreAdj}`,
    );
    return lines;
  }
  lines.push('[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name');
  for (const task of report.tasks) {
    const rss = task.rssAnon + task.rssFile + task.rssShmem;
    const ptes = task.nrPtes ?? Math.floor(task.pgtablesBytes / PAGE_SIZE);
    lines.push(
      `[${pad(task.pid, 5)}] ${pad(task.uid, 5)} ${pad(task.tgid, 5)} ${pad(task.totalVm, 8)} ${pad(rss, 8)} ` +
        `${pad(ptes, 7)} ${pad(task.nrPmds ?? 0, 7)} ${pad(task.swapents, 8)}         ${pad(task.oomScoreAdj, 5)} ${task.comm}`,
    );
  }
  const chosen = report.chosen ?? victim;
  lines.push(
    `Out of memory: Kill process ${chosen.pid} (${chosen.comm}) score ${report.score ?? 0} or sacrifice child`,
    `Killed process ${victim.pid} (${victim.comm}) total-vm:${kb(victim.totalVm)}kB, anon-rss:${kb(victim.rssAnon)}kB, file-rss:${kb(victim.rssFile)}kB, shmem-rss:${kb(victim.rssShmem)}kB`,
  );
  return lines;
}

/**
 * The OOM reaper's line once it has unmapped the victim's anonymous memory (mm/oom_kill.c
 * `oom_reap_task_mm()` in v6.18, `__oom_reap_task()` in v4.8; the same in both): `oom_reaper: reaped process %d
 * (%s), now anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB`, with what the victim's mm still holds (pages).
 */
export function formatOomReaped(
  victim: { readonly pid: number; readonly comm: string },
  left: { readonly anon: number; readonly file: number; readonly shmem: number },
): string {
  return `oom_reaper: reaped process ${victim.pid} (${victim.comm}), now anon-rss:${left.anon * 4}kB, file-rss:${left.file * 4}kB, shmem-rss:${left.shmem * 4}kB`;
}

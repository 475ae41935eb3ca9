import { formatShowMem, gfpZone } from '@mm/buddy';
import { dumpStackContext, formatGfp } from '@mm/physmem';
import type { KernelText } from '@mm/stacktrace';
import {
  formatOomReaped,
  formatOomReport,
  type OomTaskRow,
  oomBadness,
  oomKillStackFrames,
  oomScoreV4,
} from './oom-report';
import type { Vm, VmTask } from './vm';

/** A process as `dump_tasks()` lists it, from its task. */
function taskRow(task: VmTask): OomTaskRow {
  const { mm } = task;
  return {
    pid: task.pid,
    uid: 0,
    tgid: task.tgid,
    totalVm: mm.totalVm,
    rssAnon: mm.rss.anon,
    rssFile: mm.rss.file,
    rssShmem: mm.rss.shmem,
    pgtablesBytes: mm.pageTables.size * 4096,
    swapents: 0,
    oomScoreAdj: 0,
    comm: task.comm,
  };
}

/**
 * The OOM killer (mm/oom_kill.c `out_of_memory()`): when reclaim cannot free memory for an allocation that may not
 * fail, the process with the highest `oom_badness()` is killed: the kernel's report is printed (the invoking task
 * and its call trace, Mem-Info, the task table, the kill), the OOM reaper frees its anonymous memory at once
 * (`oom_reap_task_mm()`), and its address space is marked so that its owner makes it exit. Requests without
 * `__GFP_FS` kill nothing: the kernel lets them retry; here they fail.
 */
export class OomKiller {
  readonly vm: Vm;
  /** `oom_kill` in /proc/vmstat. */
  kills = 0;
  /** The kernel text the call traces are printed against (the booted kernel's; default the era's catalog). */
  text: KernelText | undefined;

  constructor(vm: Vm) {
    this.vm = vm;
  }

  /** `out_of_memory()`: returns whether a process was killed (so that retrying may succeed). */
  outOfMemory(gfp: number, order: number): boolean {
    const { vm } = this;
    const { memory, buddy } = vm;
    const era = memory.profile.era;
    if ((gfp & memory.profile.gfp.flags.FS) === 0) return false;
    let totalPages = 0;
    for (const zone of memory.zones) totalPages += zone.managedPages;
    // select_bad_process(): every process once (one task per address space), the worst first found.
    const seen = new Set<object>();
    const rows: OomTaskRow[] = [];
    let victim: { task: VmTask; points: number } | undefined;
    for (const task of vm.tasks.values()) {
      if (seen.has(task.mm)) continue;
      seen.add(task.mm);
      const row = taskRow(task);
      const points = oomBadness(
        era,
        {
          rss: task.mm.rssPages,
          swapents: 0,
          pgtablesBytes: row.pgtablesBytes,
          oomScoreAdj: 0,
          ineligible: task.mm.oomKilled,
        },
        totalPages,
      );
      if (points === undefined) continue;
      rows.push(row);
      if (victim === undefined || points > victim.points) victim = { task, points };
    }
    if (victim === undefined) {
      memory.log.printk('Out of memory and no killable processes...');
      return false;
    }
    const { task } = victim;
    const victimRow = taskRow(task);
    const counters = vm.counters();
    memory.log.printk(
      formatOomReport({
        era,
        invoker: { comm: memory.current.comm, oomScoreAdj: 0 },
        gfp,
        gfpText: formatGfp(gfp, memory.profile.gfp),
        order,
        context: dumpStackContext(memory),
        frames: [...oomKillStackFrames(era, this.text), ...memory.stackTrace()],
        memInfo: formatShowMem(buddy, counters, {
          maxZoneIndex: gfpZone(gfp, memory.profile),
          nodeUnreclaimable: (node) => vm.vmscan.nodeUnreclaimable(node),
        }),
        tasks: rows,
        victim: victimRow,
        score: oomScoreV4(victim.points, totalPages),
      }).join('\n'),
    );
    vm.reapTask(task);
    this.kills++;
    memory.log.printk(formatOomReaped(task, task.mm.rss));
    return true;
  }
}

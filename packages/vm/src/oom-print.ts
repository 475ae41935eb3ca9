import type { PhysicalMemory } from '@mm/physmem';
import type { OomKill } from './oom-kill';

/** Prints an OOM kill's report to the kernel log. */
export function printOomKill(memory: PhysicalMemory, kill: OomKill): void {
  const { victim, rss } = kill;
  const kb = (pages: number) => pages * 4;
  memory.log.printk(
    [
      `${kill.invoker.comm} invoked oom-killer: gfp_mask=0x${kill.gfp.toString(16)}, order=${kill.order}, oom_score_adj=0`,
      `Out of memory: Killed process ${victim.pid} (${victim.comm}) total-vm:${kb(kill.totalVm)}kB, anon-rss:${kb(rss.anon)}kB, file-rss:${kb(rss.file)}kB, shmem-rss:${kb(rss.shmem)}kB, UID:0 pgtables:${kb(kill.pageTables)}kB oom_score_adj:0`,
      `oom_reaper: reaped process ${victim.pid} (${victim.comm}), now anon-rss:0kB, file-rss:${kb(rss.file)}kB, shmem-rss:${kb(rss.shmem)}kB`,
    ].join('\n'),
  );
}

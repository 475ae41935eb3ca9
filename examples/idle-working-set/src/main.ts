import { boot } from '@mm/kernel';
import { idlePfns, markIdle, pageIdle, presentPfns } from '@mm/page-idle';
import { PAGE_SIZE } from '@mm/physmem';
import { readPagemap } from '@mm/vm';
import { WssWorkload } from '@mm/workloads';

/**
 * The working-set estimate of Documentation/admin-guide/mm/idle_page_tracking.rst on the `wss` workload: pfns from
 * /proc/PID/pagemap, their bits set in /sys/kernel/mm/page_idle/bitmap, ten ticks of work, the bits read back.
 */
export function idleWorkingSet(ticks = 10) {
  const kernel = boot({ memory: '512M', features: [pageIdle()] });
  const workload = new WssWorkload(kernel);
  workload.populate();
  const bitmap = kernel.feature(pageIdle)!.bitmapFile();
  const pfnsOf = workload.processes.map(({ task }) =>
    task.mm.vmas.flatMap((vma) => {
      const entries = readPagemap(kernel.vm, task, vma.start * 8, vma.pages * 8);
      return 'errno' in entries ? [] : presentPfns(entries);
    }),
  );
  for (const pfns of pfnsOf) markIdle(bitmap, pfns);
  workload.resetTouched();
  for (let tick = 0; tick < ticks; tick++) workload.tick();
  return workload.processes.map((process, index) => {
    const mapped = pfnsOf[index]!.length;
    const idle = idlePfns(bitmap, pfnsOf[index]!).length;
    return {
      comm: process.task.comm,
      mapped,
      idle,
      workingSet: mapped - idle,
      touched: workload.touchedPages(process),
    };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of idleWorkingSet()) {
    console.log(
      `${row.comm.padEnd(14)} ${row.mapped} pages mapped, ${row.idle} idle: working set ${row.workingSet} pages ` +
        `(${((row.workingSet * PAGE_SIZE) / 2 ** 20).toFixed(1)} MiB); the workload touched ${row.touched}`,
    );
  }
}

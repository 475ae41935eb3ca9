import type { Kernel } from '@mm/kernel';
import { dumpPagemap, formatMaps, kpageEntries, readKpagecount, readKpageflags } from '@mm/vm';
import type { OutputDirectory } from './output-directory';

/**
 * Writes what user space and idle tracking show: `proc/PID/maps` and `proc/PID/pagemap` (with
 * `pagemap.index.txt`) of every process with mappings, `proc/kpageflags`, `proc/kpagecount` and, when idle
 * tracking is built in, `sys/kernel/mm/page_idle/bitmap` as a whole-file read sees it.
 */
export function writeUserSpaceFiles(out: OutputDirectory, kernel: Kernel): void {
  const { vm } = kernel;
  for (const task of vm.tasks.values()) {
    if (task.mm.vmas.length === 0 || task.pid !== task.tgid) continue;
    out.write(`proc/${task.pid}/maps`, formatMaps(task));
    const { entries, index } = dumpPagemap(vm, task);
    out.write(`proc/${task.pid}/pagemap`, (write) => write(entries));
    out.write(`proc/${task.pid}/pagemap.index.txt`, index);
  }
  const bytes = kpageEntries(vm) * 8;
  for (const [name, read] of [
    ['kpageflags', readKpageflags],
    ['kpagecount', readKpagecount],
  ] as const) {
    out.write(`proc/${name}`, (write) => {
      for (let position = 0; position < bytes; position += 1 << 20) {
        write(read(vm, position, Math.min(1 << 20, bytes - position)) as Uint8Array);
      }
    });
  }
  const { pageIdle } = kernel;
  if (pageIdle !== undefined) out.write('sys/kernel/mm/page_idle/bitmap', (write) => write(pageIdle.readWholeBitmap()));
}

import type { KernelFile } from '@mm/kernel-spec';
import { dumpPagemap, formatMaps, kpageEntries, readKpagecount, readKpageflags, type Vm } from '@mm/vm';

/** Bytes a whole-file read of kpageflags or kpagecount takes at a time (the files are a u64 per pfn). */
const CHUNK = 1 << 20;

/**
 * What user space sees of memory (fs/proc): `proc/PID/maps` and `proc/PID/pagemap` (with mmsim's
 * `pagemap.index.txt`, which says which virtual pages the entries are) of every process with mappings, then
 * `proc/kpageflags` and `proc/kpagecount`.
 */
export function userSpaceFiles(vm: Vm): KernelFile[] {
  const files: KernelFile[] = [];
  for (const task of vm.tasks.values()) {
    if (task.mm.vmas.length === 0 || task.pid !== task.tgid) continue;
    files.push({ path: `proc/${task.pid}/maps`, read: (write) => write(formatMaps(task)) });
    const pagemap = () => dumpPagemap(vm, task);
    files.push({ path: `proc/${task.pid}/pagemap`, read: (write) => write(pagemap().entries) });
    files.push({ path: `proc/${task.pid}/pagemap.index.txt`, read: (write) => write(pagemap().index) });
  }
  for (const [name, read] of [
    ['kpageflags', readKpageflags],
    ['kpagecount', readKpagecount],
  ] as const) {
    files.push({
      path: `proc/${name}`,
      read: (write) => {
        const bytes = kpageEntries(vm) * 8;
        for (let position = 0; position < bytes; position += CHUNK) {
          write(read(vm, position, Math.min(CHUNK, bytes - position)) as Uint8Array);
        }
      },
    });
  }
  return files;
}

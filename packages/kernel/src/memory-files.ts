import {
  type BuddyAllocator,
  formatMeminfo,
  formatVmstat,
  formatZoneinfo,
  meminfoZoneTotals,
  type ZoneinfoZone,
} from '@mm/buddy';
import { type KernelFile, textFile } from '@mm/kernel-spec';
import { PAGE_SIZE, type VmCountersBuilder } from '@mm/physmem';
import { formatProcStatus, type ProcStatusMemory, type Vm, type VmTask } from '@mm/vm';

/** What adds to a machine's counters besides the allocator and the vm (the features). */
export type CountersSource = (counters: VmCountersBuilder) => void;

/** `calculate_normal_threshold()` (mm/vmstat.c): the per-CPU counter threshold of a zone. */
function statThreshold(managedPages: number, cpus: number): number {
  const fls = (value: number) => (value === 0 ? 0 : Math.floor(Math.log2(value)) + 1);
  const mem = Math.floor(managedPages / (2 ** 27 / PAGE_SIZE));
  return Math.min(125, 2 * fls(cpus) * (1 + fls(mem)));
}

/** The zones as /proc/zoneinfo shows them, from the allocator's state. */
function zoneinfoZones(buddy: BuddyAllocator, unreclaimable: (node: number) => boolean): ZoneinfoZone[] {
  const { memory } = buddy;
  return buddy.zones.map((zone) => {
    const { zone: geometry } = zone;
    const node = memory.nodes[geometry.node]!;
    return {
      node: geometry.node,
      name: geometry.name,
      watermark: zone.watermark,
      spanned: geometry.spannedPages,
      present: geometry.presentPages,
      managed: geometry.managedPages,
      lowmemReserve: node.zones.map((_, index) => zone.lowmemReserve[index] ?? 0),
      pagesets: Array.from({ length: memory.cpus }, (_, cpu) => ({
        count: zone.pcpCount[cpu]!,
        high: zone.pcpHigh[cpu]!,
        batch: zone.pcpBatch,
        highMin: zone.pcpHighMin,
        highMax: zone.pcpHighMax,
      })),
      statThreshold: statThreshold(geometry.managedPages, memory.cpus),
      startPfn: geometry.startPfn,
      nodeUnreclaimable: unreclaimable(geometry.node),
    };
  });
}

/** `task_mem()`'s figures of a process, in KiB (fs/proc/task_mmu.c). */
function statusMemory(task: VmTask): ProcStatusMemory {
  const { mm } = task;
  const kb = (pages: number) => pages * (PAGE_SIZE / 1024);
  let data = 0;
  let stack = 0;
  let exe = 0;
  for (const vma of mm.vmas) {
    if (vma.name === '[stack]') stack += vma.pages;
    else if (vma.protection.exec && vma.file !== undefined) exe += vma.pages;
    else if (vma.protection.write && vma.private) data += vma.pages;
  }
  return {
    VmPeak: kb(mm.hiwaterVm),
    VmSize: kb(mm.totalVm),
    VmLck: 0,
    VmPin: 0,
    VmHWM: kb(mm.hiwaterRss),
    RssAnon: kb(mm.rss.anon),
    RssFile: kb(mm.rss.file),
    RssShmem: kb(mm.rss.shmem),
    VmData: kb(data),
    VmStk: kb(stack),
    VmExe: kb(exe),
    VmLib: 0,
    VmPTE: kb(mm.pageTables.size),
    VmSwap: 0,
  };
}

/**
 * The /proc files of memory: `meminfo`, `vmstat`, `zoneinfo`, from the machine's counters (`vm.counters()` with the
 * features' part) each time they are read, and `PID/status` of every process.
 */
export function memoryFiles(buddy: BuddyAllocator, vm: Vm, sources: readonly CountersSource[]): KernelFile[] {
  const { memory } = buddy;
  const { profile } = memory;
  const counters = () => vm.counters(sources);
  const unreclaimable = (node: number) => vm.vmscan.nodeUnreclaimable(node);
  const files: KernelFile[] = [
    textFile('proc/meminfo', () => {
      const now = counters();
      const totals = meminfoZoneTotals(zoneinfoZones(buddy, unreclaimable), now);
      return formatMeminfo(profile, now, totals);
    }),
    textFile('proc/vmstat', () => {
      const now = counters();
      const { dirtyThreshold, dirtyBackgroundThreshold } = vm.dirtyThresholds();
      return formatVmstat(profile, now, { dirtyThreshold, dirtyBackgroundThreshold });
    }),
    textFile('proc/zoneinfo', () => formatZoneinfo(profile, zoneinfoZones(buddy, unreclaimable), counters())),
  ];
  for (const task of vm.tasks.values()) {
    if (task.pid !== task.tgid || task.mm.vmas.length === 0) continue;
    files.push(
      textFile(`proc/${task.pid}/status`, () =>
        formatProcStatus(profile, {
          pid: task.pid,
          ppid: 1,
          comm: task.comm,
          cpus: memory.cpus,
          nodes: memory.nodes.length,
          memory: statusMemory(task),
        }),
      ),
    );
  }
  return files;
}

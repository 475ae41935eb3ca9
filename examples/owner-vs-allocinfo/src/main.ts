import { type AllocTag, allocTag, codetagToText, NO_TAG } from '@mm/alloc-tag';
import { boot, type Kernel } from '@mm/kernel';
import { forEachPageOwnerRecord, pageOwner } from '@mm/page-owner';
import { PAGE_SIZE } from '@mm/physmem';
import { kernelBuild, Simulation } from '@mm/workloads';

/** Bytes and calls of one call site. */
export interface SiteTotals {
  bytes: number;
  calls: number;
}

/** What one configuration costs on the build: page_ext, the depot's pools, host CPU time. */
export interface Cost {
  readonly cmdline: string;
  /** page_ext bytes per page and allocated at boot. */
  readonly pageExtBytesPerPage: number;
  readonly pageExtBytes: number;
  /** The stack depot's pool pages after the build (page_owner only), in bytes. */
  readonly depotBytes: number;
  /** Simulated time of the build, in nanoseconds (the machine's clock: the kernel's work as mmsim charges it). */
  readonly simulatedNs: number;
}

/** Boots 1 GiB with `cmdline` and both features built in, and runs the same kernel build (same seed). */
function build(cmdline: string, units: number): { kernel: Kernel; simulatedNs: number } {
  const kernel = boot({ memory: '1G', cmdline, features: [pageOwner(), allocTag()] });
  const start = kernel.memory.clock.ns;
  kernelBuild({ units }).run(new Simulation(kernel, { seed: 7 }));
  return { kernel, simulatedNs: kernel.memory.clock.ns - start };
}

function costOf(cmdline: string, { kernel, simulatedNs }: { kernel: Kernel; simulatedNs: number }): Cost {
  const depot = kernel.feature(pageOwner)?.depot;
  return {
    cmdline,
    pageExtBytesPerPage: kernel.pageExt?.entryBytes ?? 0,
    pageExtBytes: kernel.pageExt?.totalBytes ?? 0,
    depotBytes: (depot?.stats.pages ?? 0) * PAGE_SIZE,
    simulatedNs,
  };
}

/** /proc/allocinfo's tag lines (after its two header lines) as call site → bytes and calls, unused sites left out. */
export function parseAllocinfo(text: string): Map<string, SiteTotals> {
  const sites = new Map<string, SiteTotals>();
  for (const line of text.split('\n').slice(2)) {
    const match = /^ *(-?\d+) +(\d+) (.+) $/.exec(line);
    if (match === null) continue;
    const totals = { bytes: Number(match[1]), calls: Number(match[2]) };
    if (totals.bytes !== 0 || totals.calls !== 0) sites.set(match[3]!, totals);
  }
  return sites;
}

/**
 * page_owner's records grouped by allocating function: each record's stack (from the depot) resolved to the call site
 * the profiler would tag, the outermost frame below the allocator's own. Pages allocated before page_ext existed
 * (page_owner's early sweep) have no tag on either side and are left out.
 */
export function ownerBySite(kernel: Kernel, tags: AllocTag): Map<string, SiteTotals> {
  const owner = kernel.feature(pageOwner)!;
  const sites = new Map<string, SiteTotals>();
  forEachPageOwnerRecord(owner, (pfn, handle, order) => {
    if (handle === owner.earlyHandle) return;
    // page_owner's own nested allocations carry its dummy stack: the profiler tagged them from the live stack.
    const id = handle === owner.dummyHandle ? tags.refOf(pfn) : tags.sites.resolveFrames(owner.depot.framesOf(handle));
    const site = id === NO_TAG ? 'untagged' : codetagToText(tags.sites.tag(id));
    const totals = sites.get(site) ?? { bytes: 0, calls: 0 };
    totals.bytes += PAGE_SIZE * 2 ** order;
    totals.calls++;
    sites.set(site, totals);
  });
  return sites;
}

/**
 * The comparison: the same kernel build (1 GiB, `units` compile units, seed 7) with page_owner, with allocation
 * profiling, and with both (where the two views of the same allocations are compared site by site).
 */
export function ownerVsAllocinfo(units = 60): {
  readonly costs: readonly Cost[];
  readonly allocinfo: Map<string, SiteTotals>;
  readonly owner: Map<string, SiteTotals>;
} {
  const costs = ['page_owner=on', 'sysctl.vm.mem_profiling=1', 'page_owner=on sysctl.vm.mem_profiling=1'].map(
    (cmdline) => ({ cmdline, run: build(cmdline, units) }),
  );
  const both = costs[2]!.run.kernel;
  return {
    costs: costs.map(({ cmdline, run }) => costOf(cmdline, run)),
    allocinfo: parseAllocinfo(both.readFile('proc/allocinfo') ?? ''),
    owner: ownerBySite(both, both.feature(allocTag)!),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { costs, allocinfo, owner } = ownerVsAllocinfo();
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  console.log('The same kernel build (1 GiB, 60 compile units):');
  for (const cost of costs) {
    console.log(
      `  ${cost.cmdline.padEnd(40)} page_ext ${cost.pageExtBytesPerPage} bytes a page (${mib(cost.pageExtBytes)}), ` +
        `depot ${mib(cost.depotBytes)}, ${(cost.simulatedNs / 1e9).toFixed(3)} s simulated`,
    );
  }
  const same = [...allocinfo].every(([site, totals]) => {
    const other = owner.get(site);
    return other !== undefined && other.bytes === totals.bytes && other.calls === totals.calls;
  });
  console.log(
    `\n/proc/allocinfo: ${allocinfo.size} call sites in use; page_owner grouped by allocating function: ${owner.size}; ` +
      `${same && allocinfo.size === owner.size ? 'the same bytes and calls at every one' : 'THEY DIFFER'}.`,
  );
  console.log('\nThe largest call sites (bytes, calls; the same in both):');
  for (const [site, totals] of [...allocinfo].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 8)) {
    console.log(`  ${mib(totals.bytes).padStart(10)} ${String(totals.calls).padStart(7)}  ${site}`);
  }
}

import { boot } from '@mm/kernel';
import { pageOwner } from '@mm/page-owner';
import { migratetypeNames, PAGE_SIZE, PAGEBLOCK_NR_PAGES } from '@mm/physmem';
import { kernelBuild, Simulation } from '@mm/workloads';
import { pageblockAllocs } from './pageblock-allocs';

/** What the run found. */
export interface PageblockChurn {
  /** page_ext's entry: its bytes, and each client's offset and share. */
  readonly pageExt: { readonly entryBytes: number; readonly clients: readonly string[] };
  readonly pageblocks: number;
  readonly allocations: number;
  /** The busiest pageblocks, with where they are and what they hold now. */
  readonly busiest: readonly {
    readonly pfn: number;
    readonly allocations: number;
    readonly zone: string;
    readonly migratetype: string;
    /** Pages of the pageblock allocated at the end of the run. */
    readonly allocatedNow: number;
  }[];
  /** This client's part of the run's summary: its JSON fields and its text line. */
  readonly summary: { readonly fields: Readonly<Record<string, unknown>>; readonly lines: readonly string[] };
  /** The headline figures the report would list: every feature's facts, in boot order. */
  readonly facts: readonly (readonly [string, string])[];
}

/**
 * Boots a machine with page_owner and the pageblock_allocs client (a feature of this package, which no other package
 * knows), runs `make -j` on it, and asks the client which pageblocks churned.
 */
export function pageblockChurn(options: { memory?: string; units?: number; top?: number } = {}): PageblockChurn {
  const kernel = boot({
    memory: options.memory ?? '1G',
    cmdline: 'page_owner=on pageblock_allocs=on',
    features: [pageOwner(), pageblockAllocs()],
  });
  const sim = new Simulation(kernel, { seed: 1 });
  kernelBuild(options.units !== undefined ? { units: options.units } : {}).run(sim);

  const counters = kernel.feature(pageblockAllocs)!;
  const { memory } = kernel;
  const allocatedIn = (start: number) => {
    let pages = 0;
    for (let pfn = start; pfn < start + PAGEBLOCK_NR_PAGES; pfn++) {
      if (memory.pfnValid(pfn) && memory.pageRefcount(pfn) > 0) pages++;
    }
    return pages;
  };
  const pageExt = kernel.pageExt!;
  const parts = kernel.summaries({ counters: sim.counters });
  const ours = parts.find((part) => part.fields !== undefined && 'pageblockAllocs' in part.fields);
  return {
    pageExt: {
      entryBytes: pageExt.entryBytes,
      clients: pageExt.plan.active.map(({ client, offset }) => `${client.name} ${client.size} at ${offset}`),
    },
    ...counters.totals(),
    busiest: counters.busiest(options.top ?? 8).map(({ pfn, allocations }) => ({
      pfn,
      allocations,
      zone: memory.zoneOf(pfn)?.name ?? '?',
      migratetype: migratetypeNames[memory.pageblockMigratetype(pfn)] ?? '?',
      allocatedNow: allocatedIn(pfn),
    })),
    summary: { fields: ours?.fields ?? {}, lines: ours?.lines ?? [] },
    facts: parts.flatMap((part) => part.facts ?? []),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const run = pageblockChurn();
  const mib = (pfn: number) => `${((pfn * PAGE_SIZE) / 2 ** 20).toFixed(0)} MiB`;
  console.log(`page_ext: ${run.pageExt.entryBytes} bytes per page (${run.pageExt.clients.join(', ')})`);
  console.log(`make -j counted ${run.allocations} allocations in ${run.pageblocks} pageblocks; the busiest:`);
  console.log('  pfn       at        zone    migratetype  allocations  allocated now');
  for (const block of run.busiest) {
    console.log(
      `  ${`0x${block.pfn.toString(16)}`.padEnd(9)} ${mib(block.pfn).padEnd(9)} ${block.zone.padEnd(7)} ` +
        `${block.migratetype.padEnd(12)} ${`${block.allocations}`.padStart(11)}  ${block.allocatedNow}/${PAGEBLOCK_NR_PAGES}`,
    );
  }
  console.log('Its part of the run summary:');
  for (const line of run.summary.lines) console.log(line);
  console.log(`  ${JSON.stringify(run.summary.fields)}`);
  console.log('The facts the report would list:');
  for (const [name, value] of run.facts) console.log(`  ${name}: ${value}`);
}

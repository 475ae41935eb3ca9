/**
 * The fields of mmsim's `summary.json` a report reads. Every field is optional: the file may come from an older
 * mmsim, and a dump alone has none.
 */
export interface RunSummaryFields {
  readonly profile?: string;
  readonly memoryBytes?: number;
  readonly totalPages?: number;
  readonly cmdline?: string;
  readonly workload?: string;
  readonly seed?: number;
  /** MemFree: pages on the buddy free lists. */
  readonly freePages?: number;
  /** Free pages on the per-CPU lists (`free_pcp`, not in MemFree). */
  readonly freePcpPages?: number;
  readonly failedAllocations?: number;
  readonly oomKills?: number;
  readonly pageExt?: { readonly entryBytes: number; readonly bytes: number } | null;
  /** The stack depot feature's fields (null when nothing was saved in it). */
  readonly stackDepot?: { readonly stacks: number; readonly bytes: number; readonly pages: number } | null;
  /** page_owner's layout comparison. */
  readonly layouts?: readonly { readonly profile: string; readonly staticBytes: number }[] | null;
  /** v6.18's page_ext for every combination of the clients (`mmsim layouts`' second table), on a v6.18 run. */
  readonly pageExtClients?: readonly { readonly clients: string; readonly staticBytes: number }[] | null;
  /** Each feature's headline figures, as name and value. */
  readonly facts?: readonly (readonly [string, string])[];
  /** Free pages and the features' samples over the run (the stack depot's `stacks` and `depotBytes`). */
  readonly timeline?: readonly {
    readonly ns: number;
    readonly stacks?: number;
    readonly depotBytes?: number;
  }[];
}

/** A size in MiB, GiB or TiB, to a tenth: `72 MiB`, `4 GiB` (a machine's present memory is rarely a round size). */
export function formatMemory(bytes: number): string {
  const units = ['MiB', 'GiB', 'TiB'];
  let size = bytes / 2 ** 20;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit++;
  }
  return `${Number(size.toFixed(1))} ${units[unit]}`;
}

/**
 * The headline figures of a report: the run's from its summary (the machine's, then each feature's `facts`), and
 * what the page_owner records show.
 */
export function summaryFacts(
  summary: RunSummaryFields | undefined,
  records: { readonly records: number; readonly stacks: number; readonly format: string | null },
): [string, string][] {
  const facts: [string, string][] = [];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined) facts.push([name, value]);
  };
  if (summary !== undefined) {
    add('workload', summary.workload === undefined ? undefined : `${summary.workload} (seed ${summary.seed ?? '?'})`);
    add('profile', summary.profile);
    add('memory', summary.memoryBytes === undefined ? undefined : formatMemory(summary.memoryBytes));
    add('cmdline', summary.cmdline);
    add(
      'free pages',
      summary.freePages === undefined
        ? undefined
        : `${summary.freePages} of ${summary.totalPages ?? '?'} (MemFree)${summary.freePcpPages === undefined ? '' : `, ${summary.freePcpPages} on per-CPU lists`}`,
    );
    add('failed allocations', summary.failedAllocations?.toString());
    add('OOM kills', summary.oomKills?.toString());
    add(
      'page_ext',
      summary.pageExt == null
        ? undefined
        : `${formatMemory(summary.pageExt.bytes)} (${summary.pageExt.entryBytes} bytes per page)`,
    );
    for (const fact of summary.facts ?? []) {
      if (Array.isArray(fact) && typeof fact[0] === 'string' && typeof fact[1] === 'string') add(fact[0], fact[1]);
    }
  }
  if (records.format !== null) {
    add('page_owner', `${records.records} records, ${records.stacks} distinct stacks (${records.format} format)`);
  }
  return facts;
}

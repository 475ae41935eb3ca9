/**
 * The data a report embeds: what the browser side draws, built by {@link collectReport} from a run's output
 * directory or a page_owner dump. Per-page and per-record columns are typed arrays, gzipped and base64-encoded
 * ({@link PackedArray}), so that a 4 GiB machine's map stays small; the browser inflates them with
 * `DecompressionStream`.
 */
export interface ReportData {
  /** What the report is of: the run's workload and machine, or the dump's file name. */
  readonly title: string;
  /** Where the data came from, one line per input file. */
  readonly sources: readonly string[];
  /** The page_owner format the records were in (`v4.x`, `v6.18`, ...), or null without page_owner data. */
  readonly format: string | null;
  /** Pages per pageblock is `1 << pageblockOrder` (x86_64: 9). */
  readonly pageblockOrder: number;
  /** The pages the map covers: the total of {@link spans}, and the length of {@link cells}. */
  readonly pages: number;
  /**
   * The pfn ranges the map covers, in pfn order, their pages one after another in {@link cells}: for a run, one
   * span from pfn 0; for a dump, the pageblocks its records are in, with the gaps between them filled while they
   * are small (so the map of a dump with a pfn of 2^40 holds what the dump lists, not 2^40 pages). Each span but
   * the last starts and ends on a pageblock boundary.
   */
  readonly spans: readonly ReportSpan[];
  /** Zones by pfn span (from /proc/zoneinfo when present, else the x86_64 boundaries). */
  readonly zones: readonly ReportZone[];
  /** One {@link PageCell} per page of the {@link spans} (Uint8Array), the {@link IDLE_CELL} bit set on idle pages. */
  readonly cells: PackedArray;
  /**
   * One byte per pageblock of the {@link spans} (Uint8Array, cell `i` is in pageblock `i >> pageblockOrder`): 1 when
   * it holds a page of another migratetype than its own (mixed).
   */
  readonly mixedPageblocks: PackedArray;
  /** The page_owner records, one column per field. */
  readonly records: ReportRecords;
  /** Migratetype names, indexed by `records.migratetype` and `records.blockMigratetype`. */
  readonly migratetypes: readonly string[];
  /** The `%pGg` texts of gfp masks (`0xcc0(GFP_KERNEL)`), indexed by `records.gfp`. */
  readonly gfps: readonly string[];
  /** Tasks as the header prints them (`pid 4242, tgid 4242 (cat)`), indexed by `records.task`; `''` when not printed. */
  readonly tasks: readonly string[];
  /** Stack lines (` [<...>] func+0x1/0x2 [mod]` trimmed), indexed by `stacks`. */
  readonly frames: readonly string[];
  /** Each distinct stack, innermost frame first, as indexes into `frames`. */
  readonly stacks: readonly (readonly number[])[];
  /** Mixed pageblocks (a page allocated with another migratetype than its block's) per zone and block migratetype. */
  readonly mixedBlocks: readonly { readonly zone: string; readonly counts: readonly number[] }[];
  /** Unique stacks and depot bytes over the run (summary.json's timeline), or null for a dump. */
  readonly depotGrowth: readonly DepotSample[] | null;
  /**
   * page_ext memory under each layout of page_owner (summary.json's layouts), then v6.18's for every combination of
   * clients (its pageExtClients, labelled `v6.18 page_owner,alloc_tag`), or null for a dump.
   */
  readonly layouts: readonly { readonly profile: string; readonly bytes: number }[] | null;
  /** LRU pages idle and not idle, from /sys/kernel/mm/page_idle/bitmap and /proc/kpageflags, or null. */
  readonly idle: { readonly lruPages: number; readonly idlePages: number } | null;
  /** Headline figures (name, value) shown at the top. */
  readonly facts: readonly (readonly [string, string])[];
  /** What the page_owner reader skipped in the dump, or null when it skipped nothing. */
  readonly skipped: ReportSkipped | null;
}

/** Lines of a page_owner dump the reader skipped: counted, the first few shown. */
export interface ReportSkipped {
  /** Lines skipped, with those of dropped records. */
  readonly lines: number;
  /** Records dropped for a field out of the kernel's range. */
  readonly records: number;
  /** One line saying what was skipped, with the first few lines (`file:line: expected ..., got "..."`). */
  readonly summary: string;
}

/** A range of pfns the map covers: `[start, start + pages)`. */
export interface ReportSpan {
  readonly start: number;
  readonly pages: number;
}

/** A zone's pfn span `[start, end)`. */
export interface ReportZone {
  readonly node: number;
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

/** Columns of the page_owner records: record `i` is `pfn[i]`, `order[i]`, ... */
export interface ReportRecords {
  readonly count: number;
  /**
   * Uint32Array when every pfn fits one, else Float64Array (pfns reach 2^52): -1 for a record whose pfn the dump
   * does not give (no PFN line).
   */
  readonly pfn: PackedArray;
  /** Uint8Array. */
  readonly order: PackedArray;
  /** Uint32Array of indexes into {@link ReportData.gfps}. */
  readonly gfp: PackedArray;
  /** Uint32Array of indexes into {@link ReportData.tasks}. */
  readonly task: PackedArray;
  /** Uint32Array of indexes into {@link ReportData.stacks}. */
  readonly stack: PackedArray;
  /**
   * Uint8Array: the page's migratetype (from its gfp mask), an index into {@link ReportData.migratetypes}, or
   * {@link UNKNOWN_MIGRATETYPE}.
   */
  readonly migratetype: PackedArray;
  /** Uint8Array: its pageblock's migratetype, or {@link UNKNOWN_MIGRATETYPE} (no PFN line). */
  readonly blockMigratetype: PackedArray;
}

/** A typed array, gzipped and base64-encoded, with its element type and length. */
export interface PackedArray {
  readonly type: 'Uint8Array' | 'Uint32Array' | 'Float64Array';
  readonly length: number;
  readonly base64: string;
}

/** One point of depot growth: simulated time, unique stacks and the bytes they take. */
export interface DepotSample {
  readonly ns: number;
  readonly stacks: number;
  readonly bytes: number;
}

/** What a pfn is on the map (the low bits of a cell). */
export const PageCell = {
  /** Not listed: a hole, a page on a per-cpu list, or (for a dump alone) any page page_owner did not print. */
  unknown: 0,
  /** In the buddy allocator (KPF_BUDDY). */
  free: 1,
  /** Allocated, with a page_owner record. */
  owned: 2,
  /** Allocated (kpageflags or kpagecount say so) but without a page_owner record. */
  allocated: 3,
  /** PG_reserved (memblock, holes with struct pages). */
  reserved: 4,
} as const;

/** Set on a cell whose page is on an LRU list and idle (page_idle bitmap). */
export const IDLE_CELL = 0x80;
/** Set on a cell whose page is on an LRU list (so its idle bit means something). */
export const LRU_CELL = 0x40;

/** A migratetype the record does not give (a dump without its PFN lines, a kernel log's block type). */
export const UNKNOWN_MIGRATETYPE = 255;

/** Where each span's pages start in the cells. */
export function spanOffsets(spans: readonly ReportSpan[]): Float64Array {
  const offsets = new Float64Array(spans.length);
  let offset = 0;
  spans.forEach((span, index) => {
    offsets[index] = offset;
    offset += span.pages;
  });
  return offsets;
}

/** The cell of a pfn, or -1 when no span covers it (binary search). */
export function cellOfPfn(spans: readonly ReportSpan[], offsets: Float64Array, pfn: number): number {
  let low = 0;
  let high = spans.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const span = spans[middle]!;
    if (pfn < span.start) high = middle - 1;
    else if (pfn >= span.start + span.pages) low = middle + 1;
    else return offsets[middle]! + (pfn - span.start);
  }
  return -1;
}

/** The pfn of a cell (binary search), or -1 past the last. */
export function pfnOfCell(spans: readonly ReportSpan[], offsets: Float64Array, cell: number): number {
  let low = 0;
  let high = spans.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const offset = offsets[middle]!;
    if (cell < offset) high = middle - 1;
    else if (cell >= offset + spans[middle]!.pages) low = middle + 1;
    else return spans[middle]!.start + (cell - offset);
  }
  return -1;
}

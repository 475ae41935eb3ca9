/**
 * `perf kmem stat --page` (tools/perf/builtin-kmem.c, v6.18) over the trace text mmsim replays: the page allocator
 * statistics perf prints from `perf kmem record --page`, computed from `kmem:mm_page_alloc` / `kmem:mm_page_free`
 * events read by the TraceReader, with perf's accounting and its output layout, so that mmsim's numbers can be
 * checked against the tool kernel developers trust.
 *
 * What perf does, and this module with it:
 * - Every `mm_page_alloc` is an allocation request of `page_size << order` bytes; one without a page (pfn -1UL) is a
 *   failure and goes no further. A successful one enters three tables: the live pages (keyed by page alone), the
 *   per-page table (keyed by page, order, migratetype and gfp) and the per-callsite table (keyed by callsite, order,
 *   migratetype and gfp), and counts in the order × migratetype table of the SUMMARY.
 * - Every `mm_page_free` is a free request of `page_size << order` bytes (its own order). A page not live is a
 *   "free-only" request; a live one leaves the live pages, and its per-page and per-callsite rows count the free
 *   (found with the free's order and the allocation's gfp and migratetype). With `--live` the per-page table is the
 *   live pages, and a free takes its allocation back out of the per-callsite row and the order table.
 * - Other events (`mm_page_free_batched`, `mm_page_alloc_zone_locked`, ...) are not perf kmem's: ignored.
 * - Tables sort descending by the sort keys (default `bytes,hit`), ties in the order of the table's key (per-page:
 *   ascending pfn, gfp...; live pages: descending pfn; per-callsite: ascending callsite address).
 * - perf names migratetypes in their order before v4.4 swapped MOVABLE and RECLAIMABLE (commit 016c13daa5c9):
 *   `UNMOVABL`, `RECLAIM`, `MOVABLE`, ..., the SUMMARY's columns too. A v6.18 movable allocation (migratetype 1)
 *   shows as `RECLAIM`, under "Reclaimable": kept as perf prints it.
 *
 * Checked byte for byte against perf 6.1.187 on a 6.18.44 recording: see `__fixtures__/perf-kmem/PROVENANCE.md`.
 *
 * Where the text differs from what perf reads (perf.data), and what this port does about it:
 * - gfp: perf reads the mask as a number and its names from the event's print format; the text gives the names
 *   (`GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP`), the very string perf would print in its legend. The number comes
 *   from `parseGfp()` with the profile's gfp table (v6.18 by default); names the table lacks count as 0 and are
 *   listed in {@link PerfKmemPageStat.unknownGfpNames}.
 * - Callsite: perf resolves the sample's call chain (16 entries) and takes the first entry outside the allocator's
 *   own functions (kernel symbols matching {@link PERF_KMEM_ALLOC_FUNCTIONS}), else the sample's ip. Here the chain
 *   is the `perf script` frames (kernel only: if every kernel frame is an allocator function of a chain shorter than
 *   16, perf would go on into the user frames; this port falls back to the sample's ip, the first frame). In v6.18
 *   the tracepoint fires in `__alloc_frozen_pages_noprof`, which the pattern does not match, so perf's callsite is
 *   that function for every allocation (pass `allocFunctions` to look further).
 * - Callsite names: perf prints the symbol's name (no offset) when it can look the callsite up, else `%PRIx64` of
 *   it. But the address it keeps for a chain entry is `map__dso_unmap_ip()` of it, i.e. plus the kernel map's start
 *   (its pgoff is 0), which no symbol covers: perf kmem really prints e.g. `ffffffff0263e0b7` for
 *   `__alloc_frozen_pages_noprof+0x2b7` at `ffffffff8163e0b7` with `_text` at `ffffffff81000000`. The text has no
 *   kernel map, so the names are printed by default; `kernelMapStart` reproduces perf's hex (core kernel frames only:
 *   a module's map start is unknown, its frames keep their names).
 * - ftrace text has no call chain: the callsite is unknown, printed `[unknown]` (perf, without a chain, would name
 *   the function of the tracepoint's ip, which ftrace does not print).
 * - Page: perf keys pages by pfn when the event has a `pfn` field (every kernel since v4.1, commit a26c2565e1c0, and
 *   every text prints `pfn=`), else by the `struct page` address (`Page` column, `%016llx`); here the first page
 *   event decides (`page=(null)` is no page).
 * - Where perf kmem stops with `error during process events` (a free whose order, or whose page's re-allocation,
 *   leaves no row to count it in: e.g. a THP allocated at order 9 whose head is freed at order 0 after a split),
 *   this port counts the free as perf had so far and goes on: {@link PerfKmemPageStat.stops} counts them.
 * - perf's `%'` printf flag groups digits by the locale (`LC_ALL=C`: none); `thousandsSeparator` chooses (default
 *   `,`, as in en_US). Where perf's C arrays would be overrun (migratetype above 5) this port does not count the
 *   allocation in the order table.
 * - Fields out of the kernel's ranges make an event unreadable (counted in {@link PerfKmemPageStat.unreadable}): an
 *   order above `MAX_PAGE_ORDER` (10, which the kernel never traces: perf would shift by it), a migratetype
 *   outside an `int`, a pfn from 2^52. gfp hex parts beyond 32 bits count as unknown names.
 * - perf processes events in time order across CPUs; the text is already in that order, and is read as it comes.
 * - Not ported: `--time` (filter the events first), `--raw-ip` and the slab allocator mode.
 */
import { getProfile, type KernelProfile, MAX_PAGE_ORDER, PAGE_SIZE, parseGfp } from '@mm/physmem';
import { gfpFits, NO_PAGE, type TraceEvent, type TraceFrame, traceField, tracePfn } from './trace-event';

/** perf kmem's page sort keys (`page_sorts[]`). */
export type PerfKmemPageSortKey = 'page' | 'callsite' | 'hit' | 'bytes' | 'order' | 'migtype' | 'gfp';

/** The page sort keys in perf's order. */
export const PERF_KMEM_PAGE_SORT_KEYS: readonly PerfKmemPageSortKey[] = [
  'page',
  'callsite',
  'hit',
  'bytes',
  'order',
  'migtype',
  'gfp',
];

/** `default_page_sort`: what `-s` defaults to for both tables. */
export const PERF_KMEM_DEFAULT_PAGE_SORT: readonly PerfKmemPageSortKey[] = ['bytes', 'hit'];

/**
 * The allocator's own functions that `find_callsite()` skips (`build_alloc_func_list()`'s POSIX ERE, matched against
 * the core kernel's symbols).
 */
export const PERF_KMEM_ALLOC_FUNCTIONS = /^_?_?(alloc|get_free|get_zeroed)_pages?/;

/** `MAX_PAGE_ORDER` and `MAX_MIGRATE_TYPES` of builtin-kmem.c: the order table's size. */
const ORDERS = 11;
const MIGRATE_TYPES = 6;
/** `sample__resolve_callchain(..., 16)`: how deep find_callsite() looks. */
const CALLCHAIN_DEPTH = 16;
/** `%.105s` of `graph_dotted_line`. */
const DOTTED_LINE = '-'.repeat(105);

/** `migrate_type_str[]`: perf's names, in its own (pre-v4.4) order of the migratetypes. */
const MIGRATE_TYPE_NAMES = ['UNMOVABL', 'RECLAIM', 'MOVABLE', 'RESERVED', 'CMA/ISLT', 'UNKNOWN'];

/** `gfp_compact_table[]` of v6.18 perf: the short names of the legend and the tables' GFP column. */
const GFP_COMPACT_NAMES: ReadonlyMap<string, string> = new Map([
  ['GFP_TRANSHUGE', 'THP'],
  ['GFP_TRANSHUGE_LIGHT', 'THL'],
  ['GFP_HIGHUSER_MOVABLE', 'HUM'],
  ['GFP_HIGHUSER', 'HU'],
  ['GFP_USER', 'U'],
  ['GFP_KERNEL_ACCOUNT', 'KAC'],
  ['GFP_KERNEL', 'K'],
  ['GFP_NOFS', 'NF'],
  ['GFP_ATOMIC', 'A'],
  ['GFP_NOIO', 'NI'],
  ['GFP_NOWAIT', 'NW'],
  ['GFP_DMA', 'D'],
  ['__GFP_HIGHMEM', 'HM'],
  ['GFP_DMA32', 'D32'],
  ['__GFP_HIGH', 'H'],
  ['__GFP_IO', 'I'],
  ['__GFP_FS', 'F'],
  ['__GFP_NOWARN', 'NWR'],
  ['__GFP_RETRY_MAYFAIL', 'R'],
  ['__GFP_NOFAIL', 'NF'],
  ['__GFP_NORETRY', 'NR'],
  ['__GFP_COMP', 'C'],
  ['__GFP_ZERO', 'Z'],
  ['__GFP_NOMEMALLOC', 'NMA'],
  ['__GFP_MEMALLOC', 'MA'],
  ['__GFP_HARDWALL', 'HW'],
  ['__GFP_THISNODE', 'TN'],
  ['__GFP_RECLAIMABLE', 'RC'],
  ['__GFP_MOVABLE', 'M'],
  ['__GFP_ACCOUNT', 'AC'],
  ['__GFP_WRITE', 'WR'],
  ['__GFP_RECLAIM', 'R'],
  ['__GFP_DIRECT_RECLAIM', 'DR'],
  ['__GFP_KSWAPD_RECLAIM', 'KR'],
]);

/**
 * `compact_gfp_flags()`: the short names of a symbolic gfp mask's parts, joined by `|`; parts without one (hex
 * tails, names perf's table lacks) are left out. perf gives up (and stops) on a mask with none; this gives ''.
 */
export function compactGfpNames(text: string): string {
  const parts: string[] = [];
  for (const part of text.split('|')) {
    const compact = GFP_COMPACT_NAMES.get(part);
    if (compact !== undefined) parts.push(compact);
  }
  return parts.join('|');
}

/** `setup_page_sorting()`: `-s key[,key2...]` as a list of keys; throws perf's message on an unknown key. */
export function parsePerfKmemPageSort(text: string): PerfKmemPageSortKey[] {
  return text.split(',').map((key) => {
    if (!(PERF_KMEM_PAGE_SORT_KEYS as readonly string[]).includes(key)) {
      throw new Error(`Unknown page --sort key: '${key}'`);
    }
    return key as PerfKmemPageSortKey;
  });
}

/**
 * A call site as `find_callsite()` finds it: the first frame of the chain outside the allocator's functions, or the
 * sample's ip (the first frame) when the chain has nothing else, or nothing at all for an event without a chain.
 */
export interface PerfKmemCallsite {
  /** The frame's address, 16 lowercase hex digits; undefined for an event without a call chain. */
  readonly address: string | undefined;
  /** The frame's symbol, undefined where perf printed `[unknown]` or there is no frame. */
  readonly symbol: string | undefined;
  /** The offset in the symbol (perf kmem does not print it). */
  readonly offset: number;
  /** The module of a module's frame, undefined for the core kernel. */
  readonly module: string | undefined;
  /** Whether perf would use the sample's ip (kept as is) rather than a chain entry (offset by its map). */
  readonly sampleIp: boolean;
}

/** The callsite of an event without a call chain (ftrace text). */
const UNKNOWN_CALLSITE: PerfKmemCallsite = {
  address: undefined,
  symbol: undefined,
  offset: 0,
  module: undefined,
  sampleIp: true,
};

/**
 * One row of a table (`struct page_stat`): per page (`--alloc`), per live page (`--alloc --live`) or per callsite
 * (`--caller`), with the order, migratetype and gfp mask of its allocations.
 */
export interface PerfKmemPageRow {
  /** The pfn (or, without pfns, the `struct page` address); 0 in per-callsite rows. */
  readonly page: bigint;
  /** The callsite (of the last allocation, in per-page rows). */
  readonly callsite: PerfKmemCallsite;
  readonly order: number;
  readonly migratetype: number;
  /** The gfp mask as a number. */
  readonly gfp: number;
  /** `nr_alloc`: the Hits column (with `--live`, per callsite: allocations not freed). */
  readonly allocs: number;
  /** `alloc_bytes`: the alloc (KB) column × 1024. */
  readonly allocBytes: number;
  /** `nr_free` (perf keeps it, prints it nowhere). */
  readonly frees: number;
  /** `free_bytes` (perf keeps it, prints it nowhere). */
  readonly freeBytes: number;
}

/** A row being counted. */
interface Row {
  readonly page: bigint;
  callsite: PerfKmemCallsite;
  readonly order: number;
  readonly migratetype: number;
  readonly gfp: number;
  allocs: number;
  allocBytes: number;
  frees: number;
  freeBytes: number;
}

/** One line of the gfp legend (`struct gfp_flag`). */
export interface PerfKmemGfpFlags {
  /** The mask. */
  readonly flags: number;
  /** Its short names (`KAC|Z|C`). */
  readonly compact: string;
  /** Its names as the trace printed them (`GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP`). */
  readonly names: string;
}

/** The numbers of perf's SUMMARY section (`print_page_summary()`), in requests and bytes. */
export interface PerfKmemPageSummary {
  /** Every `mm_page_alloc`, failed ones included. */
  readonly allocRequests: number;
  readonly allocBytes: number;
  /** Every `mm_page_free`. */
  readonly freeRequests: number;
  readonly freeBytes: number;
  /** Frees of a page allocated in the trace (bytes: the frees'). */
  readonly allocFreedRequests: number;
  readonly allocFreedBytes: number;
  /** Allocation requests minus alloc+freed (bytes may be negative where frees had higher orders: perf wraps). */
  readonly allocOnlyRequests: number;
  readonly allocOnlyBytes: number;
  /** Frees of a page not allocated in the trace. */
  readonly freeOnlyRequests: number;
  readonly freeOnlyBytes: number;
  /** Allocations without a page. */
  readonly failedRequests: number;
  readonly failedBytes: number;
}

/** An event at which perf kmem would have stopped (`error during process events`). */
export interface PerfKmemStop {
  /** The event's line in its file. */
  readonly line: number;
  /** Why. */
  readonly reason: string;
}

/** How events are counted: perf's `--live`, and what the text does not say. */
export interface PerfKmemPageStatOptions {
  /** The kernel whose gfp names the trace prints (default v6.18). */
  readonly profile?: KernelProfile;
  /** `--live`: the per-page table lists the pages still allocated, and frees come out of the per-callsite rows. */
  readonly live?: boolean;
  /** The recording machine's page size (`tep_get_page_size()`), default 4096. */
  readonly pageSize?: number;
  /** The allocator functions the callsite search skips (default {@link PERF_KMEM_ALLOC_FUNCTIONS}). */
  readonly allocFunctions?: RegExp;
  /** Key pages by pfn (true) or by `page=` (false); default: by pfn if the first page event has `pfn=`. */
  readonly usePfn?: boolean;
}

/** The order of `compare(a, b)` for bigints. */
const compareBigints = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The callsite's place in perf's order of callsite addresses: chain entries (which perf offsets by the kernel map's
 * start, below every kernel address) before sample ips, each by address; the unknown ip first among the latter.
 */
const callsiteOrder = (callsite: PerfKmemCallsite): string => `${callsite.sampleIp ? 1 : 0}${callsite.address ?? ''}`;

/** The comparisons of perf's page sort dimensions (`page_cmp()`, `page_callsite_cmp()`, ...). */
const SORT_COMPARISONS: Readonly<Record<PerfKmemPageSortKey, (a: PerfKmemPageRow, b: PerfKmemPageRow) => number>> = {
  page: (a, b) => compareBigints(a.page, b.page),
  callsite: (a, b) => {
    const left = callsiteOrder(a.callsite);
    const right = callsiteOrder(b.callsite);
    return left < right ? -1 : left > right ? 1 : 0;
  },
  hit: (a, b) => a.allocs - b.allocs,
  bytes: (a, b) => a.allocBytes - b.allocBytes,
  order: (a, b) => a.order - b.order,
  migtype: (a, b) => a.migratetype - b.migratetype,
  gfp: (a, b) => a.gfp - b.gfp,
};

/** The rows as `sort_page_insert()` orders them: descending by the keys, ties in the order they came. */
function sortRows(rows: readonly Row[], keys: readonly PerfKmemPageSortKey[]): PerfKmemPageRow[] {
  const comparisons = (keys.length === 0 ? PERF_KMEM_DEFAULT_PAGE_SORT : keys).map((key) => SORT_COMPARISONS[key]);
  return rows
    .map((row) => ({ ...row }))
    .sort((a, b) => {
      for (const compare of comparisons) {
        const order = compare(b, a);
        if (order !== 0) return order;
      }
      return 0;
    });
}

/** How many unknown gfp names are kept to list. */
const UNKNOWN_GFP_NAMES = 100;

/** A whole decimal number of a field (`order=`, `migratetype=`) from `min` to `max`, or undefined. */
function integerField(event: TraceEvent, key: string, min: number, max: number): number | undefined {
  const text = traceField(event, key);
  if (text === undefined || text.length > 12 || !/^-?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

/** `order=`: 0 to `MAX_PAGE_ORDER` (10), the largest order the page allocator traces. */
const orderField = (event: TraceEvent) => integerField(event, 'order', 0, MAX_PAGE_ORDER);
/** `migratetype=`: an `int`. */
const migratetypeField = (event: TraceEvent) => integerField(event, 'migratetype', -(2 ** 31), 2 ** 31 - 1);

/** A frame's address as 16 lowercase hex digits. */
const frameAddress = (frame: TraceFrame): string => frame.address.toLowerCase().padStart(16, '0');

/** A frame as a callsite. */
const frameCallsite = (frame: TraceFrame, sampleIp: boolean): PerfKmemCallsite => ({
  address: frameAddress(frame),
  symbol: frame.symbol,
  offset: frame.offset,
  module: frame.module,
  sampleIp,
});

/**
 * Accumulates `perf kmem stat --page` statistics from trace events, as builtin-kmem.c's page allocator mode does
 * (`evsel__process_page_alloc_event()`, `evsel__process_page_free_event()`). Feed it events with {@link add}; read
 * the SUMMARY numbers, the order table, the gfp legend and the sorted tables; print them with
 * {@link formatPerfKmemPageStat}.
 */
export class PerfKmemPageStat {
  /** `--live`. */
  readonly live: boolean;
  readonly pageSize: number;
  /** Events of perf's two kinds skipped because a field was missing or unreadable. */
  unreadable = 0;
  /** gfp names the profile's table does not know (counted as 0 in the mask), the first 100 of them. */
  readonly unknownGfpNames = new Set<string>();
  /** Events at which perf kmem would have stopped: how many, and the first. */
  stops = 0;
  firstStop: PerfKmemStop | undefined;

  readonly #profile: KernelProfile;
  readonly #allocFunctions: RegExp;
  #usePfn: boolean | undefined;
  #allocRequests = 0;
  #allocBytes = 0;
  #freeRequests = 0;
  #freeBytes = 0;
  #freeOnlyRequests = 0;
  #freeOnlyBytes = 0;
  #failedRequests = 0;
  #failedBytes = 0;
  readonly #orderCounts: number[][] = Array.from({ length: ORDERS }, () => new Array<number>(MIGRATE_TYPES).fill(0));
  /** `page_live_tree`, `page_alloc_tree`, `page_caller_tree`, by their keys. */
  readonly #livePages = new Map<bigint, Row>();
  readonly #pageRows = new Map<string, Row>();
  readonly #callerRows = new Map<string, Row>();
  /** `gfps[]` by mask, and the gfp text → mask cache. */
  readonly #gfps = new Map<number, PerfKmemGfpFlags>();
  readonly #gfpValues = new Map<string, number>();
  #gfpWidth = 0;

  constructor(options: PerfKmemPageStatOptions = {}) {
    this.live = options.live ?? false;
    this.pageSize = options.pageSize ?? PAGE_SIZE;
    this.#profile = options.profile ?? getProfile('v6.18');
    const pattern = options.allocFunctions ?? PERF_KMEM_ALLOC_FUNCTIONS;
    this.#allocFunctions = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
    this.#usePfn = options.usePfn;
  }

  /** Whether pages are keyed by pfn (perf's `use_pfn`); undefined before the first page event. */
  get usePfn(): boolean | undefined {
    return this.#usePfn;
  }

  /** Counts one event: `mm_page_alloc` and `mm_page_free` count, anything else is ignored. */
  add(event: TraceEvent): void {
    if (event.name === 'mm_page_alloc') this.#alloc(event);
    else if (event.name === 'mm_page_free') this.#free(event);
  }

  /** Counts every event of a list (or generator). */
  addAll(events: Iterable<TraceEvent>): this {
    for (const event of events) this.add(event);
    return this;
  }

  /** The SUMMARY numbers. */
  summary(): PerfKmemPageSummary {
    const allocFreedRequests = this.#freeRequests - this.#freeOnlyRequests;
    const allocFreedBytes = this.#freeBytes - this.#freeOnlyBytes;
    return {
      allocRequests: this.#allocRequests,
      allocBytes: this.#allocBytes,
      freeRequests: this.#freeRequests,
      freeBytes: this.#freeBytes,
      allocFreedRequests,
      allocFreedBytes,
      allocOnlyRequests: this.#allocRequests - allocFreedRequests,
      allocOnlyBytes: this.#allocBytes - allocFreedBytes,
      freeOnlyRequests: this.#freeOnlyRequests,
      freeOnlyBytes: this.#freeOnlyBytes,
      failedRequests: this.#failedRequests,
      failedBytes: this.#failedBytes,
    };
  }

  /** `order_stats[order][migratetype]`: allocations (with `--live`, live ones) by order 0..10 and migratetype 0..5. */
  orderCounts(): number[][] {
    return this.#orderCounts.map((counts) => [...counts]);
  }

  /** The gfp legend: every mask of a successful allocation, by value. */
  gfpFlags(): PerfKmemGfpFlags[] {
    return [...this.#gfps.values()].sort((a, b) => a.flags - b.flags);
  }

  /** `max_gfp_len`: the longest short form of the legend. */
  get gfpWidth(): number {
    return this.#gfpWidth;
  }

  /** The per-page table (`--alloc`; with `--live`, the live pages), sorted as perf sorts it. */
  pages(sort: readonly PerfKmemPageSortKey[] = PERF_KMEM_DEFAULT_PAGE_SORT): PerfKmemPageRow[] {
    if (this.live) {
      // page_live_tree's comparison is reversed: its first node is the highest page.
      return sortRows(
        [...this.#livePages.values()].sort((a, b) => compareBigints(b.page, a.page)),
        sort,
      );
    }
    const rows = [...this.#pageRows.values()].sort(
      (a, b) => compareBigints(a.page, b.page) || a.order - b.order || a.migratetype - b.migratetype || a.gfp - b.gfp,
    );
    return sortRows(rows, sort);
  }

  /** The per-callsite table (`--caller`), sorted as perf sorts it. */
  callers(sort: readonly PerfKmemPageSortKey[] = PERF_KMEM_DEFAULT_PAGE_SORT): PerfKmemPageRow[] {
    const rows = [...this.#callerRows.values()].sort(
      (a, b) => SORT_COMPARISONS.callsite(a, b) || a.order - b.order || a.migratetype - b.migratetype || a.gfp - b.gfp,
    );
    return sortRows(rows, sort);
  }

  /** The page an event names (-1 for no page with pfns, 0 without), or undefined if unreadable. */
  #page(event: TraceEvent): bigint | undefined {
    this.#usePfn ??= traceField(event, 'pfn') !== undefined;
    if (this.#usePfn) {
      const pfn = tracePfn(event);
      return pfn === undefined ? undefined : BigInt(pfn);
    }
    const text = traceField(event, 'page');
    if (text === undefined) return undefined;
    if (text === '(null)') return 0n;
    const digits = text.startsWith('0x') ? text.slice(2) : text;
    return /^[0-9a-fA-F]{1,16}$/.test(digits) ? BigInt(`0x${digits}`) : undefined;
  }

  /** `valid_page()`. */
  #valid(page: bigint): boolean {
    return this.#usePfn ? page !== BigInt(NO_PAGE) : page !== 0n;
  }

  /** The mask of a symbolic gfp text, entering it in the legend (`parse_gfp_flags()`). */
  #gfp(text: string): number {
    let value = this.#gfpValues.get(text);
    if (value === undefined) {
      value = gfpFits(text) ? parseGfp(text, this.#profile.gfp) : undefined;
      if (value === undefined) {
        value = 0;
        for (const part of text.split('|')) {
          const bits = gfpFits(part) ? parseGfp(part, this.#profile.gfp) : undefined;
          if (bits !== undefined) value = (value | bits) >>> 0;
          else if (this.unknownGfpNames.size < UNKNOWN_GFP_NAMES) this.unknownGfpNames.add(part);
        }
      }
      // A trace has a few hundred masks; the cache stays small whatever the text.
      if (this.#gfpValues.size >= 4096) this.#gfpValues.clear();
      this.#gfpValues.set(text, value);
    }
    if (!this.#gfps.has(value)) {
      const compact = compactGfpNames(text);
      this.#gfpWidth = Math.max(this.#gfpWidth, compact.length);
      this.#gfps.set(value, { flags: value, compact, names: text });
    }
    return value;
  }

  /** `find_callsite()`. */
  #callsite(chain: readonly TraceFrame[]): PerfKmemCallsite {
    const first = chain[0];
    if (first === undefined) return UNKNOWN_CALLSITE;
    const depth = Math.min(chain.length, CALLCHAIN_DEPTH);
    for (let index = 0; index < depth; index++) {
      const frame = chain[index]!;
      // The allocator functions are the core kernel's symbols (machine__kernel_map()), never a module's.
      const allocator =
        frame.module === undefined && frame.symbol !== undefined && this.#allocFunctions.test(frame.symbol);
      if (!allocator) return frameCallsite(frame, false);
    }
    return frameCallsite(first, true);
  }

  #alloc(event: TraceEvent): void {
    const page = this.#page(event);
    const order = orderField(event);
    const migratetype = migratetypeField(event);
    const gfpText = traceField(event, 'gfp_flags');
    if (page === undefined || order === undefined || migratetype === undefined || gfpText === undefined) {
      this.unreadable++;
      return;
    }
    const bytes = this.pageSize * 2 ** order;
    this.#allocRequests++;
    this.#allocBytes += bytes;
    if (!this.#valid(page)) {
      this.#failedRequests++;
      this.#failedBytes += bytes;
      return;
    }
    const gfp = this.#gfp(gfpText);
    const callsite = this.#callsite(event.chain);
    // The live page keeps the order, migratetype and gfp of its first allocation.
    let live = this.#livePages.get(page);
    if (live === undefined) {
      live = this.#row(page, callsite, order, migratetype, gfp);
      this.#livePages.set(page, live);
    }
    live.allocs++;
    live.allocBytes += bytes;
    live.callsite = callsite;
    if (!this.live) {
      const key = `${page}:${order}:${migratetype}:${gfp}`;
      let row = this.#pageRows.get(key);
      if (row === undefined) {
        row = this.#row(page, callsite, order, migratetype, gfp);
        this.#pageRows.set(key, row);
      }
      row.allocs++;
      row.allocBytes += bytes;
      row.callsite = callsite;
    }
    const callerKey = `${callsiteOrder(callsite)}:${order}:${migratetype}:${gfp}`;
    let caller = this.#callerRows.get(callerKey);
    if (caller === undefined) {
      caller = this.#row(0n, callsite, order, migratetype, gfp);
      this.#callerRows.set(callerKey, caller);
    }
    caller.allocs++;
    caller.allocBytes += bytes;
    const counts = this.#orderCounts[order];
    if (counts !== undefined && migratetype >= 0 && migratetype < MIGRATE_TYPES) counts[migratetype]!++;
  }

  #free(event: TraceEvent): void {
    const page = this.#page(event);
    const order = orderField(event);
    if (page === undefined || order === undefined) {
      this.unreadable++;
      return;
    }
    const bytes = this.pageSize * 2 ** order;
    this.#freeRequests++;
    this.#freeBytes += bytes;
    const live = this.#livePages.get(page);
    if (live === undefined) {
      this.#freeOnlyRequests++;
      this.#freeOnlyBytes += bytes;
      return;
    }
    // The rows are found with the free's order and the live page's gfp, migratetype and callsite.
    const { migratetype, gfp, callsite } = live;
    this.#livePages.delete(page);
    if (this.live) {
      const counts = this.#orderCounts[order];
      if (counts !== undefined && migratetype >= 0 && migratetype < MIGRATE_TYPES) counts[migratetype]!--;
    } else {
      const row = this.#pageRows.get(`${page}:${order}:${migratetype}:${gfp}`);
      if (row === undefined) {
        this.#stop(event, `no per-page row for the free of pfn ${page} at order ${order} (page_stat__find_alloc)`);
        return;
      }
      row.frees++;
      row.freeBytes += bytes;
    }
    const callerKey = `${callsiteOrder(callsite)}:${order}:${migratetype}:${gfp}`;
    const caller = this.#callerRows.get(callerKey);
    if (caller === undefined) {
      this.#stop(event, `no per-callsite row for the free of pfn ${page} at order ${order} (page_stat__find_caller)`);
      return;
    }
    caller.frees++;
    caller.freeBytes += bytes;
    if (this.live) {
      caller.allocs--;
      caller.allocBytes -= bytes;
      if (caller.allocs === 0) this.#callerRows.delete(callerKey);
    }
  }

  #row(page: bigint, callsite: PerfKmemCallsite, order: number, migratetype: number, gfp: number): Row {
    return { page, callsite, order, migratetype, gfp, allocs: 0, allocBytes: 0, frees: 0, freeBytes: 0 };
  }

  #stop(event: TraceEvent, reason: string): void {
    this.stops++;
    this.firstStop ??= { line: event.line, reason };
  }
}

/** What `perf kmem stat --page` prints: its options, and what the text does not say. */
export interface PerfKmemPageReportOptions {
  /** `--alloc`: the per-page table. */
  readonly alloc?: boolean;
  /** `--caller`: the per-callsite table. */
  readonly caller?: boolean;
  /** `-s` after `--alloc` (or with neither; perf gives `-s` to whichever of the two came last). Default bytes,hit. */
  readonly allocSort?: readonly PerfKmemPageSortKey[];
  /** `-s` after `--caller`. */
  readonly callerSort?: readonly PerfKmemPageSortKey[];
  /** `-l` after `--alloc` (or with neither): at most this many rows, then a `...` row. */
  readonly allocLines?: number;
  /** `-l` after `--caller`. */
  readonly callerLines?: number;
  /** What `%'` groups thousands with: `,` (en_US, the default), `` (`LC_ALL=C`), `.` (de_DE)... */
  readonly thousandsSeparator?: string;
  /**
   * The start of perf's kernel map (`PERF_RECORD_MMAP -1/0: [0xffffffff81000000(...) ...]: x [kernel.kallsyms]_text`
   * in `perf script --show-mmap-events`): print callsites found in the chain as perf kmem does, as the hex of their
   * address plus this (see the module's doc). Default: their symbols' names.
   */
  readonly kernelMapStart?: bigint;
}

/** `printf("%'d")` with a thousands separator. */
function grouped(value: number | bigint, separator: string): string {
  const text = value.toString();
  if (separator === '') return text;
  const negative = text.startsWith('-');
  const digits = negative ? text.slice(1) : text;
  let result = '';
  for (let end = digits.length; end > 0; end -= 3) {
    const group = digits.slice(Math.max(0, end - 3), end);
    result = result === '' ? group : `${group}${separator}${result}`;
  }
  return negative ? `-${result}` : result;
}

/** A byte count in KB as perf prints a u64: `bytes / 1024`, wrapped to 64 bits if negative. */
const kilobytes = (bytes: number): bigint => BigInt.asUintN(64, BigInt(bytes)) / 1024n;

/** The Callsite column: what `machine__find_kernel_symbol()` and `%PRIx64` make of perf's callsite. */
export function perfKmemCallsiteName(callsite: PerfKmemCallsite, kernelMapStart?: bigint): string {
  if (callsite.address === undefined) return '[unknown]';
  const address = BigInt(`0x${callsite.address}`);
  if (!callsite.sampleIp && kernelMapStart !== undefined && callsite.module === undefined && callsite.symbol) {
    return BigInt.asUintN(64, address + kernelMapStart).toString(16);
  }
  return callsite.symbol ?? address.toString(16);
}

/** The `%8s` migratetype of a row. */
const migratetypeName = (migratetype: number): string => MIGRATE_TYPE_NAMES[migratetype] ?? 'UNKNOWN';

/** The rows `while (next && n_lines--)` prints, and whether the `...` row follows (`n_lines == -1`). */
function limitRows<T>(rows: readonly T[], lines: number | undefined): { rows: T[]; more: boolean } {
  let remaining = lines ?? -1;
  let index = 0;
  while (index < rows.length && remaining-- !== 0) index++;
  return { rows: rows.slice(0, index), more: remaining === -1 };
}

/**
 * The output of `perf kmem stat --page` for the options (`print_page_result()`): the gfp legend and the per-callsite
 * and per-page tables if asked for, then the SUMMARY with the order × migratetype table, line for line as perf
 * prints it (perf.data aside: see the module's doc).
 */
export function formatPerfKmemPageStat(stat: PerfKmemPageStat, options: PerfKmemPageReportOptions = {}): string {
  const separator = options.thousandsSeparator ?? ',';
  const group = (value: number | bigint) => grouped(value, separator);
  const lines: string[] = [];
  const gfps = new Map(stat.gfpFlags().map((gfp) => [gfp.flags, gfp.compact]));
  const gfpWidth = Math.max('GFP flags'.length, stat.gfpWidth);
  const total = stat.live ? 'Live' : 'Total';
  const callsiteName = (callsite: PerfKmemCallsite) => perfKmemCallsiteName(callsite, options.kernelMapStart);
  const columns = (row: PerfKmemPageRow) =>
    `${group(kilobytes(row.allocBytes)).padStart(16)} | ${group(row.allocs).padStart(9)} | ${String(row.order).padStart(5)} | ` +
    `${migratetypeName(row.migratetype).padStart(8)} | ${(gfps.get(row.gfp) ?? '(null)').padEnd(gfpWidth)} | ` +
    callsiteName(row.callsite);

  if (options.caller || options.alloc) {
    // print_gfp_flags()
    lines.push('#', '# GFP flags', '# ---------');
    for (const gfp of stat.gfpFlags()) {
      lines.push(`# ${gfp.flags.toString(16).padStart(8, '0')}: ${gfp.compact.padStart(stat.gfpWidth)}: ${gfp.names}`);
    }
  }
  if (options.caller) {
    // __print_page_caller_result()
    const { rows, more } = limitRows(stat.callers(options.callerSort), options.callerLines);
    lines.push('', DOTTED_LINE);
    lines.push(
      ` ${total.padStart(5)} alloc (KB) | Hits      | Order | Mig.type | ${'GFP flags'.padEnd(gfpWidth)} | Callsite`,
    );
    lines.push(DOTTED_LINE);
    for (const row of rows) lines.push(` ${columns(row)}`);
    if (more) lines.push(` ...              | ...       | ...   | ...      | ${'...'.padEnd(gfpWidth)} | ...`);
    lines.push(DOTTED_LINE);
  }
  if (options.alloc) {
    // __print_page_alloc_result()
    const { rows, more } = limitRows(stat.pages(options.allocSort), options.allocLines);
    const pfn = stat.usePfn ?? true;
    lines.push('', DOTTED_LINE);
    lines.push(
      ` ${(pfn ? 'PFN' : 'Page').padEnd(16)} | ${total.padStart(5)} alloc (KB) | Hits      | Order | Mig.type | ` +
        `${'GFP flags'.padEnd(gfpWidth)} | Callsite`,
    );
    lines.push(DOTTED_LINE);
    for (const row of rows) {
      const page = pfn ? row.page.toString().padStart(16) : BigInt.asUintN(64, row.page).toString(16).padStart(16, '0');
      lines.push(` ${page} | ${columns(row)}`);
    }
    if (more) {
      lines.push(
        ` ...              | ...              | ...       | ...   | ...      | ${'...'.padEnd(gfpWidth)} | ...`,
      );
    }
    lines.push(DOTTED_LINE);
  }

  // print_page_summary()
  const summary = stat.summary();
  const summaryLine = (label: string, requests: number, bytes: number) =>
    `${label.padEnd(30)}: ${group(requests).padStart(16)}   [ ${group(kilobytes(bytes)).padStart(16)} KB ]`;
  lines.push('', 'SUMMARY (page allocator)', '========================');
  lines.push(summaryLine('Total allocation requests', summary.allocRequests, summary.allocBytes));
  lines.push(summaryLine('Total free requests', summary.freeRequests, summary.freeBytes));
  lines.push('');
  lines.push(summaryLine('Total alloc+freed requests', summary.allocFreedRequests, summary.allocFreedBytes));
  lines.push(summaryLine('Total alloc-only requests', summary.allocOnlyRequests, summary.allocOnlyBytes));
  lines.push(summaryLine('Total free-only requests', summary.freeOnlyRequests, summary.freeOnlyBytes));
  lines.push('');
  lines.push(summaryLine('Total allocation failures', summary.failedRequests, summary.failedBytes));
  lines.push('');
  lines.push(
    `${'Order'.padStart(5)}  ${['Unmovable', 'Reclaimable', 'Movable', 'Reserved', 'CMA/Isolated']
      .map((name) => name.padStart(12))
      .join('  ')}`,
  );
  lines.push(`${'-'.repeat(5)}${`  ${'-'.repeat(12)}`.repeat(5)}`);
  for (const [order, counts] of stat.orderCounts().entries()) {
    // The last migratetype (perf's UNKNOWN) is counted, not printed.
    const cells = counts.slice(0, MIGRATE_TYPES - 1).map((count) => (count === 0 ? '.' : group(count)).padStart(12));
    lines.push(`${String(order).padStart(5)}  ${cells.join('  ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A row of {@link PerfKmemPageStatJson}. */
export interface PerfKmemPageRowJson {
  /** The pfn (per-page rows, with pfns). */
  readonly pfn?: number;
  /** The `struct page` address in hex (per-page rows, without pfns). */
  readonly page?: string;
  readonly bytes: number;
  readonly hits: number;
  readonly order: number;
  readonly migratetype: number;
  /** perf's name for it (`Mig.type`). */
  readonly migratetypeName: string;
  readonly gfp: number;
  /** The GFP flags column. */
  readonly gfpCompact: string;
  /** The Callsite column. */
  readonly callsite: string;
  /** The frame behind it: its address, symbol, offset and module (null for an event without a chain). */
  readonly frame: {
    readonly address: string;
    readonly symbol: string | null;
    readonly offset: number;
    readonly module: string | null;
  } | null;
  readonly frees: number;
  readonly freeBytes: number;
}

/** The numbers of `perf kmem stat --page` as plain data (`--json`): bytes, not KB, and no separators. */
export interface PerfKmemPageStatJson {
  readonly live: boolean;
  /** Whether pages are pfns. */
  readonly pfn: boolean;
  readonly pageSize: number;
  readonly summary: PerfKmemPageSummary;
  /** By order 0..10, then by migratetype 0..5 (perf's order table: perf does not print the last column). */
  readonly orders: number[][];
  readonly gfpFlags: readonly PerfKmemGfpFlags[];
  /** The per-callsite table as printed (`--caller`): sorted and limited. */
  readonly callers?: readonly PerfKmemPageRowJson[];
  /** Whether perf prints `...` after the callers. */
  readonly callersTruncated?: boolean;
  /** The per-page table as printed (`--alloc`). */
  readonly pages?: readonly PerfKmemPageRowJson[];
  readonly pagesTruncated?: boolean;
  /** Events perf kmem would have stopped at, and events skipped as unreadable. */
  readonly stops: number;
  readonly unreadable: number;
  readonly unknownGfpNames: readonly string[];
}

/** The same numbers {@link formatPerfKmemPageStat} prints, as plain data for `--json`. */
export function perfKmemPageStatJson(
  stat: PerfKmemPageStat,
  options: PerfKmemPageReportOptions = {},
): PerfKmemPageStatJson {
  const gfps = new Map(stat.gfpFlags().map((gfp) => [gfp.flags, gfp.compact]));
  const pfn = stat.usePfn ?? true;
  const rowJson = (row: PerfKmemPageRow, perPage: boolean): PerfKmemPageRowJson => {
    const { callsite } = row;
    const json: PerfKmemPageRowJson = {
      bytes: row.allocBytes,
      hits: row.allocs,
      order: row.order,
      migratetype: row.migratetype,
      migratetypeName: migratetypeName(row.migratetype),
      gfp: row.gfp,
      gfpCompact: gfps.get(row.gfp) ?? '',
      callsite: perfKmemCallsiteName(callsite, options.kernelMapStart),
      frame:
        callsite.address === undefined
          ? null
          : {
              address: callsite.address,
              symbol: callsite.symbol ?? null,
              offset: callsite.offset,
              module: callsite.module ?? null,
            },
      frees: row.frees,
      freeBytes: row.freeBytes,
    };
    if (!perPage) return json;
    return pfn ? { pfn: Number(row.page), ...json } : { page: BigInt.asUintN(64, row.page).toString(16), ...json };
  };
  let result: PerfKmemPageStatJson = {
    live: stat.live,
    pfn,
    pageSize: stat.pageSize,
    summary: stat.summary(),
    orders: stat.orderCounts(),
    gfpFlags: stat.gfpFlags(),
    stops: stat.stops,
    unreadable: stat.unreadable,
    unknownGfpNames: [...stat.unknownGfpNames],
  };
  if (options.caller) {
    const { rows, more } = limitRows(stat.callers(options.callerSort), options.callerLines);
    result = { ...result, callers: rows.map((row) => rowJson(row, false)), callersTruncated: more };
  }
  if (options.alloc) {
    const { rows, more } = limitRows(stat.pages(options.allocSort), options.allocLines);
    result = { ...result, pages: rows.map((row) => rowJson(row, true)), pagesTruncated: more };
  }
  return result;
}

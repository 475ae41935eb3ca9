import {
  formatParsedFrame,
  type PageOwnerFrame,
  type PageOwnerSkips,
  type ParsedPageOwnerRecord,
} from '@mm/page-owner-tools';
import { KPF, Migratetype, migratetypeNames, PAGEBLOCK_NR_PAGES, PAGEBLOCK_ORDER, x86_64 } from '@mm/physmem';
import { packArray } from './packed-array';
import {
  cellOfPfn,
  IDLE_CELL,
  LRU_CELL,
  PageCell,
  pfnOfCell,
  type ReportData,
  type ReportSpan,
  type ReportZone,
  spanOffsets,
  UNKNOWN_MIGRATETYPE,
} from './report-data';
import { type RunSummaryFields, summaryFacts } from './run-summary-fields';

/** What a report is built from: any subset of a run's output files, or a page_owner dump alone. */
export interface ReportInput {
  readonly title: string;
  /** One line per input file, shown in the report. */
  readonly sources: readonly string[];
  /** Parsed page_owner records (from `parsePageOwner`), consumed once. */
  readonly records?: Iterable<ParsedPageOwnerRecord>;
  /** What the parser skipped (the `skipped` it was given), read once the records are. */
  readonly skipped?: PageOwnerSkips;
  /** /proc/kpageflags: a u64 per pfn, little-endian. */
  readonly kpageflags?: Uint8Array;
  /** /proc/kpagecount: a u64 per pfn. */
  readonly kpagecount?: Uint8Array;
  /** /sys/kernel/mm/page_idle/bitmap: a bit per pfn in u64 words. */
  readonly idleBitmap?: Uint8Array;
  /** /proc/zoneinfo, for zone spans. */
  readonly zoneinfo?: string;
  /** mmsim's summary.json of the run. */
  readonly summary?: RunSummaryFields;
}

/** x86_64's fixed zones (DMA below 16 MiB, DMA32 below 4 GiB, Normal above) as pfn spans, without Movable. */
const X86_64_ZONES = x86_64.zoneTypes.slice(0, x86_64.movableZoneIndex).map((zone, index, zones) => ({
  name: zone.name,
  start: index === 0 ? 0 : zones[index - 1]!.endPfn,
  end: zone.endPfn,
}));

type Column = Uint8Array | Uint32Array | Float64Array;

/** Growable typed-array columns of the records. */
class Columns {
  count = 0;
  /** Float64Array: pfns reach 2^52. */
  pfn = new Float64Array(1024);
  order = new Uint8Array(1024);
  gfp = new Uint32Array(1024);
  task = new Uint32Array(1024);
  stack = new Uint32Array(1024);
  migratetype = new Uint8Array(1024);
  blockMigratetype = new Uint8Array(1024);

  push(pfn: number, order: number, gfp: number, task: number, stack: number, mt: number, blockMt: number): void {
    if (this.count === this.pfn.length) this.#grow();
    const i = this.count++;
    this.pfn[i] = pfn;
    this.order[i] = order;
    this.gfp[i] = gfp;
    this.task[i] = task;
    this.stack[i] = stack;
    this.migratetype[i] = mt;
    this.blockMigratetype[i] = blockMt;
  }

  #grow(): void {
    const grow = <T extends Column>(array: T): T => {
      const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
      bigger.set(array as never);
      return bigger;
    };
    this.pfn = grow(this.pfn);
    this.order = grow(this.order);
    this.gfp = grow(this.gfp);
    this.task = grow(this.task);
    this.stack = grow(this.stack);
    this.migratetype = grow(this.migratetype);
    this.blockMigratetype = grow(this.blockMigratetype);
  }
}

/**
 * The pfn column as a Uint32Array when every pfn fits one (half the bytes to gzip, the common case), else as it is:
 * pfns from 2^32, or -1 for a record without a PFN line.
 */
function narrowPfns(pfns: Float64Array): Uint32Array | Float64Array {
  for (const pfn of pfns) if (pfn < 0 || pfn >= 2 ** 32) return pfns;
  return Uint32Array.from(pfns);
}

/** Strings numbered in order of first appearance. */
class Interner {
  readonly values: string[] = [];
  readonly #index = new Map<string, number>();

  constructor(initial: readonly string[] = []) {
    for (const value of initial) this.of(value);
  }

  of(value: string): number {
    let index = this.#index.get(value);
    if (index === undefined) {
      index = this.values.length;
      this.values.push(value);
      this.#index.set(value, index);
    }
    return index;
  }

  /** Its number, unless it is new and there are `limit` values already: then `limit`. */
  ofAtMost(value: string, limit: number): number {
    return this.#index.has(value) || this.values.length < limit ? this.of(value) : limit;
  }
}

/** Stack lines numbered in order of first appearance, found by symbol first (no string is built for a known frame). */
class FrameInterner {
  readonly values: string[] = [];
  readonly #bySymbol = new Map<string, { frame: PageOwnerFrame; index: number }[]>();

  of(frame: PageOwnerFrame): number {
    let known = this.#bySymbol.get(frame.symbol);
    if (known === undefined) {
      known = [];
      this.#bySymbol.set(frame.symbol, known);
    }
    for (const entry of known) {
      const other = entry.frame;
      if (
        other.offset === frame.offset &&
        other.size === frame.size &&
        other.module === frame.module &&
        other.address === frame.address
      ) {
        return entry.index;
      }
    }
    known.push({ frame, index: this.values.length });
    this.values.push(formatParsedFrame(frame).slice(1, -1)); // without its leading space and newline
    return this.values.length - 1;
  }
}

/** Stacks (arrays of frame indexes) numbered in order of first appearance, found by a hash of their frames. */
class StackInterner {
  readonly values: number[][] = [];
  readonly #byHash = new Map<number, number[]>();

  of(stack: number[]): number {
    let hash = stack.length;
    for (const frame of stack) hash = Math.imul(hash ^ frame, 0x9e3779b1) >>> 0;
    let candidates = this.#byHash.get(hash);
    if (candidates === undefined) {
      candidates = [];
      this.#byHash.set(hash, candidates);
    }
    for (const index of candidates) {
      const known = this.values[index]!;
      if (known.length === stack.length && known.every((frame, depth) => frame === stack[depth])) return index;
    }
    candidates.push(this.values.length);
    this.values.push(stack);
    return this.values.length - 1;
  }
}

/** Zone spans from /proc/zoneinfo (`Node 0, zone    DMA32` ... `spanned` ... `start_pfn:`). */
export function parseZoneinfo(text: string): ReportZone[] {
  const zones: ReportZone[] = [];
  let current: { node: number; name: string; spanned?: number } | undefined;
  for (const line of text.split('\n')) {
    const header = /^Node (\d+), zone\s+(\S+)$/.exec(line);
    if (header !== null) {
      current = { node: Number(header[1]), name: header[2]! };
      continue;
    }
    const spanned = /^\s+spanned\s+(\d+)$/.exec(line);
    if (spanned !== null && current !== undefined) current.spanned = Number(spanned[1]);
    const start = /^\s+start_pfn:\s+(\d+)$/.exec(line);
    if (start !== null && current?.spanned !== undefined && current.spanned > 0) {
      zones.push({
        node: current.node,
        name: current.name,
        start: Number(start[1]),
        end: Number(start[1]) + current.spanned,
      });
    }
  }
  return zones;
}

/**
 * Gaps between the pageblocks the map covers are filled, smallest first, while they add up to at most this many
 * pages (16 GiB of 4 KiB pages): a dump's map is contiguous where its records are dense, and holds only what it
 * lists where they are far apart (a NUMA node at pfn 2^33, a hostile pfn of 2^40).
 */
const GAP_FILL_PAGES = 1 << 22;

/**
 * The pfn ranges a map covers: the pageblocks of the records, `[0, flagPages)` (kpageflags) and the zones of
 * /proc/zoneinfo, merged, with small gaps filled (from pfn 0 too), the last one ending at `end`.
 */
function coverSpans(columns: Columns, flagPages: number, zones: readonly ReportZone[], end: number): ReportSpan[] {
  if (end === 0) return [];
  // The pageblocks records touch, sorted: runs of consecutive ones are intervals.
  const touched: number[] = [];
  for (let i = 0; i < columns.count; i++) {
    const pfn = columns.pfn[i]!;
    if (pfn < 0) continue;
    const last = Math.floor((pfn + 2 ** columns.order[i]! - 1) / PAGEBLOCK_NR_PAGES);
    for (let block = Math.floor(pfn / PAGEBLOCK_NR_PAGES); block <= last; block++) touched.push(block);
  }
  const blocks = Float64Array.from(touched).sort();
  const intervals: [number, number][] = [];
  for (const block of blocks) {
    const previous = intervals.at(-1);
    if (previous !== undefined && block <= previous[1]) previous[1] = Math.max(previous[1], block + 1);
    else intervals.push([block, block + 1]);
  }
  const blockOf = (pfn: number) => Math.floor(pfn / PAGEBLOCK_NR_PAGES);
  if (flagPages > 0) intervals.push([0, blockOf(flagPages - 1) + 1]);
  for (const zone of zones) if (zone.end > zone.start) intervals.push([blockOf(zone.start), blockOf(zone.end - 1) + 1]);
  intervals.sort((a, b) => a[0] - b[0]);
  // Merged, from pfn 0 (an empty interval there, kept only if the gap after it is filled).
  const merged: [number, number][] = [[0, 0]];
  for (const [start, stop] of intervals) {
    const previous = merged.at(-1)!;
    if (start <= previous[1]) previous[1] = Math.max(previous[1], stop);
    else merged.push([start, stop]);
  }
  const gaps = merged
    .slice(1)
    .map((interval, index) => ({ index, pages: (interval[0] - merged[index]![1]) * PAGEBLOCK_NR_PAGES }));
  gaps.sort((a, b) => a.pages - b.pages);
  const filled = new Uint8Array(merged.length);
  let budget = GAP_FILL_PAGES;
  for (const gap of gaps) {
    if (gap.pages > budget) break;
    budget -= gap.pages;
    filled[gap.index] = 1;
  }
  const spans: ReportSpan[] = [];
  let start = merged[0]![0];
  merged.forEach(([, stop], index) => {
    if (index + 1 < merged.length && filled[index] === 1) return;
    const first = start * PAGEBLOCK_NR_PAGES;
    const pages = Math.min(stop * PAGEBLOCK_NR_PAGES, end) - first;
    if (pages > 0) spans.push({ start: first, pages });
    if (index + 1 < merged.length) start = merged[index + 1]![0];
  });
  return spans;
}

/**
 * Builds the data of a report: the per-page map from kpageflags/kpagecount and the idle bitmap, the page_owner
 * records (interned: gfp texts, tasks, frames, stacks), mixed pageblocks per zone computed as
 * `pagetypeinfo_showmixedcount_print()` (mm/page_owner.c) does, and the run's timeline and layouts from summary.json.
 * Memory follows what the input lists, not its largest pfn: the map covers the pfn ranges of {@link coverSpans}.
 */
export function collectReport(input: ReportInput): ReportData {
  const columns = new Columns();
  // The kernel's migratetype order first, so that the same name gets the same colour everywhere.
  const migratetypes = new Interner(migratetypeNames);
  const migratetypeOf = (name: string | undefined) =>
    name === undefined || name === '' ? UNKNOWN_MIGRATETYPE : migratetypes.ofAtMost(name, UNKNOWN_MIGRATETYPE);
  const gfps = new Interner();
  const tasks = new Interner();
  const frames = new FrameInterner();
  const stacks = new StackInterner();
  let format: string | null = null;
  let recordsEnd = 0;
  let freed = 0;
  for (const record of input.records ?? []) {
    format ??= record.format;
    // A kernel log's record of a freed page: the page is nobody's now.
    if (record.allocated === false) {
      freed++;
      continue;
    }
    const stack = stacks.of(record.frames.map((frame) => frames.of(frame)));
    const gfp = `0x${record.gfp.toString(16)}${record.gfpText === undefined ? '' : `(${record.gfpText})`}`;
    let task = '';
    if (record.pid !== undefined) {
      task = `pid ${record.pid}`;
      if (record.tgid !== undefined) task += `, tgid ${record.tgid}`;
      if (record.comm !== undefined) task += ` (${record.comm})`;
    }
    columns.push(
      record.pfn,
      record.order,
      gfps.of(gfp),
      tasks.of(task),
      stack,
      migratetypeOf(record.pageType ?? record.blockType),
      migratetypeOf(record.blockType),
    );
    if (record.pfn >= 0) recordsEnd = Math.max(recordsEnd, record.pfn + 2 ** record.order);
  }
  const flagPages = input.kpageflags === undefined ? 0 : Math.floor(input.kpageflags.length / 8);
  const zonesFromFile = input.zoneinfo === undefined ? [] : parseZoneinfo(input.zoneinfo);
  const end = zonesFromFile.reduce((last, zone) => Math.max(last, zone.end), Math.max(recordsEnd, flagPages));
  const spans = coverSpans(columns, flagPages, zonesFromFile, end);
  const offsets = spanOffsets(spans);
  const pages = spans.reduce((sum, span) => sum + span.pages, 0);
  const zones =
    zonesFromFile.length > 0
      ? zonesFromFile
      : X86_64_ZONES.filter((zone) => zone.start < end).map((zone) => ({
          node: 0,
          name: zone.name,
          start: zone.start,
          end: Math.min(zone.end, end),
        }));

  const cells = new Uint8Array(pages);
  let lruPages = 0;
  let idlePages = 0;
  const flags = input.kpageflags;
  if (flags !== undefined && flagPages > 0) {
    // [0, flagPages) is in the first span, from cell 0.
    const view = new DataView(flags.buffer, flags.byteOffset, flags.byteLength);
    const counts = input.kpagecount;
    const countView =
      counts === undefined ? undefined : new DataView(counts.buffer, counts.byteOffset, counts.byteLength);
    const idle = input.idleBitmap;
    for (let pfn = 0; pfn < flagPages; pfn++) {
      const low = view.getUint32(pfn * 8, true);
      const high = view.getUint32(pfn * 8 + 4, true);
      const count =
        countView !== undefined && pfn * 8 + 8 <= countView.byteLength ? countView.getUint32(pfn * 8, true) : 0;
      let cell: number = PageCell.unknown;
      if ((low & (1 << KPF.NOPAGE)) !== 0) cell = PageCell.unknown;
      else if ((low & (1 << KPF.BUDDY)) !== 0) cell = PageCell.free;
      else if ((high & (1 << (KPF.RESERVED - 32))) !== 0) cell = PageCell.reserved;
      else if (low !== 0 || high !== 0 || count !== 0) cell = PageCell.allocated;
      if ((low & (1 << KPF.LRU)) !== 0) {
        cell |= LRU_CELL;
        lruPages++;
        const isIdle =
          idle === undefined
            ? (low & (1 << KPF.IDLE)) !== 0
            : pfn >> 3 < idle.length && (idle[pfn >> 3]! & (1 << (pfn & 7))) !== 0;
        if (isIdle) {
          cell |= IDLE_CELL;
          idlePages++;
        }
      }
      cells[pfn] = cell;
    }
  }

  // Owned pages, and mixed pageblocks: a block counts once, under its own migratetype, when any page in it was
  // allocated with another migratetype. Spans start on pageblock boundaries, so cell `i` is in map block `i >> 9`.
  const mixed = new Uint8Array(Math.ceil(pages / PAGEBLOCK_NR_PAGES));
  const blockMigratetype = new Uint8Array(mixed.length);
  for (let i = 0; i < columns.count; i++) {
    const pfn = columns.pfn[i]!;
    if (pfn < 0) continue;
    const first = cellOfPfn(spans, offsets, pfn);
    const last = first + 2 ** columns.order[i]!;
    for (let cell = first; cell < last; cell++) cells[cell] = (cells[cell]! & (LRU_CELL | IDLE_CELL)) | PageCell.owned;
    const pageMt = columns.migratetype[i]!;
    const blockMt = columns.blockMigratetype[i]!;
    if (pageMt !== blockMt && pageMt !== UNKNOWN_MIGRATETYPE && blockMt !== UNKNOWN_MIGRATETYPE) {
      // A CMA block counts as Movable, as in the kernel.
      const block = Math.floor(first / PAGEBLOCK_NR_PAGES);
      mixed[block] = 1;
      blockMigratetype[block] = migratetypes.values[blockMt] === 'CMA' ? Migratetype.MOVABLE : blockMt;
    }
  }
  const mixedBlocks = zones.map((zone) => ({
    zone: `Node ${zone.node}, zone ${zone.name}`,
    counts: new Array<number>(migratetypes.values.length).fill(0),
  }));
  for (let block = 0; block < mixed.length; block++) {
    if (mixed[block] !== 1) continue;
    const pfnBlock = Math.floor(pfnOfCell(spans, offsets, block * PAGEBLOCK_NR_PAGES) / PAGEBLOCK_NR_PAGES);
    zones.forEach((zone, index) => {
      if (Math.floor(zone.start / PAGEBLOCK_NR_PAGES) <= pfnBlock && pfnBlock * PAGEBLOCK_NR_PAGES < zone.end) {
        mixedBlocks[index]!.counts[blockMigratetype[block]!]!++;
      }
    });
  }

  const { summary } = input;
  const timeline = summary?.timeline;
  const layouts = summary?.layouts;
  const clients = summary?.pageExtClients;
  const slice = <T extends Column>(array: T): T => array.subarray(0, columns.count) as T;
  const skipped = input.skipped === undefined || input.skipped.empty ? null : input.skipped;
  const facts = summaryFacts(summary, { records: columns.count, stacks: stacks.values.length, format });
  if (freed > 0)
    facts.push(['records of freed pages', `${freed}, left out (a kernel log's 'page_owner tracks the page as freed')`]);
  const skippedSummary = skipped?.summary();
  if (skippedSummary !== undefined) facts.push(['skipped lines', skippedSummary]);
  return {
    title: input.title,
    sources: input.sources,
    format,
    pageblockOrder: PAGEBLOCK_ORDER,
    pages,
    spans,
    zones,
    cells: packArray(cells),
    mixedPageblocks: packArray(mixed),
    records: {
      count: columns.count,
      pfn: packArray(narrowPfns(slice(columns.pfn))),
      order: packArray(slice(columns.order)),
      gfp: packArray(slice(columns.gfp)),
      task: packArray(slice(columns.task)),
      stack: packArray(slice(columns.stack)),
      migratetype: packArray(slice(columns.migratetype)),
      blockMigratetype: packArray(slice(columns.blockMigratetype)),
    },
    migratetypes: migratetypes.values,
    gfps: gfps.values,
    tasks: tasks.values,
    frames: frames.values,
    stacks: stacks.values,
    mixedBlocks,
    // Without a depot (page_owner off, or v4.7's inline stacks) the timeline has no stacks to chart.
    depotGrowth:
      Array.isArray(timeline) && summary?.stackDepot != null
        ? timeline.map((sample) => ({ ns: sample.ns, stacks: sample.stacks ?? 0, bytes: sample.depotBytes ?? 0 }))
        : null,
    layouts: Array.isArray(layouts)
      ? [
          ...layouts.map((row) => ({ profile: row.profile, bytes: row.staticBytes })),
          ...(Array.isArray(clients) ? clients : []).map((row) => ({
            profile: `v6.18 ${row.clients}`,
            bytes: row.staticBytes,
          })),
        ]
      : null,
    idle: input.idleBitmap === undefined || flags === undefined ? null : { lruPages, idlePages },
    facts,
    skipped:
      skipped === null ? null : { lines: skipped.lines, records: skipped.records, summary: skippedSummary ?? '' },
  };
}

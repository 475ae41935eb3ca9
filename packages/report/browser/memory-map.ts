import { IDLE_CELL, LRU_CELL, PageCell } from '../src/report-data';
import { describeRecord, type LoadedReport } from './loaded-report';

/** What the map's colours show. */
export type ColourMode = 'migratetype' | 'stack' | 'idle';

/** Pages per cell at each zoom level: a pageblock, then down to single pages. */
export const SCALES = [512, 64, 8, 1] as const;
/** Rows of a view at most: a view holds `columns × MAX_ROWS` cells, the rest is a click on "later" away. */
const MAX_ROWS = 256;
/** Below this width (CSS pixels) a row has 64 cells, not 128, so that a cell stays big enough to point at. */
const WIDE_MAP = 600;
/** A view of at most this many rows of half as many cells has them, twice the size (a small machine). */
const SMALL_VIEW_ROWS = 64;

/**
 * Colours of migratetypes in the report's order: physmem's `migratetypeNames` (Unmovable, Movable, Reclaimable,
 * HighAtomic, Isolate), then a sixth seen in the input (CMA on kernels built with it).
 */
export const MIGRATETYPE_COLOURS = ['#8c564b', '#2ca02c', '#1f77b4', '#9467bd', '#7f7f7f', '#17becf'];
export const STATE_COLOURS = {
  free: '#d8e4ee',
  allocated: '#555555',
  reserved: '#222222',
  unknown: '#fbfbfb',
  idle: '#4a7fd4',
  active: '#e8a33c',
  notLru: '#e4e4e4',
  match: '#e600e6',
  dimmed: '#ececec',
  mixed: '#ff1a1a',
};

/**
 * Colours of the largest stacks when the map is coloured by stack, in order (no magenta: that is the filter's).
 * Every other stack is {@link OTHER_STACK_COLOUR}; hidden early boot pages are {@link EARLY_BOOT_COLOUR}.
 */
export const STACK_COLOURS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#17becf',
  '#bcbd22',
  '#393b79',
  '#e377c2',
];
export const OTHER_STACK_COLOUR = '#b0b0b0';
export const EARLY_BOOT_COLOUR = '#e0d2b4';

/** What one cell holds. */
interface CellCounts {
  free: number;
  owned: number;
  allocated: number;
  reserved: number;
  lru: number;
  idle: number;
  matched: number;
  firstRecord: number;
}

/** A rectangle of the map in CSS pixels, from its top left corner. */
export interface MapRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The physical memory map: a canvas with one cell per pageblock, zooming down to one per page, coloured by
 * migratetype (a cell's opacity is the share of its pages in use), by allocation stack or by idleness, with mixed
 * pageblocks marked in red, hover details and a filter to the pages of chosen stacks.
 *
 * The canvas takes its container's width: 128 cells a row (64 on a narrow screen; half that for a small view), as many
 * rows as the view needs, drawn at the screen's device pixel ratio so that cells stay sharp. Positions ({@link
 * cellAt}, {@link cellRect}, {@link cellPixels}) are CSS pixels. A cell's index counts map cells
 * (`report.cells`, whose pfns are {@link LoadedReport.pfnOfCell}), not pfns.
 */
export class MemoryMap {
  scale: number = SCALES[0];
  /** The first cell of the view (an index into `report.cells`). */
  start = 0;
  mode: ColourMode = 'migratetype';
  /** Per stack, 1 when the map shows only that stack's pages; null for no filter. */
  filter: Uint8Array | null = null;
  /** Per stack, its colour in the `stack` mode. */
  stackColours: readonly string[] = [];
  readonly #report: LoadedReport;
  readonly #canvas: HTMLCanvasElement;
  readonly #context: CanvasRenderingContext2D;
  /** Cells per row and their size in CSS pixels, as last drawn. */
  columns = 128;
  cellPixels = 6;
  /** The map's width in CSS pixels, from its container. */
  #width = 768;
  /** Each cell's colour and opacity, kept between draws that change only the size (a resize). */
  #colours: string[] = [];
  #alphas = new Float32Array(0);
  #mixed = new Uint8Array(0);
  #coloured = '';
  #matchingCells = 0;
  readonly #counts: CellCounts = {
    free: 0,
    owned: 0,
    allocated: 0,
    reserved: 0,
    lru: 0,
    idle: 0,
    matched: 0,
    firstRecord: -1,
  };

  constructor(report: LoadedReport, canvas: HTMLCanvasElement) {
    this.#report = report;
    this.#canvas = canvas;
    this.#context = canvas.getContext('2d')!;
  }

  /** The width the map can take (its container's content width), at least 160 CSS pixels. */
  #containerWidth(): number {
    const container = this.#canvas.parentElement;
    // Not clientWidth, which rounds up as often as down: a map 0.2 pixel wider than its box would scroll sideways.
    const width = container === null ? 768 : container.getBoundingClientRect().width;
    return Math.max(160, Math.floor(width));
  }

  /** Cells a row can have at this width, before a small view's 64. */
  get #maxColumns(): number {
    return this.#width >= WIDE_MAP ? 128 : 64;
  }

  /** Cells in the current view. */
  get cellsInView(): number {
    const left = Math.ceil((this.#report.data.pages - this.start) / this.scale);
    return Math.max(0, Math.min(this.#maxColumns * MAX_ROWS, left));
  }

  /** The cells the view covers, `[start, end)`. */
  get viewEnd(): number {
    return Math.min(this.#report.data.pages, this.start + this.cellsInView * this.scale);
  }

  /** The length of a {@link filter}: one entry per stack. */
  get filterSize(): number {
    return this.#report.data.stacks.length;
  }

  /** Pages of the filtered stacks in all of memory. */
  matchingPages(): number {
    const { filter } = this;
    if (filter === null) return 0;
    let pages = 0;
    this.#report.stackPages.forEach((count, stack) => {
      if (filter[stack] === 1) pages += count;
    });
    return pages;
  }

  /** Counts what the pages of the cell starting at `first` are. */
  #count(first: number): CellCounts {
    const report = this.#report;
    const counts = this.#counts;
    counts.free = counts.owned = counts.allocated = counts.reserved = counts.lru = counts.idle = counts.matched = 0;
    counts.firstRecord = -1;
    const end = Math.min(first + this.scale, report.data.pages);
    const { filter } = this;
    for (let cell = first; cell < end; cell++) {
      const value = report.cells[cell]!;
      switch (value & 0x3f) {
        case PageCell.free:
          counts.free++;
          break;
        case PageCell.owned: {
          counts.owned++;
          const record = report.recordOfCell[cell]!;
          if (counts.firstRecord < 0) counts.firstRecord = record;
          if (filter !== null && record >= 0 && filter[report.stack[record]!] === 1) counts.matched++;
          break;
        }
        case PageCell.allocated:
          counts.allocated++;
          break;
        case PageCell.reserved:
          counts.reserved++;
          break;
      }
      if ((value & LRU_CELL) !== 0) {
        counts.lru++;
        if ((value & IDLE_CELL) !== 0) counts.idle++;
      }
    }
    return counts;
  }

  #colour(counts: CellCounts): { colour: string; alpha: number } {
    const report = this.#report;
    const pages = this.scale;
    const used = counts.owned + counts.allocated + counts.reserved;
    if (this.filter !== null) {
      if (counts.matched > 0) return { colour: STATE_COLOURS.match, alpha: 0.4 + (0.6 * counts.matched) / pages };
      return { colour: used + counts.free > 0 ? STATE_COLOURS.dimmed : STATE_COLOURS.unknown, alpha: 1 };
    }
    if (this.mode === 'idle') {
      if (counts.lru === 0) return { colour: STATE_COLOURS.notLru, alpha: 1 };
      return counts.idle * 2 >= counts.lru
        ? { colour: STATE_COLOURS.idle, alpha: 0.4 + (0.6 * counts.idle) / counts.lru }
        : { colour: STATE_COLOURS.active, alpha: 0.4 + (0.6 * (counts.lru - counts.idle)) / counts.lru };
    }
    const alpha = 0.35 + (0.65 * used) / pages;
    if (counts.firstRecord >= 0) {
      const colour =
        this.mode === 'stack'
          ? (this.stackColours[report.stack[counts.firstRecord]!] ?? OTHER_STACK_COLOUR)
          : (MIGRATETYPE_COLOURS[report.blockMigratetype[counts.firstRecord]!] ?? STATE_COLOURS.allocated);
      return { colour, alpha };
    }
    if (counts.allocated > 0) return { colour: STATE_COLOURS.allocated, alpha };
    if (counts.reserved > 0) return { colour: STATE_COLOURS.reserved, alpha };
    if (counts.free > 0) return { colour: STATE_COLOURS.free, alpha: 1 };
    return { colour: STATE_COLOURS.unknown, alpha: 1 };
  }

  /** Forgets the cells' colours: the next draw counts them again (after a change of the stacks' colours). */
  recolour(): void {
    this.#coloured = '';
  }

  /** Works out each cell's colour when what the view shows changed since the last draw. */
  #colourCells(cells: number): void {
    const key = `${this.start} ${this.scale} ${cells} ${this.mode} ${this.filter === null ? 'all' : 'filter'}`;
    if (key === this.#coloured && this.filter === null) return;
    const report = this.#report;
    const showMixed = this.filter === null && this.mode !== 'idle';
    const { pageblockOrder } = report.data;
    this.#colours = new Array<string>(cells);
    this.#alphas = new Float32Array(cells);
    this.#mixed = new Uint8Array(cells);
    let matchingCells = 0;
    for (let index = 0; index < cells; index++) {
      const first = this.start + index * this.scale;
      const counts = this.#count(first);
      if (counts.matched > 0) matchingCells++;
      const { colour, alpha } = this.#colour(counts);
      this.#colours[index] = colour;
      this.#alphas[index] = alpha;
      if (showMixed && report.mixedBlock[first >> pageblockOrder] === 1) this.#mixed[index] = 1;
    }
    this.#matchingCells = matchingCells;
    this.#coloured = key;
  }

  /**
   * Redraws the view at the container's width; returns the cells drawn and those with pages of the filtered
   * stacks. Cheap when only the size changed: the cells' colours are kept.
   */
  draw(): { cells: number; matchingCells: number } {
    this.#width = this.#containerWidth();
    const cells = this.cellsInView;
    const half = this.#maxColumns / 2;
    this.columns = cells <= half * SMALL_VIEW_ROWS ? half : this.#maxColumns;
    this.cellPixels = this.#width / this.columns;
    this.#colourCells(cells);
    const { columns, cellPixels } = this;
    const rows = Math.max(1, Math.ceil(cells / columns));
    const ratio = window.devicePixelRatio || 1;
    const canvas = this.#canvas;
    // The backing store in device pixels, the element in CSS pixels: sharp on a high-density screen.
    const device = cellPixels * ratio;
    canvas.width = Math.round(this.#width * ratio);
    canvas.height = Math.round(rows * device);
    canvas.style.width = `${this.#width}px`;
    canvas.style.height = `${canvas.height / ratio}px`;
    const context = this.#context;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, canvas.width, canvas.height);
    // Cell edges on whole device pixels, a one-pixel gap between cells big enough to spare it.
    const gap = device >= 4 ? Math.max(1, Math.round(ratio)) : 0;
    const edge = (at: number) => Math.round(at * device);
    const corner = Math.max(1, Math.round(device / 3));
    for (let index = 0; index < cells; index++) {
      const column = index % columns;
      const row = Math.floor(index / columns);
      const x = edge(column);
      const y = edge(row);
      context.globalAlpha = this.#alphas[index]!;
      context.fillStyle = this.#colours[index]!;
      context.fillRect(x, y, edge(column + 1) - x - gap, edge(row + 1) - y - gap);
      if (this.#mixed[index] === 1) {
        context.globalAlpha = 1;
        context.fillStyle = STATE_COLOURS.mixed;
        context.fillRect(x, y, corner, corner);
      }
    }
    context.globalAlpha = 1;
    canvas.dataset.cells = String(cells);
    canvas.dataset.columns = String(columns);
    canvas.dataset.cellPixels = String(cellPixels);
    canvas.dataset.start = String(this.start);
    canvas.dataset.scale = String(this.scale);
    canvas.dataset.matchingCells = String(this.#matchingCells);
    return { cells, matchingCells: this.#matchingCells };
  }

  /** The first map cell of the map cell under a point (CSS pixels from the canvas's top left), or -1. */
  cellAt(x: number, y: number): number {
    const column = Math.floor(x / this.cellPixels);
    const row = Math.floor(y / this.cellPixels);
    if (column < 0 || column >= this.columns || row < 0) return -1;
    const index = row * this.columns + column;
    return index < this.cellsInView ? this.start + index * this.scale : -1;
  }

  /** Where the view's cells `[from, to)` (map cells, clipped to the view) are, as the rectangle around them. */
  cellRect(from: number, to: number): MapRect | null {
    const first = Math.max(0, Math.floor((from - this.start) / this.scale));
    const last = Math.min(this.cellsInView, Math.ceil((to - this.start) / this.scale)) - 1;
    if (last < first) return null;
    const { columns, cellPixels } = this;
    const top = Math.floor(first / columns);
    const bottom = Math.floor(last / columns);
    const left = top === bottom ? first % columns : 0;
    const right = top === bottom ? last % columns : columns - 1;
    return {
      x: left * cellPixels,
      y: top * cellPixels,
      width: (right - left + 1) * cellPixels,
      height: (bottom - top + 1) * cellPixels,
    };
  }

  /** The pfns of cells `[first, last]` as text: `0x200-0x3ff`, with the gap when they are not contiguous. */
  #pfnRange(first: number, last: number): string {
    const report = this.#report;
    const from = report.pfnOfCell(first);
    const to = report.pfnOfCell(last);
    const range = `0x${from.toString(16)}-0x${to.toString(16)}`;
    return to - from === last - first ? range : `${range} (not all listed: a gap of unmapped pfns)`;
  }

  /** The view's pfns, for the controls: `pfn 0x0-0x3ffff`. */
  describeView(): string {
    if (this.#report.data.pages === 0) return 'no page to map (the records give no pfn)';
    const last = Math.max(this.start, this.viewEnd - 1);
    return `pfn ${this.#pfnRange(this.start, last)}`;
  }

  /** What the cell starting at `first` holds, as text (never HTML: names come from the input). */
  describe(first: number): string {
    const report = this.#report;
    const { data } = report;
    const counts = this.#count(first);
    const last = Math.min(first + this.scale, data.pages) - 1;
    const firstPfn = report.pfnOfCell(first);
    const lastPfn = report.pfnOfCell(last);
    // The zone the cell's pages are in (a cell may begin below a zone: DMA starts at pfn 1).
    const zone = data.zones.find((candidate) => lastPfn >= candidate.start && firstPfn < candidate.end);
    const block = Math.floor(firstPfn / 2 ** data.pageblockOrder);
    const where = `pageblock ${block}${zone === undefined ? '' : `, zone ${zone.name}`}`;
    const lines = [
      this.scale === 1
        ? `pfn 0x${firstPfn.toString(16)} (${firstPfn}), ${where}`
        : `pfn ${this.#pfnRange(first, last)}, ${where}`,
    ];
    if (this.scale > 1) {
      const unknown = last - first + 1 - counts.free - counts.owned - counts.allocated - counts.reserved;
      lines.push(
        `${counts.owned} with a page_owner record, ${counts.allocated} allocated without one, ${counts.free} free, ${counts.reserved} reserved, ${unknown} not listed`,
      );
    }
    if (counts.lru > 0) lines.push(`${counts.lru} on LRU lists, ${counts.idle} idle`);
    if (report.mixedBlock[first >> data.pageblockOrder] === 1) {
      lines.push('mixed pageblock: holds a page of another migratetype than its own');
    }
    if (counts.firstRecord >= 0) {
      const record = counts.firstRecord;
      if (report.earlyStack[report.stack[record]!] === 1) {
        lines.push('', 'an early boot page: allocated before page_owner started, which recorded it at its start');
      }
      lines.push('', describeRecord(report, record));
    }
    return lines.join('\n');
  }
}

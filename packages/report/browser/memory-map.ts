import { IDLE_CELL, LRU_CELL, PageCell } from '../src/report-data';
import { describeRecord, type LoadedReport } from './loaded-report';

/** What the map's colours show. */
export type ColourMode = 'migratetype' | 'stack' | 'idle';

/** Pages per cell at each zoom level: a pageblock, then down to single pages. */
export const SCALES = [512, 64, 8, 1] as const;
/** The map is 768 pixels wide: 128 cells of 6 pixels, or 64 of 12 for a view of at most 64 × 64 cells. */
const MAP_PIXELS = 768;
const MAX_CELLS = 128 * 256;

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

/** A stable colour for a stack index. */
export function stackColour(stack: number): string {
  return `hsl(${(stack * 137.508) % 360} 65% 50%)`;
}

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

/**
 * The physical memory map: a canvas with one cell per pageblock, zooming down to one per page, coloured by
 * migratetype (a cell's opacity is the share of its pages in use), by allocation stack or by idleness, with mixed
 * pageblocks marked in red, hover details and a filter to the pages of chosen stacks.
 */
export class MemoryMap {
  scale: number = SCALES[0];
  start = 0;
  mode: ColourMode = 'migratetype';
  /** Per stack, 1 when the map shows only that stack's pages; null for no filter. */
  filter: Uint8Array | null = null;
  readonly #report: LoadedReport;
  readonly #canvas: HTMLCanvasElement;
  readonly #context: CanvasRenderingContext2D;
  /** Cells per row and their size in pixels, as last drawn. */
  columns = 128;
  cellPixels = 6;
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

  /** Cells in the current view. */
  get cellsInView(): number {
    return Math.max(0, Math.min(MAX_CELLS, Math.ceil((this.#report.data.pages - this.start) / this.scale)));
  }

  /** The pfns the view covers, `[start, end)`. */
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
    for (let pfn = first; pfn < end; pfn++) {
      const cell = report.cells[pfn]!;
      switch (cell & 0x3f) {
        case PageCell.free:
          counts.free++;
          break;
        case PageCell.owned: {
          counts.owned++;
          const record = report.recordOfPage[pfn]!;
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
      if ((cell & LRU_CELL) !== 0) {
        counts.lru++;
        if ((cell & IDLE_CELL) !== 0) counts.idle++;
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
          ? stackColour(report.stack[counts.firstRecord]!)
          : (MIGRATETYPE_COLOURS[report.blockMigratetype[counts.firstRecord]!] ?? STATE_COLOURS.allocated);
      return { colour, alpha };
    }
    if (counts.allocated > 0) return { colour: STATE_COLOURS.allocated, alpha };
    if (counts.reserved > 0) return { colour: STATE_COLOURS.reserved, alpha };
    if (counts.free > 0) return { colour: STATE_COLOURS.free, alpha: 1 };
    return { colour: STATE_COLOURS.unknown, alpha: 1 };
  }

  /** Redraws the view; returns the cells drawn and those with pages of the filtered stacks. */
  draw(): { cells: number; matchingCells: number } {
    const cells = this.cellsInView;
    this.columns = cells <= 64 * 64 ? 64 : 128;
    this.cellPixels = MAP_PIXELS / this.columns;
    const { columns, cellPixels } = this;
    const rows = Math.max(1, Math.ceil(cells / columns));
    const canvas = this.#canvas;
    canvas.width = MAP_PIXELS;
    canvas.height = rows * cellPixels;
    const context = this.#context;
    context.clearRect(0, 0, canvas.width, canvas.height);
    const { pageblockOrder } = this.#report.data;
    let matchingCells = 0;
    for (let index = 0; index < cells; index++) {
      const first = this.start + index * this.scale;
      const counts = this.#count(first);
      if (counts.matched > 0) matchingCells++;
      const { colour, alpha } = this.#colour(counts);
      const x = (index % columns) * cellPixels;
      const y = Math.floor(index / columns) * cellPixels;
      context.globalAlpha = alpha;
      context.fillStyle = colour;
      context.fillRect(x, y, cellPixels - 1, cellPixels - 1);
      if (this.filter === null && this.mode !== 'idle' && this.#report.mixedBlock[first >> pageblockOrder] === 1) {
        context.globalAlpha = 1;
        context.fillStyle = STATE_COLOURS.mixed;
        context.fillRect(x, y, cellPixels / 3, cellPixels / 3);
      }
    }
    context.globalAlpha = 1;
    canvas.dataset.cells = String(cells);
    canvas.dataset.columns = String(columns);
    canvas.dataset.cellPixels = String(cellPixels);
    canvas.dataset.start = String(this.start);
    canvas.dataset.scale = String(this.scale);
    canvas.dataset.matchingCells = String(matchingCells);
    return { cells, matchingCells };
  }

  /** The first pfn of the cell under a point of the canvas, or -1. */
  pfnAt(x: number, y: number): number {
    const column = Math.floor(x / this.cellPixels);
    const row = Math.floor(y / this.cellPixels);
    if (column < 0 || column >= this.columns || row < 0) return -1;
    const index = row * this.columns + column;
    return index < this.cellsInView ? this.start + index * this.scale : -1;
  }

  /** What the cell starting at `first` holds, as text (never HTML: names come from the input). */
  describe(first: number): string {
    const report = this.#report;
    const { data } = report;
    const counts = this.#count(first);
    const last = Math.min(first + this.scale, data.pages) - 1;
    // The zone the cell's pages are in (a cell may begin below a zone: DMA starts at pfn 1).
    const zone = data.zones.find((candidate) => last >= candidate.start && first < candidate.end);
    const block = first >> data.pageblockOrder;
    const lines = [
      this.scale === 1
        ? `pfn 0x${first.toString(16)} (${first}), pageblock ${block}${zone === undefined ? '' : `, zone ${zone.name}`}`
        : `pfn 0x${first.toString(16)}-0x${last.toString(16)}, pageblock ${block}${zone === undefined ? '' : `, zone ${zone.name}`}`,
    ];
    if (this.scale > 1) {
      const unknown = last - first + 1 - counts.free - counts.owned - counts.allocated - counts.reserved;
      lines.push(
        `${counts.owned} with a page_owner record, ${counts.allocated} allocated without one, ${counts.free} free, ${counts.reserved} reserved, ${unknown} not listed`,
      );
    }
    if (counts.lru > 0) lines.push(`${counts.lru} on LRU lists, ${counts.idle} idle`);
    if (report.mixedBlock[block] === 1) lines.push('mixed pageblock: holds a page of another migratetype than its own');
    if (counts.firstRecord >= 0) lines.push('', describeRecord(report, counts.firstRecord));
    return lines.join('\n');
  }
}

import { cellOfPfn, type PackedArray, pfnOfCell, type ReportData, spanOffsets } from '../src/report-data';
import { frameName, isEarlyBootStack } from './stack-names';

/** The report's data with its packed columns inflated, and the per-cell index of the record covering each page. */
export interface LoadedReport {
  readonly data: ReportData;
  /** One per page of the map (`data.spans`, one after another): cell `i` is pfn {@link LoadedReport.pfnOfCell}. */
  readonly cells: Uint8Array;
  /** The records' pfns: -1 for a record whose dump gave none. */
  readonly pfn: Float64Array;
  readonly order: Uint8Array;
  readonly gfp: Uint32Array;
  readonly task: Uint32Array;
  readonly stack: Uint32Array;
  readonly migratetype: Uint8Array;
  readonly blockMigratetype: Uint8Array;
  /** The record whose pages include a cell's page, or -1. */
  readonly recordOfCell: Int32Array;
  /** 1 for a pageblock (of the cells: `cell >> pageblockOrder`) with a page of another migratetype than its own. */
  readonly mixedBlock: Uint8Array;
  /** Pages per stack. */
  readonly stackPages: Float64Array;
  /** Per stack, 1 when it is page_owner's record of a page allocated before it started (an early boot page). */
  readonly earlyStack: Uint8Array;
  /** Records, and their pages, of the {@link earlyStack} stacks. */
  readonly earlyRecords: number;
  readonly earlyPages: number;
  /** The pfn of a cell, or -1 past the last. */
  pfnOfCell(cell: number): number;
}

/** Inflates a packed column with the browser's own gzip (`DecompressionStream`): no request leaves the page. */
async function unpack(packed: PackedArray): Promise<Uint8Array | Uint32Array | Float64Array> {
  const binary = atob(packed.base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  const buffer = await new Response(stream).arrayBuffer();
  if (packed.type === 'Float64Array') return new Float64Array(buffer, 0, packed.length);
  if (packed.type === 'Uint32Array') return new Uint32Array(buffer, 0, packed.length);
  return new Uint8Array(buffer);
}

/** A column as the typed array the page reads it as (the report's writer may have picked a wider type). */
function as<T extends Uint8Array | Uint32Array | Float64Array>(
  column: Uint8Array | Uint32Array | Float64Array,
  type: new (values: ArrayLike<number>) => T,
): T {
  return column instanceof type ? column : new type(column);
}

/** Reads the JSON the page embeds and inflates its columns. */
export async function loadReport(data: ReportData): Promise<LoadedReport> {
  const { records } = data;
  const [cells, mixedBlock, pfn, order, gfp, task, stack, migratetype, blockMigratetype] = await Promise.all(
    [
      data.cells,
      data.mixedPageblocks,
      records.pfn,
      records.order,
      records.gfp,
      records.task,
      records.stack,
      records.migratetype,
      records.blockMigratetype,
    ].map(unpack),
  );
  const spans = data.spans;
  const offsets = spanOffsets(spans);
  const earlyStack = new Uint8Array(data.stacks.length);
  data.stacks.forEach((frames, index) => {
    if (isEarlyBootStack(frames.map((frame) => frameName(data.frames[frame]!)))) earlyStack[index] = 1;
  });
  const report = {
    data,
    cells: as(cells!, Uint8Array),
    pfn: as(pfn!, Float64Array),
    order: as(order!, Uint8Array),
    gfp: as(gfp!, Uint32Array),
    task: as(task!, Uint32Array),
    stack: as(stack!, Uint32Array),
    migratetype: as(migratetype!, Uint8Array),
    blockMigratetype: as(blockMigratetype!, Uint8Array),
    recordOfCell: new Int32Array(data.pages).fill(-1),
    mixedBlock: as(mixedBlock!, Uint8Array),
    stackPages: new Float64Array(data.stacks.length),
    earlyStack,
    earlyRecords: 0,
    earlyPages: 0,
    pfnOfCell: (cell: number) => pfnOfCell(spans, offsets, cell),
  };
  for (let record = 0; record < records.count; record++) {
    const pages = 2 ** report.order[record]!;
    const stackIndex = report.stack[record]!;
    report.stackPages[stackIndex]! += pages;
    if (earlyStack[stackIndex] === 1) {
      report.earlyRecords++;
      report.earlyPages += pages;
    }
    const first = report.pfn[record]!;
    if (first < 0) continue;
    const cell = cellOfPfn(spans, offsets, first);
    if (cell >= 0) report.recordOfCell.fill(record, cell, Math.min(cell + pages, data.pages));
  }
  return report;
}

/** A migratetype's name, or `?` when the record does not give it. */
function migratetypeName(report: LoadedReport, index: number): string {
  return report.data.migratetypes[index] ?? '?';
}

/** A record as the page_owner file prints its first lines and stack (without the flags). */
export function describeRecord(report: LoadedReport, record: number): string {
  const { data } = report;
  const task = data.tasks[report.task[record]!]!;
  const pfn = report.pfn[record]!;
  const lines = [
    `Page allocated via order ${report.order[record]}, mask ${data.gfps[report.gfp[record]!]}${task === '' ? '' : `, ${task}`}`,
    pfn < 0
      ? 'PFN not given'
      : `PFN 0x${pfn.toString(16)} type ${migratetypeName(report, report.migratetype[record]!)} Block ${Math.floor(pfn / 2 ** data.pageblockOrder)} type ${migratetypeName(report, report.blockMigratetype[record]!)}`,
    ...data.stacks[report.stack[record]!]!.map((frame) => ` ${data.frames[frame]}`),
  ];
  return lines.join('\n');
}

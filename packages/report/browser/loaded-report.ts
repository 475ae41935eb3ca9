import type { PackedArray, ReportData } from '../src/report-data';

/** The report's data with its packed columns inflated, and the per-page index of the record covering each page. */
export interface LoadedReport {
  readonly data: ReportData;
  readonly cells: Uint8Array;
  readonly pfn: Uint32Array;
  readonly order: Uint8Array;
  readonly gfp: Uint32Array;
  readonly task: Uint32Array;
  readonly stack: Uint32Array;
  readonly migratetype: Uint8Array;
  readonly blockMigratetype: Uint8Array;
  /** The record whose pages include a pfn, or -1. */
  readonly recordOfPage: Int32Array;
  /** 1 for a pageblock with a page of another migratetype than the block's. */
  readonly mixedBlock: Uint8Array;
  /** Pages per stack. */
  readonly stackPages: Float64Array;
}

/** Inflates a packed column with the browser's own gzip (`DecompressionStream`): no request leaves the page. */
async function unpack(packed: PackedArray): Promise<ArrayBuffer> {
  const binary = atob(packed.base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).arrayBuffer();
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
  const report = {
    data,
    cells: new Uint8Array(cells!),
    pfn: new Uint32Array(pfn!),
    order: new Uint8Array(order!),
    gfp: new Uint32Array(gfp!),
    task: new Uint32Array(task!),
    stack: new Uint32Array(stack!),
    migratetype: new Uint8Array(migratetype!),
    blockMigratetype: new Uint8Array(blockMigratetype!),
    recordOfPage: new Int32Array(data.pages).fill(-1),
    mixedBlock: new Uint8Array(mixedBlock!),
    stackPages: new Float64Array(data.stacks.length),
  };
  for (let record = 0; record < records.count; record++) {
    const first = report.pfn[record]!;
    const pages = 2 ** report.order[record]!;
    report.recordOfPage.fill(record, first, Math.min(first + pages, data.pages));
    report.stackPages[report.stack[record]!]! += pages;
  }
  return report;
}

/** A record as the page_owner file prints its first lines and stack (without the flags). */
export function describeRecord(report: LoadedReport, record: number): string {
  const { data } = report;
  const task = data.tasks[report.task[record]!]!;
  const migratetypes = data.migratetypes;
  const lines = [
    `Page allocated via order ${report.order[record]}, mask ${data.gfps[report.gfp[record]!]}${task === '' ? '' : `, ${task}`}`,
    `PFN 0x${report.pfn[record]!.toString(16)} type ${migratetypes[report.migratetype[record]!]} Block ${report.pfn[record]! >> data.pageblockOrder} type ${migratetypes[report.blockMigratetype[record]!]}`,
    ...data.stacks[report.stack[record]!]!.map((frame) => ` ${data.frames[frame]}`),
  ];
  return lines.join('\n');
}

/** The function a stack line names: `func [module]` without the address and the `+0x1/0x2`. */
export function frameFunction(line: string): string {
  return line.replace(/^\[<[0-9a-f]+>\] /, '').replace(/\+0x[0-9a-f]+\/0x[0-9a-f]+/, '');
}

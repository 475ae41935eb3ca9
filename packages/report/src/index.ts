export type { ReportInput } from './collect-report';
export { collectReport, parseZoneinfo } from './collect-report';
export { packArray, unpackArray } from './packed-array';
export { MAX_REPORT_BINARY_BYTES, ReportSourceError, readReportSource } from './read-report-source';
export { renderReport } from './render-report';
export type {
  DepotSample,
  PackedArray,
  ReportData,
  ReportRecords,
  ReportSkipped,
  ReportSpan,
  ReportZone,
} from './report-data';
export { cellOfPfn, IDLE_CELL, LRU_CELL, PageCell, pfnOfCell, spanOffsets, UNKNOWN_MIGRATETYPE } from './report-data';
export type { RunSummaryFields } from './run-summary-fields';

export type { ReportInput } from './collect-report';
export { collectReport, parseZoneinfo } from './collect-report';
export { packArray, unpackArray } from './packed-array';
export { ReportSourceError, readReportSource } from './read-report-source';
export { renderReport } from './render-report';
export type { DepotSample, PackedArray, ReportData, ReportRecords, ReportZone } from './report-data';
export { IDLE_CELL, LRU_CELL, PageCell } from './report-data';
export type { RunSummaryFields } from './run-summary-fields';

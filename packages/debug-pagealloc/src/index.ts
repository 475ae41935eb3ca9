export type { DebugPageallocStats } from './debug-pagealloc';
export { DebugPagealloc, PAGE_POISON } from './debug-pagealloc';
export type { DebugPageallocOptions } from './debug-pagealloc-feature';
export { debugPagealloc, INJECTED_BUGS_COUNTER } from './debug-pagealloc-feature';
export type { DebugPageallocConfig } from './debug-pagealloc-params';
export { debugPageallocParams, defaultDebugPageallocConfig } from './debug-pagealloc-params';
export type { PageFaultOops } from './page-fault-oops';
export { formatPageFaultOops, pageFaultRegs, pageOffsetHigh } from './page-fault-oops';
export { formatPoisonReport, hexDumpLine, poisonReportFrames } from './reports';

export type { DebugPageallocStats } from './debug-pagealloc';
export { DebugPagealloc, debugPageallocClient, PAGE_POISON } from './debug-pagealloc';
export type { DebugPageallocConfig } from './debug-pagealloc-params';
export { debugPageallocParams, defaultDebugPageallocConfig } from './debug-pagealloc-params';
export { formatPageFaultOops, formatPoisonReport, hexDumpLine } from './reports';

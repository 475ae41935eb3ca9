export type { DebugPageallocStats } from './debug-pagealloc';
export { DebugPagealloc, PAGE_POISON } from './debug-pagealloc';
export type { DebugPageallocOptions } from './debug-pagealloc-feature';
export { debugPagealloc, INJECTED_BUGS_COUNTER } from './debug-pagealloc-feature';
export type { DebugPageallocConfig } from './debug-pagealloc-params';
export { debugPageallocParams, defaultDebugPageallocConfig } from './debug-pagealloc-params';
export { formatPageFaultOops, formatPoisonReport, hexDumpLine } from './reports';

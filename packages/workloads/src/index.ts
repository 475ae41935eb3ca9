export { bootWorkload, builtinWorkloads } from './builtin-workloads';
export { ioctlPath } from './driver-paths';
export { fragmentWorkload } from './fragment';
export { HOG_COUNTER, hogWorkload } from './hog';
export type { KernelBuildOptions } from './kernel-build';
export { kernelBuild } from './kernel-build';
export type { KernelPath, KernelPaths, PathPart } from './kernel-paths';
export { pathsV4, pathsV6 } from './kernel-paths';
export { LEAKED_COUNTER, leakWorkload } from './leak';
export type {
  PerfKmemCallsite,
  PerfKmemGfpFlags,
  PerfKmemPageReportOptions,
  PerfKmemPageRow,
  PerfKmemPageRowJson,
  PerfKmemPageSortKey,
  PerfKmemPageStatJson,
  PerfKmemPageStatOptions,
  PerfKmemPageSummary,
  PerfKmemStop,
} from './perf-kmem-page-stat';
export {
  compactGfpNames,
  formatPerfKmemPageStat,
  PERF_KMEM_ALLOC_FUNCTIONS,
  PERF_KMEM_DEFAULT_PAGE_SORT,
  PERF_KMEM_PAGE_SORT_KEYS,
  PerfKmemPageStat,
  parsePerfKmemPageSort,
  perfKmemCallsiteName,
  perfKmemPageStatJson,
} from './perf-kmem-page-stat';
export type { SimTask, SpawnOptions } from './simulation';
export { Simulation } from './simulation';
export type { TraceEvent, TraceFrame } from './trace-event';
export { MAX_TRACE_LINE, MAX_TRACE_PFN, NO_PAGE, traceField, tracePfn } from './trace-event';
export { readTraceText } from './trace-file';
export type { TraceReaderOptions } from './trace-reader';
export { parseEventLine, parseFrameLine, TraceReader } from './trace-reader';
export type { ReplayOptions, ReplayResult } from './trace-replay';
export {
  REPLAY_MEMORY_CAP,
  replayedEvents,
  replayTrace,
  TraceFormatError,
  TraceRangeError,
} from './trace-replay';
export type { FrameSource, KallsymsSymbol } from './trace-symbols';
export { KallsymsFormatError, parseKallsyms, TraceSymbols } from './trace-symbols';
export { uafWorkload } from './uaf';
export type { Workload } from './workload';
export type { WssProcess, WssProcessSpec } from './wss';
export { defaultWssProcesses, WssWorkload, wssWorkload } from './wss';

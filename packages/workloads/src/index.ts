export { bootWorkload, builtinWorkloads } from './builtin-workloads';
export { ioctlPath } from './driver-paths';
export { fragmentWorkload } from './fragment';
export { HOG_COUNTER, hogWorkload } from './hog';
export type { KernelBuildOptions } from './kernel-build';
export { kernelBuild } from './kernel-build';
export type { KernelPath, KernelPaths, PathPart } from './kernel-paths';
export { pathsV4, pathsV6 } from './kernel-paths';
export { LEAKED_COUNTER, leakWorkload } from './leak';
export type { SimFile, SimTask } from './simulation';
export { Simulation } from './simulation';
export type { ReplayResult, TraceEvent } from './trace-replay';
export {
  replayedEvents,
  replayTrace,
  TraceFormatError,
  TraceReader,
  traceEvents,
  traceField,
  traceMaxPfn,
} from './trace-replay';
export { uafWorkload } from './uaf';
export type { Workload } from './workload';
export type { WssProcess, WssProcessSpec } from './wss';
export { defaultWssProcesses, WssWorkload, wssWorkload } from './wss';

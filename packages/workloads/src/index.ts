export { bootWorkload, builtinWorkloads } from './builtin-workloads';
export type { KernelBuildOptions } from './kernel-build';
export { kernelBuild } from './kernel-build';
export type { KernelPath, KernelPaths, PathPart } from './kernel-paths';
export { pathsV4, pathsV6 } from './kernel-paths';
export type { SimFile, SimTask } from './simulation';
export { Simulation } from './simulation';
export type { Workload } from './workload';

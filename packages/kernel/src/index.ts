export type { BootOptions } from './boot';
export {
  boot,
  estimateHostBytes,
  HOST_BYTES_PER_PAGE_ESTIMATE,
  hostCostText,
  hostLimitText,
  KernelParamError,
  MachineConfigError,
  parseMemorySize,
} from './boot';
export type { BootAllocation, BootAllocationSite } from './boot-allocations';
export { allocateBootMemory, bootAllocationSites } from './boot-allocations';
export {
  e820Lines,
  memoryInfoLine,
  memoryMapLines,
  unavailableRangeLines,
  zoneLines,
  zonelistLines,
  zoneSetupLinesV4,
} from './boot-log';
export type { CommandLineArgument, ParsedCommandLine } from './command-line';
export { parameterNamesMatch, splitCommandLine } from './command-line';
export { ignoredCoreParams } from './core-params';
export { Kernel } from './kernel';
export type { ParamsResult } from './kernel-params';
export { parseKernelParams, unknownParamsLine } from './kernel-params';
export { userSpaceFiles } from './user-space-files';

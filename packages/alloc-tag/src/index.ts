export type { AllocTagCounters, AllocTagDeps } from './alloc-tag';
export { AllocTag, CODETAG_ID_EMPTY, CODETAG_ID_FIRST, CODETAG_ID_NULL } from './alloc-tag';
export type { AllocTagOptions } from './alloc-tag-feature';
export { allocTag, codetagRefBytes } from './alloc-tag-feature';
export type { AllocTagLayoutRow } from './alloc-tag-layouts';
export { allocTagLayoutRows } from './alloc-tag-layouts';
export { ALLOCINFO_HEADER, allocinfoLine } from './allocinfo';
export type { AllocTagSite } from './call-sites';
export {
  allocatorFunctions,
  allocTagSitesV618,
  CallSites,
  functionName,
  isAllocatorFunction,
  NO_TAG,
  UNKNOWN_FILE,
} from './call-sites';
export type { Codetag } from './codetag';
export { CODETAG_FLAG_INACCURATE, codetagToText } from './codetag';
export type { MemProfilingConfig } from './mem-profiling-param';
export {
  EACCES,
  EINVAL,
  MEM_PROFILING_PARAM,
  memProfilingParam,
  parseMemProfiling,
  parseStaticKeyWrite,
  sysctlArgLine,
} from './mem-profiling-param';
export type { PageflagBits, PageflagOptions } from './pageflag-bits';
export { pageflagBits } from './pageflag-bits';

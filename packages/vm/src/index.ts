export type { VmaProtection } from './address-space';
export { AddressSpace, Vma } from './address-space';
export type { IdleFlags } from './idle-flags';
export { noIdleFlags } from './idle-flags';
export type { OomBadnessInput, OomReport, OomTaskRow } from './oom-report';
export {
  formatOomReaped,
  formatOomReport,
  OOM_SCORE_ADJ_MIN,
  oomBadness,
  oomKillFrames,
  oomKillStackFrames,
  oomScoreV4,
} from './oom-report';
export { PageIdleFlags } from './page-idle-flags';
export type { KpageError } from './proc-kpageflags';
export {
  kpagecount,
  kpageEntries,
  kpageflags,
  MAX_RW_COUNT,
  readKpagecount,
  readKpageflags,
} from './proc-kpageflags';
export { formatMaps, formatMapsLine } from './proc-maps';
export type { PagemapError } from './proc-pagemap';
export { dumpPagemap, PAGEMAP_ENTRY_BYTES, PagemapBits, pagemapEntry, readPagemap } from './proc-pagemap';
export type {
  ProcStatusCapabilities,
  ProcStatusInput,
  ProcStatusMemory,
  ProcStatusSignals,
  TaskStateLetter,
} from './proc-status';
export { formatProcStatus } from './proc-status';
export { PteBits } from './pte';
export { ReverseMap, RMAP_CHUNK_PAGES, RMAP_CHUNK_SHIFT } from './reverse-map';
export type { LruCounts, MmapOptions, VmCallPath, VmEvents, VmTask } from './vm';
export { Vm } from './vm';
export { VmFile } from './vm-file';

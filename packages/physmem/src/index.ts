export type { ArchSpec, ZoneType } from './arch';
export { architectures, i386, x86_64 } from './arch';
export {
  MAX_ORDER_NR_PAGES,
  MAX_PAGE_ORDER,
  NR_PAGE_ORDERS,
  PAGE_ALLOC_COSTLY_ORDER,
  PAGE_SHIFT,
  PAGE_SIZE,
  PAGEBLOCK_NR_PAGES,
  PAGEBLOCK_ORDER,
  PAGES_PER_SUBSECTION,
} from './constants';
export { bootTask, CurrentTask } from './current-task';
export type { DirectMapFault } from './direct-map';
export { DirectMap, directMapAddress } from './direct-map';
export type { DumpStackContext, DumpStackSource, StackFrame, X86Regs } from './dump-stack';
export {
  DUMP_STACK_FRAME,
  dumpStackContext,
  dumpStackWith,
  formatCallTrace,
  formatCodeV4,
  formatDumpStack,
  formatDumpStackInfo,
  formatStackFrame,
  formatStackWords,
  formatX86Regs,
  HARDWARE_NAME,
  kernelStackAddress,
  printkAddress,
  taskSystemRegs,
  userEntryRegs,
} from './dump-stack';
export type { FlagName } from './format-flags';
export { formatFlags } from './format-flags';
export { formatGfp, formatTraceGfp } from './format-gfp';
export { formatPageFlagsV4, formatPageFlagsV6 } from './format-page-flags';
export type { GfpFlags, GfpTable } from './gfp';
export { gfpV48, gfpV618 } from './gfp';
export { KernelLog, printkTime } from './kernel-log';
export { KPF } from './kernel-page-flags';
export { KernelTaint, Taint, taintFlags } from './kernel-taint';
export { MemSection, PAGEBLOCK_MIGRATETYPE_MASK, PAGEBLOCK_SKIP, type PageArrays, PER_PAGE_PFNS } from './mem-section';
export { MEMCG_KMEM, MEMCG_OBJEXTS, MEMCG_ROOT, MemoryCgroups } from './memory-cgroups';
export type { E820Entry, E820Type, MemoryLayout, PfnRange } from './memory-map';
export { firmwareMemoryMap, limitMemory, pagesInRanges, presentRanges, reserveRange } from './memory-map';
export type { MemoryParamValues } from './memory-params';
export { memoryParams } from './memory-params';
export { formatSize, memparse } from './memparse';
export { MIGRATE_PCPTYPES, MIGRATE_TYPES, Migratetype, migratetypeNames } from './migratetype';
export { PageContents } from './page-contents';
export type { PageFlagName, PageFlagTable } from './page-flags';
export { pageFlagsV48, pageFlagsV618 } from './page-flags';
export type { PageFlagsLayout, PageFlagsWord } from './page-flags-layout';
export { hexPageFlagsWord, layoutI386, layoutX8664V4, layoutX8664V6, pageFlagsWord } from './page-flags-layout';
export { PagePalette } from './page-palette';
export {
  ORDER_MASK,
  ORDER_SHIFT,
  PAGE_FLAGS_MASK,
  PAGE_META_MASK,
  PageState,
  PageType,
  STATE_SHIFT,
} from './page-state';
export { parseGfp } from './parse-gfp';
export type { EarlyAllocation, MachineConfig, MemblockOwner, MemblockRegion, MemoryModel } from './physical-memory';
export {
  beyondPerPageWindow,
  MAX_PFN,
  maxOrderBlockOf,
  PerPageWindowError,
  PfnLimitError,
  PhysicalMemory,
} from './physical-memory';
export type { KernelImage, KernelProfile, ProfileName } from './profile';
export { getProfile, isProfileName, profileNames } from './profile';
export { SimClock } from './sim-clock';
export type { VmCounters } from './vm-counters';
export {
  eventCounter,
  globalNodeCounter,
  globalZoneCounter,
  nodeCounter,
  VmCountersBuilder,
  zoneCounter,
} from './vm-counters';
export type { MemoryNode } from './zone';
export { Zone } from './zone';

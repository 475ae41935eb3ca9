export { allocFailureFrames, formatAllocFailure } from './alloc-failure';
export type { BadPageSite, PageBadVerdict, PageCheckState } from './bad-page';
export {
  badPageFrames,
  formatBadPage,
  formatDumpPage,
  PAGE_BUDDY_MAPCOUNT_VALUE,
  pageBadReason,
  pageTypeMapcount,
} from './bad-page';
export type { BuddyOptions, BuddyStats, PageReclaim } from './buddy-allocator';
export { BuddyAllocator } from './buddy-allocator';
export { BuddyZone } from './buddy-zone';
export { canClaimBlock, fallbacks } from './fallbacks';
export { gfpMigratetype, gfpZone } from './gfp-zone';
export { orderToPindex, pcpAllowedOrder, pcpListCount, zoneBatchsize, zoneHighsize } from './per-cpu-pages';
export type { BuddyinfoZone } from './proc-buddyinfo';
export { formatBuddyinfo, formatBuddyinfoTable } from './proc-buddyinfo';
export type { MeminfoDirectMap, MeminfoHugePages, MeminfoInputs, MeminfoZone, MeminfoZoneTotals } from './proc-meminfo';
export { formatMeminfo, meminfoZoneTotals } from './proc-meminfo';
export type { PagetypeinfoExtra, PagetypeinfoSection } from './proc-pagetypeinfo';
export { formatPagetypeinfo, pageblockCounts } from './proc-pagetypeinfo';
export type { VmstatItems, VmstatSystemItems } from './proc-vmstat';
export { formatVmstat, vmstatItems, vmstatValue } from './proc-vmstat';
export type { ZoneinfoPageset, ZoneinfoWatermarks, ZoneinfoZone } from './proc-zoneinfo';
export { formatZoneinfo } from './proc-zoneinfo';
export type { RatelimitVerdict } from './ratelimit';
export { Ratelimit } from './ratelimit';
export type { ShowMemOptions } from './show-mem';
export { formatShowMem } from './show-mem';
export { hex64, pageTypeName, structPageAddress, structPageWords } from './struct-page-words';
export type { Watermarks } from './watermarks';
export { lowmemReserve, minFreeKbytes, zoneWatermarks } from './watermarks';

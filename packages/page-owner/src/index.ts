export type { CreatePageOwnerOptions } from './create-page-owner';
export { createPageOwner, stackDepotHashEntries } from './create-page-owner';
export { dumpPageOwnerLines } from './dump-page-owner';
export { RecordFormatter } from './format-record';
export { formatPagetypeinfoWithOwner, mixedBlockCounts } from './mixed-blocks';
export { InfoBits, makeInfo, OwnerRecords, orderOf, reasonOf } from './owner-records';
export type { PageOwnerConfig, PageOwnerDeps } from './page-owner';
export { PAGE_OWNER_BYTES_V618, PageOwner, pageOwnerParams } from './page-owner';
export type { StackGrowth } from './page-owner-diff';
export { diffPageOwner } from './page-owner-diff';
export type { PageOwnerEra } from './page-owner-era';
export { pageOwnerEras } from './page-owner-era';
export type { ReadResult } from './page-owner-file';
export { dumpPageOwner, forEachPageOwnerRecord, PageOwnerFile } from './page-owner-file';
export type { PageOwnerSortIo, PageOwnerSortResult, PageOwnerSortRun } from './page-owner-sort';
export { PageOwnerSort, sortPageOwner } from './page-owner-sort';
export type {
  PageOwnerCullKey,
  PageOwnerSortCommandLine,
  PageOwnerSortExit,
  PageOwnerSortOptions,
  PageOwnerSortOrder,
  PageOwnerSortVersion,
} from './page-owner-sort-args';
export {
  PAGE_OWNER_SORT_USAGE,
  PAGE_OWNER_SORT_USAGE_V4,
  pageOwnerSortOpenFailure,
  pageOwnerSortUsage,
  pageOwnerSortVersions,
  parsePageOwnerSortCommandLine,
} from './page-owner-sort-args';
export { formatShowStacks, readCountThreshold, writeCountThreshold } from './page-owner-stacks';
export type {
  PageOwnerFormat,
  PageOwnerFrame,
  PageOwnerMemcg,
  ParsedPageOwnerRecord,
  ParsePageOwnerOptions,
} from './parse-page-owner';
export {
  formatParsedFrame,
  formatParsedRecord,
  PageOwnerParseError,
  PageOwnerParser,
  parsePageOwner,
  parsePageOwnerStream,
} from './parse-page-owner';
export { TaskContexts } from './task-contexts';

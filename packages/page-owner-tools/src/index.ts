export type { StackGrowth } from './page-owner-diff';
export { diffPageOwner } from './page-owner-diff';
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

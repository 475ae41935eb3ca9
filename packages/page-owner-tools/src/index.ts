export type { DiffPageOwnerOptions, StackGrowth } from './page-owner-diff';
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
  PageOwnerFreeStack,
  PageOwnerMemcg,
  PageOwnerSkip,
  ParsedPageOwnerRecord,
  ParsePageOwnerOptions,
} from './parse-page-owner';
export {
  formatParsedFrame,
  formatParsedRecord,
  PAGE_OWNER_MAX_LINE,
  PageOwnerParseError,
  PageOwnerParser,
  PageOwnerSkips,
  parsePageOwner,
  parsePageOwnerStream,
} from './parse-page-owner';
export { strerror } from './strerror';

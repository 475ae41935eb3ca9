export type {
  PageTableCheckBugSite,
  PageTableCheckFunction,
  PageTableCheckOops,
  PageTableCheckPath,
} from './bug-report';
export {
  formatPageTableCheckBug,
  PAGE_TABLE_CHECK_BUG_SITES,
  PAGE_TABLE_CHECK_PATHS,
} from './bug-report';
export type { PageTableCheckBug, PageTableCheckConfig, PageTableCheckStats } from './page-table-check';
export {
  PAGE_TABLE_CHECK_BYTES,
  PAGE_TABLE_CHECK_PLACE,
  PageTableCheck,
} from './page-table-check';
export type { PageTableCheckOptions } from './page-table-check-feature';
export { pageTableCheck, pageTableCheckParam } from './page-table-check-feature';
export type { PageTableCheckLayoutRow } from './page-table-check-layouts';
export { pageTableCheckBytesPerPage, pageTableCheckLayoutRows } from './page-table-check-layouts';

/**
 * Where a page's Idle and Young flags live (include/linux/page_idle.h). Core mm code tests and changes them
 * (`folio_mark_accessed()` clears Idle, `folio_referenced_one()` consumes Young, `folio_migrate_flags()` copies
 * both); they exist when a feature selects `CONFIG_PAGE_IDLE_FLAG` (idle page tracking does, DAMON would): page flags
 * on 64-bit, page_ext bits on 32-bit. Without it every page reads as neither idle nor young and nothing is stored
 * ({@link noIdleFlags}).
 */
export interface IdleFlags {
  /** `folio_test_idle()`. */
  isIdle(pfn: number): boolean;
  /** `folio_set_idle()`. */
  setIdle(pfn: number): void;
  /** `folio_clear_idle()`. */
  clearIdle(pfn: number): void;
  /** `folio_test_young()`. */
  isYoung(pfn: number): boolean;
  /** `folio_set_young()`. */
  setYoung(pfn: number): void;
  /** `folio_test_clear_young()`: whether Young was set; it is clear afterwards. */
  testAndClearYoung(pfn: number): boolean;
}

/** The flags of a kernel built without `CONFIG_PAGE_IDLE_FLAG`: nothing is ever idle or young. */
export const noIdleFlags: IdleFlags = {
  isIdle: () => false,
  setIdle: () => {},
  clearIdle: () => {},
  isYoung: () => false,
  setYoung: () => {},
  testAndClearYoung: () => false,
};

import {
  DUMP_STACK_FRAME,
  dumpStackWith,
  formatPageFlagsV4,
  formatPageFlagsV6,
  hexPageFlagsWord,
  PAGE_ALLOC_COSTLY_ORDER,
  PAGEBLOCK_ORDER,
  PageState,
} from '@mm/physmem';
import { catalogText, type KernelText, symbolizeFrames } from '@mm/stacktrace';
import type { BuddyAllocator } from './buddy-allocator';
import { pageTypeCodes, pageTypeName, structPageAddress, structPageWords } from './struct-page-words';

/**
 * The lines of `dump_page()` for one page (mm/debug.c), without the `page dumped because:` line: v4.8
 * `page:<addr> count:.. mapcount:.. mapping:.. index:..` and `flags: 0x..(names)`; v6.18 `page: refcount:..`,
 * `flags: %pGp`, `page_type:` for typed pages and the two `raw:` lines.
 */
export function formatDumpPage(allocator: BuddyAllocator, pfn: number, refcountNow?: number): string[] {
  const { memory, profile } = allocator;
  // `refcountNow`: the count as the caller holds it at the report, where the allocator keeps none (a free page freed
  // again, which `put_page_testzero()` took to -1).
  const refcount = refcountNow ?? memory.pageRefcount(pfn);
  const typeName = pageTypeName(memory, pfn);
  const compound = memory.testPageFlag(pfn, profile.pageFlags.bit.head);
  if (profile.era === 'v4') {
    const mapcount = memory.pageState(pfn) === PageState.buddy ? -127 : memory.pageMapcount(pfn);
    const word = memory.pageFlagsWord(pfn);
    return [
      `page:${structPageAddress(pfn)} count:${refcount} mapcount:${mapcount} mapping:          (null) index:0x0${compound ? ' compound_mapcount: 0' : ''}`,
      `flags: ${hexPageFlagsWord(word)}(${formatPageFlagsV4(word.low, profile.pageFlags)})`,
    ];
  }
  const mapcount = typeName === undefined ? memory.pageMapcount(pfn) : 0;
  const lines = [
    `page: refcount:${refcount} mapcount:${mapcount} mapping:0000000000000000 index:0x0 pfn:0x${pfn.toString(16)}`,
  ];
  if (compound) {
    lines.push(`head: order:${memory.pageOrder(pfn)} mapcount:0 entire_mapcount:0 nr_pages_mapped:0 pincount:0`);
  }
  lines.push(`flags: ${formatPageFlagsV6(memory.pageFlagsWord(pfn), profile.pageFlags, profile.pageFlagsLayout)}`);
  if (typeName !== undefined) lines.push(`page_type: ${pageTypeCodes[typeName]!.toString(16)}(${typeName})`);
  const words = structPageWords(memory, pfn);
  lines.push(`raw: ${words.slice(0, 4).join(' ')}`, `raw: ${words.slice(4).join(' ')}`);
  return lines;
}

/**
 * The state of a `struct page` that the page allocator's checks read (mm/page_alloc.c `page_expected_state()`),
 * as the kernel holds it at the check.
 */
export interface PageCheckState {
  /**
   * `atomic_read(&page->_mapcount)`: -1 for a page mapped nowhere and without a type. A page type overlays it: v4.8
   * `PageBuddy()` is `PAGE_BUDDY_MAPCOUNT_VALUE` (-128); v6.18 `page_type` holds the type in its top byte
   * ({@link pageTypeMapcount}: a buddy page reads as `0xf0000000`, a negative int).
   */
  readonly mapcount: number;
  /** `page->mapping != NULL`. */
  readonly mapping: boolean;
  /** `page_ref_count(page)`. */
  readonly refcount: number;
  /** `page->flags` (the flag bits; the node/zone/section fields never meet a check mask). */
  readonly flags: number;
  /** `page->memcg_data` (v6.18), `page->mem_cgroup` (v4.8) set: the page is still charged. */
  readonly memcg?: boolean;
  /** v6.18 `page_pool_page_is_pp()`. */
  readonly pagePool?: boolean;
  /** `PageHWPoison()`: at allocation the kernel drops such a page without a report. */
  readonly hwpoison?: boolean;
}

/** What `bad_page()` is called with: the reason and (v4.8) the flags named by `bad because of flags:`. */
export interface PageBadVerdict {
  readonly reason: string;
  /** v4.8 `bad_flags` (`PAGE_FLAGS_CHECK_AT_FREE` / `_AT_PREP` when flags are the reason), 0 in v6.18. */
  readonly badFlags: number;
}

/** v4.8 include/linux/mm.h `PAGE_BUDDY_MAPCOUNT_VALUE`: the `_mapcount` of a page heading a free block. */
export const PAGE_BUDDY_MAPCOUNT_VALUE = -128;

/**
 * v6.18 `page_type` as `atomic_read(&page->_mapcount)` sees it: the type (`PGTY_buddy` 0xf0, `PGTY_guard` 0xf3, ...)
 * in the top byte, as `__SetPageBuddy()` stores it (`PGTY_buddy << 24`), read as a signed int.
 */
export function pageTypeMapcount(pageType: number): number {
  return (pageType << 24) | 0;
}

/**
 * The reason `bad_page()` gives for a page that failed the allocator's check, or undefined when the page is in the
 * expected state (`page_expected_state()`: `_mapcount` -1, no mapping, refcount 0, none of `checkFlags`, not
 * charged) and no report is printed. Each test overwrites the reason of the ones before, so the last failing one
 * wins, in each era's order:
 *
 * - v6.18 mm/page_alloc.c `page_bad_reason()`: `nonzero mapcount`, `non-NULL mapping`, `nonzero _refcount`,
 *   `PAGE_FLAGS_CHECK_AT_FREE flag(s) set` (`_AT_PREP` at allocation), `page still charged to cgroup`,
 *   `page_pool leak`. At allocation (`check_new_page_bad()`) a hardware-poisoned page is dropped silently.
 * - v4.8 `free_pages_check_bad()` (at free): `nonzero mapcount`, `non-NULL mapping`, `nonzero _refcount`,
 *   `PAGE_FLAGS_CHECK_AT_FREE flag(s) set` (with those flags as `bad_flags`), `page still charged to cgroup`;
 *   `check_new_page_bad()` (at allocation) spells two differently: `nonzero _count`, and after the hwpoison test
 *   (silent) `PAGE_FLAGS_CHECK_AT_PREP flag set`.
 *
 * `checkFlags` is the era's `PAGE_FLAGS_CHECK_AT_FREE` or `PAGE_FLAGS_CHECK_AT_PREP` mask. Note for callers: a page
 * already on the buddy free lists is PageBuddy, which overlays `_mapcount` (`nonzero mapcount`), but v6.18
 * `free_pages_prepare()` resets any page type to `UINT_MAX` (-1) before its check, so there the type alone fails
 * nothing; and `__free_pages()` drops the reference first (`put_page_testzero()`), so a second `__free_pages()` of a
 * page leaves its refcount at -1 (`nonzero _refcount`).
 */
export function pageBadReason(
  era: 'v4' | 'v6',
  state: PageCheckState,
  check: 'free' | 'prep',
  checkFlags: number,
): PageBadVerdict | undefined {
  // check_new_page_bad(): "Don't complain about hwpoisoned pages".
  if (check === 'prep' && state.hwpoison === true) return undefined;
  const flagged = (state.flags & checkFlags) !== 0;
  const expected =
    state.mapcount === -1 &&
    !state.mapping &&
    state.refcount === 0 &&
    !flagged &&
    state.memcg !== true &&
    !(era === 'v6' && state.pagePool === true);
  if (expected) return undefined;
  const v4Prep = era === 'v4' && check === 'prep';
  let reason: string | undefined;
  let badFlags = 0;
  if (state.mapcount !== -1) reason = 'nonzero mapcount';
  if (state.mapping) reason = 'non-NULL mapping';
  if (state.refcount !== 0) reason = v4Prep ? 'nonzero _count' : 'nonzero _refcount';
  if (flagged) {
    if (check === 'free') reason = 'PAGE_FLAGS_CHECK_AT_FREE flag(s) set';
    else reason = v4Prep ? 'PAGE_FLAGS_CHECK_AT_PREP flag set' : 'PAGE_FLAGS_CHECK_AT_PREP flag(s) set';
    if (era === 'v4') badFlags = checkFlags;
  }
  if (state.memcg === true) reason = 'page still charged to cgroup';
  if (era === 'v6' && state.pagePool === true) reason = 'page_pool leak';
  return reason === undefined ? undefined : { reason, badFlags };
}

/** Where `bad_page()` was called from: the free path for a block of `order`, or the allocation path. */
export interface BadPageSite {
  readonly at: 'free' | 'alloc';
  /** The order of the block being freed (it decides the free function); default 0. */
  readonly order?: number;
}

/** The reasons of v4.8 `free_pages_check_bad()`: the others come from checks that call `bad_page()` directly. */
const V4_FREE_CHECK_REASONS = new Set([
  'nonzero mapcount',
  'non-NULL mapping',
  'nonzero _refcount',
  'PAGE_FLAGS_CHECK_AT_FREE flag(s) set',
  'page still charged to cgroup',
]);

/**
 * The kernel's own frames of a `bad_page()` report's `dump_stack()`, innermost first, down to the allocator's caller
 * (whose frames, `__free_pages` and below, are on the shadow stack):
 *
 * - v6.18 at free: `bad_page()` called from `free_page_is_bad()` / `free_tail_page_prepare()`, both inlined into
 *   the `__always_inline` `free_pages_prepare()`, itself inlined into `__free_frozen_pages()` for the orders of
 *   the per-CPU lists (`pcp_allowed_order()`: up to `PAGE_ALLOC_COSTLY_ORDER`, and the THP order) and into
 *   `__free_pages_ok()` for the others (which `__free_frozen_pages()` tail-calls).
 * - v6.18 at allocation: `check_new_page_bad()` ← `check_new_pages()` in `rmqueue()`, inlined into
 *   `get_page_from_freelist()`, called from `__alloc_frozen_pages_noprof()`.
 * - v4.8 at free: `free_pages_check_bad()` (out of line, called from the inline `free_pages_check()`) ← the
 *   inlined `free_pages_prepare()` of `free_hot_cold_page()` (order 0; mmsim checks at free, as the kernel does with
 *   CONFIG_DEBUG_VM, where `free_pcp_prepare()` checks) or `__free_pages_ok()` (higher orders); the compound tail
 *   checks (`free_tail_pages_check()`, inlined) call `bad_page()` directly.
 * - v4.8 at allocation: `check_new_page_bad()` inlined through `check_new_pages()` into
 *   `get_page_from_freelist()`, called from `__alloc_pages_nodemask()`.
 *
 * Offsets: the functions page_owner's stacks show keep their sizes there; the call sites are plausible.
 */
export function badPageFrames(era: 'v4' | 'v6', reason: string, site: BadPageSite = { at: 'free' }): string[] {
  const order = site.order ?? 0;
  if (era === 'v6') {
    const head = [DUMP_STACK_FRAME.v6, 'bad_page+0x6b/0x110'];
    if (site.at === 'alloc')
      return [...head, 'get_page_from_freelist+0xa5c/0x2140', '__alloc_frozen_pages_noprof+0x168/0x330'];
    const pcp = order <= PAGE_ALLOC_COSTLY_ORDER || order === PAGEBLOCK_ORDER;
    return [...head, pcp ? '__free_frozen_pages+0x1f1/0x3e0' : '__free_pages_ok+0x2f6/0x4f0'];
  }
  const head = [DUMP_STACK_FRAME.v4, 'bad_page+0xc0/0x120'];
  if (site.at === 'alloc') return [...head, 'get_page_from_freelist+0x2f1/0xbc0', '__alloc_pages_nodemask+0x134/0x230'];
  const check = V4_FREE_CHECK_REASONS.has(reason) ? ['free_pages_check_bad+0x77/0x80'] : [];
  return [...head, ...check, order === 0 ? 'free_hot_cold_page+0x106/0x180' : '__free_pages_ok+0x2e4/0x3a0'];
}

/**
 * `bad_page()` (mm/page_alloc.c): the `BUG: Bad page state` report: the process and pfn, `dump_page()` (v4.8:
 * `__dump_page()`, then `bad because of flags: %#lx(%pGp)` for `bad_flags`, then `dump_page_owner()`), the modules
 * and `dump_stack()`, whose trace starts with the kernel's own frames ({@link badPageFrames}) above the caller's
 * path. Listeners of `dump_page` (page_owner) print their part in between, so the report is printed in two pieces;
 * the returned lines are the second piece. `text` resolves the kernel's frames: default the era's catalog text.
 */
export function formatBadPage(
  allocator: BuddyAllocator,
  pfn: number,
  reason: string,
  badFlags = 0,
  site: BadPageSite = { at: 'free' },
  text?: KernelText,
  refcount?: number,
): string[] {
  const { memory, profile } = allocator;
  const head = [
    `BUG: Bad page state in process ${memory.current.comm}  pfn:${pfn.toString(16).padStart(5, '0')}`,
    ...formatDumpPage(allocator, pfn, refcount),
    `page dumped because: ${reason}`,
  ];
  const flags = badFlags & memory.pageFlags(pfn);
  if (profile.era === 'v4' && flags !== 0) {
    head.push(`bad because of flags: 0x${flags.toString(16)}(${formatPageFlagsV4(flags, profile.pageFlags)})`);
  }
  memory.log.printk(head.join('\n'));
  const hook = allocator.hooks.dump_page;
  if (hook.count !== 0) hook.call(pfn);
  const frames = symbolizeFrames(text ?? catalogText(profile.era), badPageFrames(profile.era, reason, site));
  return [memory.printModules(), ...dumpStackWith(memory, frames)];
}

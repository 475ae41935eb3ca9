/** `PAGE_SHIFT` (x86, 4 KiB pages). */
export const PAGE_SHIFT = 12;
/** `PAGE_SIZE`. */
export const PAGE_SIZE = 4096;
/** `pageblock_order` on x86 (HUGETLB_PAGE_ORDER = 21 - 12): a pageblock is 512 pages, 2 MiB. */
export const PAGEBLOCK_ORDER = 9;
/** `pageblock_nr_pages`. */
export const PAGEBLOCK_NR_PAGES = 1 << PAGEBLOCK_ORDER;
/** Number of buddy orders (v4.8 `MAX_ORDER`, v6.18 `NR_PAGE_ORDERS`): orders 0..10. */
export const NR_PAGE_ORDERS = 11;
/** The largest order (v6.18 `MAX_PAGE_ORDER`; v4.8 `MAX_ORDER - 1`). */
export const MAX_PAGE_ORDER = 10;
/** `MAX_ORDER_NR_PAGES`: 1024 pages, 4 MiB. */
export const MAX_ORDER_NR_PAGES = 1 << MAX_PAGE_ORDER;
/** `PAGE_ALLOC_COSTLY_ORDER`: above it the allocator tries less hard and compaction is worth it. */
export const PAGE_ALLOC_COSTLY_ORDER = 3;
/**
 * `PAGES_PER_SUBSECTION` (SUBSECTION_SHIFT 21): the granularity of SPARSEMEM_VMEMMAP's `subsection_map`, 512 pages
 * (2 MiB), which `pfn_to_online_page()` consults and memory hot-remove's zone shrinking steps by.
 */
export const PAGES_PER_SUBSECTION = 512;

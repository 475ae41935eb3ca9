/**
 * Phases of boot at which packages may act, in the order `boot()` runs them (the order of init/main.c
 * `start_kernel`).
 */
export const BootPhase = {
  /** Command line parsed; physical memory is being laid out (`setup_arch`). */
  setup_arch: 0,
  /** The buddy allocator holds all free memory (`mm_core_init` / `mem_init` → `memblock_free_all`). */
  mm_init: 1,
  /** `page_ext` storage exists and its clients' `init()` ran (`page_ext_init`). */
  page_ext_init: 2,
  /** Late initcalls: debugfs and sysfs files appear (`late_initcall`). */
  late_init: 3,
} as const;

/** A value of {@link BootPhase}. */
export type BootPhase = (typeof BootPhase)[keyof typeof BootPhase];

/**
 * How a page was touched, for the `access` event. Kernel-side accesses go through the direct map (what
 * debug_pagealloc unmaps); user accesses go through page tables (what sets the accessed bit idle tracking reads);
 * `mark_accessed` is `mark_page_accessed()` on the read()/write() path.
 */
export const AccessKind = {
  kernel_read: 1,
  kernel_write: 2,
  user_read: 3,
  user_write: 4,
  mark_accessed: 5,
} as const;

/** A value of {@link AccessKind}. */
export type AccessKind = (typeof AccessKind)[keyof typeof AccessKind];

/** Memory hotplug notifier actions (include/linux/memory.h), for the `memory_notify` event. */
export const MemoryAction = {
  going_online: 0,
  online: 1,
  going_offline: 2,
  offline: 3,
  cancel_online: 4,
  cancel_offline: 5,
} as const;

/** A value of {@link MemoryAction}. */
export type MemoryAction = (typeof MemoryAction)[keyof typeof MemoryAction];

/**
 * The event map: every hook point of the simulated mm, with positional arguments so that dispatch allocates
 * nothing. This is the spec all packages speak; change it with care. pfns, orders and gfp masks are plain numbers
 * (a gfp mask fits in 32 bits; a pfn below 2^53).
 *
 * Where several features listen to one event, the kernel's call order decides who runs first: each listener
 * subscribes at its `place` (`Hook.subscribe`), and the places below are the kernel's order. A feature the
 * kernel does not have picks a place between them.
 */
export interface MmHookEvents {
  /**
   * `post_alloc_hook()` (mm/page_alloc.c): 2^order pages starting at `pfn` were just allocated with `gfp`, after
   * the allocator prepared them and before the caller sees them. The kernel's order (v4.8 and v6.18): 100
   * `debug_pagealloc_map_pages()` / `kernel_map_pages()`, 200 `kernel_unpoison_pages()` / `kernel_poison_pages()`,
   * 300 `set_page_owner()`, 400 `page_table_check_alloc()`, 500 `pgalloc_tag_add()`.
   */
  post_alloc: (pfn: number, order: number, gfp: number) => void;
  /**
   * `free_pages_prepare()` (mm/page_alloc.c): 2^order pages starting at `pfn` are about to return to the allocator.
   * The kernel's order: 100 `reset_page_owner()`, 200 `page_table_check_free()`, 300 `pgalloc_tag_sub()`, 400
   * `kernel_poison_pages()`, 500 `debug_pagealloc_unmap_pages()` / `kernel_map_pages(page, n, 0)`.
   */
  free_prepare: (pfn: number, order: number) => void;
  /**
   * `split_page()` / `split_page_owner()`: the allocated block of 2^oldOrder pages at `pfn` is now a run of
   * independent blocks of 2^newOrder pages (newOrder is 0 for split_page). The kernel's order: 100
   * `split_page_owner()`, 200 `pgalloc_tag_split()`.
   */
  split: (pfn: number, oldOrder: number, newOrder: number) => void;
  /**
   * `__split_huge_page_tail()` / `__split_folio_to_order()` (mm/huge_memory.c): the transparent huge page of 2^order
   * pages at `pfn` became base pages. Per-page state kept only on the head (the Young and Idle flags) is copied to
   * every tail.
   */
  thp_split: (pfn: number, order: number) => void;
  /**
   * `folio_migrate_flags()` / `migrate_page_copy()` (mm/migrate.c): the contents of 2^order pages at `fromPfn` were
   * copied to `toPfn` by migration for `reason` (a migrate reason number, `MR_*`). The kernel's order: 100 the
   * Young and Idle flags, 200 `folio_copy_owner()`, 300 `pgalloc_tag_swap()`.
   */
  migrate_copy: (fromPfn: number, toPfn: number, order: number, reason: number) => void;
  /** A page was touched. */
  access: (pfn: number, how: AccessKind) => void;
  /** A page table entry of task `pid` at `vaddr` now maps `pfn` (`page_add_*_rmap`). */
  map: (pfn: number, pid: number, vaddr: number) => void;
  /** A page table entry of task `pid` at `vaddr` no longer maps `pfn` (`page_remove_rmap`). */
  unmap: (pfn: number, pid: number, vaddr: number) => void;
  /**
   * The allocator's slow path found no page for 2^order pages with `gfp` in the zone with id `zoneId` (the
   * preferred zone). Listeners may make memory available (direct compaction, reclaim); the allocator then retries
   * once before it reports a failure.
   */
  alloc_stall: (order: number, gfp: number, zoneId: number) => void;
  /**
   * Memory hotplug notifier chain (`memory_notify()`) for the pfn range: page_ext's `page_ext_callback()` frees a
   * section's page_ext at `offline`, and the clients that keep per-page data beside it drop theirs at the same
   * event (in the kernel that data is in page_ext and goes with it).
   */
  memory_notify: (action: MemoryAction, startPfn: number, nrPages: number) => void;
  /**
   * `dump_page()` is reporting on `pfn` (a bad page, a poisoned page): clients print what they know
   * (page_owner's `dump_page_owner()`) to the kernel log, right after the page's own lines.
   */
  dump_page: (pfn: number) => void;
  /**
   * A kernel-mode access through the direct map hit a page that is not mapped there (arch/x86/mm/fault.c
   * `page_fault_oops()`): `length` bytes at `offset` in page `pfn`, a write or a read. The access does nothing
   * else (a write is lost, a read returns nothing); listeners print the oops.
   */
  kernel_fault: (pfn: number, offset: number, write: boolean, length: number) => void;
  /** Boot reached `phase`. */
  boot_phase: (phase: BootPhase) => void;
}

/** The names of all events, in the order of the event map. */
export const hookEventNames = [
  'post_alloc',
  'free_prepare',
  'split',
  'thp_split',
  'migrate_copy',
  'access',
  'map',
  'unmap',
  'alloc_stall',
  'memory_notify',
  'dump_page',
  'kernel_fault',
  'boot_phase',
] as const satisfies readonly (keyof MmHookEvents)[];

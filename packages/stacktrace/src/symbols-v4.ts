import type { SymbolSpec } from './kernel-text';

/**
 * A v4.x x86_64 kernel text (used for the v4.7 and v4.8 profiles). The anchored symbols (with a start) are the
 * real ones of the 4.6 page_owner records quoted in the v4.6 commit messages (60f30350fd69, 7cd12b4abfd2), e.g.
 * `[<ffffffff811682c4>] __alloc_pages_nodemask+0x134/0x230`; the others are real 4.8 function names with
 * plausible sizes, laid out after them.
 *
 * The functions that only the kernel's own reports show (`dump_stack`, `bad_page`, `warn_alloc_failed`, the OOM
 * killer's, `kernel_poison_pages`: {@link reportSymbolsV4}) are anchored too, at plausible addresses in the gaps
 * between the real ones (mm/ in its link order: oom_kill.c, then page_alloc.c, then page_poison.c; lib/ after
 * mm/), so that every text of the era prints them at the same address, whether a report resolves its frames
 * against the booted kernel's text or against the era's catalog (`catalogText()`). Anchored below the
 * highest real symbol, they do not move any symbol a path defines later.
 */
export const reportSymbolsV4: readonly SymbolSpec[] = [
  // mm/oom_kill.c
  { name: 'dump_header', start: 0x81161c40, size: 0x1e0 },
  { name: 'oom_kill_process', start: 0x81162040, size: 0x3f0 },
  { name: 'out_of_memory', start: 0x81162640, size: 0x4a0 },
  // mm/page_alloc.c
  { name: 'bad_page', start: 0x81163e30, size: 0x120 },
  { name: 'free_pages_check_bad', start: 0x81163f50, size: 0x80 },
  { name: 'free_pcppages_bulk', start: 0x81164bd0, size: 0x4a0 },
  { name: '__free_pages_ok', start: 0x811650e0, size: 0x3a0 },
  { name: 'free_hot_cold_page', start: 0x81166a70, size: 0x180 },
  { name: 'warn_alloc_failed', start: 0x81167520, size: 0x150 },
  // mm/page_poison.c
  { name: 'kernel_poison_pages', start: 0x811d8a70, size: 0x140 },
  // lib/dump_stack.c
  { name: 'dump_stack', start: 0x813c89f0, size: 0x90 },
];

/** See {@link reportSymbolsV4}. */
export const symbolsV4: readonly SymbolSpec[] = [
  ...reportSymbolsV4,
  { name: '__page_cache_alloc', start: 0x8115e2a0, size: 0x120 },
  { name: 'generic_file_read_iter', start: 0x811600d0, size: 0x760 },
  { name: '__alloc_pages_nodemask', start: 0x81168190, size: 0x230 },
  { name: '__do_page_cache_readahead', start: 0x8116b990, size: 0x240 },
  { name: 'ondemand_readahead', start: 0x8116bbd0, size: 0x260 },
  { name: 'page_cache_sync_readahead', start: 0x8116bf80, size: 0x50 },
  { name: 'shmem_alloc_page', start: 0x81177430, size: 0x90 },
  { name: 'shmem_getpage_gfp', start: 0x81179dc0, size: 0x960 },
  { name: 'shmem_fallocate', start: 0x8117bf90, size: 0x440 },
  { name: 'alloc_pages_current', start: 0x811b3fd0, size: 0x120 },
  { name: 'alloc_pages_vma', start: 0x811b6270, size: 0x250 },
  { name: 'vfs_fallocate', start: 0x811de4c0, size: 0x230 },
  { name: 'SyS_fallocate', start: 0x811df3f0, size: 0x70 },
  { name: '__vfs_read', start: 0x811e0cb0, size: 0xd0 },
  { name: 'entry_SYSCALL_64_fastpath', start: 0x8158cc1c, size: 0x71 },
];

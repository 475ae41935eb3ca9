import type { SymbolSpec } from './kernel-text';

/**
 * A v4.x x86_64 kernel text (used for the v4.7 and v4.8 profiles). The anchored symbols (with a start) are the
 * real ones of the 4.6 page_owner records quoted in the v4.6 commit messages (60f30350fd69, 7cd12b4abfd2), e.g.
 * `[<ffffffff811682c4>] __alloc_pages_nodemask+0x134/0x230`; the others are real 4.8 function names with
 * plausible sizes, laid out after them.
 */
export const symbolsV4: readonly SymbolSpec[] = [
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

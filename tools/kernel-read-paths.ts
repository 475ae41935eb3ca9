/**
 * A page cache read as each era's kernel calls the allocator (the v4.x one from the v4.6 page_owner commit
 * message, the v6.18 one from the perf sample), for tests and benchmarks that allocate by hand. page_owner adds its
 * own and the allocator's frames on top, to 16.
 */
export const pageCacheReadPaths: Readonly<Record<'v4' | 'v6', readonly string[]>> = {
  v4: [
    'entry_SYSCALL_64_fastpath+0x12/0x71',
    'SyS_read+0x55/0xc0',
    'vfs_read+0x93/0x130',
    '__vfs_read+0xa7/0xd0',
    'generic_file_read_iter+0x453/0x760',
    'page_cache_sync_readahead+0x31/0x50',
    'ondemand_readahead+0x135/0x260',
    '__do_page_cache_readahead+0xdc/0x240',
    '__page_cache_alloc+0xe6/0x120',
    'alloc_pages_current+0x88/0x120',
  ],
  v6: [
    'entry_SYSCALL_64_after_hwframe+0x76',
    'do_syscall_64+0x71',
    'ksys_read+0x6f',
    'vfs_read+0xbb',
    'xfs_file_read_iter+0x76/0x100 [xfs]',
    'filemap_read+0x13c/0x3b0',
    'filemap_get_pages+0x2d6/0x8a0',
    'page_cache_sync_ra+0x1f2/0x300',
    'page_cache_ra_unbounded+0x11d/0x240',
    'filemap_alloc_folio_noprof+0x34/0x100',
    'alloc_pages_mpol+0x86',
  ],
};

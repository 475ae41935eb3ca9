/**
 * A frame, or alternative runs of frames (callers come through any of them; a workload picks one per call).
 * An empty run means the frames are absent in that variant.
 */
export type PathPart = string | readonly (readonly string[])[];

/** A call path: frames outermost first, some with alternatives. */
export type KernelPath = readonly PathPart[];

/**
 * Kernel call paths into the page allocator, outermost frame first, as `%pS` prints them
 * (`name+0xoffset/0xsize`). v6.18 paths are real call chains of `samples/perf-script-page-alloc-stacks-6.18.txt`
 * (where a chain was not in the sample, it is built from real 6.18 function names); v4 paths are real 4.x chains
 * (the page cache and shmem ones from the v4.6 page_owner commit messages) or built from 4.8 function names.
 * Each path ends at the allocation API the caller used; page_owner adds the allocator's own frames.
 */
export interface KernelPaths {
  [kind: string]: KernelPath;
  /** Anonymous page fault (`do_anonymous_page`). */
  readonly anonFault: KernelPath;
  /** Copy-on-write fault after fork. */
  readonly cowFault: KernelPath;
  /** exec loading an ELF binary: faults on its file-backed segments (zeroing .bss, a page table). */
  readonly execFault: KernelPath;
  /** Page cache readahead on read(). */
  readonly fileRead: KernelPath;
  /** Page cache page for write(). */
  readonly fileWrite: KernelPath;
  /** tmpfs write. */
  readonly shmemWrite: KernelPath;
  /** A page table page for exec's stack setup. */
  readonly execPageTable: KernelPath;
  /** A page table page copied at fork. */
  readonly forkPageTable: KernelPath;
  /** A new slab page for the dentry cache. */
  readonly slabDentry: KernelPath;
  /** A new slab page for kmalloc. */
  readonly slabKmalloc: KernelPath;
  /** A kernel stack page for a new task. */
  readonly kernelStack: KernelPath;
  /** Freeing a process's pages at exit (the free function is the last frame). */
  readonly exitFree: KernelPath;
  /** kswapd freeing page cache pages (reclaim). */
  readonly reclaimFree: KernelPath;
  /** Freeing a page table page. */
  readonly pageTableFree: KernelPath;
  /**
   * Direct reclaim freeing page cache pages, above the allocation that ran it (the allocator's slow path down to the
   * free function): the frames go on top of the allocating caller's.
   */
  readonly directReclaimFree: KernelPath;
  /** The OOM reaper freeing a killed process's anonymous pages. */
  readonly oomReapFree: KernelPath;
}

/** Alternatives of one frame each (`''`: the frame is absent). */
const oneOf = (...frames: string[]): PathPart => frames.map((frame) => (frame === '' ? [] : [frame]));

const v6Syscall: PathPart[] = [
  'entry_SYSCALL_64_after_hwframe+0x76',
  oneOf('do_syscall_64+0x71', 'do_syscall_64+0x250'),
];
/** Where a user fault is taken: in user mode, or inside a kernel copy to or from user memory. */
const v6Fault: PathPart[] = [
  oneOf(
    '',
    'rep_movs_alternative+0x11',
    'rep_stos_alternative+0x40',
    'strncpy_from_user+0x5c/0x140',
    '_copy_from_user+0x2f/0x70',
  ),
  'asm_exc_page_fault+0x22',
  oneOf('exc_page_fault+0x176', 'exc_page_fault+0x20d'),
  'handle_mm_fault+0xd0',
];
const v6Fork = [
  ...v6Syscall,
  '__do_sys_clone+0x8d',
  'kernel_clone+0xb8',
  oneOf('copy_process+0x1258', 'copy_process+0x123d'),
];
const v6Exec = [
  ...v6Syscall,
  '__x64_sys_execve+0x34',
  'do_execveat_common.isra.0+0x1a6',
  'bprm_execve+0x2ad',
  'load_elf_binary+0x3d2',
];

/** exit_group() tearing down the address space, as far as `exit_mmap`. */
const v6Exit: PathPart[] = [
  ...v6Syscall,
  '__x64_sys_exit_group+0x18/0x20',
  'do_group_exit+0x31/0x80',
  'do_exit+0x2a0/0xb80',
  '__mmput+0x41',
  'exit_mmap+0x1d9',
];

/** v6.18 paths. */
export const pathsV6: KernelPaths = {
  anonFault: [
    ...v6Fault,
    oneOf('__handle_mm_fault+0xa64', '__handle_mm_fault+0x65b', '__handle_mm_fault+0x77a', '__handle_mm_fault+0x842'),
    oneOf('do_anonymous_page+0x1ff', 'do_anonymous_page+0x80f'),
    'vma_alloc_folio_noprof+0x6a',
    'alloc_pages_mpol+0x86',
  ],
  cowFault: [
    ...v6Fault,
    '__handle_mm_fault+0xa40',
    oneOf('do_wp_page+0x2c0', 'do_wp_page+0x442', 'do_wp_page+0x70d'),
    'vma_alloc_folio_noprof+0x6a',
    'alloc_pages_mpol+0x86',
  ],
  execFault: [
    ...v6Syscall,
    '__x64_sys_execve+0x34',
    'do_execveat_common.isra.0+0x1a6',
    'bprm_execve+0x2ad',
    oneOf('load_elf_binary+0x65a', 'load_elf_binary+0xb55'),
    'elf_load+0x28f',
    'rep_stos_alternative+0x40',
    'asm_exc_page_fault+0x22',
    'exc_page_fault+0x20d',
    'handle_mm_fault+0xd0',
    '__handle_mm_fault+0x842',
    [
      ['do_fault+0x7e', 'vma_alloc_folio_noprof+0x6a'],
      ['do_fault+0x4aa', '__do_fault+0x8e', 'pte_alloc_one+0x19', 'alloc_pages_noprof+0x4c'],
    ],
    'alloc_pages_mpol+0x86',
  ],
  fileRead: [
    ...v6Syscall,
    oneOf('ksys_read+0x6f', '__x64_sys_pread64+0x8e/0xc0'),
    'vfs_read+0xbb',
    [
      ['ext4_file_read_iter+0x5a/0x1e0'],
      ['xfs_file_read_iter+0x76/0x100 [xfs]', 'xfs_file_buffered_read+0xe6/0x1d0 [xfs]'],
    ],
    'filemap_read+0x13c/0x3b0',
    [
      ['filemap_get_pages+0x2d6/0x8a0', 'page_cache_sync_ra+0x1f2/0x300', 'page_cache_ra_unbounded+0x11d/0x240'],
      ['filemap_get_pages+0x4b9/0x8a0', 'page_cache_async_ra+0x187/0x210', 'page_cache_ra_order+0x1fb/0x3d0'],
    ],
    oneOf('filemap_alloc_folio_noprof+0x34/0x100', 'filemap_alloc_folio_noprof+0xdf/0x100'),
    'alloc_pages_mpol+0x86',
  ],
  fileWrite: [
    ...v6Syscall,
    oneOf('ksys_write+0x6f', '__x64_sys_pwrite64+0x9e/0xd0'),
    'vfs_write+0x29c',
    [
      ['ext4_buffered_write_iter+0x6c/0x140', 'generic_perform_write+0x9e', 'ext4_da_write_begin+0xf5/0x360'],
      ['ext4_buffered_write_iter+0x6c/0x140', 'generic_perform_write+0x9e', 'ext4_write_begin+0x1f8/0x590'],
      [
        'xfs_file_buffered_write+0x5e/0x2a0 [xfs]',
        'iomap_file_buffered_write+0x98/0xf0',
        'iomap_write_iter+0x1a4/0x380',
        'iomap_write_begin+0x1b5/0x6d0',
      ],
    ],
    oneOf('__filemap_get_folio+0x12c/0x350', '__filemap_get_folio+0x1e4/0x350'),
    'filemap_alloc_folio_noprof+0x34/0x100',
    'alloc_pages_mpol+0x86',
  ],
  shmemWrite: [
    ...v6Syscall,
    'ksys_write+0x6f',
    'vfs_write+0x29c',
    'shmem_file_write_iter+0x86',
    'generic_perform_write+0x9e',
    'shmem_write_begin+0x55',
    'shmem_get_folio_gfp+0x25e',
    'shmem_alloc_and_add_folio+0x1a9',
    'shmem_alloc_folio+0xab',
    'folio_alloc_mpol_noprof+0x10',
    'alloc_pages_mpol+0x86',
  ],
  execPageTable: [
    ...v6Exec.slice(0, -1),
    oneOf('load_elf_binary+0x3d2', 'load_elf_binary+0x30c', 'load_elf_binary+0x65a'),
    'setup_arg_pages+0x271',
    oneOf('relocate_vma_down+0x1dd', 'relocate_vma_down+0x2ab'),
    oneOf('move_page_tables+0xa4f', 'move_page_tables+0xc1c'),
    '__pte_alloc+0x26',
    'pte_alloc_one+0x19',
    'alloc_pages_noprof+0x4c',
    'alloc_pages_mpol+0x86',
  ],
  forkPageTable: [
    ...v6Fork,
    'dup_mmap+0x416',
    oneOf('copy_page_range+0xde5', 'copy_page_range+0x1861', 'copy_page_range+0x1c15'),
    '__pte_alloc+0x26',
    'pte_alloc_one+0x19',
    'alloc_pages_noprof+0x4c',
    'alloc_pages_mpol+0x86',
  ],
  slabDentry: [
    ...v6Syscall,
    [
      [
        '__x64_sys_openat+0x55/0xa0',
        'do_sys_openat2+0x81/0xd0',
        'do_filp_open+0xc4/0x170',
        'path_openat+0x6a5/0x1270',
        'open_last_lookups+0x2a5/0x560',
        'lookup_open.isra.0+0x1b3/0x600',
      ],
      [
        '__x64_sys_newfstatat+0x3f/0x80',
        'vfs_fstatat+0x75/0xb0',
        'filename_lookup+0xdb/0x1d0',
        'path_lookupat+0x96/0x1a0',
        'walk_component+0x15b/0x1c0',
        '__lookup_slow+0x86/0x150',
      ],
      [
        '__x64_sys_access+0x1d/0x30',
        'do_faccessat+0x1b8/0x2f0',
        'filename_lookup+0xdb/0x1d0',
        'path_lookupat+0x96/0x1a0',
        'walk_component+0x15b/0x1c0',
        '__lookup_slow+0x86/0x150',
      ],
    ],
    'd_alloc_parallel+0x53/0x3f0',
    'd_alloc+0x1a/0x90',
    '__d_alloc+0x2b/0x210',
    'kmem_cache_alloc_lru_noprof+0x1b1/0x3a0',
    '___slab_alloc+0x5f3/0xa90',
    'allocate_slab+0x2c5/0x400',
    'alloc_pages_mpol+0x86',
  ],
  slabKmalloc: [
    ...v6Syscall,
    [
      [
        '__x64_sys_execve+0x34',
        'do_execveat_common.isra.0+0x1a6',
        'alloc_bprm+0x2e/0x2a0',
        '__kmalloc_cache_noprof+0x1b9/0x380',
      ],
      [
        '__x64_sys_mmap+0x33/0x50',
        'ksys_mmap_pgoff+0x16a/0x240',
        'vm_area_alloc+0x1e/0xb0',
        'kmem_cache_alloc_noprof+0x1b6/0x3a0',
      ],
      [
        '__x64_sys_brk+0x12d/0x3d0',
        'do_brk_flags+0x1a7/0x430',
        'vm_area_alloc+0x1e/0xb0',
        'kmem_cache_alloc_noprof+0x1b6/0x3a0',
      ],
      ['__do_sys_clone+0x8d', 'kernel_clone+0xb8', 'copy_process+0x1258', 'kmem_cache_alloc_noprof+0x1b6/0x3a0'],
    ],
    '___slab_alloc+0x5f3/0xa90',
    'allocate_slab+0x2c5/0x400',
    'alloc_pages_mpol+0x86',
  ],
  kernelStack: [
    ...v6Fork,
    'dup_task_struct+0x5d/0x200',
    'alloc_thread_stack_node+0xc4/0x200',
    '__vmalloc_node_range_noprof+0x4bd/0x880',
    'vm_area_alloc_pages+0x99/0x1c0',
    'alloc_pages_bulk_noprof+0x3f3/0x660',
    'alloc_pages_mpol+0x86',
  ],
  exitFree: [
    ...v6Exit,
    'tlb_finish_mmu+0x7e',
    '__tlb_batch_free_encoded_pages+0x43',
    'free_pages_and_swap_cache+0x154',
    'folios_put_refs+0x11c',
    'free_unref_folios+0x454',
  ],
  reclaimFree: [
    'ret_from_fork_asm+0x1a/0x30',
    'ret_from_fork+0x2d3/0x320',
    'kthread+0x10f/0x240',
    'kswapd+0x339/0x660',
    'balance_pgdat+0x4fc/0x8f0',
    'shrink_node+0x30d/0x8b0',
    'shrink_lruvec+0x5b0/0xba0',
    'shrink_inactive_list+0x1c0/0x480',
    'shrink_folio_list+0x833/0x1090',
    'free_unref_folios+0x454',
  ],
  pageTableFree: [...v6Exit, 'free_pgtables+0x10e/0x240', 'free_pgd_range+0x57f', '__free_frozen_pages+0x2b8'],
  directReclaimFree: [
    '__alloc_frozen_pages_noprof+0x2fd/0x330',
    '__alloc_pages_slowpath.constprop.0+0x2df/0xfd0',
    '__alloc_pages_direct_reclaim+0x8d/0x1c0',
    'try_to_free_pages+0x105/0x260',
    'do_try_to_free_pages+0xe5/0x510',
    'shrink_node+0x30d/0x8b0',
    'shrink_lruvec+0x5b0/0xba0',
    'shrink_inactive_list+0x1c0/0x480',
    'shrink_folio_list+0x833/0x1090',
    'free_unref_folios+0x454',
  ],
  oomReapFree: [
    'ret_from_fork_asm+0x1a/0x30',
    'ret_from_fork+0x2d3/0x320',
    'kthread+0x10f/0x240',
    'oom_reaper+0x1a1/0x3f0',
    'oom_reap_task_mm+0xbe/0x130',
    '__oom_reap_task_mm+0xc5/0x170',
    'tlb_finish_mmu+0x7e',
    '__tlb_batch_free_encoded_pages+0x43',
    'free_pages_and_swap_cache+0x154',
    'folios_put_refs+0x11c',
    'free_unref_folios+0x454',
  ],
};

const v4Syscall: PathPart[] = [
  [['entry_SYSCALL_64_fastpath+0x12/0x71'], ['return_from_SYSCALL_64+0x0/0x7a', 'do_syscall_64+0x5c/0x170']],
];
const v4Fault: PathPart[] = [
  oneOf('', '__clear_user+0x25/0x50', 'copy_user_generic_string+0x2c/0x40', 'strncpy_from_user+0x48/0x170'),
  'page_fault+0x28/0x30',
  'do_page_fault+0x22/0x30',
  oneOf('__do_page_fault+0x1ee/0x4c0', '__do_page_fault+0x2a8/0x4c0'),
];
const v4Fork = [...v4Syscall, 'SyS_clone+0x16/0x20', '_do_fork+0xd4/0x3b0', 'copy_process.part.30+0x7e1/0x1a50'];

/** exit_group() tearing down the address space, as far as `mmput`. */
const v4Exit: PathPart[] = [
  ...v4Syscall,
  'SyS_exit_group+0x14/0x20',
  'do_group_exit+0x3d/0xc0',
  'do_exit+0x2c1/0xb90',
  'mmput+0x51/0x110',
];

/** v4.x (v4.7, v4.8) paths. */
export const pathsV4: KernelPaths = {
  anonFault: [
    ...v4Fault,
    oneOf(
      'handle_mm_fault+0x9a3/0x13b0',
      'handle_mm_fault+0x10c9/0x13b0',
      'handle_mm_fault+0xb2c/0x13b0',
      'handle_mm_fault+0x5f8/0x13b0',
    ),
    'alloc_pages_vma+0xb5/0x250',
  ],
  cowFault: [
    ...v4Fault,
    oneOf('handle_mm_fault+0x7d9/0x13b0', 'handle_mm_fault+0x83c/0x13b0', 'handle_mm_fault+0xb1e/0x13b0'),
    'alloc_pages_vma+0xb5/0x250',
  ],
  execFault: [
    ...v4Syscall,
    'SyS_execve+0x3a/0x50',
    'do_execveat_common.isra.36+0x5a4/0x760',
    'search_binary_handler+0x8e/0x1e0',
    oneOf('load_elf_binary+0x3c4/0x1580', 'load_elf_binary+0xa1f/0x1580'),
    'clear_user+0x2b/0x40',
    '__clear_user+0x25/0x50',
    'page_fault+0x28/0x30',
    'do_page_fault+0x22/0x30',
    '__do_page_fault+0x1ee/0x4c0',
    oneOf('handle_mm_fault+0xe3a/0x13b0', 'handle_mm_fault+0x6c1/0x13b0', 'handle_mm_fault+0x112d/0x13b0'),
    'alloc_pages_vma+0xb5/0x250',
  ],
  fileRead: [
    ...v4Syscall,
    oneOf('SyS_read+0x55/0xc0', 'SyS_pread64+0x95/0xb0'),
    'vfs_read+0x93/0x130',
    '__vfs_read+0xa7/0xd0',
    oneOf('', 'ext4_file_read_iter+0x37/0xc0', 'xfs_file_read_iter+0x9a/0xd0 [xfs]'),
    [
      ['generic_file_read_iter+0x453/0x760', 'page_cache_sync_readahead+0x31/0x50', 'ondemand_readahead+0x135/0x260'],
      ['generic_file_read_iter+0x5a7/0x760', 'page_cache_async_readahead+0xaf/0xc0', 'ondemand_readahead+0x1d2/0x260'],
    ],
    '__do_page_cache_readahead+0xdc/0x240',
    '__page_cache_alloc+0xe6/0x120',
    'alloc_pages_current+0x88/0x120',
  ],
  fileWrite: [
    ...v4Syscall,
    oneOf('SyS_write+0x55/0xc0', 'SyS_pwrite64+0x95/0xb0'),
    'vfs_write+0xb5/0x1a0',
    '__vfs_write+0xc8/0x110',
    [
      [
        'ext4_file_write_iter+0x1e0/0x3c0',
        '__generic_file_write_iter+0x190/0x1e0',
        'generic_perform_write+0xce/0x1d0',
        'ext4_da_write_begin+0x108/0x2f0',
      ],
      [
        'ext4_file_write_iter+0x1e0/0x3c0',
        '__generic_file_write_iter+0x190/0x1e0',
        'generic_perform_write+0xce/0x1d0',
        'ext4_write_begin+0x143/0x4b0',
      ],
      [
        'xfs_file_write_iter+0x9e/0x140 [xfs]',
        'xfs_file_buffered_aio_write+0xe4/0x2e0 [xfs]',
        'iomap_file_buffered_write+0x6e/0xa0',
        'iomap_apply+0xd7/0x140',
        'iomap_write_actor+0xa8/0x180',
        'iomap_write_begin.constprop.20+0x69/0x320',
      ],
    ],
    'grab_cache_page_write_begin+0x23/0x40',
    'pagecache_get_page+0xc0/0x280',
    '__page_cache_alloc+0xe6/0x120',
    'alloc_pages_current+0x88/0x120',
  ],
  shmemWrite: [
    ...v4Syscall,
    'SyS_write+0x55/0xc0',
    'vfs_write+0xb5/0x1a0',
    '__vfs_write+0xc8/0x110',
    'generic_file_write_iter+0xad/0x1e0',
    'generic_perform_write+0xce/0x1d0',
    'shmem_write_begin+0x3b/0x60',
    'shmem_getpage_gfp+0x678/0x960',
    'shmem_alloc_page+0x61/0x90',
    'alloc_pages_vma+0xb5/0x250',
  ],
  execPageTable: [
    ...v4Syscall,
    'SyS_execve+0x3a/0x50',
    'do_execveat_common.isra.36+0x5a4/0x760',
    'search_binary_handler+0x8e/0x1e0',
    oneOf('load_elf_binary+0x2c4/0x1580', 'load_elf_binary+0x5e9/0x1580'),
    'setup_arg_pages+0x1d5/0x250',
    'shift_arg_pages+0xe7/0x170',
    'move_page_tables+0x2a0/0x5a0',
    '__pte_alloc+0x2d/0x160',
    'pte_alloc_one+0x1a/0x50',
    'alloc_pages_current+0x88/0x120',
  ],
  forkPageTable: [
    ...v4Fork,
    oneOf('copy_page_range+0x4d1/0x950', 'copy_page_range+0x5c6/0x950', 'copy_page_range+0x6b2/0x950'),
    '__pte_alloc+0x2d/0x160',
    'pte_alloc_one+0x1a/0x50',
    'alloc_pages_current+0x88/0x120',
  ],
  slabDentry: [
    ...v4Syscall,
    [
      ['SyS_open+0x1e/0x20', 'do_sys_open+0x116/0x1f0', 'do_filp_open+0x91/0x100', 'path_openat+0x5b0/0x1290'],
      ['SyS_openat+0x14/0x20', 'do_sys_open+0x116/0x1f0', 'do_filp_open+0x91/0x100', 'path_openat+0x5b0/0x1290'],
      [
        'SyS_newstat+0x20/0x40',
        'vfs_fstatat+0x51/0xa0',
        'user_path_at_empty+0x36/0x40',
        'filename_lookup+0xb1/0x180',
        'path_lookupat+0x6e/0x110',
        'walk_component+0x1ad/0x4b0',
        'lookup_slow+0xa9/0x160',
      ],
      [
        'SyS_access+0x13/0x20',
        'SyS_faccessat+0xe8/0x230',
        'user_path_at_empty+0x36/0x40',
        'filename_lookup+0xb1/0x180',
        'path_lookupat+0x6e/0x110',
        'walk_component+0x1ad/0x4b0',
        'lookup_slow+0xa9/0x160',
      ],
    ],
    'd_alloc_parallel+0x57/0x4a0',
    'd_alloc+0x1d/0x90',
    '__d_alloc+0x25/0x1d0',
    'kmem_cache_alloc+0x1b4/0x2b0',
    '___slab_alloc+0x3f8/0x520',
    'new_slab+0x2a3/0x470',
    'alloc_pages_current+0x88/0x120',
  ],
  slabKmalloc: [
    ...v4Syscall,
    [
      ['SyS_execve+0x3a/0x50', 'do_execveat_common.isra.36+0x8f/0x760', 'kmem_cache_alloc_trace+0x1c4/0x2b0'],
      ['SyS_mmap+0x22/0x30', 'SyS_mmap_pgoff+0x1bd/0x250', 'mmap_region+0x1d6/0x5a0', 'kmem_cache_alloc+0x1b4/0x2b0'],
      ['SyS_brk+0x14d/0x1a0', 'do_brk+0x151/0x2d0', 'kmem_cache_alloc+0x1b4/0x2b0'],
      [
        'SyS_clone+0x16/0x20',
        '_do_fork+0xd4/0x3b0',
        'copy_process.part.30+0x9a4/0x1a50',
        'kmem_cache_alloc+0x1b4/0x2b0',
      ],
    ],
    '___slab_alloc+0x3f8/0x520',
    'new_slab+0x2a3/0x470',
    'alloc_pages_current+0x88/0x120',
  ],
  kernelStack: [...v4Fork, 'dup_task_struct+0x4f/0x270', 'alloc_pages_current+0x88/0x120'],
  exitFree: [
    ...v4Exit,
    'exit_mmap+0xaf/0x160',
    'tlb_finish_mmu+0x14/0x40',
    'tlb_flush_mmu_free+0x36/0x60',
    'free_pages_and_swap_cache+0x80/0xa0',
    'release_pages+0x1f3/0x320',
  ],
  reclaimFree: [
    'ret_from_fork+0x1f/0x40',
    'kthread+0xd8/0xf0',
    'kswapd+0x31f/0x730',
    'shrink_node+0xe3/0x310',
    'shrink_inactive_list+0x1c0/0x560',
    'shrink_page_list+0x6c4/0xb40',
    'free_hot_cold_page_list+0x3d/0x60',
  ],
  pageTableFree: [
    ...v4Exit,
    'exit_mmap+0x60/0x160',
    'free_pgtables+0xa6/0x110',
    'free_pgd_range+0x2f3/0x530',
    '__free_pages+0x25/0x30',
  ],
  directReclaimFree: [
    '__alloc_pages_nodemask+0x1f6/0x230',
    '__alloc_pages_slowpath+0x4b9/0xb80',
    'try_to_free_pages+0xf0/0x1d0',
    'do_try_to_free_pages+0xc1/0x350',
    'shrink_zones+0x1a6/0x280',
    'shrink_node+0xe3/0x310',
    'shrink_inactive_list+0x1c0/0x560',
    'shrink_page_list+0x6c4/0xb40',
    'free_hot_cold_page_list+0x3d/0x60',
  ],
  oomReapFree: [
    'ret_from_fork+0x1f/0x40',
    'kthread+0xd8/0xf0',
    'oom_reaper+0x16f/0x2b0',
    '__oom_reap_task+0x116/0x1c0',
    'tlb_finish_mmu+0x23/0x60',
    'tlb_flush_mmu_free+0x36/0x60',
    'free_pages_and_swap_cache+0x8e/0xb0',
    'release_pages+0x25e/0x340',
    'free_hot_cold_page_list+0x3d/0x60',
  ],
};

/** Kernel frames the synthetic stacks are drawn from. */
const symbols = [
  'filemap_alloc_folio_noprof+0x34/0x100',
  'page_cache_ra_unbounded+0x11d/0x240',
  'filemap_get_pages+0x2d6/0x8a0',
  'filemap_read+0x13c/0x3b0',
  'xfs_file_buffered_read+0xe6/0x1d0 [xfs]',
  'vfs_read+0xbb/0x110',
  'ksys_read+0x6f/0xb0',
  'do_anonymous_page+0x1a4/0x7a0',
  '__handle_mm_fault+0x7c3/0x1020',
  'handle_mm_fault+0xcf/0x2b0',
  'do_user_addr_fault+0x215/0x6b0',
  'exc_page_fault+0x72/0x180',
  'allocate_slab+0x2a1/0x3c0',
  '___slab_alloc+0x3a5/0x9e0',
  'kmem_cache_alloc_noprof+0x2b8/0x330',
  'copy_process+0x1d5/0x1f30',
  'kernel_clone+0xbd/0x3a0',
  '__do_sys_clone+0x65/0x90',
];

/**
 * Synthetic page_owner records for measuring `page_owner_sort` and the dump parser at scale: record `index` uses
 * one of `stacks` stacks (and tasks), has its own timestamp and pfn in v6.18 (the sorter cuts the ts and diverts the
 * PFN line, so records aggregate by stack), and in v4.8 comes without its PFN line, as the v4.8 tool's
 * documentation asks (`grep -v ^PFN`).
 */
export function syntheticPageOwnerRecord(index: number, era: 'v4.8' | 'v6.18', stacks = 500): string {
  const stack = (index * 7919) % stacks;
  const names = ['post_alloc_hook+0x177/0x1a0', 'get_page_from_freelist+0xd01/0x2140'];
  for (let depth = 0, seed = stack; depth < 8 + (stack % 6); depth++, seed = (seed * 31 + 7) % 1009) {
    names.push(symbols[seed % symbols.length]!);
  }
  names.push('do_syscall_64+0x71/0x310', 'entry_SYSCALL_64_after_hwframe+0x76/0xc0');
  const header = `Page allocated via order ${stack % 3}, mask 0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP)`;
  if (era === 'v4.8') {
    const frames = names.map((name, depth) => ` [<ffffffff81${(0x168000 + depth * 0x1234).toString(16)}>] ${name}`);
    return `${header}\n${frames.join('\n')}\n\n`;
  }
  const pid = 100 + (stack % 40);
  const pfn = 0x10000 + index;
  return (
    `${header}, pid ${pid}, tgid ${pid} (task-${pid % 13}), ts ${1_000_000 + index * 997} ns\n` +
    `PFN 0x${pfn.toString(16)} type Movable Block ${pfn >>> 9} type Movable Flags 0x17ffffc0000000(node=0|zone=2|lastcpupid=0x1fffff)\n` +
    `${names.map((name) => ` ${name}`).join('\n')}\n\n`
  );
}

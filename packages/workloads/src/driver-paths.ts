import type { KernelPath } from './kernel-paths';

/**
 * The path of a driver's ioctl into the page allocator (outermost first), for the drivers of the `uaf` and `leak`
 * workloads: the era's syscall entry, `ioctl`, the driver's own function (`name+0xoff/0xsize [module]`), then the
 * page allocator's entry (`alloc`) or `__free_pages` (`free`).
 */
export function ioctlPath(era: 'v4' | 'v6', driverFrame: string, end: 'alloc' | 'free'): KernelPath {
  if (era === 'v6') {
    return [
      'entry_SYSCALL_64_after_hwframe+0x76',
      'do_syscall_64+0x71',
      '__x64_sys_ioctl+0x94/0xd0',
      driverFrame,
      ...(end === 'alloc' ? ['alloc_pages_noprof+0x4c', 'alloc_pages_mpol+0x86'] : ['__free_pages+0x50/0x90']),
    ];
  }
  return [
    'entry_SYSCALL_64_fastpath+0x12/0x71',
    'SyS_ioctl+0x79/0x90',
    'do_vfs_ioctl+0x8e/0x6b0',
    driverFrame,
    end === 'alloc' ? 'alloc_pages_current+0x88/0x120' : '__free_pages+0x25/0x30',
  ];
}

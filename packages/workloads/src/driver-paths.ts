import type { KernelPath } from './kernel-paths';

/**
 * The path of a driver's ioctl (outermost first), for the drivers of the `uaf` and `leak` workloads: the era's
 * syscall entry, `ioctl`, the driver's own function (`name+0xoff/0xsize [module]`), then the page allocator's entry
 * (`alloc`), `__free_pages` (`free`), or nothing (`access`: the driver touching memory itself, where a fault names
 * it in `RIP:`).
 */
export function ioctlPath(era: 'v4' | 'v6', driverFrame: string, end: 'alloc' | 'free' | 'access'): KernelPath {
  const tail: Record<'v4' | 'v6', Record<typeof end, string[]>> = {
    v6: {
      alloc: ['alloc_pages_noprof+0x4c', 'alloc_pages_mpol+0x86'],
      free: ['__free_pages+0x50/0x90'],
      access: [],
    },
    v4: { alloc: ['alloc_pages_current+0x88/0x120'], free: ['__free_pages+0x25/0x30'], access: [] },
  };
  if (era === 'v6') {
    return [
      'entry_SYSCALL_64_after_hwframe+0x76',
      'do_syscall_64+0x71',
      '__x64_sys_ioctl+0x94/0xd0',
      driverFrame,
      ...tail.v6[end],
    ];
  }
  return [
    'entry_SYSCALL_64_fastpath+0x12/0x71',
    'SyS_ioctl+0x79/0x90',
    'do_vfs_ioctl+0x8e/0x6b0',
    driverFrame,
    ...tail.v4[end],
  ];
}

import { KernelParamError } from '@mm/hooks';
import { MAX_ORDER_NR_PAGES, PER_PAGE_PFNS, PerPageWindowError } from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import { expectGolden as expectGoldenIn } from '../../../tools/expect-golden';
import { boot, estimateHostBytes, HOST_BYTES_PER_PAGE_ESTIMATE } from './boot';

const fixtures = new URL('./__fixtures__/', import.meta.url);
const withoutTime = (text: string) => text.replace(/^\[[ \d.]+\] /gm, '');
const expectGolden = (name: string, actual: string) => expectGoldenIn(fixtures, name, actual);

describe('boot()', () => {
  it.each(['v4.8', 'v6.18'] as const)('prints the boot log of a 4G PC for %s (golden)', (profile) => {
    const kernel = boot({ memory: '4G', profile, cmdline: 'quiet foo=bar' });
    expectGolden(`boot-4G-${profile}.golden.txt`, kernel.dmesg());
    expectGolden(`buddyinfo-4G-${profile}.golden.txt`, kernel.buddyinfo());
  });

  it('keeps the books: free + boot allocations + reserved = present', () => {
    const kernel = boot({ memory: '2G' });
    const { memory, buddy } = kernel;
    const allocated = kernel.bootAllocations.reduce((sum, block) => sum + (1 << block.order), 0);
    const reserved = memory.zones.reduce((sum, zone) => sum + zone.presentPages - zone.managedPages, 0);
    expect(buddy.totalFreePages() + allocated + reserved).toBe(memory.presentPages);
    expect(allocated).toBeGreaterThan(2000);
  });

  it('applies mem=, memmap= and movablecore= from the command line', () => {
    const kernel = boot({ memory: '8G', cmdline: 'mem=4G memmap=256M$0x40000000 movablecore=512M' });
    const { memory } = kernel;
    expect(memory.maxPfn).toBe(0xc0000);
    expect(memory.isPresent(0x40000)).toBe(false);
    const movable = memory.zones.find((zone) => zone.name === 'Movable')!;
    expect(movable.presentPages).toBeGreaterThanOrEqual(131072 - 1024);
    const log = withoutTime(kernel.dmesg());
    expect(log).toContain('e820: remove [mem 0x100000000-0xfffffffffffffffe] usable\nuser-defined physical RAM map:\n');
    expect(log).toContain('user: [mem 0x0000000040000000-0x000000004fffffff] reserved');
    expect(log).toMatch(/Movable zone start for each node\n {2}Node 0: 0x00000000[0-9a-f]{8}\n/);
    expect(kernel.parameters.map((argument) => argument.name)).toEqual(['mem', 'memmap', 'movablecore']);
  });

  it('prints the user-defined memory map only after mem= or memmap= (e820__finish_early_params)', () => {
    const plain = withoutTime(boot({ memory: '2G', cmdline: 'quiet' }).dmesg());
    expect(plain).toContain('BIOS-provided physical RAM map:');
    expect(plain).not.toContain('user-defined physical RAM map');
    expect(plain).not.toMatch(/^user: /m);
    // mem= sets userdef even when it changes nothing.
    for (const cmdline of ['mem=64G', 'memmap=1M$0x7000000']) {
      expect(withoutTime(boot({ memory: '2G', cmdline }).dmesg())).toContain(
        '\nuser-defined physical RAM map:\nuser: ',
      );
    }
    expect(withoutTime(boot({ memory: '2G', profile: 'v4.8', cmdline: 'mem=1G' }).dmesg())).toContain(
      '\ne820: user-defined physical RAM map:\nuser: ',
    );
  });

  it('rejects a malformed parameter with an error naming it', () => {
    expect(() => boot({ memory: '4G', cmdline: 'mem=12Q' })).toThrow(KernelParamError);
    expect(() => boot({ memory: '4G', cmdline: 'mem=12Q' })).toThrow(/'mem=12Q' is malformed/);
    expect(() => boot({ memory: '12Q' })).toThrow(/memory size '12Q'/);
    expect(() => boot({ memory: '16M' })).toThrow(/too small/);
  });

  it('refuses, before allocating anything, a machine whose host memory estimate is above the limit', () => {
    expect(estimateHostBytes('8T')).toBe(2 ** 31 * HOST_BYTES_PER_PAGE_ESTIMATE);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => boot({ memory: '8T', hostMemoryLimit: 4 * 2 ** 30 })).toThrow(
      '8.0 TiB of RAM would take about 8.0 GiB of host memory (4 bytes a page), more than the 4.0 GiB it may use',
    );
    // Nothing allocated: an 8 TiB machine's page arrays alone are 24 GiB of array buffers.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(2 ** 20);
    expect(boot({ memory: '1G', hostMemoryLimit: 2 ** 30 }).memory.presentPages).toBeGreaterThan(0);
    // Past 2^33 pfns (32 TiB of physical address space) no machine is laid out: refused before booting.
    expect(() => boot({ memory: '32T' })).toThrow(
      /reach pfn 0x200040000: mmsim lays out physical memory below 32 TiB \(at most 32767G of RAM with the PCI hole\); it would take about 32\.0 GiB of host memory \(4 bytes a page\)$/,
    );
  });

  it('boots memory above 8 TiB, the per-page window: counted, free in whole MAX_PAGE_ORDER blocks, never used', () => {
    // 513 GiB above the window (its top 136 GiB the memmap), with a 5 MiB hole that leaves 3 MiB short of a
    // MAX_PAGE_ORDER block after it.
    const kernel = boot({ memory: '8704G', cmdline: 'memmap=5M$8300G' });
    const { memory, buddy } = kernel;
    expect(memory.maxPfn).toBeGreaterThan(PER_PAGE_PFNS);
    const allocated = kernel.bootAllocations.reduce((sum, block) => sum + (1 << block.order), 0);
    const reserved = memory.zones.reduce((sum, zone) => sum + zone.presentPages - zone.managedPages, 0);
    expect(buddy.totalFreePages() + allocated + reserved).toBe(memory.presentPages);
    const holeEnd = (8300 * 2 ** 30 + 5 * 2 ** 20) / 4096;
    expect(memory.memblockReserved).toContainEqual({
      start: holeEnd,
      end: holeEnd + 768,
      owner: 'above the per-page window',
    });
    // The short piece is reserved; the blocks after it are free, read as the kernel's would be.
    expect(memory.pageFlags(holeEnd + 1)).toBe(1 << memory.profile.pageFlags.bit.reserved);
    expect(memory.pageRefcount(holeEnd + 1)).toBe(1);
    const head = holeEnd + 768;
    expect(head % MAX_ORDER_NR_PAGES).toBe(0);
    expect(buddy.freeBlockOf(head + 5)).toEqual({ head, order: 10, migratetype: 1 });
    expect([memory.pageWord(head + 5), memory.pageRefcount(head + 5)]).toEqual([0, 0]);
    let above = 0;
    for (const zone of buddy.zones) buddy.forEachFreeBlock(zone, (pfn) => void (pfn >= PER_PAGE_PFNS && above++));
    const reservedAbove = memory.memblockReserved.reduce(
      (sum, { start, end }) => sum + Math.max(0, end - Math.max(start, PER_PAGE_PFNS)),
      0,
    );
    expect(above * MAX_ORDER_NR_PAGES).toBe(memory.maxPfn - PER_PAGE_PFNS - 1280 - reservedAbove);
    expect(above).toBeGreaterThan(90_000);
    // Using one fails with a clear error, before anything changed.
    const free = buddy.totalFreePages();
    expect(() => buddy.isolateFreeBlock(head)).toThrow(PerPageWindowError);
    expect(() => buddy.isolateFreeBlock(head)).toThrow(/^pfn 0x81b00800 is above 8 TiB \(pfn 0x80000000\)/);
    expect(() => memory.setPageFlag(head + 5, 1)).toThrow(PerPageWindowError);
    expect(() => buddy.isolateRange(head, head + MAX_ORDER_NR_PAGES)).toThrow(PerPageWindowError);
    expect(memory.pageblockMigratetype(head)).toBe(1);
    expect(buddy.totalFreePages()).toBe(free);
    // A workload needs every page: its machine must end within the window.
    expect(() => boot({ memory: '8192G', maxPfn: PER_PAGE_PFNS })).toThrow(
      /mmsim keeps per-page state below 8 TiB only, which a workload needs of all memory, so physical memory must end below it \(at most 8191G of RAM with the PCI hole\)/,
    );
  });

  it('reports unknown parameters in v6.18 (argv before envp) and passes module parameters silently', () => {
    const kernel = boot({ memory: '1G', cmdline: 'zeta=1 alpha usbcore.autosuspend=-1 BOOT_IMAGE=/vmlinuz -- single' });
    expect(withoutTime(kernel.dmesg())).toContain(
      'Unknown kernel command line parameters "alpha zeta=1", will be passed to user space.',
    );
    expect(withoutTime(boot({ memory: '1G', profile: 'v4.8', cmdline: 'alpha' }).dmesg())).not.toContain('Unknown');
  });

  it('boots NUMA machines with fallback order and policy zone lines', () => {
    const kernel = boot({ memory: '8G', nodes: 2, cpus: 4 });
    const log = withoutTime(kernel.dmesg());
    expect(log).toContain('Fallback order for Node 0: 0 1 \nFallback order for Node 1: 1 0 \nBuilt 2 zonelists');
    expect(log).toContain('Policy zone: Normal');
    expect(log).toMatch(/Initmem setup node 1 \[mem 0x0000000[0-9a-f]+-0x000000023fffffff\]/);
    expect(kernel.buddy.nodeOfCpu(3)).toBe(1);
  });

  it('boots FLATMEM and i386 machines', () => {
    const flat = boot({ memory: '2G', model: 'flatmem' });
    expect(flat.memory.sections.filter(Boolean)).toHaveLength(16);
    const i386 = boot({ memory: '2G', arch: 'i386' });
    expect(withoutTime(i386.dmesg())).toMatch(/ {2}HighMem {2}\[mem 0x0000000038000000-0x000000007fffffff\]/);
    expect(withoutTime(i386.dmesg())).toMatch(/, 0K cma-reserved, \d+K highmem\)/);
  });

  it('boots a 1 TiB machine', () => {
    const kernel = boot({ memory: '1T' });
    expect(kernel.memory.presentPages).toBe(2 ** 28 - 98);
    expect(kernel.memory.sections.filter(Boolean)).toHaveLength(8192);
    expect(kernel.buddy.totalFreePages()).toBeGreaterThan(2 ** 28 * 0.97);
  }, 120_000);
});

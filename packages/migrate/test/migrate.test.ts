import { type BootOptions, boot } from '@mm/kernel';
import { forEachPageOwnerRecord, pageOwner, RecordFormatter, reasonOf } from '@mm/page-owner';
import { PAGE_SIZE } from '@mm/physmem';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatExtfragIndex, formatUnusableIndex, migrate } from '../src/index';

/** A kernel with migration, and page_owner when the command line turns it on (to see the migrate reasons). */
function bootWith(options: BootOptions) {
  const features = /page_owner=on/.test(options.cmdline ?? '') ? [migrate(), pageOwner()] : [migrate()];
  const kernel = boot({ ...options, features });
  return Object.assign(kernel, kernel.feature(migrate)!);
}

describe('migrate_pages', () => {
  it.each(['v4.8', 'v6.18'] as const)(
    '%s: moves contents, flags, mappings and the owner record, with the reason',
    (profile) => {
      const kernel = bootWith({ memory: '256M', profile, cmdline: 'page_owner=on' });
      const { vm, memory, migration } = kernel;
      const task = vm.createProcess('app');
      const file = vm.createFile('/data', 2);
      const other = vm.createProcess('other');
      const anonAt = vm.mmap(task, { pages: 1 });
      const fileAt = vm.mmap(task, { pages: 2, file, shared: true });
      const otherAt = vm.mmap(other, { pages: 2, file, shared: true });
      const anon = vm.touch(task, anonAt, true);
      const shared = vm.touch(task, fileAt + PAGE_SIZE);
      vm.touch(other, otherAt + PAGE_SIZE);
      memory.directMap.write(anon, 100, Uint8Array.of(1, 2, 3));
      const formatter = new RecordFormatter(kernel.feature(pageOwner)!);
      const stackOf = (pfn: number) => formatter.record(pfn).split('\n').slice(2).join('\n');
      const anonStack = stackOf(anon);
      const free = kernel.buddy.totalFreePages();
      expect(
        migration.migratePages([anon, shared, 12345678 % memory.maxPfn], migration.reason('syscall_or_cpuset')),
      ).toBe(2);
      const newAnon = vm.translate(task, anonAt);
      const newShared = vm.translate(task, fileAt + PAGE_SIZE);
      expect(newAnon).not.toBe(anon);
      expect(vm.translate(other, otherAt + PAGE_SIZE)).toBe(newShared);
      expect(file.cachedPfn(1)).toBe(newShared);
      expect(memory.pageMapcount(newShared)).toBe(2);
      expect(memory.directMap.read(newAnon, 100, 3)).toEqual(Uint8Array.of(1, 2, 3));
      expect(memory.testPageFlag(newAnon, memory.profile.pageFlags.bit.lru)).toBe(true);
      expect(vm.isAnon(newAnon)).toBe(true);
      // The record moved with the page (same stack) and says why.
      expect(formatter.record(newAnon)).toContain('Page has been migrated, last migrate reason: syscall_or_cpuset');
      expect(stackOf(newAnon).replace(/Page has been migrated.*\n/, '')).toBe(anonStack);
      // No page gained or lost: the old pages are free again (the third pfn was not movable and failed).
      expect(kernel.buddy.totalFreePages()).toBe(free);
      expect(migration.stats).toEqual({ pgmigrate_success: 2, pgmigrate_fail: 1 });
    },
  );
});

describe('compaction', () => {
  it('loses nothing under random faults, writes, frees, migrations and compactions (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('touch' as const), page: fc.nat(255), value: fc.nat(255) }),
            fc.record({ op: fc.constant('discard' as const), page: fc.nat(255) }),
            fc.record({ op: fc.constant('migrate' as const), page: fc.nat(255) }),
            fc.record({ op: fc.constant('compact' as const) }),
          ),
          { maxLength: 120 },
        ),
        (ops) => {
          const kernel = bootWith({ memory: '128M', cmdline: 'page_owner=on' });
          const { vm, memory, migration, compaction } = kernel;
          const owner = kernel.feature(pageOwner)!;
          /** Pages page_owner itself holds: depot pools and v6.18 stack list slabs (they grow with new stacks). */
          const ownerPages = () => owner.depot.stats.pages + owner.listSlabPfns.length;
          const before = kernel.buddy.totalFreePages() + ownerPages();
          const task = vm.createProcess('app');
          const file = vm.createFile('/shm', 256, { shmem: true });
          const anonAt = vm.mmap(task, { pages: 256 });
          const fileAt = vm.mmap(task, { pages: 256, file, shared: true });
          /** What each page holds: its first byte, by address. */
          const written = new Map<number, number>();
          /** The page_owner stack of each page, by address, from its first fault. */
          const owners = new Map<number, number>();
          const handleOf = (pfn: number) => {
            const { records } = kernel.feature(pageOwner)!;
            return records.allocHandle(pfn >>> records.shift, pfn & records.mask);
          };
          for (const op of ops) {
            const address =
              (op.op !== 'compact' && op.page % 2 === 0 ? anonAt : fileAt) +
              ((op as { page: number }).page ?? 0) * PAGE_SIZE;
            if (op.op === 'touch') {
              const pfn = vm.touch(task, address, true);
              if (!owners.has(address)) owners.set(address, handleOf(pfn));
              memory.directMap.write(pfn, 0, Uint8Array.of(op.value));
              written.set(address, op.value);
            } else if (op.op === 'discard') {
              if (address < fileAt) {
                vm.discard(task, address, 1);
                written.delete(address);
                owners.delete(address);
              }
            } else if (op.op === 'migrate') {
              const pfn = vm.translate(task, address);
              if (pfn >= 0) migration.migratePages([pfn], migration.reason('compaction'));
            } else {
              compaction.compactMemory();
            }
          }
          for (const [address, value] of written) {
            const pfn = vm.translate(task, address);
            expect(memory.directMap.read(pfn, 0, 1)![0]).toBe(value);
            expect(handleOf(pfn)).toBe(owners.get(address));
          }
          // Every page page_owner shows as allocated is one we hold or the kernel's; exit gives all of ours back.
          let records = 0;
          forEachPageOwnerRecord(kernel.feature(pageOwner)!, () => records++);
          expect(records).toBeGreaterThanOrEqual(written.size);
          vm.exit(task);
          // Exactly: what is free, plus the tmpfs file's pages (they outlive the process), plus page_owner's own.
          expect(kernel.buddy.totalFreePages() + file.cachedPages + ownerPages()).toBe(before);
        },
      ),
      { numRuns: 25, seed: 5 },
    );
  });

  it('compacts directly when an allocation above order 3 fails, and the allocator retries with success', () => {
    const kernel = bootWith({ memory: '256M' });
    const { vm, buddy, compaction } = kernel;
    const g = kernel.profile.gfp.flags;
    const largeLeft = () => buddy.zones.some((zone) => zone.nrFree[9]! > 0 || zone.nrFree[10]! > 0);
    // Fault memory in until no large block is left, stopping short of the low watermarks (below them, reclaim and
    // then the OOM killer would step in).
    const low = buddy.zones.reduce((sum, zone) => sum + zone.watermark.low, 0);
    const task = vm.createProcess('app');
    const pages = buddy.totalFreePages();
    const start = vm.mmap(task, { pages });
    let touched = 0;
    while (
      touched < pages &&
      (touched % 512 !== 0 || largeLeft()) &&
      buddy.nrFreePages() > low + 1024 &&
      vm.touch(task, start + touched * PAGE_SIZE) >= 0
    ) {
      touched++;
    }
    for (let page = 1; page < touched; page += 2) vm.discard(task, start + page * PAGE_SIZE, 1);
    // The large blocks left: taken by requests that do not wait (no reclaim, no compaction).
    while (largeLeft() && buddy.allocPages(g.GFP_NOWAIT | g.NOWARN, 9) >= 0) {}
    expect(compaction.stats.compact_stall).toBe(0);
    // No free order-9 block anywhere: the allocation stalls, compaction runs, the retry succeeds.
    expect(buddy.allocPages(g.GFP_HIGHUSER_MOVABLE, 9)).toBeGreaterThanOrEqual(0);
    expect(compaction.stats.compact_stall).toBe(1);
    expect(kernel.feature(migrate)!.migration.stats.pgmigrate_success).toBeGreaterThan(0);
  });

  it('extfrag files: per populated zone, 11 orders, the kernel’s number formats', () => {
    const kernel = bootWith({ memory: '512M' });
    const unusable = formatUnusableIndex(kernel.buddy).split('\n').filter(Boolean);
    const extfrag = formatExtfragIndex(kernel.buddy).split('\n').filter(Boolean);
    expect(unusable.map((line) => line.slice(0, 21))).toEqual(['Node 0, zone      DMA', 'Node 0, zone    DMA32']);
    for (const line of unusable) expect(line).toMatch(/^Node 0, zone +\w+ (\d\.\d{3} ){11}$/);
    for (const line of extfrag) expect(line).toMatch(/^Node 0, zone +\w+ ((-1| 0)\.\d{3} ){11}$/);
    // A fresh machine: every order is available, so order 0 wastes nothing and no failure would be fragmentation.
    expect(unusable[1]).toMatch(/DMA32 0\.000 /);
    expect(extfrag[1]).toMatch(/DMA32 -1\.000 /);
  });
});

describe('other sources of migration', () => {
  it('memory hot-remove: the section’s pages move away, its page_ext bytes come back, the dump has nothing there', () => {
    const kernel = bootWith({ memory: '2G', cmdline: 'page_owner=on movablecore=512M' });
    const { vm, memory } = kernel;
    const task = vm.createProcess('app');
    const start = vm.mmap(task, { pages: 40_000 });
    for (let page = 0; page < 40_000; page++) {
      const pfn = vm.touch(task, start + page * PAGE_SIZE, true);
      // Contents on every 64th page (each written page costs the host 4 KiB).
      if (page % 64 === 0) memory.directMap.write(pfn, 0, Uint8Array.of(page & 0xff));
    }
    // The section of ZONE_MOVABLE holding most of the process's pages.
    const counts = new Map<number, number>();
    for (let page = 0; page < 40_000; page++) {
      const section = Math.floor(vm.translate(task, start + page * PAGE_SIZE) / memory.pagesPerSection);
      counts.set(section, (counts.get(section) ?? 0) + 1);
    }
    const nr = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    expect(kernel.memory.zoneOf(nr * memory.pagesPerSection)!.name).toBe('Movable');
    const inSection = (pfn: number) => Math.floor(pfn / memory.pagesPerSection) === nr;
    const pageExtBefore = kernel.pageExt!.totalBytes;
    const result = kernel.offlineSection(nr);
    expect(result).toEqual({ offlinedPages: memory.pagesPerSection, migratedPages: expect.any(Number) });
    expect(pageExtBefore - kernel.pageExt!.totalBytes).toBe(kernel.pageExt!.entryBytes * memory.pagesPerSection);
    // Every page still mapped, with its contents, none in the section; the moved ones say why.
    let moved = 0;
    for (let page = 0; page < 40_000; page++) {
      const pfn = vm.translate(task, start + page * PAGE_SIZE);
      expect(inSection(pfn)).toBe(false);
      if (page % 64 === 0) expect(memory.directMap.read(pfn, 0, 1)![0]).toBe(page & 0xff);
    }
    forEachPageOwnerRecord(kernel.feature(pageOwner)!, (pfn) => expect(inSection(pfn)).toBe(false));
    const { records } = kernel.feature(pageOwner)!;
    const hotplug = kernel.feature(migrate)!.migration.reason('memory_hotplug');
    let example = -1;
    forEachPageOwnerRecord(kernel.feature(pageOwner)!, (pfn) => {
      if (reasonOf(records.infoWord(pfn >>> records.shift, pfn & records.mask)) !== hotplug) return;
      moved++;
      example = pfn;
    });
    expect(new RecordFormatter(kernel.feature(pageOwner)!).record(example)).toContain(
      'Page has been migrated, last migrate reason: memory_hotplug\n',
    );
    expect(moved).toBe((result as { migratedPages: number }).migratedPages);
    expect(moved).toBeGreaterThan(0);
  });

  it('refuses to offline a section with kernel memory, changing nothing', () => {
    const kernel = bootWith({ memory: '1G', cmdline: 'page_owner=on' });
    const free = kernel.buddy.totalFreePages();
    expect(kernel.offlineSection(0)).toEqual({ error: expect.stringMatching(/unmovable page/) });
    expect(kernel.dmesg()).toMatch(/memory offlining \[mem 0x00000000-0x07ffffff\] failed due to unmovable page/);
    expect(kernel.buddy.totalFreePages()).toBe(free);
  });

  it('NUMA misplaced and migrate_pages(2): pages move to the node asked for, with their reasons', () => {
    const kernel = bootWith({ memory: '2G', nodes: 2, cpus: 2, cmdline: 'page_owner=on' });
    const { vm, memory, migration, buddy } = kernel;
    const nodeCpu = (node: number) => [0, 1].find((cpu) => buddy.nodeOfCpu(cpu) === node)!;
    const task = vm.createProcess('worker');
    const start = vm.mmap(task, { pages: 64 });
    // The task first runs on node 0's CPU: its pages land there.
    memory.current.runAs({ ...task, cpu: nodeCpu(0) }, () => {
      for (let page = 0; page < 64; page++) vm.touch(task, start + page * PAGE_SIZE);
    });
    const nodes = () =>
      Array.from({ length: 64 }, (_, page) => memory.nodeOf(vm.translate(task, start + page * PAGE_SIZE)));
    expect(new Set(nodes())).toEqual(new Set([0]));
    // It is scheduled on node 1: NUMA balancing pulls its pages over.
    expect(migration.numaBalance(task, nodeCpu(1))).toBe(64);
    expect(new Set(nodes())).toEqual(new Set([1]));
    const formatter = new RecordFormatter(kernel.feature(pageOwner)!);
    expect(formatter.record(vm.translate(task, start))).toContain('last migrate reason: numa_misplaced');
    // migrate_pages(2) sends them back.
    expect(migration.migrateTask(task, 0)).toBe(64);
    expect(new Set(nodes())).toEqual(new Set([0]));
    expect(formatter.record(vm.translate(task, start))).toContain('last migrate reason: syscall_or_cpuset');
  });
});

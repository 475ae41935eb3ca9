import { formatExtfragIndex, formatUnusableIndex } from '@mm/migrate';
import { forEachPageOwnerRecord, RecordFormatter } from '@mm/page-owner';
import { PAGE_SIZE } from '@mm/physmem';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boot } from '../src/index';

describe('migrate_pages', () => {
  it.each(['v4.8', 'v6.18'] as const)(
    '%s: moves contents, flags, mappings and the owner record, with the reason',
    (profile) => {
      const kernel = boot({ memory: '256M', profile, cmdline: 'page_owner=on' });
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
      const formatter = new RecordFormatter(kernel.pageOwner!);
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
          const kernel = boot({ memory: '128M', cmdline: 'page_owner=on' });
          const { vm, memory, migration, compaction } = kernel;
          const owner = kernel.pageOwner!;
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
            const { records } = kernel.pageOwner!;
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
          forEachPageOwnerRecord(kernel.pageOwner!, () => records++);
          expect(records).toBeGreaterThanOrEqual(written.size);
          vm.exit(task);
          // Exactly: what is free, plus the tmpfs file's pages (they outlive the process), plus page_owner's own.
          expect(kernel.buddy.totalFreePages() + file.cachedPages + ownerPages()).toBe(before);
        },
      ),
      { numRuns: 25, seed: 5 },
    );
  });

  it('extfrag files: per populated zone, 11 orders, the kernel’s number formats', () => {
    const kernel = boot({ memory: '512M' });
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

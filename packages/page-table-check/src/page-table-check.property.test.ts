import { boot, type Kernel } from '@mm/kernel';
import { migrate } from '@mm/migrate';
import { PAGE_SIZE } from '@mm/physmem';
import type { VmFile, VmTask } from '@mm/vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PageTableCheck, pageTableCheck } from './index';

/**
 * The mappings every simulated process has, 8 pages each: anonymous private, file private and shared (one file),
 * shmem shared, and anonymous read-only. Few pages, so that steps meet the pages earlier steps mapped.
 */
const MAPPINGS = 5;
const PAGES = 8;

interface Process {
  task: VmTask;
  /** Start address of each mapping. */
  starts: number[];
}

/** One legal step of user space, or of the kernel acting on user pages. */
type Op =
  | { kind: 'touch'; process: number; mapping: number; page: number; write: boolean }
  | { kind: 'munmap'; process: number; mapping: number; page: number; pages: number }
  | { kind: 'discard'; process: number; mapping: number; page: number; pages: number }
  | { kind: 'exit'; process: number }
  | { kind: 'migrate'; which: number }
  | { kind: 'reclaim'; which: number }
  | { kind: 'read'; page: number; pages: number }
  | { kind: 'oomReap'; process: number };

const process = fc.nat(2);
const mapping = fc.nat(MAPPINGS - 1);
const page = fc.nat(PAGES - 1);
const pages = fc.integer({ min: 1, max: PAGES });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('touch'), process, mapping, page, write: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('munmap'), process, mapping, page, pages }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('discard'), process, mapping, page, pages }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('exit'), process }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('migrate'), which: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reclaim'), which: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('read'), page, pages }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('oomReap'), process }) },
);

/** A process with its five mappings; the threads of process 0 share its address space. */
function spawn(kernel: Kernel, files: { lib: VmFile; shm: VmFile }, name: string): Process {
  const { vm } = kernel;
  const task = vm.createProcess(name);
  const starts = [
    vm.mmap(task, { pages: PAGES }),
    vm.mmap(task, { pages: PAGES, file: files.lib }),
    vm.mmap(task, { pages: PAGES, file: files.lib, shared: true }),
    vm.mmap(task, { pages: PAGES, file: files.shm, shared: true }),
    vm.mmap(task, { pages: PAGES, write: false }),
  ];
  return { task, starts };
}

/**
 * The vm's own view: for every page some entry maps, the number of entries (walking every live process's page
 * tables) and whether the page is anonymous.
 */
function entries(kernel: Kernel, processes: readonly Process[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const { task } of processes) {
    if (!kernel.vm.tasks.has(task.pid)) continue;
    for (const vma of task.mm.vmas) {
      for (const entry of vma.pte) if (entry !== 0) counts.set(entry - 1, (counts.get(entry - 1) ?? 0) + 1);
    }
  }
  return counts;
}

function expectCountsMatchTheVm(kernel: Kernel, check: PageTableCheck, processes: Process[], seen: Set<number>) {
  const { vm, memory } = kernel;
  const mapped = entries(kernel, processes);
  let anon = 0;
  let file = 0;
  for (const [pfn, count] of mapped) {
    seen.add(pfn);
    // The vm's mapcount is the entries that map the page, and page_table_check counts them by the page's kind.
    expect(memory.pageMapcount(pfn)).toBe(count);
    if (vm.isAnon(pfn)) anon += count;
    else file += count;
    expect([check.anonMapCount(pfn), check.fileMapCount(pfn)]).toEqual(vm.isAnon(pfn) ? [count, 0] : [0, count]);
  }
  // Every page that was ever mapped and is not now: both counts back at zero.
  for (const pfn of seen) {
    if (mapped.has(pfn)) continue;
    expect([pfn, check.anonMapCount(pfn), check.fileMapCount(pfn)]).toEqual([pfn, 0, 0]);
  }
  expect(check.totals()).toEqual({ anon, file });
}

describe('page_table_check under legal map and unmap sequences (property)', () => {
  it('never reports, and keeps its counts equal to the vm mapcounts, through faults, COW, zaps, migration, reclaim and OOM reaping', () => {
    const totals = { migrated: 0, reclaimed: 0, entries: 0 };
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 80 }), (ops) => {
        const kernel = boot({
          memory: '256M',
          cmdline: 'page_table_check=on',
          features: [pageTableCheck(), migrate()],
        });
        const check = kernel.feature(pageTableCheck)!;
        const { migration } = kernel.feature(migrate)!;
        const { vm } = kernel;
        const files = {
          lib: vm.createFile('/usr/lib/x86_64-linux-gnu/libz.so.1', PAGES),
          shm: vm.createFile('/dev/shm/ring', PAGES, { shmem: true }),
        };
        const processes = [0, 1, 2].map((index) => spawn(kernel, files, `p${index}`));
        const seen = new Set<number>();
        let migrated = 0;
        let reclaimed = 0;
        const alive = (index: number) => {
          let current = processes[index]!;
          if (!vm.tasks.has(current.task.pid)) {
            current = spawn(kernel, files, `p${index}`);
            processes[index] = current;
          }
          return current;
        };
        for (const step of ops) {
          switch (step.kind) {
            case 'touch': {
              const { task, starts } = alive(step.process);
              const pfn = vm.touch(task, starts[step.mapping]! + step.page * PAGE_SIZE, step.write);
              if (pfn >= 0) seen.add(pfn);
              break;
            }
            case 'munmap':
            case 'discard': {
              const { task, starts } = alive(step.process);
              const address = starts[step.mapping]! + step.page * PAGE_SIZE;
              const count = Math.min(step.pages, PAGES - step.page);
              if (step.kind === 'munmap') vm.munmap(task, address, count);
              else vm.discard(task, address, count);
              break;
            }
            case 'exit':
              vm.exit(alive(step.process).task);
              break;
            case 'migrate':
            case 'reclaim': {
              // One of the pages mapped now, by its place in the vm's own list.
              const mapped = [...entries(kernel, processes).keys()];
              if (mapped.length === 0) break;
              const pfn = mapped[step.which % mapped.length]!;
              if (step.kind === 'migrate') migrated += migration.migratePages([pfn], migration.reason('compaction'));
              else if (vm.reclaimFilePage(pfn, 'cacheFree') === 'reclaimed') reclaimed++;
              break;
            }
            case 'read':
              vm.readFile(alive(0).task, files.lib, step.page, step.pages);
              break;
            case 'oomReap': {
              const victim = alive(step.process).task;
              vm.reapTask(victim);
              vm.exit(victim);
              break;
            }
          }
        }
        totals.migrated += migrated;
        totals.reclaimed += reclaimed;
        totals.entries += check.stats.entriesSet;
        expect(check.bugs).toEqual([]);
        expect(kernel.dmesg()).not.toContain('kernel BUG at');
        expect(kernel.dmesg()).not.toContain('Bad page state');
        expectCountsMatchTheVm(kernel, check, processes, seen);
        // And after everyone exits, nothing is left mapped.
        for (const { task } of processes) if (vm.tasks.has(task.pid)) vm.exit(task);
        expect(check.totals()).toEqual({ anon: 0, file: 0 });
        expect(check.bugs).toEqual([]);
      }),
      { numRuns: 60 },
    );
    // The runs did meet migration and reclaim of mapped pages, not only faults and zaps.
    expect(totals.migrated).toBeGreaterThan(50);
    expect(totals.reclaimed).toBeGreaterThan(5);
    expect(totals.entries).toBeGreaterThan(500);
  });
});

import { BuddyAllocator } from '@mm/buddy';
import { createHookBus } from '@mm/hooks';
import { getProfile, PAGE_SIZE, PageType, PhysicalMemory, type ProfileName } from '@mm/physmem';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noIdleFlags } from './idle-flags';
import { PteBits } from './pte';
import { Vm } from './vm';

/** A 256 MiB machine with every free page in the allocator, and its vm. */
function machine(profile: ProfileName = 'v6.18') {
  const memory = new PhysicalMemory({ memory: 256 * 2 ** 20, profile: getProfile(profile) });
  const hooks = createHookBus();
  const buddy = new BuddyAllocator(memory, hooks);
  buddy.freeAllMemory();
  const vm = new Vm({ memory, buddy, hooks });
  return { memory, hooks, buddy, vm };
}

describe('page faults and the page tables', () => {
  it('faults anonymous pages in with the gfp of the 6.18 sample, on the LRU, mapped once', () => {
    const { vm, memory, hooks } = machine();
    const g = memory.profile.gfp.flags;
    const bit = memory.profile.pageFlags.bit;
    const gfps: number[] = [];
    hooks.post_alloc.subscribe((_pfn, _order, gfp) => gfps.push(gfp));
    const task = vm.createProcess('app');
    const start = vm.mmap(task, { pages: 4 });
    const pfn = vm.touch(task, start + PAGE_SIZE + 123, true);
    expect(pfn).toBeGreaterThanOrEqual(0);
    // A PTE page first, then the page itself.
    // As the 6.18 sample shows them: GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP, GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP.
    expect(gfps).toEqual([g.GFP_KERNEL_ACCOUNT | g.ZERO | g.COMP, g.GFP_HIGHUSER_MOVABLE | g.ZERO | g.COMP]);
    expect(memory.pageMapcount(pfn)).toBe(1);
    expect(memory.testPageFlag(pfn, bit.lru)).toBe(true);
    expect(memory.testPageFlag(pfn, bit.swapbacked)).toBe(true);
    expect(memory.testPageFlag(pfn, bit.active)).toBe(false); // v6.18: the inactive list
    expect(vm.isAnon(pfn)).toBe(true);
    expect(memory.testPageFlag(pfn, bit.owner_2)).toBe(true); // PG_anon_exclusive
    expect(vm.lru.inactive_anon).toBe(1);
    expect(vm.translate(task, start + PAGE_SIZE)).toBe(pfn);
    expect(vm.translate(task, start)).toBe(-1);
    // Touching again is not a fault.
    expect(vm.touch(task, start + PAGE_SIZE)).toBe(pfn);
    expect(vm.events.pgfault).toBe(1);
    expect(gfps).toHaveLength(2);
    const tables = [...task.mm.pageTables.values()];
    expect(tables).toHaveLength(1);
    expect(memory.pageType(tables[0]!)).toBe(PageType.table);
  });

  it('v4.8 puts a new anonymous page on the active list, with v4.8 gfp masks (no __GFP_COMP)', () => {
    const { vm, memory, hooks } = machine('v4.8');
    const g = memory.profile.gfp.flags;
    const gfps: number[] = [];
    hooks.post_alloc.subscribe((_pfn, _order, gfp) => gfps.push(gfp));
    const task = vm.createProcess('app');
    const pfn = vm.touch(task, vm.mmap(task, { pages: 1 }));
    expect(memory.testPageFlag(pfn, memory.profile.pageFlags.bit.active)).toBe(true);
    expect(vm.lru.active_anon).toBe(1);
    expect(gfps).toEqual([g.GFP_KERNEL_ACCOUNT | g.ZERO | g.NOTRACK, g.GFP_HIGHUSER_MOVABLE | g.ZERO]);
    const file = vm.createFile('/f', 1);
    vm.readFile(task, file, 0, 1);
    expect(gfps[2]).toBe(g.GFP_HIGHUSER_MOVABLE | g.COLD | g.NORETRY | g.NOWARN);
  });

  it('sets accessed on every touch and dirty on a write, without a fault', () => {
    const { vm } = machine();
    const task = vm.createProcess('app');
    const start = vm.mmap(task, { pages: 2 });
    vm.touch(task, start);
    const vma = task.mm.vmas[0]!;
    expect(vma.bits[0]! & PteBits.ACCESSED).not.toBe(0);
    expect(vma.bits[0]! & PteBits.DIRTY).toBe(0);
    vma.bits[0]! &= ~PteBits.ACCESSED;
    vm.touch(task, start, true);
    expect(vma.bits[0]! & (PteBits.ACCESSED | PteBits.DIRTY)).toBe(PteBits.ACCESSED | PteBits.DIRTY);
    expect(vm.events.pgfault).toBe(1);
  });

  it('refuses accesses outside mappings and writes to read-only ones (SIGSEGV), changing nothing', () => {
    const { vm, buddy } = machine();
    const task = vm.createProcess('app');
    const start = vm.mmap(task, { pages: 1, write: false });
    const free = buddy.totalFreePages();
    expect(vm.touch(task, start - PAGE_SIZE)).toBe(-1);
    expect(vm.touch(task, start, true)).toBe(-1);
    expect(vm.events.segfault).toBe(2);
    expect(buddy.totalFreePages()).toBe(free);
    expect(vm.touch(task, start)).toBeGreaterThanOrEqual(0);
  });

  it('rejects bad mmap and munmap requests with clear errors', () => {
    const { vm } = machine();
    const task = vm.createProcess('app');
    const file = vm.createFile('/data', 4);
    expect(() => vm.mmap(task, { pages: 0 })).toThrow(/0 pages/);
    expect(() => vm.mmap(task, { pages: 5, file })).toThrow(/beyond the 4 of '\/data'/);
    expect(() => vm.mmap(task, { pages: 1, address: 4097 })).toThrow(/not aligned/);
    const start = vm.mmap(task, { pages: 2 });
    expect(() => vm.mmap(task, { pages: 1, address: start })).toThrow(/is mapped/);
    expect(() => vm.munmap(task, start + 1, 1)).toThrow(/not aligned/);
    expect(() => vm.createProcess('other', task.pid)).toThrow(/taken/);
  });
});

describe('the page cache', () => {
  it('read() caches pages with readahead gfp on the inactive file list and marks them accessed', () => {
    const { vm, memory, hooks } = machine();
    const g = memory.profile.gfp.flags;
    const bit = memory.profile.pageFlags.bit;
    const gfps: number[] = [];
    hooks.post_alloc.subscribe((_pfn, _order, gfp) => gfps.push(gfp));
    const task = vm.createProcess('cat');
    const file = vm.createFile('/etc/passwd', 3);
    expect(vm.readFile(task, file, 0, 5)).toBe(3);
    // GFP_NOFS|__GFP_HIGHMEM|__GFP_MOVABLE|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_HARDWALL, as ftrace shows it.
    expect(gfps).toEqual(Array(3).fill((g.GFP_HIGHUSER_MOVABLE & ~g.FS) | g.NORETRY | g.NOWARN | g.COMP));
    const pfn = file.cachedPfn(0);
    expect(memory.testPageFlag(pfn, bit.referenced)).toBe(true);
    expect(memory.testPageFlag(pfn, bit.uptodate)).toBe(true);
    expect(vm.lru.inactive_file).toBe(3);
    // A second read activates (mark_page_accessed on a referenced inactive page).
    vm.readFile(task, file, 0, 1);
    expect(memory.testPageFlag(pfn, bit.active)).toBe(true);
    expect(memory.testPageFlag(pfn, bit.referenced)).toBe(false);
    expect(vm.lru).toMatchObject({ inactive_file: 2, active_file: 1 });
    expect(vm.events.pgactivate).toBe(1);
    // Cached pages are not allocated again.
    vm.readFile(task, file, 0, 3);
    expect(gfps).toHaveLength(3);
  });

  it('shares file pages between mappings; a private write copies the page (COW) without zeroing', () => {
    const { vm, memory, hooks } = machine();
    const g = memory.profile.gfp.flags;
    const gfps: number[] = [];
    hooks.post_alloc.subscribe((_pfn, _order, gfp) => gfps.push(gfp));
    const file = vm.createFile('/lib/libc.so.6', 8);
    const a = vm.createProcess('a');
    const b = vm.createProcess('b');
    const atA = vm.mmap(a, { pages: 8, file, write: true });
    const atB = vm.mmap(b, { pages: 8, file, shared: true });
    const page = vm.touch(a, atA + 2 * PAGE_SIZE);
    expect(vm.touch(b, atB + 2 * PAGE_SIZE)).toBe(page);
    expect(memory.pageMapcount(page)).toBe(2);
    const copy = vm.touch(a, atA + 2 * PAGE_SIZE, true);
    expect(copy).not.toBe(page);
    expect(vm.isAnon(copy)).toBe(true);
    expect(gfps.at(-1)).toBe(g.GFP_HIGHUSER_MOVABLE | g.COMP);
    expect(memory.pageMapcount(page)).toBe(1);
    expect(vm.events.cowFault).toBe(1);
    // Writing through the shared mapping writes the file page itself.
    expect(vm.touch(b, atB + 2 * PAGE_SIZE, true)).toBe(page);
  });

  it('backs shared anonymous memory with a tmpfs file, /dev/zero (deleted)', () => {
    const { vm, memory } = machine();
    const task = vm.createProcess('app');
    const start = vm.mmap(task, { pages: 2, shared: true });
    const pfn = vm.touch(task, start);
    expect(vm.isAnon(pfn)).toBe(false);
    const vma = task.mm.vmas[0]!;
    expect(vma.file).toMatchObject({ name: '/dev/zero (deleted)', shmem: true, major: 0, minor: 1 });
    expect(memory.testPageFlag(pfn, memory.profile.pageFlags.bit.swapbacked)).toBe(true);
    expect(vm.lru.inactive_anon).toBe(1);
  });

  it('drop_caches frees unmapped page cache pages only', () => {
    const { vm, buddy } = machine();
    const task = vm.createProcess('app');
    const file = vm.createFile('/data', 4);
    vm.readFile(task, file, 0, 4);
    vm.touch(task, vm.mmap(task, { pages: 1, file, offset: 1 }));
    const free = buddy.totalFreePages();
    expect(vm.dropCaches()).toBe(3);
    expect(buddy.totalFreePages()).toBe(free + 3);
    expect(file.cachedPages).toBe(1);
    expect(file.cachedPfn(1)).toBeGreaterThanOrEqual(0);
  });
});

describe('munmap and exit', () => {
  it('frees anonymous pages and page tables, keeps file pages cached, and gives all memory back at exit', () => {
    const { vm, buddy, memory } = machine();
    const before = buddy.totalFreePages();
    const task = vm.createProcess('app');
    const file = vm.createFile('/data', 16);
    const anon = vm.mmap(task, { pages: 600 });
    const mapped = vm.mmap(task, { pages: 16, file, shared: true });
    for (let page = 0; page < 600; page++) vm.touch(task, anon + page * PAGE_SIZE, page % 2 === 0);
    for (let page = 0; page < 16; page++) vm.touch(task, mapped + page * PAGE_SIZE, true);
    // Punch a hole in the middle: the mapping splits, the pages after it keep their reverse map.
    vm.munmap(task, anon + 100 * PAGE_SIZE, 50);
    expect(task.mm.vmas).toHaveLength(3);
    const tail = vm.translate(task, anon + 200 * PAGE_SIZE);
    const owner = vm.vma(-vm.rmap.mappingOf(tail))!;
    expect(owner.start * PAGE_SIZE).toBe(anon + 150 * PAGE_SIZE);
    expect(vm.rmap.indexOf(tail)).toBe(50);
    expect(vm.mappedPages(task)).toBe(550 + 16);
    vm.exit(task);
    // The file's pages stay cached (dirty from the writes, accessed: zapping young entries marked them), everything
    // else is back.
    expect(file.cachedPages).toBe(16);
    const dirty = memory.profile.pageFlags.bit.dirty;
    expect(memory.testPageFlag(file.cachedPfn(3), dirty)).toBe(true);
    expect(buddy.totalFreePages()).toBe(before - 16);
    expect(vm.lru).toEqual({ inactive_anon: 0, active_anon: 0, inactive_file: 16, active_file: 0 });
  });

  it('a thread shares the address space; the last one out frees it', () => {
    const { vm, buddy } = machine();
    const before = buddy.totalFreePages();
    const leader = vm.createProcess('app');
    const thread = vm.createThread(leader);
    const start = vm.mmap(leader, { pages: 3 });
    vm.touch(thread, start);
    expect(vm.translate(leader, start)).toBe(vm.translate(thread, start));
    expect(thread.tgid).toBe(leader.pid);
    vm.exit(leader);
    expect(vm.translate(thread, start)).toBeGreaterThanOrEqual(0);
    vm.exit(thread);
    expect(buddy.totalFreePages()).toBe(before);
  });
});

describe('page_referenced and mark_page_accessed with idle flags', () => {
  it('counts mappings with the accessed bit, clears them and Idle, and takes Young as one reference', () => {
    const { vm } = machine();
    expect(vm.idleFlags).toBe(noIdleFlags);
    const flags = vm.enableIdleFlags();
    expect(vm.enableIdleFlags()).toBe(flags);
    const file = vm.createFile('/shared', 1);
    const a = vm.createProcess('a');
    const b = vm.createProcess('b');
    const pfn = vm.touch(a, vm.mmap(a, { pages: 1, file, shared: true }));
    vm.touch(b, vm.mmap(b, { pages: 1, file, shared: true }));
    flags.setIdle(pfn);
    expect(vm.pageReferenced(pfn)).toBe(2);
    expect(flags.isIdle(pfn)).toBe(false);
    expect(vm.pageReferenced(pfn)).toBe(0);
    // Idle tracking consumed an access: Young stands for it, once.
    flags.setYoung(pfn);
    expect(vm.pageReferenced(pfn)).toBe(1);
    expect(flags.isYoung(pfn)).toBe(false);
    expect(vm.pageReferenced(pfn)).toBe(0);
  });

  it('walks the reverse map: every entry mapping a page, until the visitor stops', () => {
    const { vm } = machine();
    const file = vm.createFile('/shared', 1);
    const tasks = ['a', 'b', 'c'].map((comm) => vm.createProcess(comm));
    const pfn = vm.touch(tasks[0]!, vm.mmap(tasks[0]!, { pages: 1, file, shared: true }));
    for (const task of tasks.slice(1)) vm.touch(task, vm.mmap(task, { pages: 1, file, shared: true }));
    const seen: number[] = [];
    vm.rmapWalk(pfn, (vma, slot) => {
      seen.push(vma.mm.id);
      expect(vma.pte[slot]).toBe(pfn + 1);
      // ptep_clear_young_notify(): the accessed bit of the fault, reported once.
      expect(vma.clearYoung(slot)).toBe(true);
      expect(vma.clearYoung(slot)).toBe(false);
      return true;
    });
    expect(seen.sort()).toEqual(tasks.map((task) => task.mm.id).sort());
    let visits = 0;
    vm.rmapWalk(pfn, () => {
      visits++;
      return false;
    });
    expect(visits).toBe(1);
    const anon = vm.touch(tasks[0]!, vm.mmap(tasks[0]!, { pages: 1 }));
    visits = 0;
    vm.rmapWalk(anon, () => ++visits > 0);
    expect(visits).toBe(1);
    vm.exit(tasks[0]!);
    visits = 0;
    vm.rmapWalk(anon, () => ++visits > 0);
    expect(visits).toBe(0);
  });

  it('mark_page_accessed clears Idle', () => {
    const { vm } = machine();
    const flags = vm.enableIdleFlags();
    const task = vm.createProcess('cat');
    const file = vm.createFile('/f', 1);
    vm.readFile(task, file, 0, 1);
    const pfn = file.cachedPfn(0);
    flags.setIdle(pfn);
    vm.readFile(task, file, 0, 1);
    expect(flags.isIdle(pfn)).toBe(false);
  });
});

describe('invariants under random use (property)', () => {
  it('mapcounts match the page tables, LRU counts match the flags, and exit returns every anonymous page', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            task: fc.nat(2),
            kind: fc.constantFrom('anon', 'file', 'shared', 'unmap', 'read'),
            page: fc.nat(63),
            write: fc.boolean(),
          }),
          { maxLength: 150 },
        ),
        (ops) => {
          const { vm, memory, buddy } = machine();
          const before = buddy.totalFreePages();
          const file = vm.createFile('/data', 64);
          const tasks = [0, 1, 2].map((index) => vm.createProcess(`t${index}`));
          const starts = tasks.map((task) => ({
            anon: vm.mmap(task, { pages: 64 }),
            file: vm.mmap(task, { pages: 64, file }),
            shared: vm.mmap(task, { pages: 64, file, shared: true }),
          }));
          for (const op of ops) {
            const task = tasks[op.task]!;
            const at = starts[op.task]!;
            if (op.kind === 'unmap') vm.munmap(task, at.anon + op.page * PAGE_SIZE, 1);
            else if (op.kind === 'read') vm.readFile(task, file, op.page, 1);
            else vm.touch(task, at[op.kind] + op.page * PAGE_SIZE, op.write);
          }
          // Every present entry counts once in its page's mapcount.
          const counted = new Map<number, number>();
          for (const task of tasks) {
            for (const vma of task.mm.vmas) {
              for (const entry of vma.pte) if (entry !== 0) counted.set(entry - 1, (counted.get(entry - 1) ?? 0) + 1);
            }
          }
          for (const [pfn, count] of counted) expect(memory.pageMapcount(pfn)).toBe(count);
          const lruBit = memory.profile.pageFlags.bit.lru;
          const onLru = [...counted.keys(), ...Array.from(file.cache, (entry) => entry - 1)].filter(
            (pfn, index, all) => pfn >= 0 && all.indexOf(pfn) === index && memory.testPageFlag(pfn, lruBit),
          );
          const lru = vm.lru;
          expect(lru.inactive_anon + lru.active_anon + lru.inactive_file + lru.active_file).toBe(onLru.length);
          for (const task of tasks) vm.exit(task);
          expect(buddy.totalFreePages()).toBe(before - file.cachedPages);
        },
      ),
      { numRuns: 60, seed: 7 },
    );
  });
});

describe('host memory', () => {
  it('stays within 16 bytes per mapped page', () => {
    const { vm } = machine();
    const task = vm.createProcess('big');
    const pages = 40_000;
    const start = vm.mmap(task, { pages });
    for (let page = 0; page < pages; page++) vm.touch(task, start + page * PAGE_SIZE);
    expect(vm.hostBytes() / pages).toBeLessThanOrEqual(16);
  });
});

import { BuddyAllocator } from '@mm/buddy';
import { createHookBus } from '@mm/hooks';
import { getProfile, MEMCG_ROOT, PAGE_SIZE, PhysicalMemory, type ProfileName, VmCountersBuilder } from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import { LruList } from './lru-lists';
import { Vm } from './vm';
import { inactiveIsLow } from './vmscan';

/** A 128 MiB machine with every free page in the allocator, and its vm. */
function machine(profile: ProfileName = 'v6.18') {
  const memory = new PhysicalMemory({ memory: 128 * 2 ** 20, profile: getProfile(profile) });
  const hooks = createHookBus();
  const buddy = new BuddyAllocator(memory, hooks);
  buddy.freeAllMemory();
  const vm = new Vm({ memory, buddy, hooks });
  return { memory, buddy, vm };
}

/** The vm's and reclaim's events by name. */
function events(vm: Vm): Map<string, number> {
  const counters = new VmCountersBuilder(vm.memory.zones.length, vm.memory.nodes.length);
  vm.addCounters(counters);
  vm.vmscan.addCounters(counters);
  return counters.events;
}

describe.each(['v4.8', 'v6.18'] as const)('page reclaim (%s)', (profile) => {
  it('kswapd, woken by the allocator below the low watermark, balances the node at its high watermark', () => {
    const { vm, buddy } = machine(profile);
    const reader = vm.createProcess('cat');
    const file = vm.createFile('/big', 64 * 1024);
    // Read more than memory: the allocator wakes kswapd; it runs when time passes (background()).
    for (let index = 0; index < file.pages; index += 256) {
      vm.readFile(reader, file, index, 256);
      vm.background();
    }
    const counts = events(vm);
    expect(counts.get('pgsteal_kswapd')).toBeGreaterThan(0);
    expect(counts.get('pageoutrun')).toBeGreaterThan(0);
    // Every page read is cached or was reclaimed: the page cache never outgrew memory.
    expect(file.cachedPages + counts.get('pgsteal_kswapd')! + (counts.get('pgsteal_direct') ?? 0)).toBe(file.pages);
    // After kswapd's run, a zone of the node is above its high watermark.
    vm.vmscan.wakeKswapd(0, buddy.zones.length - 1);
    vm.vmscan.runKswapd();
    expect(buddy.zones.some((zone) => zone.zone.managedPages > 0 && zone.freePages >= zone.watermark.high)).toBe(true);
  });

  it('direct reclaim frees page cache for an allocation that cannot wait for kswapd', () => {
    const { vm, buddy } = machine(profile);
    const reader = vm.createProcess('cat');
    const file = vm.createFile('/big', 64 * 1024);
    // Never letting time pass: kswapd never runs, the allocating task reclaims for itself.
    expect(vm.readFile(reader, file, 0, file.pages)).toBe(file.pages);
    const counts = events(vm);
    expect(counts.get('pgsteal_direct')).toBeGreaterThan(0);
    expect(counts.get('pgsteal_kswapd') ?? 0).toBe(0);
    expect([...counts.keys()].some((name) => name.startsWith('allocstall_'))).toBe(true);
    expect(buddy.stats.allocFailures).toBe(0);
  });

  it('keeps pages referenced through their mappings, and activates what is referenced twice', () => {
    const { vm, memory } = machine(profile);
    const task = vm.createProcess('app');
    const file = vm.createFile('/lib/libc.so.6', 64);
    const text = vm.mmap(task, { file, pages: 64, write: false, exec: true });
    for (let page = 0; page < 64; page++) vm.touch(task, text + page * PAGE_SIZE);
    const pfn = vm.translate(task, text);
    const node = memory.nodeOf(pfn);
    expect(vm.lruListOf(pfn)).toBe(LruList.inactive_file);
    // Reclaim everything it can: the mapped, recently used, executable pages go to the active list instead.
    const reader = vm.createProcess('cat');
    const big = vm.createFile('/big', 64 * 1024);
    vm.readFile(reader, big, 0, big.pages);
    expect(vm.translate(task, text)).toBe(pfn);
    expect(vm.lruListOf(pfn)).toBe(LruList.active_file);
    expect(vm.lruLists.size(node, LruList.active_file)).toBeGreaterThanOrEqual(64);
  });

  it('leaves dirty pages to the flusher, and counts a page read again after eviction as a refault', () => {
    const { vm } = machine(profile);
    const writer = vm.createProcess('dd');
    const log = vm.createFile('/var/log/big', 8 * 1024);
    vm.writeFile(writer, log, 0, log.pages);
    expect(vm.dirtyPages).toBe(log.pages);
    const reader = vm.createProcess('cat');
    const big = vm.createFile('/big', 64 * 1024);
    vm.readFile(reader, big, 0, big.pages);
    // Nothing dirty was evicted: reclaim cannot write.
    expect(log.cachedPages).toBe(log.pages);
    expect(vm.writeback()).toBe(log.pages);
    expect(vm.dirtyPages).toBe(0);
    // The start of /big was evicted long ago: reading it again is a refault (a shadow entry was left).
    const before = vm.events.workingsetRefault;
    vm.readFile(reader, big, 0, 16);
    expect(vm.events.workingsetRefault - before).toBe(16);
  });
});

describe('the OOM killer', () => {
  it('kills the process with the most memory, reaps it, and the allocation that invoked it succeeds', () => {
    const { vm, memory, buddy } = machine();
    const small = vm.createProcess('small');
    const smallStart = vm.mmap(small, { pages: 64 });
    for (let page = 0; page < 64; page++) vm.touch(small, smallStart + page * PAGE_SIZE, true);
    const hog = vm.createProcess('hog');
    const pages = buddy.totalFreePages();
    const start = vm.mmap(hog, { pages });
    let touched = 0;
    while (touched < pages && !hog.mm.oomKilled && vm.touch(hog, start + touched * PAGE_SIZE, true) >= 0) touched++;
    expect(hog.mm.oomKilled).toBe(true);
    expect(small.mm.oomKilled).toBe(false);
    expect(vm.oomKiller.kills).toBe(1);
    // The reaper freed the hog's anonymous memory at once.
    expect(hog.mm.rss.anon).toBeLessThanOrEqual(1);
    expect(buddy.totalFreePages()).toBeGreaterThan(touched / 2);
    expect(memory.log.text()).toMatch(/hog invoked oom-killer: gfp_mask=0x[0-9a-f]+/);
    expect(memory.log.text()).toMatch(/Out of memory: Killed process \d+ \(hog\)/);
  });

  it('kills nothing for a request without __GFP_FS, and fails it', () => {
    const { vm, memory } = machine();
    const task = vm.createProcess('app');
    const start = vm.mmap(task, { pages: 16 });
    vm.touch(task, start, true);
    expect(vm.oomKiller.outOfMemory(memory.profile.gfp.flags.GFP_NOFS, 0)).toBe(false);
    expect(vm.oomKiller.kills).toBe(0);
  });
});

describe('memory cgroup charges', () => {
  it('charges user pages to the task cgroup, kernel memory through objcg, and uncharges at free', () => {
    const { vm, memory } = machine();
    const memcg = memory.memcg.cgroup('session-2.scope');
    const task = vm.createProcess('app', 2000, memcg);
    const start = vm.mmap(task, { pages: 1 });
    const pfn = vm.touch(task, start, true);
    expect(memory.memcg.pageData(pfn)).toBe(memcg);
    // The page table (GFP_PGTABLE_USER has __GFP_ACCOUNT) is kernel memory charged through the objcg.
    const [table] = task.mm.pageTables.values();
    expect(memory.memcg.pageData(table!)).toBe(memcg | 0x8000);
    vm.exit(task);
    expect(memory.memcg.pageData(pfn)).toBe(0);
    expect(memory.memcg.pageData(table!)).toBe(0);
    // A task in no cgroup charges the root: user pages only (the root has no objcg).
    const root = vm.createProcess('init');
    const rootStart = vm.mmap(root, { pages: 1 });
    expect(memory.memcg.pageData(vm.touch(root, rootStart, true))).toBe(MEMCG_ROOT);
  });
});

describe('inactiveIsLow()', () => {
  it('is the kernel inactive ratio: 1 below 1 GiB, int_sqrt(10 * GiB) above', () => {
    expect(inactiveIsLow(100, 101)).toBe(true);
    expect(inactiveIsLow(100, 100)).toBe(false);
    // 4 GiB of file pages: ratio int_sqrt(40) = 6.
    expect(inactiveIsLow(200_000, 1_048_576 - 200_000)).toBe(false);
    expect(inactiveIsLow(140_000, 1_048_576 - 140_000)).toBe(true);
  });
});

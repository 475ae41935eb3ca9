import { type BuddyAllocator, zoneBatchsize } from '@mm/buddy';
import { type BootOptions, boot } from '@mm/kernel';
import { Migratetype, PAGE_SIZE, PageState, type PhysicalMemory, type ProfileName } from '@mm/physmem';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkInvariants, type HeldBlock } from '../../buddy/src/__tests__/invariants';
import { migrate } from './migrate-feature';

/** A kernel with migration (memory hot-remove is `kernel.offlineSection(nr)`). */
function bootWith(options: BootOptions) {
  const kernel = boot({ ...options, features: [migrate()] });
  return Object.assign(kernel, kernel.feature(migrate)!);
}
type Kernel = ReturnType<typeof bootWith>;

function memTotalKb(kernel: Kernel): number {
  return Number(/^MemTotal:\s+(\d+) kB$/m.exec(kernel.readFile('proc/meminfo')!)![1]);
}

/** /proc/zoneinfo's sizes of each zone it prints, by `node name`. */
function zoneinfo(kernel: Kernel): Map<string, Record<string, number>> {
  const zones = new Map<string, Record<string, number>>();
  for (const block of kernel.readFile('proc/zoneinfo')!.split(/^(?=Node \d+, zone)/m)) {
    const [, node, name] = /^Node (\d+), zone +(\w+)/.exec(block)!;
    const field = (key: string) => Number(new RegExp(`^ +${key}:? +(\\d+)$`, 'm').exec(block)?.[1] ?? Number.NaN);
    zones.set(`${node} ${name}`, {
      spanned: field('spanned'),
      present: field('present'),
      managed: field('managed'),
      start_pfn: field('start_pfn'),
      min: field('min'),
      low: field('low'),
      high: field('high'),
    });
  }
  return zones;
}

/**
 * The blocks in use, read from the struct pages: each allocated head (a reference, not PageReserved) with the order
 * it was allocated at. Free, per-CPU, tail, reserved and offline pages are not in use.
 */
function blocksInUse(memory: PhysicalMemory): HeldBlock[] {
  const reserved = memory.profile.pageFlags.bit.reserved;
  const blocks: HeldBlock[] = [];
  for (const section of memory.sections) {
    if (section === undefined) continue;
    for (let pfn = section.startPfn; pfn < section.startPfn + memory.pagesPerSection; pfn++) {
      if (memory.pageState(pfn) !== PageState.none || memory.pageRefcount(pfn) === 0) continue;
      if (memory.testPageFlag(pfn, reserved)) continue;
      blocks.push({ pfn, order: memory.pageOrder(pfn) });
    }
  }
  return blocks;
}

/** Pages of `zone` the allocator holds free: buddy lists, per-CPU lists and guard pages. */
function freePages(buddy: BuddyAllocator): number {
  let pages = 0;
  for (const zone of buddy.zones) pages += zone.freePages + zone.pcpPages + zone.guardPages;
  return pages;
}

/** The reserved pages of each zone (present - managed) at boot: hot-remove takes only sections without any. */
function reservedByZone(kernel: Kernel): number[] {
  return kernel.memory.zones.map((zone) => zone.presentPages - zone.managedPages);
}

/**
 * The books of a machine after any number of hot-removes: the allocator's own invariants (free + in use + leaked =
 * managed, every free block inside its zone's span, ...), free + allocated + reserved = present, the nodes' present
 * pages, MemTotal, /proc/zoneinfo, and every online page inside its zone's span.
 */
function checkAccounting(kernel: Kernel, reservedAtBoot: readonly number[]): void {
  const { memory, buddy } = kernel;
  const inUse = blocksInUse(memory);
  checkInvariants(buddy, inUse);
  const allocated = inUse.reduce((sum, block) => sum + (1 << block.order), 0);
  let present = 0;
  let managed = 0;
  for (const zone of memory.zones) {
    expect(zone.presentPages - zone.managedPages, `${zone.name} reserved`).toBe(reservedAtBoot[zone.id]);
    expect(zone.presentEarlyPages).toBe(zone.presentPages);
    present += zone.presentPages;
    managed += zone.managedPages;
  }
  expect(freePages(buddy) + allocated + buddy.stats.leakedPages + (present - managed)).toBe(present);
  let offline = 0;
  for (const section of memory.sections) if (section !== undefined && !section.online) offline++;
  expect(present).toBe(memory.presentPages - offline * memory.pagesPerSection);
  for (const node of memory.nodes) {
    expect(node.presentPages).toBe(node.zones.reduce((sum, zone) => sum + zone.presentPages, 0));
  }
  expect(memTotalKb(kernel)).toBe(managed * (PAGE_SIZE / 1024));
  const shown = zoneinfo(kernel);
  for (const zone of memory.zones) {
    const entry = shown.get(`${zone.node} ${zone.name}`);
    if (entry === undefined) {
      expect(zone.populated).toBe(false); // v4.8 prints populated zones only
      continue;
    }
    expect([entry.spanned, entry.present, entry.managed]).toEqual([
      zone.spannedPages,
      zone.presentPages,
      zone.managedPages,
    ]);
    if (zone.populated) expect(entry.start_pfn).toBe(zone.startPfn);
  }
  for (const section of memory.sections) {
    if (section === undefined || !section.online || section.zoneId < 0) continue;
    const zone = memory.zones[section.zoneId]!;
    expect(zone.spans(section.startPfn) && zone.spans(section.startPfn + memory.pagesPerSection - 1)).toBe(true);
  }
}

/** A process with `pages` anonymous pages written. */
function fill(kernel: Kernel, pages: number) {
  const task = kernel.vm.createProcess('app');
  const start = kernel.vm.mmap(task, { pages });
  for (let page = 0; page < pages; page++) kernel.vm.touch(task, start + page * PAGE_SIZE, true);
  return { task, start };
}

const profiles = ['v4.8', 'v6.18'] as const satisfies readonly ProfileName[];

describe('memory hot-remove accounting (offline_pages)', () => {
  it.each(profiles)(
    '%s: the zone’s present and managed pages, the node’s and MemTotal shrink by the section; the books balance',
    (profile) => {
      const kernel = bootWith({ memory: '2G', profile });
      const { memory, buddy } = kernel;
      const reserved = reservedByZone(kernel);
      const { task, start } = fill(kernel, 60_000);
      const nr = 4; // DMA32, between the kernel image (section 0) and the memmap (section 15)
      const zone = memory.zoneOf(nr * memory.pagesPerSection)!;
      expect(zone.name).toBe('DMA32');
      const before = { ...zone, nodePresent: memory.nodes[0]!.presentPages, memTotal: memTotalKb(kernel) };
      const zoneinfoBefore = zoneinfo(kernel).get('0 DMA32')!;
      const result = kernel.offlineSection(nr);
      expect(result).toEqual({ offlinedPages: memory.pagesPerSection, migratedPages: expect.any(Number) });
      expect(zone.presentPages).toBe(before.presentPages - memory.pagesPerSection);
      expect(zone.managedPages).toBe(before.managedPages - memory.pagesPerSection);
      expect(memory.nodes[0]!.presentPages).toBe(before.nodePresent - memory.pagesPerSection);
      expect(memTotalKb(kernel)).toBe(before.memTotal - memory.pagesPerSection * 4);
      // A section in the middle of the zone leaves a hole in its span.
      expect([zone.startPfn, zone.spannedPages]).toEqual([before.startPfn, before.spannedPages]);
      const zoneinfoAfter = zoneinfo(kernel).get('0 DMA32')!;
      expect(zoneinfoAfter.present).toBe(zoneinfoBefore.present! - memory.pagesPerSection);
      expect(zoneinfoAfter.managed).toBe(zoneinfoBefore.managed! - memory.pagesPerSection);
      expect(zoneinfoAfter.spanned).toBe(zoneinfoBefore.spanned);
      checkAccounting(kernel, reserved);
      // The process kept every page, none in the section.
      for (let page = 0; page < 60_000; page++) {
        const pfn = kernel.vm.translate(task, start + page * PAGE_SIZE);
        expect(Math.floor(pfn / memory.pagesPerSection)).not.toBe(nr);
      }
      // The per-CPU limits follow the zone's new size (zone_pcp_update()).
      const buddyZone = buddy.zones[zone.id]!;
      expect(buddyZone.pcpBatch).toBe(Math.max(1, zoneBatchsize(zone.managedPages, memory.profile)));
      // v6.18 leaves the stale pageblocks isolated and prints nothing; v4.8 makes them movable and says so.
      expect(memory.pageblockMigratetype(nr * memory.pagesPerSection)).toBe(
        profile === 'v6.18' ? Migratetype.ISOLATE : Migratetype.MOVABLE,
      );
      expect(kernel.dmesg().includes(`Offlined Pages ${memory.pagesPerSection}`)).toBe(profile === 'v4.8');
      // The allocator works on without the section.
      const gfp = memory.profile.gfp.flags.GFP_HIGHUSER_MOVABLE;
      for (let index = 0; index < 2000; index++) {
        expect(Math.floor(buddy.allocPages(gfp, 0) / memory.pagesPerSection)).not.toBe(nr);
      }
    },
  );

  it.each(profiles)('%s: a section already offline is refused (EINVAL) and nothing changes', (profile) => {
    const kernel = bootWith({ memory: '2G', profile });
    const reserved = reservedByZone(kernel);
    fill(kernel, 20_000);
    expect(kernel.offlineSection(6)).toMatchObject({ offlinedPages: kernel.memory.pagesPerSection });
    const snapshot = () => ({
      meminfo: kernel.readFile('proc/meminfo'),
      zoneinfo: kernel.readFile('proc/zoneinfo'),
      vmstat: kernel.readFile('proc/vmstat'),
      buddyinfo: kernel.buddyinfo(),
      dmesg: kernel.dmesg(),
      pageExt: kernel.pageExt?.totalBytes,
      migrations: { ...kernel.migration.stats },
      minFreeKbytes: kernel.buddy.minFreeKbytes,
      zones: kernel.memory.zones.map((zone) => ({ ...zone })),
      nodes: kernel.memory.nodes.map((node) => ({ ...node })),
    });
    const before = snapshot();
    expect(kernel.offlineSection(6)).toEqual({
      error: expect.stringMatching(/memory block 6 is already offline \(EINVAL\)/),
      alreadyOffline: true,
    });
    expect(snapshot()).toEqual(before);
    checkAccounting(kernel, reserved);
  });

  it.each(profiles)('%s: a section with kernel memory is refused (EBUSY) and nothing changes', (profile) => {
    const kernel = bootWith({ memory: '2G', profile });
    const { memory } = kernel;
    const free = kernel.buddy.totalFreePages();
    const zones = memory.zones.map((zone) => ({ ...zone }));
    const memTotal = memTotalKb(kernel);
    // Section 15 holds the memmap (memblock-reserved).
    expect(kernel.offlineSection(15)).toEqual({ error: expect.stringMatching(/unmovable page \(EBUSY\)/) });
    expect(kernel.buddy.totalFreePages()).toBe(free);
    expect(memory.zones.map((zone) => ({ ...zone }))).toEqual(zones);
    expect(memTotalKb(kernel)).toBe(memTotal);
    expect(memory.sections[15]!.online).toBe(true);
    // v6.18's reason (a pr_debug the kernel compiles in with dynamic debug); v4.8 refuses before it would print.
    expect(kernel.dmesg().includes('memory offlining [mem 0x78000000-0x7fffffff] failed due to unmovable page')).toBe(
      profile === 'v6.18',
    );
  });

  it.each(profiles)(
    '%s: a page still in use after migration undoes the isolation (MEM_CANCEL_OFFLINE) and changes nothing',
    (profile) => {
      const kernel = bootWith({ memory: '2G', profile });
      const { memory, buddy, hooks } = kernel;
      const reserved = reservedByZone(kernel);
      fill(kernel, 20_000);
      const nr = 5;
      const start = nr * memory.pagesPerSection;
      const types = Array.from({ length: 64 }, (_, block) => memory.pageblockMigratetype(start + block * 512));
      const zones = memory.zones.map((zone) => ({ ...zone }));
      const memTotal = memTotalKb(kernel);
      const actions: number[] = [];
      // A driver takes a page of the range while it goes offline: it is neither free nor movable afterwards.
      const g = memory.profile.gfp.flags;
      const unsubscribe = hooks.memory_notify.subscribe((action, pfn) => {
        actions.push(action);
        if (action === 2 /* MEM_GOING_OFFLINE */) expect(buddy.allocExact(pfn + 100, 0, g.GFP_KERNEL)).toBe(true);
      });
      const result = kernel.offlineSection(nr);
      unsubscribe();
      expect(result).toEqual({
        error: `pages of memory block 5 could not be migrated (${profile === 'v6.18' ? 'EINTR' : 'EBUSY'})`,
      });
      expect(actions).toEqual([2, 5]); // MEM_GOING_OFFLINE, MEM_CANCEL_OFFLINE
      expect(memory.sections[nr]!.online).toBe(true);
      expect(memory.zones.map((zone) => ({ ...zone }))).toEqual(zones);
      expect(memTotalKb(kernel)).toBe(memTotal);
      // The pageblocks are back (v6.18: their own types; v4.8: movable), their free pages allocatable again.
      expect(Array.from({ length: 64 }, (_, block) => memory.pageblockMigratetype(start + block * 512))).toEqual(
        profile === 'v6.18' ? types : types.map(() => Migratetype.MOVABLE),
      );
      expect(kernel.dmesg()).toContain(
        `memory offlining [mem 0x28000000-0x2fffffff] failed${profile === 'v6.18' ? ' due to signal backoff' : ''}`,
      );
      checkAccounting(kernel, reserved);
      buddy.freePages(start + 100, 0);
      expect(kernel.offlineSection(nr)).toHaveProperty('offlinedPages', memory.pagesPerSection);
      checkAccounting(kernel, reserved);
    },
  );

  it('v6.18 shrinks the zone and node spans at their edges (shrink_zone_span, update_pgdat_span); v4.8 keeps them', () => {
    for (const profile of profiles) {
      const kernel = bootWith({ memory: '6G', layout: 'flat', nodes: 2, profile });
      const { memory } = kernel;
      const reserved = reservedByZone(kernel);
      const dma32 = memory.nodes[1]!.zones.find((zone) => zone.name === 'DMA32')!;
      expect([dma32.startPfn, dma32.spannedPages]).toEqual([0xc0000, 0x40000]);
      const v6 = profile === 'v6.18';
      // Its first section: the start moves up a section.
      expect(kernel.offlineSection(24)).toMatchObject({ offlinedPages: memory.pagesPerSection });
      expect([dma32.startPfn, dma32.spannedPages]).toEqual(v6 ? [0xc8000, 0x38000] : [0xc0000, 0x40000]);
      expect(memory.nodes[1]!.startPfn).toBe(v6 ? 0xc8000 : 0xc0000);
      // Its last: the end comes down.
      expect(kernel.offlineSection(31)).toMatchObject({ offlinedPages: memory.pagesPerSection });
      expect([dma32.startPfn, dma32.spannedPages]).toEqual(v6 ? [0xc8000, 0x30000] : [0xc0000, 0x40000]);
      // One in the middle: a hole.
      expect(kernel.offlineSection(27)).toMatchObject({ offlinedPages: memory.pagesPerSection });
      expect([dma32.startPfn, dma32.spannedPages]).toEqual(v6 ? [0xc8000, 0x30000] : [0xc0000, 0x40000]);
      expect(zoneinfo(kernel).get('1 DMA32')).toMatchObject({
        spanned: dma32.spannedPages,
        present: 5 * memory.pagesPerSection,
        start_pfn: dma32.startPfn,
      });
      checkAccounting(kernel, reserved);
    }
  });

  it.each(profiles)(
    '%s: a zone hot-remove empties is unpopulated and leaves the zonelists (build_all_zonelists)',
    (profile) => {
      const kernel = bootWith({ memory: '6G', layout: 'flat', nodes: 2, cpus: 2, profile });
      const { memory, buddy } = kernel;
      const reserved = reservedByZone(kernel);
      const dma32 = memory.nodes[1]!.zones.find((zone) => zone.name === 'DMA32')!;
      for (let nr = 24; nr < 32; nr++) expect(kernel.offlineSection(nr)).toHaveProperty('offlinedPages');
      expect(dma32.populated).toBe(false);
      expect([dma32.presentPages, dma32.managedPages]).toEqual([0, 0]);
      expect([dma32.startPfn, dma32.spannedPages]).toEqual(profile === 'v6.18' ? [0, 0] : [0xc0000, 0x40000]);
      expect(memory.nodes[1]!.startPfn).toBe(profile === 'v6.18' ? 0x100000 : 0xc0000);
      expect(kernel.buddyinfo()).not.toMatch(/Node 1, zone\s+DMA32/);
      checkAccounting(kernel, reserved);
      // From node 1's CPU, a DMA32 allocation falls back to node 0's DMA32 (the zone is no longer in the lists).
      const cpu = [0, 1].find((each) => buddy.nodeOfCpu(each) === 1)!;
      const g = memory.profile.gfp.flags;
      const pfn = memory.current.runAs({ pid: 1, tgid: 1, comm: 'init', cpu }, () =>
        buddy.allocPages(g.GFP_KERNEL | g.DMA32, 0),
      );
      expect(memory.zoneOf(pfn)).toBe(memory.nodes[0]!.zones.find((zone) => zone.name === 'DMA32'));
    },
  );

  it('recomputes min_free_kbytes and the watermarks (init_per_zone_wmark_min); v4.8 loses THP’s raise', () => {
    for (const profile of profiles) {
      const kernel = bootWith({ memory: '2G', profile });
      const { memory, buddy } = kernel;
      const bootMin = buddy.minFreeKbytes;
      const lowmemAboveHigh = () =>
        buddy.zones.reduce((sum, zone) => sum + Math.max(0, zone.zone.managedPages - zone.watermark.high), 0);
      const expectedV4 = Math.min(Math.max(Math.floor(Math.sqrt((lowmemAboveHigh() - 32768) * 64)), 128), 65536);
      expect(kernel.offlineSection(4)).toHaveProperty('offlinedPages');
      // v6.18: khugepaged_min_free_kbytes_update() keeps THP's recommendation (2 zones × 11 pageblocks, in KiB).
      // v4.8: calculate_min_free_kbytes() alone, from the managed pages above the high watermarks.
      expect(buddy.minFreeKbytes).toBe(profile === 'v6.18' ? bootMin : expectedV4);
      expect(buddy.minFreeKbytes <= bootMin).toBe(true);
      // The watermarks are those of the new min_free_kbytes over the new managed pages, as /proc/zoneinfo shows.
      const shown = zoneinfo(kernel).get('0 DMA32')!;
      const dma32 = buddy.zones.find((zone) => zone.zone.name === 'DMA32')!;
      expect([shown.min, shown.low, shown.high]).toEqual([
        dma32.watermark.min,
        dma32.watermark.low,
        dma32.watermark.high,
      ]);
      const pagesMin = buddy.minFreeKbytes >> 2;
      const lowmem = memory.zones.reduce((sum, zone) => sum + (zone.name === 'Movable' ? 0 : zone.managedPages), 0);
      expect(dma32.watermark.min).toBe(Math.floor((pagesMin * dma32.zone.managedPages) / lowmem));
    }
  });
});

describe('memory hot-remove under random use (property)', () => {
  it.each(profiles)('%s: the books balance after every step, and offline sections stay offline', (profile) => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('touch' as const), pages: fc.integer({ min: 1, max: 8000 }) }),
            fc.record({ op: fc.constant('kernel' as const), order: fc.integer({ min: 0, max: 4 }) }),
            fc.record({ op: fc.constant('free' as const), index: fc.nat() }),
            fc.record({ op: fc.constant('offline' as const), nr: fc.integer({ min: 0, max: 9 }) }),
            fc.record({ op: fc.constant('compact' as const) }),
          ),
          { minLength: 4, maxLength: 14 },
        ),
        (steps) => {
          const kernel = bootWith({ memory: '1280M', profile, cmdline: 'movablecore=400M' });
          const { memory, buddy, vm } = kernel;
          const reserved = reservedByZone(kernel);
          const g = memory.profile.gfp.flags;
          const task = vm.createProcess('app');
          const kernelBlocks: HeldBlock[] = [];
          const offline = new Set<number>();
          for (const step of steps) {
            if (step.op === 'touch') {
              const start = vm.mmap(task, { pages: step.pages });
              for (let page = 0; page < step.pages; page += 3) vm.touch(task, start + page * PAGE_SIZE, true);
            } else if (step.op === 'kernel') {
              const pfn = buddy.allocPages(g.GFP_KERNEL | g.NOWARN, step.order);
              if (pfn >= 0) kernelBlocks.push({ pfn, order: step.order });
            } else if (step.op === 'free') {
              const [block] = kernelBlocks.splice(step.index % Math.max(1, kernelBlocks.length), 1);
              if (block !== undefined) buddy.freePages(block.pfn, block.order);
            } else if (step.op === 'compact') {
              kernel.compaction.compactMemory();
            } else {
              const before = memory.zones.map((zone) => ({ ...zone }));
              const result = kernel.offlineSection(step.nr);
              if ('offlinedPages' in result) {
                expect(offline.has(step.nr)).toBe(false);
                offline.add(step.nr);
              } else {
                // Refused: already offline (and said so), or not offlinable; either way nothing changed.
                expect(result.alreadyOffline === true).toBe(offline.has(step.nr));
                expect(memory.zones.map((zone) => ({ ...zone }))).toEqual(before);
              }
            }
            for (const nr of offline) expect(memory.sections[nr]!.online).toBe(false);
            checkAccounting(kernel, reserved);
          }
        },
      ),
      { numRuns: 8 },
    );
  });
});

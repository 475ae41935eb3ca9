import { describe, expect, it } from 'vitest';
import { bootTask } from './current-task';
import { PageState } from './page-state';
import { PhysicalMemory } from './physical-memory';
import { getProfile } from './profile';

const GIB = 2 ** 30;
const MIB = 2 ** 20;
const v618 = getProfile('v6.18');

function zoneSummary(memory: PhysicalMemory) {
  return memory.zones
    .filter((zone) => zone.spannedPages > 0)
    .map((zone) => [zone.node, zone.name, zone.startPfn, zone.spannedPages, zone.presentPages]);
}

describe('PhysicalMemory with the pc layout', () => {
  it('lays out 4 GiB like a PC: DMA from pfn 1, DMA32 up to the PCI hole, Normal from 4 GiB', () => {
    const memory = new PhysicalMemory({ memory: 4 * GIB, profile: v618 });
    expect(zoneSummary(memory)).toEqual([
      [0, 'DMA', 1, 4095, 3998],
      [0, 'DMA32', 4096, 1044480, 782336],
      [0, 'Normal', 1048576, 262144, 262144],
    ]);
    expect(memory.presentPages).toBe(4 * 262144 - 98);
    expect(memory.maxPfn).toBe(5 * 262144);
    expect(memory.sections.filter(Boolean)).toHaveLength(32);
  });

  it('matches the sample machine (24 GiB): zone spans, present pages and DMA managed pages', () => {
    const memory = new PhysicalMemory({ memory: 24 * GIB, profile: v618 });
    const [dma, dma32, normal] = memory.zones;
    expect([dma!.startPfn, dma!.spannedPages, dma!.presentPages, dma!.managedPages]).toEqual([1, 4095, 3998, 3840]);
    expect([dma32!.startPfn, dma32!.spannedPages, dma32!.presentPages]).toEqual([4096, 1044480, 782336]);
    expect([normal!.startPfn, normal!.spannedPages, normal!.presentPages]).toEqual([1048576, 5505024, 5505024]);
  });

  it('reserves low memory, the kernel image and the memmap, and marks them PG_reserved with a reference', () => {
    const memory = new PhysicalMemory({ memory: 4 * GIB, profile: v618 });
    const owners = new Set(memory.memblockReserved.map((region) => region.owner));
    expect(owners).toEqual(new Set(['low memory', 'kernel image', 'memmap']));
    const reserved = v618.pageFlags.bit.reserved;
    for (const region of memory.memblockReserved) {
      for (const pfn of [region.start, region.end - 1]) {
        if (!memory.isPresent(pfn)) continue;
        expect(memory.testPageFlag(pfn, reserved)).toBe(true);
        expect(memory.pageRefcount(pfn)).toBe(1);
      }
    }
    // 64 bytes of struct page for each of the 32 sections' 32768 pages.
    expect(memory.memmapBytes()).toBe(32 * 32768 * 64);
    const managed = memory.zones.reduce((sum, zone) => sum + zone.managedPages, 0);
    const reservedPresent = memory.memblockReserved.reduce((sum, region) => {
      let pages = 0;
      for (let pfn = region.start; pfn < region.end; pfn++) if (memory.isPresent(pfn)) pages++;
      return sum + pages;
    }, 0);
    expect(managed).toBe(memory.presentPages - reservedPresent);
  });

  it('gives holes inside a section reserved struct pages, and none outside (SPARSEMEM)', () => {
    const memory = new PhysicalMemory({ memory: 4 * GIB, profile: v618 });
    expect(memory.pfnValid(0xa0)).toBe(true);
    expect(memory.isPresent(0xa0)).toBe(false);
    expect(memory.testPageFlag(0xa0, v618.pageFlags.bit.reserved)).toBe(true);
    expect(memory.pfnValid(0xc0000)).toBe(false);
    expect(() => memory.section(0xc0000)).toThrow(/not valid/);
  });

  it('keeps a pageblock reserved whole by block: its words are written when one of them is', () => {
    const memory = new PhysicalMemory({ memory: 4 * GIB, profile: v618 });
    const { reserved, lru } = v618.pageFlags.bit;
    const memmap = memory.memblockReserved.find((region) => region.owner === 'memmap')!;
    const first = Math.ceil(memmap.start / 512) * 512;
    const pfn = first + 7;
    expect(memory.pages.reservedBlocks[pfn >>> 9]).toBe(1);
    // Not stored (the host has not mapped the memory), and read as PG_reserved with one reference.
    expect([memory.pages.flags[pfn], memory.pages.refcount[pfn]]).toEqual([0, 0]);
    expect(memory.testPageFlag(pfn, reserved)).toBe(true);
    expect([memory.pageRefcount(pfn), memory.pageMapcount(pfn), memory.pageState(pfn)]).toEqual([1, 0, PageState.none]);
    // A region's pages outside its whole pageblocks are written at once.
    if (memmap.start % 512 !== 0) expect(memory.pages.flags[memmap.start]).toBe(1 << reserved);
    memory.setPageFlag(pfn, lru);
    expect(memory.pages.reservedBlocks[pfn >>> 9]).toBe(0);
    expect([memory.pages.flags[first], memory.pages.refcount[first + 511]]).toEqual([1 << reserved, 1]);
    expect(memory.pageFlags(pfn)).toBe((1 << reserved) | (1 << lru));
  });

  it('answers for every page the same whether the words of its reserved pageblock are stored or not', () => {
    for (const [profile, layout] of [
      ['v6.18', 'pc'],
      ['v4.8', 'pc'],
      ['v4.8', 'flat'],
    ] as const) {
      const lazy = new PhysicalMemory({ memory: 2 * GIB, profile: getProfile(profile), layout });
      const stored = new PhysicalMemory({ memory: 2 * GIB, profile: getProfile(profile), layout });
      expect(stored.pages.reservedBlocks.some((byte) => byte !== 0)).toBe(true);
      stored.materializeReserved(0, stored.maxPfn);
      expect(stored.pages.reservedBlocks.every((byte) => byte === 0)).toBe(true);
      const answers = (memory: PhysicalMemory, pfn: number) =>
        memory.pfnValid(pfn)
          ? [memory.pageWord(pfn), memory.pageRefcount(pfn), memory.pageMapcount(pfn), memory.pageType(pfn)]
          : [];
      // What the kernel leaves: PG_reserved with one reference in memblock's reservations and in the holes.
      const reservedWord = 1 << getProfile(profile).pageFlags.bit.reserved;
      const expected = (pfn: number) => {
        if (!lazy.pfnValid(pfn)) return [];
        const reserved =
          !lazy.isPresent(pfn) || lazy.memblockReserved.some((region) => pfn >= region.start && pfn < region.end);
        return reserved ? [reservedWord, 1, 0, 0] : [0, 0, 0, 0];
      };
      for (let pfn = 0; pfn < lazy.maxPfn + 512; pfn++) {
        const want = expected(pfn).join();
        if (answers(lazy, pfn).join() !== want || answers(stored, pfn).join() !== want) {
          expect.fail(
            `${profile} ${layout} pfn ${pfn}: ${answers(lazy, pfn)} and ${answers(stored, pfn)}, not ${want}`,
          );
        }
      }
    }
  });

  it('costs 12 host bytes per page plus two per pageblock', () => {
    const memory = new PhysicalMemory({ memory: 4 * GIB, profile: v618 });
    const slots = 32 * 32768;
    expect(memory.hostBytes()).toBe(slots * 12 + (2 * slots) / 512);
  });

  it('sets every pageblock Movable at boot and stores migratetypes per pageblock', () => {
    const memory = new PhysicalMemory({ memory: 512 * MIB, profile: v618 });
    expect(memory.pageblockMigratetype(70000)).toBe(1);
    memory.setPageblockMigratetype(70000, 0);
    expect(memory.pageblockMigratetype(70000 - (70000 % 512))).toBe(0);
    expect(memory.pageblockMigratetype(70000 + 512)).toBe(1);
  });
});

describe('PhysicalMemory options', () => {
  it('lays out a flat machine with no holes', () => {
    const memory = new PhysicalMemory({ memory: 64 * MIB, profile: v618, layout: 'flat' });
    expect(zoneSummary(memory)).toEqual([
      [0, 'DMA', 0, 4096, 4096],
      [0, 'DMA32', 4096, 12288, 12288],
    ]);
  });

  it('applies mem= as a physical address limit', () => {
    const memory = new PhysicalMemory({ memory: 8 * GIB, profile: v618, limit: 4 * GIB });
    expect(memory.maxPfn).toBe(3 * 262144);
    expect(memory.zones.find((zone) => zone.name === 'Normal')!.presentPages).toBe(0);
  });

  it('carves memmap= reservations out of the map', () => {
    const memory = new PhysicalMemory({
      memory: 2 * GIB,
      profile: v618,
      reserve: [{ start: GIB, size: 256 * MIB }],
    });
    expect(memory.isPresent(GIB / 4096)).toBe(false);
    expect(memory.isPresent(GIB / 4096 - 1)).toBe(true);
    expect(memory.presentPages).toBe((2 * GIB - 256 * MIB) / 4096 - 98);
    expect(memory.pfnValid(GIB / 4096)).toBe(false);
  });

  it('allocates struct pages for holes too with FLATMEM', () => {
    const memory = new PhysicalMemory({ memory: 4 * GIB, profile: v618, model: 'flatmem' });
    expect(memory.sections.filter(Boolean)).toHaveLength(40);
    expect(memory.pfnValid(0xc0000)).toBe(true);
    expect(memory.testPageFlag(0xc0000, v618.pageFlags.bit.reserved)).toBe(true);
    expect(memory.memmapBytes()).toBe(Math.ceil(((5 * 262144 - 1) * 64) / 4096) * 4096);
  });

  it('splits memory between NUMA nodes at section boundaries', () => {
    const memory = new PhysicalMemory({ memory: 8 * GIB, profile: v618, nodes: 2 });
    const [first, second] = memory.nodes;
    expect(first!.endPfn % 32768).toBe(0);
    expect(second!.startPfn).toBeGreaterThanOrEqual(first!.endPfn);
    expect(Math.abs(first!.presentPages - second!.presentPages)).toBeLessThanOrEqual(32768);
    expect(second!.zones.map((zone) => zone.presentPages > 0)).toEqual([false, false, true, false, false]);
    expect(memory.nodeOf(second!.startPfn)).toBe(1);
    expect(memory.zoneOf(second!.startPfn)!.node).toBe(1);
  });

  it('creates ZONE_MOVABLE at the top of memory with movablecore=', () => {
    const memory = new PhysicalMemory({ memory: 8 * GIB, profile: v618, movableBytes: GIB });
    const movable = memory.zones.find((zone) => zone.name === 'Movable')!;
    const normal = memory.zones.find((zone) => zone.name === 'Normal')!;
    expect(movable.presentPages).toBe(262144);
    expect(movable.startPfn).toBe(normal.endPfn);
    expect(movable.startPfn % 1024).toBe(0);
  });

  it('lays out i386 with DMA, Normal up to 896 MiB and HighMem, in 64 MiB sections', () => {
    const profile = getProfile('v6.18', 'i386');
    const memory = new PhysicalMemory({ memory: 2 * GIB, profile });
    expect(zoneSummary(memory).map((zone) => zone[1])).toEqual(['DMA', 'Normal', 'HighMem']);
    expect(memory.zones[1]!.endPfn).toBe((896 * MIB) / 4096);
    expect(memory.pagesPerSection).toBe(16384);
    expect(memory.hostBytes() / (memory.sections.filter(Boolean).length * 16384)).toBeCloseTo(12 + 2 / 512);
  });

  it('reports page state, order, refcount and mapcount through accessors', () => {
    const memory = new PhysicalMemory({ memory: 256 * MIB, profile: v618 });
    expect(memory.pageState(40000)).toBe(PageState.none);
    expect(memory.pageOrder(40000)).toBe(0);
    expect(memory.pageRefcount(40000)).toBe(0);
    expect(memory.pageMapcount(40000)).toBe(0);
    memory.setPageFlag(40000, v618.pageFlags.bit.lru);
    expect(memory.testPageFlag(40000, v618.pageFlags.bit.lru)).toBe(true);
    memory.clearPageFlag(40000, v618.pageFlags.bit.lru);
    expect(memory.pageFlags(40000)).toBe(0);
  });

  it('marks sections offline (offline_mem_sections); pfn_to_online_page() then finds no page, pfn_valid() still does', () => {
    const memory = new PhysicalMemory({ memory: 4 * GIB, profile: v618 });
    // Online boot memory, at subsection (2 MiB) granularity: the PCI hole from 3 GiB has none.
    expect(memory.pfnToOnlinePage(0x20000)).toBe(true);
    expect(memory.pfnToOnlinePage(0xc0000)).toBe(false);
    expect(memory.pfnToOnlinePage(-1)).toBe(false);
    const sections = memory.sections.filter((section) => section?.online === true).length;
    memory.offlineMemSections(0x20000, 0x30000);
    expect([memory.sections[4]!.online, memory.sections[5]!.online, memory.sections[6]!.online]).toEqual([
      false,
      false,
      true,
    ]);
    expect(memory.sections.filter((section) => section?.online === true).length).toBe(sections - 2);
    expect(memory.pfnToOnlinePage(0x20000 + 77)).toBe(false);
    expect(memory.pfnValid(0x20000 + 77)).toBe(true);
    expect(memory.pfnToOnlinePage(0x30000)).toBe(true);
    // Boot sections are early ones; present_early_pages starts as present_pages.
    expect(memory.sections[6]!.early).toBe(true);
    for (const zone of memory.zones) expect(zone.presentEarlyPages).toBe(zone.presentPages);
  });

  it('rejects machines it cannot build, with the reason', () => {
    expect(() => new PhysicalMemory({ memory: 16 * MIB, profile: v618 })).toThrow(/kernel image/);
    expect(() => new PhysicalMemory({ memory: 128 * MIB, profile: v618, nodes: 4 })).toThrow(/nodes need/);
    expect(() => new PhysicalMemory({ memory: 8 * GIB, profile: getProfile('v6.18', 'i386') })).toThrow(
      /32-bit physical address space/,
    );
    expect(() => new PhysicalMemory({ memory: GIB, profile: v618, cpus: 0 })).toThrow(/cpus/);
  });
});

describe('a second machine in the same process', () => {
  // V8 keeps optimised code only while the objects it reads keep their hidden classes and field representations:
  // the machines of one process share their profile, and no range of pfns has the shape of one of bytes (whose
  // doubles would turn every pfn read from a range into a double, and throw away the allocator's code at boot).
  it('shares the profile of a version and architecture', () => {
    expect(getProfile('v6.18')).toBe(v618);
    expect(getProfile('v6.18', 'i386')).toBe(getProfile('v6.18', 'i386'));
    expect(getProfile('v6.18', 'i386')).not.toBe(v618);
    expect(getProfile('v4.8')).not.toBe(v618);
  });

  it('builds the firmware map of bytes in objects of another shape than its ranges of pfns', () => {
    const memory = new PhysicalMemory({ memory: 8 * GIB, profile: v618 });
    expect(new Set(memory.e820.map((entry) => Object.keys(entry).join()))).toEqual(new Set(['type,start,end']));
    expect(new Set(memory.ranges.map((range) => Object.keys(range).join()))).toEqual(new Set(['start,end']));
  });
});

describe('current', () => {
  it('counts task switches: a change of pid, tgid or comm, not a write of the same value', () => {
    const current = bootTask();
    expect([current.pid, current.tgid, current.comm, current.switches]).toEqual([0, 0, 'swapper', 0]);
    Object.assign(current, { pid: 7, tgid: 7, comm: 'cat', cpu: 1 });
    expect(current.switches).toBe(3);
    current.pid = 7;
    current.comm = 'cat';
    expect(current.switches).toBe(3);
    current.comm = 'dog';
    expect([current.comm, current.cpu, current.switches]).toEqual(['dog', 1, 4]);
  });
});

import type { BuddyAllocator } from '@mm/buddy';
import { type E820Entry, PAGE_SHIFT, type PhysicalMemory, pagesInRanges } from '@mm/physmem';

const hex18 = (value: number) => `0x${value.toString(16).padStart(16, '0')}`;
const hex10 = (value: number) => `0x${value.toString(16).padStart(8, '0')}`;
const address = (pfn: number) => pfn * 2 ** PAGE_SHIFT;

/** `e820__print_table()`: one `who: [mem start-end] type` line per entry. */
export function e820Lines(entries: readonly E820Entry[], who: string): string[] {
  return entries.map((entry) => `${who}: [mem ${hex18(entry.start)}-${hex18(entry.end - 1)}] ${entry.type}`);
}

/**
 * The firmware map as `setup_arch()` prints it, then the removal `mem=` made, and when `mem=` or `memmap=` was
 * given (`userdef`), the user-defined map (arch/x86/kernel/e820.c `e820__finish_early_params()`).
 */
export function memoryMapLines(
  memory: PhysicalMemory,
  firmware: readonly E820Entry[],
  user: { readonly limit?: number | undefined; readonly userDefined?: boolean | undefined },
): string[] {
  const v4 = memory.profile.era === 'v4';
  const lines = [
    v4 ? 'e820: BIOS-provided physical RAM map:' : 'BIOS-provided physical RAM map:',
    ...e820Lines(firmware, 'BIOS-e820'),
  ];
  if (user.limit !== undefined) lines.push(`e820: remove [mem ${hex10(user.limit)}-0xfffffffffffffffe] usable`);
  if (user.userDefined === true) {
    lines.push(
      v4 ? 'e820: user-defined physical RAM map:' : 'user-defined physical RAM map:',
      ...e820Lines(memory.e820, 'user'),
    );
  }
  return lines;
}

/**
 * `free_area_init()` (mm/mm_init.c; v4.8 `free_area_init_nodes`): zone ranges, the movable zone starts, the memory
 * ranges of each node, and `Initmem setup node` lines.
 */
export function zoneLines(memory: PhysicalMemory): string[] {
  const { profile } = memory;
  const movable = profile.arch.movableZoneIndex;
  const lines = ['Zone ranges:'];
  let start = memory.ranges[0]!.start;
  for (const type of profile.zoneTypes) {
    if (type.index === movable) continue;
    const low = start;
    const limit = type.index > movable ? 0 : Math.min(type.endPfn, memory.maxPfn);
    const high = Math.max(limit, low);
    start = high;
    const name = type.name.padEnd(8);
    lines.push(low === high ? `  ${name} empty` : `  ${name} [mem ${hex18(address(low))}-${hex18(address(high) - 1)}]`);
  }
  lines.push('Movable zone start for each node');
  for (const node of memory.nodes) {
    const zone = node.zones[movable]!;
    if (zone.spannedPages > 0) lines.push(`  Node ${node.id}: ${hex18(address(zone.startPfn))}`);
  }
  lines.push('Early memory node ranges');
  for (const node of memory.nodes) {
    for (const range of memory.ranges) {
      const low = Math.max(range.start, node.startPfn);
      const high = Math.min(range.end, node.endPfn);
      if (high > low)
        lines.push(`  node ${String(node.id).padStart(3)}: [mem ${hex18(address(low))}-${hex18(address(high) - 1)}]`);
    }
  }
  for (const node of memory.nodes) {
    lines.push(
      `Initmem setup node ${node.id} [mem ${hex18(address(node.startPfn))}-${hex18(address(node.endPfn) - 1)}]`,
    );
  }
  return lines;
}

/**
 * v6.18 `memmap_init()`: `On node N, zone Z: K pages in unavailable ranges` for the holes before each memory range
 * (charged to the zone after the hole) and the tail up to the end of the last section. Pfns in sections without
 * memory are not counted.
 */
export function unavailableRangeLines(memory: PhysicalMemory): string[] {
  const lines: string[] = [];
  const perSection = memory.pagesPerSection;
  const count = (start: number, end: number) => {
    let pages = 0;
    for (let section = Math.floor(start / perSection); section * perSection < end; section++) {
      if (!memory.pfnValid(section * perSection)) continue;
      pages += Math.min(end, (section + 1) * perSection) - Math.max(start, section * perSection);
    }
    return pages;
  };
  let hole = 0;
  let lastZone = '';
  let lastNode = 0;
  let lastEnd = 0;
  for (const range of memory.ranges) {
    for (const node of memory.nodes) {
      for (const zone of node.zones) {
        if (!zone.populated) continue;
        const start = Math.min(Math.max(range.start, zone.startPfn), zone.endPfn);
        const end = Math.min(Math.max(range.end, zone.startPfn), zone.endPfn);
        if (start >= end) continue;
        const pages = hole < start ? count(hole, start) : 0;
        if (pages > 0) lines.push(`On node ${node.id}, zone ${zone.name}: ${pages} pages in unavailable ranges`);
        hole = end;
        lastZone = zone.name;
        lastNode = node.id;
      }
    }
    lastEnd = range.end;
  }
  const end = Math.ceil(lastEnd / perSection) * perSection;
  const pages = hole < end ? count(hole, end) : 0;
  if (pages > 0) lines.push(`On node ${lastNode}, zone ${lastZone}: ${pages} pages in unavailable ranges`);
  return lines;
}

/** v4.8 `calc_memmap_size()`: pages of struct page a zone needs. */
function memmapPages(spanned: number, present: number): number {
  const pages = spanned > present + (present >> 4) ? present : spanned;
  return Math.ceil((pages * 64) / 4096);
}

/** Pages memblock reserved in the DMA zone (v4.8 `dma_reserve`). */
function dmaReserve(memory: PhysicalMemory): number {
  const dma = memory.zones[0]!;
  let pages = 0;
  for (const region of memory.memblockReserved) {
    pages += pagesInRanges(memory.ranges, Math.max(region.start, dma.startPfn), Math.min(region.end, dma.endPfn));
  }
  return pages;
}

/**
 * v4.8 `free_area_init_core()` (KERN_DEBUG, shown by dmesg): per node its total pages, per zone the pages used for
 * memmap, the DMA reserve and the per-CPU batch. Returns the lines and the zonelist total (present minus memmap
 * minus the DMA reserve, the estimate v4.8 uses before the pages are freed).
 */
export function zoneSetupLinesV4(
  memory: PhysicalMemory,
  batchOf: (managedEstimate: number) => number,
): {
  lines: string[];
  totalPages: number;
} {
  const lines: string[] = [];
  let totalPages = 0;
  for (const node of memory.nodes) {
    lines.push(`On node ${node.id} totalpages: ${node.presentPages}`);
    for (const zone of node.zones) {
      let free = zone.presentPages;
      const highmem = zone.type.name === 'HighMem';
      if (!highmem) {
        const memmap = memmapPages(zone.spannedPages, zone.presentPages);
        if (free >= memmap) {
          free -= memmap;
          if (memmap > 0) lines.push(`  ${zone.name} zone: ${memmap} pages used for memmap`);
        }
      }
      if (zone.type.index === 0 && node.id === 0) {
        const reserve = dmaReserve(memory);
        if (free > reserve) {
          free -= reserve;
          lines.push(`  ${zone.name} zone: ${reserve} pages reserved`);
        }
      }
      totalPages += highmem ? zone.presentPages : free;
      if (zone.populated) lines.push(`  ${zone.name} zone: ${zone.presentPages} pages, LIFO batch:${batchOf(free)}`);
    }
  }
  return { lines, totalPages };
}

/** `build_all_zonelists()`: the zonelist line, and on NUMA the fallback order (v6.18) and policy zone. */
export function zonelistLines(memory: PhysicalMemory, totalPages: number): string[] {
  const numa = memory.nodes.length > 1;
  const lines: string[] = [];
  if (memory.profile.era === 'v6') {
    if (numa) {
      for (const node of memory.nodes) {
        const order = [node.id, ...memory.nodes.map((other) => other.id).filter((id) => id !== node.id)];
        lines.push(`Fallback order for Node ${node.id}: ${order.map((id) => `${id} `).join('')}`);
      }
    }
    lines.push(`Built ${memory.nodes.length} zonelists, mobility grouping on.  Total pages: ${totalPages}`);
  } else {
    lines.push(
      `Built ${memory.nodes.length} zonelists in ${numa ? 'Node' : 'Zone'} order, mobility grouping on.  Total pages: ${totalPages}`,
    );
  }
  if (numa) lines.push('Policy zone: Normal');
  return lines;
}

/** `mem_init_print_info()`: `Memory: free/present available (kernel sections, reserved, cma)`. */
export function memoryInfoLine(memory: PhysicalMemory, buddy: BuddyAllocator): string {
  const image = memory.profile.kernelImage;
  const managed = memory.zones.reduce((sum, zone) => sum + zone.managedPages, 0);
  const highmem = memory.zones
    .filter((zone) => zone.type.name === 'HighMem')
    .reduce((sum, zone) => sum + zone.managedPages, 0);
  const parts = [
    `${image.codeKiB}K kernel code`,
    `${image.rwdataKiB}K rwdata`,
    `${image.rodataKiB}K rodata`,
    `${image.initKiB}K init`,
    `${image.bssKiB}K bss`,
    `${(memory.presentPages - managed) * 4}K reserved`,
    '0K cma-reserved',
  ];
  if (memory.profile.arch.name === 'i386') parts.push(`${highmem * 4}K highmem`);
  return `Memory: ${buddy.totalFreePages() * 4}K/${memory.presentPages * 4}K available (${parts.join(', ')})`;
}

import type { ArchSpec } from './arch';
import { PAGE_SIZE } from './constants';

/** The firmware's memory map entry types mmsim produces (arch/x86/include/asm/e820/types.h). */
export type E820Type = 'usable' | 'reserved';

/** One entry of the firmware memory map: bytes [start, end). */
export interface E820Entry {
  readonly start: number;
  readonly end: number;
  readonly type: E820Type;
}

/** A range of present pfns, [start, end). */
export interface PfnRange {
  readonly start: number;
  readonly end: number;
}

/**
 * How physical memory is laid out:
 * - `pc`: what a PC BIOS (or QEMU) reports: the first 640 KiB, the ISA hole up to 1 MiB, RAM up to 3 GiB, the PCI
 *   hole from 3 to 4 GiB, the rest of the RAM from 4 GiB. The kernel also drops pfn 0. This is the default, and
 *   what the sample machine shows (DMA starts at pfn 1, DMA32 has 782336 present pages).
 * - `flat`: one range from address 0, no holes. Simple for experiments and tests.
 */
export type MemoryLayout = 'pc' | 'flat';

const MIB = 2 ** 20;
const GIB = 2 ** 30;
const LOW_RAM_END = 0x9fc00;
const PCI_HOLE_START = 3 * GIB;
const FOUR_GIB = 4 * GIB;

/**
 * An entry made with `type` as its first property: its byte addresses (doubles from 2 GiB up) then have a hidden
 * class of their own in V8. An object literal `{ start, end }` shares its fields with every other one, and one of
 * bytes would make the pfns of every range (present memory, memblock, the allocator's boot pieces) doubles.
 */
function e820Entry(type: E820Type, start: number, end: number): E820Entry {
  return { type, start, end };
}

/** The firmware memory map for `memory` bytes of RAM. */
export function firmwareMemoryMap(layout: MemoryLayout, memory: number, arch: ArchSpec): E820Entry[] {
  if (layout === 'flat') {
    if (memory > arch.maxPhysicalAddress) throw new RangeError(tooMuch(memory, arch));
    return [e820Entry('usable', 0, memory)];
  }
  const below = Math.min(memory, PCI_HOLE_START);
  const above = memory - below;
  if (above > 0 && FOUR_GIB + above > arch.maxPhysicalAddress) throw new RangeError(tooMuch(memory, arch));
  const map: E820Entry[] = [
    e820Entry('usable', 0, LOW_RAM_END),
    e820Entry('reserved', LOW_RAM_END, 0xa0000),
    e820Entry('reserved', 0xf0000, MIB),
  ];
  if (below > MIB) map.push(e820Entry('usable', MIB, below));
  map.push(e820Entry('reserved', 0xfeffc000, 0xff000000));
  map.push(e820Entry('reserved', 0xfffc0000, FOUR_GIB));
  if (above > 0) map.push(e820Entry('usable', FOUR_GIB, FOUR_GIB + above));
  return map;
}

function tooMuch(memory: number, arch: ArchSpec): string {
  return `${memory} bytes of RAM do not fit the ${arch.bitsPerLong}-bit physical address space of ${arch.name}`;
}

/** `memmap=size$start`: marks [start, start+size) reserved, carving it out of usable entries. */
export function reserveRange(map: readonly E820Entry[], start: number, size: number): E820Entry[] {
  const end = start + size;
  const result: E820Entry[] = [];
  for (const entry of map) {
    if (entry.type !== 'usable' || entry.end <= start || entry.start >= end) {
      result.push(entry);
      continue;
    }
    if (entry.start < start) result.push(e820Entry('usable', entry.start, start));
    if (entry.end > end) result.push(e820Entry('usable', end, entry.end));
  }
  result.push(e820Entry('reserved', start, end));
  return result.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** `mem=limit` on x86 (`parse_memopt` → `e820__range_remove`): drops usable RAM at and above physical `limit`. */
export function limitMemory(map: readonly E820Entry[], limit: number): E820Entry[] {
  const result: E820Entry[] = [];
  for (const entry of map) {
    if (entry.type !== 'usable' || entry.end <= limit) result.push(entry);
    else if (entry.start < limit) result.push(e820Entry('usable', entry.start, limit));
  }
  return result;
}

/**
 * The present pfn ranges: usable entries shrunk to whole pages, merged when adjacent. With `trimFirstPage` pfn 0 is
 * dropped, as x86 `trim_bios_range()` does.
 */
export function presentRanges(map: readonly E820Entry[], trimFirstPage: boolean): PfnRange[] {
  const ranges: PfnRange[] = [];
  for (const entry of map.filter(({ type }) => type === 'usable').sort((a, b) => a.start - b.start)) {
    let start = Math.ceil(entry.start / PAGE_SIZE);
    const end = Math.floor(entry.end / PAGE_SIZE);
    if (trimFirstPage && start === 0) start = 1;
    if (end <= start) continue;
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last.end >= start)
      ranges[ranges.length - 1] = { start: last.start, end: Math.max(end, last.end) };
    else ranges.push({ start, end });
  }
  return ranges;
}

/** Number of pfns of `ranges` inside [start, end). */
export function pagesInRanges(ranges: readonly PfnRange[], start: number, end: number): number {
  let pages = 0;
  for (const range of ranges) {
    const low = Math.max(start, range.start);
    const high = Math.min(end, range.end);
    if (high > low) pages += high - low;
  }
  return pages;
}

import { PAGE_SHIFT } from './constants';

/** A zone type of an architecture: its `enum zone_type` index, name and upper physical bound. */
export interface ZoneType {
  /** `enum zone_type` value; it is also the zone field of page->flags. */
  readonly index: number;
  /** As /proc/zoneinfo prints it: `DMA`, `DMA32`, `Normal`, `HighMem`, `Movable`. */
  readonly name: string;
  /** First pfn above this zone type (Infinity for the last fixed zone); ZONE_MOVABLE has none. */
  readonly endPfn: number;
}

/** The architecture facts the memory model needs (arch/x86/include/asm/sparsemem.h, asm/dma.h, asm/page_*.h). */
export interface ArchSpec {
  readonly name: 'x86_64' | 'i386';
  readonly bitsPerLong: 32 | 64;
  /** `SECTION_SIZE_BITS`: 27 on x86_64 (128 MiB), 26 on i386 without PAE (64 MiB). */
  readonly sectionSizeBits: number;
  /** `PFN_SECTION_SHIFT`. */
  readonly pfnSectionShift: number;
  /** `PAGES_PER_SECTION`. */
  readonly pagesPerSection: number;
  /** The fixed zones in `enum zone_type` order, then Movable. */
  readonly zoneTypes: readonly ZoneType[];
  /** Index of ZONE_MOVABLE in {@link zoneTypes}. */
  readonly movableZoneIndex: number;
  /** The highest physical address the architecture can use (`MAX_PHYSMEM_BITS`). */
  readonly maxPhysicalAddress: number;
  /** `sizeof(struct page)`: what the memmap costs per page of simulated memory. */
  readonly structPageBytes: number;
}

const MIB = 2 ** 20;
const GIB = 2 ** 30;

function arch(
  name: ArchSpec['name'],
  bitsPerLong: 32 | 64,
  sectionSizeBits: number,
  zones: readonly (readonly [string, number])[],
  maxPhysicalAddress: number,
  structPageBytes: number,
): ArchSpec {
  const zoneTypes = [...zones, ['Movable', Number.POSITIVE_INFINITY] as const].map(([zoneName, endPfn], index) => ({
    index,
    name: zoneName,
    endPfn,
  }));
  return {
    name,
    bitsPerLong,
    sectionSizeBits,
    pfnSectionShift: sectionSizeBits - PAGE_SHIFT,
    // A shift, not `2 **`, which makes a heap number: the field would be a double and every pfn computed from it too.
    pagesPerSection: 1 << (sectionSizeBits - PAGE_SHIFT),
    zoneTypes,
    movableZoneIndex: zoneTypes.length - 1,
    maxPhysicalAddress,
    structPageBytes,
  };
}

/** x86_64: ZONE_DMA below 16 MiB, ZONE_DMA32 below 4 GiB, ZONE_NORMAL above; 46 physical address bits. */
export const x86_64: ArchSpec = arch(
  'x86_64',
  64,
  27,
  [
    ['DMA', (16 * MIB) / 4096],
    ['DMA32', (4 * GIB) / 4096],
    ['Normal', Number.POSITIVE_INFINITY],
  ],
  2 ** 46,
  64,
);

/** i386 without PAE: ZONE_DMA below 16 MiB, ZONE_NORMAL below 896 MiB, ZONE_HIGHMEM above; 4 GiB at most. */
export const i386: ArchSpec = arch(
  'i386',
  32,
  26,
  [
    ['DMA', (16 * MIB) / 4096],
    ['Normal', (896 * MIB) / 4096],
    ['HighMem', Number.POSITIVE_INFINITY],
  ],
  4 * GIB,
  32,
);

/** Architectures by name. */
export const architectures: Readonly<Record<ArchSpec['name'], ArchSpec>> = { x86_64, i386 };

import type { KernelProfile } from '@mm/physmem';
import { Migratetype } from '@mm/physmem';

/**
 * `gfp_zone()` (include/linux/gfp.h `GFP_ZONE_TABLE`): the highest zone type an allocation may use, as an index
 * into the architecture's zone types. No zone bit means ZONE_NORMAL; `__GFP_HIGHMEM|__GFP_MOVABLE` (user pages)
 * means ZONE_MOVABLE; `__GFP_MOVABLE` alone means ZONE_NORMAL. On x86_64 `__GFP_HIGHMEM` means ZONE_NORMAL (there
 * is no highmem); on i386 `__GFP_DMA32` means ZONE_NORMAL (there is no DMA32). Returns -1 for the combinations
 * the kernel's `GFP_ZONE_BAD` table rejects (two zone bits that contradict each other).
 */
export function gfpZone(gfp: number, profile: KernelProfile): number {
  const { DMA, HIGHMEM, DMA32, MOVABLE } = profile.gfp.flags;
  const zones = profile.arch.zoneTypes;
  const index = (name: string) => zones.findIndex((zone) => zone.name === name);
  const normal = index('Normal');
  const highmem = index('HighMem') >= 0 ? index('HighMem') : normal;
  const dma32 = index('DMA32') >= 0 ? index('DMA32') : normal;
  const bits = gfp & (DMA | HIGHMEM | DMA32 | MOVABLE);
  switch (bits) {
    case 0:
    case MOVABLE:
      return normal;
    case DMA:
    case DMA | MOVABLE:
      return index('DMA');
    case HIGHMEM:
      return highmem;
    case DMA32:
    case DMA32 | MOVABLE:
      return dma32;
    case HIGHMEM | MOVABLE:
      return profile.arch.movableZoneIndex;
    default:
      return -1;
  }
}

/**
 * `gfp_migratetype()`: `(gfp & (__GFP_RECLAIMABLE | __GFP_MOVABLE)) >> GFP_MOVABLE_SHIFT`. Both bits together
 * would be MIGRATE_HIGHATOMIC, which the kernel warns about; mmsim reads it as Unmovable.
 */
export function gfpMigratetype(gfp: number, profile: KernelProfile): number {
  const { MOVABLE, RECLAIMABLE } = profile.gfp.flags;
  if ((gfp & MOVABLE) !== 0 && (gfp & RECLAIMABLE) === 0) return Migratetype.MOVABLE;
  if ((gfp & RECLAIMABLE) !== 0 && (gfp & MOVABLE) === 0) return Migratetype.RECLAIMABLE;
  return Migratetype.UNMOVABLE;
}

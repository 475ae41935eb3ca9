import type { FlagName } from './format-flags';

/**
 * The gfp bits of one kernel era, by name without the `__GFP_` prefix (include/linux/gfp.h in v4.8,
 * include/linux/gfp_types.h in v6.18), and the composite masks built from them.
 */
export interface GfpFlags {
  readonly DMA: number;
  readonly HIGHMEM: number;
  readonly DMA32: number;
  readonly MOVABLE: number;
  readonly RECLAIMABLE: number;
  readonly HIGH: number;
  readonly IO: number;
  readonly FS: number;
  readonly ZERO: number;
  readonly NOWARN: number;
  readonly NOFAIL: number;
  readonly NORETRY: number;
  readonly MEMALLOC: number;
  readonly COMP: number;
  readonly NOMEMALLOC: number;
  readonly HARDWALL: number;
  readonly THISNODE: number;
  readonly ACCOUNT: number;
  readonly DIRECT_RECLAIM: number;
  readonly KSWAPD_RECLAIM: number;
  readonly WRITE: number;
  /** v4.8 only (0 in v6.18): __GFP_ATOMIC, __GFP_COLD, __GFP_REPEAT, __GFP_NOTRACK, __GFP_OTHER_NODE. */
  readonly ATOMIC: number;
  readonly COLD: number;
  readonly REPEAT: number;
  readonly NOTRACK: number;
  readonly OTHER_NODE: number;
  /** v6.18 only (0 in v4.8). */
  readonly RETRY_MAYFAIL: number;
  readonly ZEROTAGS: number;
  /** Composites. */
  readonly RECLAIM: number;
  readonly GFP_KERNEL: number;
  readonly GFP_KERNEL_ACCOUNT: number;
  readonly GFP_ATOMIC: number;
  readonly GFP_NOWAIT: number;
  readonly GFP_NOIO: number;
  readonly GFP_NOFS: number;
  readonly GFP_USER: number;
  readonly GFP_HIGHUSER: number;
  readonly GFP_HIGHUSER_MOVABLE: number;
  readonly GFP_TRANSHUGE_LIGHT: number;
  readonly GFP_TRANSHUGE: number;
  readonly GFP_DMA: number;
  readonly GFP_DMA32: number;
  /** v4.8 only (0 in v6.18). */
  readonly GFP_TEMPORARY: number;
  /** The zone modifier bits (`GFP_ZONEMASK`). */
  readonly ZONEMASK: number;
}

/** A gfp era: its bit values and its `%pGg` name table (include/trace/events/mmflags.h). */
export interface GfpTable {
  readonly flags: GfpFlags;
  /** Ordered as the kernel's `__def_gfpflag_names`: composites first, then single bits. */
  readonly names: readonly FlagName[];
}

/** The single gfp bits of an era (0 where the era has no such bit). */
type GfpBits = Omit<
  GfpFlags,
  | 'RECLAIM'
  | 'GFP_KERNEL'
  | 'GFP_KERNEL_ACCOUNT'
  | 'GFP_ATOMIC'
  | 'GFP_NOWAIT'
  | 'GFP_NOIO'
  | 'GFP_NOFS'
  | 'GFP_USER'
  | 'GFP_HIGHUSER'
  | 'GFP_HIGHUSER_MOVABLE'
  | 'GFP_TRANSHUGE_LIGHT'
  | 'GFP_TRANSHUGE'
  | 'GFP_DMA'
  | 'GFP_DMA32'
  | 'GFP_TEMPORARY'
  | 'ZONEMASK'
>;

/** The composite masks, built from an era's bits as include/linux/gfp*.h define them. */
function withComposites(bits: GfpBits, era: 'v4' | 'v6'): GfpFlags {
  const RECLAIM = bits.DIRECT_RECLAIM | bits.KSWAPD_RECLAIM;
  const GFP_KERNEL = RECLAIM | bits.IO | bits.FS;
  const GFP_USER = GFP_KERNEL | bits.HARDWALL;
  const GFP_HIGHUSER = GFP_USER | bits.HIGHMEM;
  const GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | bits.MOVABLE;
  const GFP_TRANSHUGE_LIGHT = (GFP_HIGHUSER_MOVABLE | bits.COMP | bits.NOMEMALLOC | bits.NOWARN) & ~RECLAIM;
  return {
    ...bits,
    RECLAIM,
    GFP_KERNEL,
    GFP_KERNEL_ACCOUNT: GFP_KERNEL | bits.ACCOUNT,
    // v4.8: __GFP_HIGH|__GFP_ATOMIC|__GFP_KSWAPD_RECLAIM; v6.18 has no __GFP_ATOMIC.
    GFP_ATOMIC: bits.HIGH | bits.ATOMIC | bits.KSWAPD_RECLAIM,
    // v6.18's GFP_NOWAIT also carries __GFP_NOWARN.
    GFP_NOWAIT: bits.KSWAPD_RECLAIM | (era === 'v6' ? bits.NOWARN : 0),
    GFP_NOIO: RECLAIM,
    GFP_NOFS: RECLAIM | bits.IO,
    GFP_USER,
    GFP_HIGHUSER,
    GFP_HIGHUSER_MOVABLE,
    GFP_TRANSHUGE_LIGHT,
    GFP_TRANSHUGE: GFP_TRANSHUGE_LIGHT | bits.DIRECT_RECLAIM,
    GFP_DMA: bits.DMA,
    GFP_DMA32: bits.DMA32,
    GFP_TEMPORARY: era === 'v4' ? RECLAIM | bits.IO | bits.FS | bits.RECLAIMABLE : 0,
    ZONEMASK: bits.DMA | bits.HIGHMEM | bits.DMA32 | bits.MOVABLE,
  };
}

/** include/linux/gfp.h of v4.8 (`__GFP_BITS_SHIFT` 26). */
const v48Bits: GfpBits = {
  DMA: 0x1,
  HIGHMEM: 0x2,
  DMA32: 0x4,
  MOVABLE: 0x8,
  RECLAIMABLE: 0x10,
  HIGH: 0x20,
  IO: 0x40,
  FS: 0x80,
  COLD: 0x100,
  NOWARN: 0x200,
  REPEAT: 0x400,
  NOFAIL: 0x800,
  NORETRY: 0x1000,
  MEMALLOC: 0x2000,
  COMP: 0x4000,
  ZERO: 0x8000,
  NOMEMALLOC: 0x10000,
  HARDWALL: 0x20000,
  THISNODE: 0x40000,
  ATOMIC: 0x80000,
  ACCOUNT: 0x100000,
  NOTRACK: 0x200000,
  DIRECT_RECLAIM: 0x400000,
  OTHER_NODE: 0x800000,
  WRITE: 0x1000000,
  KSWAPD_RECLAIM: 0x2000000,
  RETRY_MAYFAIL: 0,
  ZEROTAGS: 0,
};

/** include/linux/gfp_types.h of v6.18 (bit 9 unused). */
const v618Bits: GfpBits = {
  DMA: 0x1,
  HIGHMEM: 0x2,
  DMA32: 0x4,
  MOVABLE: 0x8,
  RECLAIMABLE: 0x10,
  HIGH: 0x20,
  IO: 0x40,
  FS: 0x80,
  ZERO: 0x100,
  DIRECT_RECLAIM: 0x400,
  KSWAPD_RECLAIM: 0x800,
  WRITE: 0x1000,
  NOWARN: 0x2000,
  RETRY_MAYFAIL: 0x4000,
  NOFAIL: 0x8000,
  NORETRY: 0x10000,
  MEMALLOC: 0x20000,
  COMP: 0x40000,
  NOMEMALLOC: 0x80000,
  HARDWALL: 0x100000,
  THISNODE: 0x200000,
  ACCOUNT: 0x400000,
  ZEROTAGS: 0x800000,
  ATOMIC: 0,
  COLD: 0,
  REPEAT: 0,
  NOTRACK: 0,
  OTHER_NODE: 0,
};

const named = (entries: readonly (readonly [string, number])[]): FlagName[] =>
  entries.map(([name, mask]) => ({ name, mask }));

function v48Table(): GfpTable {
  const f = withComposites(v48Bits, 'v4');
  return {
    flags: f,
    names: named([
      ['GFP_TRANSHUGE', f.GFP_TRANSHUGE],
      ['GFP_TRANSHUGE_LIGHT', f.GFP_TRANSHUGE_LIGHT],
      ['GFP_HIGHUSER_MOVABLE', f.GFP_HIGHUSER_MOVABLE],
      ['GFP_HIGHUSER', f.GFP_HIGHUSER],
      ['GFP_USER', f.GFP_USER],
      ['GFP_TEMPORARY', f.GFP_TEMPORARY],
      ['GFP_KERNEL_ACCOUNT', f.GFP_KERNEL_ACCOUNT],
      ['GFP_KERNEL', f.GFP_KERNEL],
      ['GFP_NOFS', f.GFP_NOFS],
      ['GFP_ATOMIC', f.GFP_ATOMIC],
      ['GFP_NOIO', f.GFP_NOIO],
      ['GFP_NOWAIT', f.GFP_NOWAIT],
      ['GFP_DMA', f.GFP_DMA],
      ['__GFP_HIGHMEM', f.HIGHMEM],
      ['GFP_DMA32', f.GFP_DMA32],
      ['__GFP_HIGH', f.HIGH],
      ['__GFP_ATOMIC', f.ATOMIC],
      ['__GFP_IO', f.IO],
      ['__GFP_FS', f.FS],
      ['__GFP_COLD', f.COLD],
      ['__GFP_NOWARN', f.NOWARN],
      ['__GFP_REPEAT', f.REPEAT],
      ['__GFP_NOFAIL', f.NOFAIL],
      ['__GFP_NORETRY', f.NORETRY],
      ['__GFP_COMP', f.COMP],
      ['__GFP_ZERO', f.ZERO],
      ['__GFP_NOMEMALLOC', f.NOMEMALLOC],
      ['__GFP_MEMALLOC', f.MEMALLOC],
      ['__GFP_HARDWALL', f.HARDWALL],
      ['__GFP_THISNODE', f.THISNODE],
      ['__GFP_RECLAIMABLE', f.RECLAIMABLE],
      ['__GFP_MOVABLE', f.MOVABLE],
      ['__GFP_ACCOUNT', f.ACCOUNT],
      ['__GFP_NOTRACK', f.NOTRACK],
      ['__GFP_WRITE', f.WRITE],
      ['__GFP_RECLAIM', f.RECLAIM],
      ['__GFP_DIRECT_RECLAIM', f.DIRECT_RECLAIM],
      ['__GFP_KSWAPD_RECLAIM', f.KSWAPD_RECLAIM],
      ['__GFP_OTHER_NODE', f.OTHER_NODE],
    ]),
  };
}

function v618Table(): GfpTable {
  const f = withComposites(v618Bits, 'v6');
  return {
    flags: f,
    names: named([
      ['GFP_TRANSHUGE', f.GFP_TRANSHUGE],
      ['GFP_TRANSHUGE_LIGHT', f.GFP_TRANSHUGE_LIGHT],
      ['GFP_HIGHUSER_MOVABLE', f.GFP_HIGHUSER_MOVABLE],
      ['GFP_HIGHUSER', f.GFP_HIGHUSER],
      ['GFP_USER', f.GFP_USER],
      ['GFP_KERNEL_ACCOUNT', f.GFP_KERNEL_ACCOUNT],
      ['GFP_KERNEL', f.GFP_KERNEL],
      ['GFP_NOFS', f.GFP_NOFS],
      ['GFP_ATOMIC', f.GFP_ATOMIC],
      ['GFP_NOIO', f.GFP_NOIO],
      ['GFP_NOWAIT', f.GFP_NOWAIT],
      ['GFP_DMA', f.GFP_DMA],
      ['GFP_DMA32', f.GFP_DMA32],
      ['__GFP_RECLAIM', f.RECLAIM],
      ['__GFP_DMA', f.DMA],
      ['__GFP_HIGHMEM', f.HIGHMEM],
      ['__GFP_DMA32', f.DMA32],
      ['__GFP_MOVABLE', f.MOVABLE],
      ['__GFP_RECLAIMABLE', f.RECLAIMABLE],
      ['__GFP_HIGH', f.HIGH],
      ['__GFP_IO', f.IO],
      ['__GFP_FS', f.FS],
      ['__GFP_ZERO', f.ZERO],
      ['__GFP_DIRECT_RECLAIM', f.DIRECT_RECLAIM],
      ['__GFP_KSWAPD_RECLAIM', f.KSWAPD_RECLAIM],
      ['__GFP_WRITE', f.WRITE],
      ['__GFP_NOWARN', f.NOWARN],
      ['__GFP_RETRY_MAYFAIL', f.RETRY_MAYFAIL],
      ['__GFP_NOFAIL', f.NOFAIL],
      ['__GFP_NORETRY', f.NORETRY],
      ['__GFP_MEMALLOC', f.MEMALLOC],
      ['__GFP_COMP', f.COMP],
      ['__GFP_NOMEMALLOC', f.NOMEMALLOC],
      ['__GFP_HARDWALL', f.HARDWALL],
      ['__GFP_THISNODE', f.THISNODE],
      ['__GFP_ACCOUNT', f.ACCOUNT],
      ['__GFP_ZEROTAGS', f.ZEROTAGS],
    ]),
  };
}

/** The v4.8 gfp era (also used by the v4.7 profile). */
export const gfpV48: GfpTable = v48Table();
/** The v6.18 gfp era, for a config without KASAN_HW_TAGS and LOCKDEP (a distribution kernel). */
export const gfpV618: GfpTable = v618Table();

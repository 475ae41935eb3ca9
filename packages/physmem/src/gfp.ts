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

function v48Flags(): GfpFlags {
  const DMA = 0x1;
  const HIGHMEM = 0x2;
  const DMA32 = 0x4;
  const MOVABLE = 0x8;
  const RECLAIMABLE = 0x10;
  const HIGH = 0x20;
  const IO = 0x40;
  const FS = 0x80;
  const COLD = 0x100;
  const NOWARN = 0x200;
  const REPEAT = 0x400;
  const NOFAIL = 0x800;
  const NORETRY = 0x1000;
  const MEMALLOC = 0x2000;
  const COMP = 0x4000;
  const ZERO = 0x8000;
  const NOMEMALLOC = 0x10000;
  const HARDWALL = 0x20000;
  const THISNODE = 0x40000;
  const ATOMIC = 0x80000;
  const ACCOUNT = 0x100000;
  const NOTRACK = 0x200000;
  const DIRECT_RECLAIM = 0x400000;
  const OTHER_NODE = 0x800000;
  const WRITE = 0x1000000;
  const KSWAPD_RECLAIM = 0x2000000;
  const RECLAIM = DIRECT_RECLAIM | KSWAPD_RECLAIM;
  const GFP_KERNEL = RECLAIM | IO | FS;
  const GFP_USER = GFP_KERNEL | HARDWALL;
  const GFP_HIGHUSER = GFP_USER | HIGHMEM;
  const GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | MOVABLE;
  const GFP_TRANSHUGE_LIGHT = (GFP_HIGHUSER_MOVABLE | COMP | NOMEMALLOC | NOWARN) & ~RECLAIM;
  return {
    DMA,
    HIGHMEM,
    DMA32,
    MOVABLE,
    RECLAIMABLE,
    HIGH,
    IO,
    FS,
    ZERO,
    NOWARN,
    NOFAIL,
    NORETRY,
    MEMALLOC,
    COMP,
    NOMEMALLOC,
    HARDWALL,
    THISNODE,
    ACCOUNT,
    DIRECT_RECLAIM,
    KSWAPD_RECLAIM,
    WRITE,
    ATOMIC,
    COLD,
    REPEAT,
    NOTRACK,
    OTHER_NODE,
    RETRY_MAYFAIL: 0,
    ZEROTAGS: 0,
    RECLAIM,
    GFP_KERNEL,
    GFP_KERNEL_ACCOUNT: GFP_KERNEL | ACCOUNT,
    GFP_ATOMIC: HIGH | ATOMIC | KSWAPD_RECLAIM,
    GFP_NOWAIT: KSWAPD_RECLAIM,
    GFP_NOIO: RECLAIM,
    GFP_NOFS: RECLAIM | IO,
    GFP_USER,
    GFP_HIGHUSER,
    GFP_HIGHUSER_MOVABLE,
    GFP_TRANSHUGE_LIGHT,
    GFP_TRANSHUGE: GFP_TRANSHUGE_LIGHT | DIRECT_RECLAIM,
    GFP_DMA: DMA,
    GFP_DMA32: DMA32,
    GFP_TEMPORARY: RECLAIM | IO | FS | RECLAIMABLE,
    ZONEMASK: DMA | HIGHMEM | DMA32 | MOVABLE,
  };
}

function v618Flags(): GfpFlags {
  const DMA = 0x1;
  const HIGHMEM = 0x2;
  const DMA32 = 0x4;
  const MOVABLE = 0x8;
  const RECLAIMABLE = 0x10;
  const HIGH = 0x20;
  const IO = 0x40;
  const FS = 0x80;
  const ZERO = 0x100;
  const DIRECT_RECLAIM = 0x400;
  const KSWAPD_RECLAIM = 0x800;
  const WRITE = 0x1000;
  const NOWARN = 0x2000;
  const RETRY_MAYFAIL = 0x4000;
  const NOFAIL = 0x8000;
  const NORETRY = 0x10000;
  const MEMALLOC = 0x20000;
  const COMP = 0x40000;
  const NOMEMALLOC = 0x80000;
  const HARDWALL = 0x100000;
  const THISNODE = 0x200000;
  const ACCOUNT = 0x400000;
  const ZEROTAGS = 0x800000;
  const RECLAIM = DIRECT_RECLAIM | KSWAPD_RECLAIM;
  const GFP_KERNEL = RECLAIM | IO | FS;
  const GFP_USER = GFP_KERNEL | HARDWALL;
  const GFP_HIGHUSER = GFP_USER | HIGHMEM;
  const GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | MOVABLE;
  const GFP_TRANSHUGE_LIGHT = (GFP_HIGHUSER_MOVABLE | COMP | NOMEMALLOC | NOWARN) & ~RECLAIM;
  return {
    DMA,
    HIGHMEM,
    DMA32,
    MOVABLE,
    RECLAIMABLE,
    HIGH,
    IO,
    FS,
    ZERO,
    NOWARN,
    NOFAIL,
    NORETRY,
    MEMALLOC,
    COMP,
    NOMEMALLOC,
    HARDWALL,
    THISNODE,
    ACCOUNT,
    DIRECT_RECLAIM,
    KSWAPD_RECLAIM,
    WRITE,
    ATOMIC: 0,
    COLD: 0,
    REPEAT: 0,
    NOTRACK: 0,
    OTHER_NODE: 0,
    RETRY_MAYFAIL,
    ZEROTAGS,
    RECLAIM,
    GFP_KERNEL,
    GFP_KERNEL_ACCOUNT: GFP_KERNEL | ACCOUNT,
    GFP_ATOMIC: HIGH | KSWAPD_RECLAIM,
    GFP_NOWAIT: KSWAPD_RECLAIM | NOWARN,
    GFP_NOIO: RECLAIM,
    GFP_NOFS: RECLAIM | IO,
    GFP_USER,
    GFP_HIGHUSER,
    GFP_HIGHUSER_MOVABLE,
    GFP_TRANSHUGE_LIGHT,
    GFP_TRANSHUGE: GFP_TRANSHUGE_LIGHT | DIRECT_RECLAIM,
    GFP_DMA: DMA,
    GFP_DMA32: DMA32,
    GFP_TEMPORARY: 0,
    ZONEMASK: DMA | HIGHMEM | DMA32 | MOVABLE,
  };
}

const named = (entries: readonly (readonly [string, number])[]): FlagName[] =>
  entries.map(([name, mask]) => ({ name, mask }));

function v48Table(): GfpTable {
  const f = v48Flags();
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
  const f = v618Flags();
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

import type { FlagName } from './format-flags';

/** Page flag names used by mmsim, spelled as the kernel's `PG_*` without the prefix. */
export type PageFlagName =
  | 'locked'
  | 'error'
  | 'referenced'
  | 'uptodate'
  | 'dirty'
  | 'lru'
  | 'active'
  | 'slab'
  | 'owner_priv_1'
  | 'arch_1'
  | 'reserved'
  | 'private'
  | 'private_2'
  | 'writeback'
  | 'head'
  | 'swapcache'
  | 'mappedtodisk'
  | 'reclaim'
  | 'swapbacked'
  | 'unevictable'
  | 'mlocked'
  | 'uncached'
  | 'hwpoison'
  | 'young'
  | 'idle'
  | 'waiters'
  | 'workingset'
  | 'owner_2'
  | 'dropbehind';

/**
 * The page flags of one era: bit numbers (`enum pageflags`, include/linux/page-flags.h) and the `%pGp` name table
 * (`__def_pageflag_names`, include/trace/events/mmflags.h), for an x86_64 distribution config (MMU, PAT,
 * MEMORY_FAILURE, IDLE_PAGE_TRACKING).
 */
export interface PageFlagTable {
  /** Bit number of each flag; -1 where the era has no such flag. */
  readonly bit: Readonly<Record<PageFlagName, number>>;
  /** `NR_PAGEFLAGS`: the flags occupy bits 0 .. count-1 of page->flags. */
  readonly count: number;
  /** In `%pGp` print order. */
  readonly names: readonly FlagName[];
}

/** Every flag name of every era, so that each table can say -1 for the flags it lacks. */
const allPageFlagNames = (): readonly PageFlagName[] => [...new Set([...v48Bits, ...v618Bits])];

function table(bitOrder: readonly PageFlagName[], printOrder: readonly PageFlagName[]): PageFlagTable {
  const bit = {} as Record<PageFlagName, number>;
  for (const name of allPageFlagNames()) bit[name] = bitOrder.indexOf(name);
  return {
    bit,
    count: bitOrder.length,
    names: printOrder.map((name) => ({ name, mask: 2 ** bitOrder.indexOf(name) })),
  };
}

const v48Bits: PageFlagName[] = [
  'locked',
  'error',
  'referenced',
  'uptodate',
  'dirty',
  'lru',
  'active',
  'slab',
  'owner_priv_1',
  'arch_1',
  'reserved',
  'private',
  'private_2',
  'writeback',
  'head',
  'swapcache',
  'mappedtodisk',
  'reclaim',
  'swapbacked',
  'unevictable',
  'mlocked',
  'uncached',
  'hwpoison',
  'young',
  'idle',
];

const v618Bits: PageFlagName[] = [
  'locked',
  'writeback',
  'referenced',
  'uptodate',
  'dirty',
  'lru',
  'head',
  'waiters',
  'active',
  'workingset',
  'owner_priv_1',
  'owner_2',
  'arch_1',
  'reserved',
  'private',
  'private_2',
  'reclaim',
  'swapbacked',
  'unevictable',
  'dropbehind',
  'mlocked',
  'hwpoison',
  'young',
  'idle',
];

const v618PrintOrder: PageFlagName[] = [
  'locked',
  'waiters',
  'referenced',
  'uptodate',
  'dirty',
  'lru',
  'active',
  'workingset',
  'owner_priv_1',
  'owner_2',
  'arch_1',
  'reserved',
  'private',
  'private_2',
  'writeback',
  'head',
  'reclaim',
  'swapbacked',
  'unevictable',
  'dropbehind',
  'mlocked',
  'hwpoison',
  'idle',
  'young',
];

/** v4.8 page flags (also v4.7): bit order is print order; `swapcache` and `slab` are real flags. */
export const pageFlagsV48: PageFlagTable = table(v48Bits, v48Bits);
/**
 * v6.18 page flags. `slab` is a page type, not a flag, and `swapcache` shares `owner_priv_1`'s bit; the print
 * order differs from the bit order.
 */
export const pageFlagsV618: PageFlagTable = (() => {
  const base = table(v618Bits, v618PrintOrder);
  return { ...base, bit: { ...base.bit, swapcache: base.bit.owner_priv_1 } };
})();

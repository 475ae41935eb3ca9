import { PAGE_BUDDY_MAPCOUNT_VALUE } from '@mm/buddy';
import { KPF, type PageFlagName, PageState, PageType } from '@mm/physmem';
import type { Vm } from './vm';

/** An error a read returns instead of bytes. */
export interface KpageError {
  readonly errno: 'EINVAL';
}

/**
 * `MAX_RW_COUNT` (include/linux/fs.h, `INT_MAX & PAGE_MASK`): the most one `read()` transfers; `vfs_read()` cuts a
 * larger count to it. The /proc readers here do the same, so no read asks for more memory than that.
 */
export const MAX_RW_COUNT = 0x7ffff000;

/** Page flags copied straight into a KPF bit (`kpf_copy_bit()`), per era. */
const copiedV4: readonly [PageFlagName, number][] = [
  ['locked', KPF.LOCKED],
  ['slab', KPF.SLAB],
  ['error', KPF.ERROR],
  ['dirty', KPF.DIRTY],
  ['uptodate', KPF.UPTODATE],
  ['writeback', KPF.WRITEBACK],
  ['lru', KPF.LRU],
  ['referenced', KPF.REFERENCED],
  ['active', KPF.ACTIVE],
  ['reclaim', KPF.RECLAIM],
  ['swapcache', KPF.SWAPCACHE],
  ['swapbacked', KPF.SWAPBACKED],
  ['unevictable', KPF.UNEVICTABLE],
  ['mlocked', KPF.MLOCKED],
  ['hwpoison', KPF.HWPOISON],
  ['uncached', KPF.UNCACHED],
  ['reserved', KPF.RESERVED],
  ['mappedtodisk', KPF.MAPPEDTODISK],
  ['private', KPF.PRIVATE],
  ['private_2', KPF.PRIVATE_2],
  ['owner_priv_1', KPF.OWNER_PRIVATE],
  ['arch_1', KPF.ARCH],
];
const copiedV6: readonly [PageFlagName, number][] = [
  ['locked', KPF.LOCKED],
  ['dirty', KPF.DIRTY],
  ['uptodate', KPF.UPTODATE],
  ['writeback', KPF.WRITEBACK],
  ['lru', KPF.LRU],
  ['referenced', KPF.REFERENCED],
  ['active', KPF.ACTIVE],
  ['reclaim', KPF.RECLAIM],
  ['swapbacked', KPF.SWAPBACKED],
  ['unevictable', KPF.UNEVICTABLE],
  ['mlocked', KPF.MLOCKED],
  ['hwpoison', KPF.HWPOISON],
  ['reserved', KPF.RESERVED],
  ['owner_2', KPF.OWNER_2],
  ['private', KPF.PRIVATE],
  ['private_2', KPF.PRIVATE_2],
  ['owner_priv_1', KPF.OWNER_PRIVATE],
  ['arch_1', KPF.ARCH],
];

/** Per page flag bit, the KPF bits it is copied to (low and high 32 bits), for one era and flag layout. */
interface CopiedBits {
  readonly bit: object;
  readonly v4: boolean;
  readonly low: Int32Array;
  readonly high: Int32Array;
}

/** The bits of the last era and layout asked for: a walk asks for the same ones at every page. */
let lastCopied: CopiedBits | undefined;

function copiedBits(bit: Readonly<Record<PageFlagName, number>>, v4: boolean): CopiedBits {
  if (lastCopied !== undefined && lastCopied.bit === bit && lastCopied.v4 === v4) return lastCopied;
  const copied = { bit, v4, low: new Int32Array(32), high: new Int32Array(32) };
  for (const [name, kpf] of v4 ? copiedV4 : copiedV6) {
    const flag = bit[name];
    if (flag < 0) continue;
    if (kpf >= 32) copied.high[flag]! |= 1 << (kpf - 32);
    else copied.low[flag]! |= 1 << kpf;
  }
  lastCopied = copied;
  return copied;
}

/**
 * `stable_page_flags()` (fs/proc/page.c) of one pfn, as [high 32 bits, low 32 bits]: NOPAGE for a pfn without a
 * struct page (v6.18: 0); for a free page BUDDY (the head of a free block, or a page inside one whose count is 0); otherwise
 * MMAP (mapped, not slab), ANON, compound head/tail, SLAB (v6.18: a slab folio, tails included), PGTABLE (v6.18),
 * IDLE, and the page flags copied bit for bit (v6.18: SWAPCACHE only with SWAPBACKED). No zero page, KSM, THP,
 * hugetlb or balloon pages exist in mmsim.
 */
export function kpageflags(vm: Vm, pfn: number): [number, number] {
  const words = new Uint32Array(2);
  words[0] = kpageflagsLow(vm, pfn, freeBlockHead(vm, pfn) >= 0, words, 0);
  return [words[1]!, words[0]!];
}

/**
 * The low 32 bits of {@link kpageflags} of a page in a free block or not (`free`, {@link freeBlockHead}), without
 * an array: the high 32 bits go to `words[at + 1]`.
 */
function kpageflagsLow(vm: Vm, pfn: number, free: boolean, words: Uint32Array, at: number): number {
  const { memory } = vm;
  words[at + 1] = 0;
  // v6.18 kpage_read() writes 0 where pfn_to_online_page() finds nothing; v4.8 says NOPAGE.
  if (pfn >= memory.maxPfn || !memory.pfnValid(pfn)) return memory.profile.era === 'v4' ? 1 << KPF.NOPAGE : 0;
  if (free) return 1 << KPF.BUDDY;
  const state = memory.pageState(pfn);
  if (state === PageState.pcp || state === PageState.guard) return 0;
  const v4 = memory.profile.era === 'v4';
  const { bit } = memory.profile.pageFlags;
  const tail = state === PageState.tail;
  const head = tail ? compoundHead(vm, pfn) : pfn;
  const flags = memory.pageFlags(head);
  let low = 0;
  let high = 0;
  const slab = v4 ? (flags & (1 << bit.slab)) !== 0 : memory.pageType(head) === PageType.slab;
  // v4.8 skips slab pages (their mapcount field is the slab's); v6.18's page types have no mapcount.
  if (memory.pageMapcount(pfn) > 0 && !slab) low |= 1 << KPF.MMAP;
  if (vm.isAnon(head)) low |= 1 << KPF.ANON;
  if (tail) low |= 1 << KPF.COMPOUND_TAIL;
  else if ((flags & (1 << bit.head)) !== 0) low |= 1 << KPF.COMPOUND_HEAD;
  if (!v4 && memory.pageType(head) === PageType.table) low |= 1 << KPF.PGTABLE;
  if (!v4 && memory.pageType(head) === PageType.offline) low |= 1 << KPF.OFFLINE;
  if (slab) low |= 1 << KPF.SLAB;
  if (vm.idleFlags.isIdle(head)) low |= 1 << KPF.IDLE;
  const copied = copiedBits(memory.profile.pageFlags.bit, v4);
  // The slab bit is not copied from a tail's head.
  let rest = tail && v4 && bit.slab >= 0 ? flags & ~(1 << bit.slab) : flags;
  while (rest !== 0) {
    const flag = 31 - Math.clz32(rest & -rest);
    low |= copied.low[flag]!;
    high |= copied.high[flag]!;
    rest &= rest - 1;
  }
  if (!v4 && (flags & (1 << bit.swapbacked)) !== 0 && (flags & (1 << bit.swapcache)) !== 0) {
    low |= 1 << KPF.SWAPCACHE;
  }
  words[at + 1] = high;
  return low;
}

/**
 * `page_mapcount()` of a free block's head in v4.x: its `_mapcount`, `PAGE_BUDDY_MAPCOUNT_VALUE`, plus one. v4.8's
 * `kpagecount_read()` writes it as it is (a u64 of 2^64 - 127); later kernels write 0 for pages with a page type.
 */
const V4_BUDDY_MAPCOUNT = PAGE_BUDDY_MAPCOUNT_VALUE + 1;

/**
 * `/proc/kpagecount` of one pfn: the page's mapcount (0 for invalid pfns, free, slab and page table pages), except
 * in v4.x for the head of a free block, whose negative count the file holds as a u64 ({@link V4_BUDDY_MAPCOUNT}).
 */
export function kpagecount(vm: Vm, pfn: number): number {
  const { memory } = vm;
  if (pfn >= memory.maxPfn || !memory.pfnValid(pfn)) return 0;
  if (memory.profile.era === 'v4' && memory.pageState(pfn) === PageState.buddy) return V4_BUDDY_MAPCOUNT;
  return memory.pageMapcount(pfn);
}

/**
 * `kpageflags_read()`: `length` bytes from byte `position` (multiples of 8, else EINVAL; NaN, infinite or negative
 * ones too) of little-endian u64 entries, one per pfn, up to the end of memory (`max_pfn`; v6.18 rounds it up to a
 * whole section) and at most {@link MAX_RW_COUNT} bytes.
 */
export function readKpageflags(vm: Vm, position: number, length: number): Uint8Array | KpageError {
  return readPerPfn(vm, position, length, 1 << KPF.BUDDY, (pfn, free, words, at) => {
    words[at] = kpageflagsLow(vm, pfn, free, words, at);
  });
}

/** `kpagecount_read()`: as {@link readKpageflags}, with each page's mapcount. */
export function readKpagecount(vm: Vm, position: number, length: number): Uint8Array | KpageError {
  return readPerPfn(vm, position, length, 0, (pfn, _free, words, at) => {
    const count = kpagecount(vm, pfn);
    words[at] = count;
    words[at + 1] = count < 0 ? 0xffffffff : 0;
  });
}

/** The number of entries the files have (`max_pfn`, rounded up to a section in v6.18). */
export function kpageEntries(vm: Vm): number {
  const { memory } = vm;
  if (memory.profile.era === 'v4') return memory.maxPfn;
  return Math.ceil(memory.maxPfn / memory.pagesPerSection) * memory.pagesPerSection;
}

/**
 * The entries of [position, position + length) bytes, each from `fill`, but for the pages after the first of a free
 * buddy block: they hold nothing but their place in the block, so their entry is `free` (the low 32 bits; a free
 * page has no high ones) without a look at their struct pages. A walk over free memory then reads a page a block:
 * the host commits no memory for the per-page arrays of free memory, and the time follows the blocks, not the pages.
 */
function readPerPfn(
  vm: Vm,
  position: number,
  length: number,
  free: number,
  fill: (pfn: number, free: boolean, words: Uint32Array, at: number) => void,
): Uint8Array | KpageError {
  if (position % 8 !== 0 || length % 8 !== 0 || position < 0 || length < 0) return { errno: 'EINVAL' };
  const first = position / 8;
  const end = Math.min(first + Math.min(length, MAX_RW_COUNT) / 8, kpageEntries(vm));
  if (end <= first) return new Uint8Array(0);
  // Entries by their offset from the first: integers, whatever number the position was given as.
  const count = end - first;
  const words = new Uint32Array(count * 2);
  for (let offset = 0; offset < count; ) {
    const pfn = first + offset;
    const head = freeBlockHead(vm, pfn);
    fill(pfn, head >= 0, words, offset * 2);
    if (head < 0) {
      offset++;
      continue;
    }
    const next = Math.min(head + (1 << vm.memory.pageOrder(head)) - first, count);
    if (free !== 0) for (let at = (offset + 1) * 2; at < next * 2; at += 2) words[at] = free;
    offset = next;
  }
  return new Uint8Array(words.buffer);
}

/** The head of the free buddy block `pfn` is in (`is_free_buddy_page()`), or -1. */
function freeBlockHead(vm: Vm, pfn: number): number {
  const { memory } = vm;
  if (pfn >= memory.maxPfn || !memory.pfnValid(pfn)) return -1;
  const state = memory.pageState(pfn);
  if (state === PageState.buddy) return pfn;
  return state === PageState.none && memory.pageRefcount(pfn) === 0 ? vm.buddy.freeBlockHead(pfn) : -1;
}

/** The head of the compound page a tail page belongs to. */
function compoundHead(vm: Vm, pfn: number): number {
  const { memory } = vm;
  let head = pfn;
  while (head > 0 && memory.pfnValid(head - 1) && memory.pageState(head) === PageState.tail) head--;
  return head;
}

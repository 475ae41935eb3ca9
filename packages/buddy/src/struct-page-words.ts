import { PageState, PageType, type PhysicalMemory } from '@mm/physmem';

/** x86_64 `VMEMMAP_START` (4-level paging): `struct page` of pfn N lives at this + 64·N. */
const VMEMMAP_HIGH = 0xffffea00;

/** 16 hex digits of a 64-bit value given as two 32-bit halves. */
export function hex64(high: number, low: number): string {
  return (high >>> 0).toString(16).padStart(8, '0') + (low >>> 0).toString(16).padStart(8, '0');
}

/** The virtual address of a pfn's `struct page` in the vmemmap, as 16 hex digits. */
export function structPageAddress(pfn: number): string {
  const offset = pfn * 64;
  return hex64(VMEMMAP_HIGH + Math.floor(offset / 2 ** 32), offset % 2 ** 32);
}

/** `LIST_POISON1` / `LIST_POISON2`: what `list_del()` leaves in a page's list pointers. */
const LIST_POISON1 = 'dead000000000100';
const LIST_POISON2 = 'dead000000000122';

/** `page_type` values (v6.18 `enum pagetype`, stored in the top byte) and their names. */
export const pageTypeCodes: Readonly<Record<string, number>> = {
  buddy: 0xf0,
  offline: 0xf1,
  table: 0xf2,
  guard: 0xf3,
  slab: 0xf5,
};

/** The kernel page type of a page, as `page_type_name()` spells it, or undefined for an untyped page. */
export function pageTypeName(memory: PhysicalMemory, pfn: number): string | undefined {
  const state = memory.pageState(pfn);
  if (state === PageState.buddy) return 'buddy';
  if (state === PageState.guard) return 'guard';
  switch (memory.pageType(pfn)) {
    case PageType.slab:
      return 'slab';
    case PageType.table:
      return 'table';
    case PageType.offline:
      return 'offline';
    default:
      return undefined;
  }
}

/**
 * The eight words of `struct page` as `dump_page()`'s `raw:` lines show them (x86_64, v6.x layout): flags, the
 * two list pointers, mapping, index, private, `_mapcount`/`page_type` with `_refcount` above it, memcg_data.
 */
export function structPageWords(memory: PhysicalMemory, pfn: number): string[] {
  const flags = memory.pageFlagsWord(pfn);
  const state = memory.pageState(pfn);
  const section = memory.section(pfn);
  const index = pfn - section.startPfn;
  // Buddy pages keep their list neighbours in the refcount/mapcount slots; per-CPU lists are kept apart (ring
  // buffers), so their pages show their own address, as the sole entry of a list would.
  const free = state === PageState.buddy || state === PageState.pcp;
  const link = (value: number) =>
    state === PageState.buddy && value >= 0 ? structPageAddress(value) : structPageAddress(pfn);
  const type = pageTypeName(memory, pfn);
  const mapcountWord = type !== undefined ? (pageTypeCodes[type]! << 24) >>> 0 : (memory.pageMapcount(pfn) - 1) >>> 0;
  return [
    hex64(flags.high, flags.low),
    free ? link(section.refcount[index]!) : LIST_POISON1,
    free ? link(section.mapcount[index]!) : LIST_POISON2,
    '0000000000000000',
    '0000000000000000',
    hex64(0, state === PageState.buddy || state === PageState.guard ? memory.pageOrder(pfn) : 0),
    hex64(memory.pageRefcount(pfn), mapcountWord),
    '0000000000000000',
  ];
}

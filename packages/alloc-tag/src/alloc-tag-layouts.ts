import { codetagRefBytes } from './alloc-tag-feature';

/** What memory allocation profiling costs a machine's page_ext, one way of keeping the references. */
export interface AllocTagLayoutRow {
  readonly profile: 'v6.18';
  /** `sysctl.vm.mem_profiling=1` (page_ext) or `=1,compressed` (page->flags). */
  readonly layout: 'alloc_tag' | 'alloc_tag,compressed' | 'alloc_tag+page_owner';
  /** Bytes of a page_ext entry. */
  readonly bytesPerPage: number;
  /** page_ext bytes allocated at boot (`allocated N bytes of page_ext`). */
  readonly staticBytes: number;
}

/**
 * The v6.18 page_ext entry with allocation profiling, derived from the structs (mm/page_ext.c:115-139,
 * `invoke_need_callbacks()`): `page_alloc_tagging_ops` asks for `sizeof(union codetag_ref)` (8 bytes on 64-bit)
 * and no shared flags, so alone an entry is those 8 bytes; beside page_owner (which needs the flags word) it is
 * 8 + 64 + 8 = 80; with `,compressed` the references are in page->flags and page_ext is not needed for them.
 * `entries` is the number of page_ext entries of the machine (one per page of every present section).
 */
export function allocTagLayoutRows(entries: number, bitsPerLong: 32 | 64 = 64): AllocTagLayoutRow[] {
  const ref = codetagRefBytes(bitsPerLong);
  const flags = bitsPerLong / 8;
  const pageOwner = 64;
  const rows: [AllocTagLayoutRow['layout'], number][] = [
    ['alloc_tag', ref],
    ['alloc_tag,compressed', 0],
    ['alloc_tag+page_owner', flags + pageOwner + ref],
  ];
  return rows.map(([layout, bytesPerPage]) => ({
    profile: 'v6.18',
    layout,
    bytesPerPage,
    staticBytes: entries * bytesPerPage,
  }));
}

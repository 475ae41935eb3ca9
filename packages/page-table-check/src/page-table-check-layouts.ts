import { flagsBytes, pageExtLayouts } from '@mm/page-ext';
import { PAGE_TABLE_CHECK_BYTES } from './page-table-check';

/** `sizeof(struct page_owner)` in v6.18 (docs/kernel-notes/page-ext-layouts.md): 64 on x86_64. */
const PAGE_OWNER_BYTES_V618 = 64;

/**
 * Bytes of a page_ext entry with page_table_check on, in a layout, on x86_64 (the only architecture that has it):
 * undefined for the layouts that predate it (v3.19-v4.8; it is v5.17+). v6.18's `invoke_need_callbacks()`
 * (mm/page_ext.c): the flags word only if an active client has `need_shared_flags` (page_table_check has not,
 * page_owner has), then each active client's `size` in `page_ext_ops[]` order, page_table_check last:
 * alone 8 (its two `atomic_t`); with page_owner on too 8 + 64 + 8 = 80, its counters at offset 72.
 */
export function pageTableCheckBytesPerPage(version: string, withPageOwner = false): number | undefined {
  const layout = pageExtLayouts[version];
  if (layout === undefined || layout.scheme !== 'offset') return undefined;
  if (!withPageOwner) return PAGE_TABLE_CHECK_BYTES;
  return flagsBytes(64) + PAGE_OWNER_BYTES_V618 + PAGE_TABLE_CHECK_BYTES;
}

/** page_table_check's rows of the layout comparison for a machine (`mmsim layouts`). */
export interface PageTableCheckLayoutRow {
  /** The layouts that have it: v6.18. */
  readonly profile: 'v6.18';
  /** What the row's clients are: page_table_check alone, or page_owner and page_table_check. */
  readonly clients: 'page_table_check' | 'page_owner,page_table_check';
  readonly bytesPerPage: number;
  /** page_ext bytes allocated at boot: `entries` × `bytesPerPage` (`allocated N bytes of page_ext`). */
  readonly staticBytes: number;
}

/**
 * The rows for a machine whose page_ext has `entries` entries (the same for every layout: one per page of every
 * present section on SPARSEMEM), for `mmsim layouts` beside page_owner's: v6.18 with page_table_check alone and
 * with page_owner.
 */
export function pageTableCheckLayoutRows(entries: number): PageTableCheckLayoutRow[] {
  return [
    { clients: 'page_table_check', withPageOwner: false },
    { clients: 'page_owner,page_table_check', withPageOwner: true },
  ].map(({ clients, withPageOwner }) => {
    const bytesPerPage = pageTableCheckBytesPerPage('v6.18', withPageOwner)!;
    return {
      profile: 'v6.18',
      clients: clients as PageTableCheckLayoutRow['clients'],
      bytesPerPage,
      staticBytes: entries * bytesPerPage,
    };
  });
}

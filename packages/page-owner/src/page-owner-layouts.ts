import { flagsBytes, pageExtLayouts } from '@mm/page-ext';
import { PAGE_OWNER_BYTES_V618 } from './page-owner';

/**
 * The fields `CONFIG_PAGE_OWNER` adds to the fixed `struct page_ext` of each version (include/linux/page_ext.h),
 * in bytes with their padding, by the size of `unsigned long`:
 * - v3.19: `unsigned int order; gfp_t gfp_mask; struct stack_trace trace; unsigned long trace_entries[8];` with
 *   `struct stack_trace { unsigned int nr_entries, max_entries; unsigned long *entries; int skip; }` (24 bytes on
 *   x86_64, 16 on i386): 4 + 4 + 24 + 64 = 96, or 4 + 4 + 16 + 32 = 56;
 * - v4.2-v4.7: `unsigned int order; gfp_t gfp_mask; unsigned int nr_entries; int last_migrate_reason; unsigned long
 *   trace_entries[8];`: 16 + 64 = 80, or 16 + 32 = 48;
 * - v4.8: `unsigned int order; gfp_t gfp_mask; int last_migrate_reason; depot_stack_handle_t handle;`: 16.
 */
export const pageOwnerFixedFields: Readonly<Record<string, Readonly<Record<32 | 64, number>>>> = {
  'v3.19': { 64: 4 + 4 + 24 + 64, 32: 4 + 4 + 16 + 32 },
  'v4.7': { 64: 4 + 4 + 4 + 4 + 64, 32: 4 + 4 + 4 + 4 + 32 },
  'v4.8': { 64: 4 + 4 + 4 + 4, 32: 4 + 4 + 4 + 4 },
};

/**
 * One row of the comparison of page_ext layouts from v3.19 to v6.18 (`mmsim layouts`): what page_owner's page_ext
 * costs a machine under one kernel version.
 */
export interface LayoutRow {
  readonly profile: 'v3.19' | 'v4.7' | 'v4.8' | 'v6.18';
  readonly bytesPerPage: number;
  /** page_ext bytes allocated at boot. */
  readonly staticBytes: number;
  /** Stack depot pool pages held after a workload (0 for the inline layouts). */
  readonly dynamicBytes?: number;
  readonly totalBytes?: number;
}

const layoutNames = ['v3.19', 'v4.7', 'v4.8', 'v6.18'] as const;

/**
 * Bytes a page of each layout costs with page_owner on, on 64-bit: the fixed struct (the flags word and page_owner's
 * fields), or v6.18's flags word and `struct page_owner`.
 */
export function pageOwnerBytesPerPage(version: LayoutRow['profile'], bitsPerLong: 32 | 64 = 64): number {
  const layout = pageExtLayouts[version]!;
  const fields = layout.scheme === 'fixed' ? pageOwnerFixedFields[version]![bitsPerLong] : PAGE_OWNER_BYTES_V618;
  return flagsBytes(bitsPerLong) + fields;
}

/** The static rows for a machine whose page_ext has `entries` entries (the same for every layout). */
export function pageOwnerLayoutRows(entries: number): LayoutRow[] {
  return layoutNames.map((profile) => ({
    profile,
    bytesPerPage: pageOwnerBytesPerPage(profile),
    staticBytes: entries * pageOwnerBytesPerPage(profile),
  }));
}

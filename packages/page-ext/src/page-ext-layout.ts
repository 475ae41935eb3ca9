/**
 * How a kernel version lays out a page_ext entry (mm/page_ext.c, include/linux/page_ext.h):
 * - `fixed` (v3.19-v4.8): a compile-time `struct page_ext`, flags plus page_owner's fields when CONFIG_PAGE_OWNER is
 *   built in, whichever clients asked: 104 bytes in v3.19, 88 in v4.2-v4.7 (8 inline stack entries), 24 in v4.8
 *   (a stackdepot handle).
 * - `offset` (v4.9+, commit 980ac1672e7e): 8 bytes of flags, then each client that said yes gets `size` bytes at
 *   its offset. Since v6.3 the flags word is only there if an active client needs it (`need_shared_flags`).
 */
export type PageExtLayout =
  | { readonly scheme: 'fixed'; readonly entryBytes: number }
  | { readonly scheme: 'offset'; readonly sharedFlagsOnDemand: boolean };

/** Layouts by kernel version name; v3.19 is known for the layout comparison only. */
export const pageExtLayouts: Readonly<Record<string, PageExtLayout>> = {
  'v3.19': { scheme: 'fixed', entryBytes: 104 },
  'v4.7': { scheme: 'fixed', entryBytes: 88 },
  'v4.8': { scheme: 'fixed', entryBytes: 24 },
  'v6.18': { scheme: 'offset', sharedFlagsOnDemand: true },
};

/** `sizeof(unsigned long)` of the flags word on 64-bit (4 on 32-bit). */
export function flagsBytes(bitsPerLong: 32 | 64): number {
  return bitsPerLong / 8;
}

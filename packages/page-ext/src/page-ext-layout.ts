/**
 * How a kernel version lays out a page_ext entry (mm/page_ext.c, include/linux/page_ext.h):
 * - `fixed` (v3.19-v4.8): a compile-time `struct page_ext`, flags plus page_owner's fields when CONFIG_PAGE_OWNER is
 *   built in, whichever clients asked: 104 bytes in v3.19, 88 in v4.2-v4.7 (8 inline stack entries), 24 in v4.8
 *   (a stackdepot handle).
 * - `offset` (v4.9+, commit 980ac1672e7e): 8 bytes of flags, then each client that said yes gets `size` bytes at
 *   its offset. Since v6.3 the flags word is only there if an active client needs it (`need_shared_flags`).
 */
export type PageExtLayout =
  | {
      readonly scheme: 'fixed';
      /** `sizeof(struct page_ext)` on 64-bit (x86_64). */
      readonly entryBytes: number;
      /**
       * `sizeof(struct page_ext)` on 32-bit (i386), where `unsigned long` (the flags word and each inline stack
       * entry) is 4 bytes: 60 in v3.19, 52 in v4.2-v4.7, 20 in v4.8. Derived from the struct definitions.
       */
      readonly entryBytes32: number;
    }
  | { readonly scheme: 'offset'; readonly sharedFlagsOnDemand: boolean };

/** Layouts by kernel version name; v3.19 is known for the layout comparison only. */
export const pageExtLayouts: Readonly<Record<string, PageExtLayout>> = {
  'v3.19': { scheme: 'fixed', entryBytes: 104, entryBytes32: 60 },
  'v4.7': { scheme: 'fixed', entryBytes: 88, entryBytes32: 52 },
  'v4.8': { scheme: 'fixed', entryBytes: 24, entryBytes32: 20 },
  'v6.18': { scheme: 'offset', sharedFlagsOnDemand: true },
};

/** `sizeof(unsigned long)` of the flags word on 64-bit (4 on 32-bit). */
export function flagsBytes(bitsPerLong: 32 | 64): number {
  return bitsPerLong / 8;
}

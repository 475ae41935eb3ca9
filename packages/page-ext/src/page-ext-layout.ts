/**
 * How a kernel version lays out a page_ext entry (mm/page_ext.c, include/linux/page_ext.h):
 * - `fixed` (v3.19-v4.8): a compile-time `struct page_ext`: the `unsigned long flags` word, then the fields of each
 *   client that is built in (`#ifdef CONFIG_PAGE_OWNER` ...), whichever clients asked for page_ext at boot. The
 *   clients say what their fields take ({@link PageExtClient.fixedBytes}); page_owner's were 96 bytes in v3.19, 80 in
 *   v4.2-v4.7 (8 inline stack entries) and 16 in v4.8 (a stackdepot handle).
 * - `offset` (v4.9+, commit 980ac1672e7e): 8 bytes of flags, then each client that said yes gets `size` bytes at
 *   its offset. Since v6.3 the flags word is only there if an active client needs it (`need_shared_flags`).
 */
export type PageExtLayout =
  | {
      readonly scheme: 'fixed';
      /** The kernel version whose struct this is (`v4.8`): what clients' `fixedBytes` are asked for. */
      readonly version: string;
    }
  | { readonly scheme: 'offset'; readonly sharedFlagsOnDemand: boolean };

/** Layouts by kernel version name; v3.19 is known for the layout comparison only. */
export const pageExtLayouts: Readonly<Record<string, PageExtLayout>> = {
  'v3.19': { scheme: 'fixed', version: 'v3.19' },
  'v4.7': { scheme: 'fixed', version: 'v4.7' },
  'v4.8': { scheme: 'fixed', version: 'v4.8' },
  'v6.18': { scheme: 'offset', sharedFlagsOnDemand: true },
};

/** `sizeof(unsigned long)`: the flags word, 8 bytes on 64-bit, 4 on 32-bit. */
export function flagsBytes(bitsPerLong: 32 | 64): number {
  return bitsPerLong / 8;
}

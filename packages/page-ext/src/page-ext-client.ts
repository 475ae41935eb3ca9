import type { PageExt } from './page-ext';

/**
 * A page_ext client (`struct page_ext_operations`): it says at boot whether it needs page_ext memory and how many
 * bytes of each entry it uses, and gets `init()` once the memory exists. The kernel lists its clients in a fixed
 * array in mm/page_ext.c (`page_ext_ops[]`); here each client gives its `place` in that array.
 *
 * The places of the kernel's clients (the same numbers in every era, so the order holds across versions):
 * 100 `debug_guardpage_ops` and 200 `page_poisoning_ops` (v4.x only), 300 `page_owner_ops`, 400 `page_idle_ops`
 * (32-bit only), 500 `page_alloc_tagging_ops` (v6.10+), 600 `page_table_check_ops` (v5.17+).
 */
export interface PageExtClient {
  /** `page_owner`, `debug_pagealloc`, `page_idle`, ... */
  readonly name: string;
  /** Place in `page_ext_ops[]`: lower places are asked, laid out and initialised first. */
  readonly place: number;
  /** Bytes of the entry this client uses in the offset scheme (0 for a flags-only client). */
  readonly size: number;
  /**
   * Fixed layouts (v3.19-v4.8): the bytes this client's fields add to `struct page_ext` of kernel `version` when it
   * is built in (padding included), whether or not it needs page_ext at this boot. None for a flags-only client.
   */
  fixedBytes?(version: string, bitsPerLong: 32 | 64): number;
  /** v6.3+ `need_shared_flags`: the client uses the flags word. */
  readonly needSharedFlags: boolean;
  /** `need()`: whether this boot needs page_ext for this client. */
  need(): boolean;
  /** `init()`: page_ext exists; the client sets itself up (page_owner sweeps the early pages here). */
  init?(pageExt: PageExt): void;
}

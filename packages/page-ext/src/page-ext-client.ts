import type { PageExt } from './page-ext';

/**
 * A page_ext client (`struct page_ext_operations`): it says at boot whether it needs page_ext memory and how many
 * bytes of each entry it uses, and gets `init()` once the memory exists. The kernel keeps the clients in a fixed
 * array inside page_ext.c; here they register, and the registration order is the array order.
 */
export interface PageExtClient {
  /** `page_owner`, `debug_pagealloc`, `page_idle`, ... */
  readonly name: string;
  /** Bytes of the entry this client uses in the offset scheme (0 for a flags-only client). */
  readonly size: number;
  /** v6.3+ `need_shared_flags`: the client uses the 8-byte flags word. */
  readonly needSharedFlags: boolean;
  /** `need()`: whether this boot needs page_ext for this client. */
  need(): boolean;
  /** `init()`: page_ext exists; the client sets itself up (page_owner sweeps the early pages here). */
  init?(pageExt: PageExt): void;
}

import { PagePalette } from './page-palette';

/** The root memory cgroup's id: user pages of tasks in no other cgroup are charged to it. */
export const MEMCG_ROOT = 1;

/** A page's `memcg_data` value for a slab page with object extensions (`MEMCG_DATA_OBJEXTS`): "Slab cache page". */
export const MEMCG_OBJEXTS = 0xffff;
/** The bit of a page's `memcg_data` value saying the charge is kernel memory through an objcg (`MEMCG_DATA_KMEM`). */
export const MEMCG_KMEM = 0x8000;

/**
 * Memory cgroups (mm/memcontrol.c) as page_owner and /proc see them: the cgroups by id, each with its
 * `cgroup_name()` (the last component of its path; `/` for the root) and whether it is online, and each page's
 * `memcg_data`: 0 (not charged), a cgroup id (a user page, `folio->memcg_data` = the memcg), the id with
 * {@link MEMCG_KMEM} (kernel memory charged through `__GFP_ACCOUNT`), or {@link MEMCG_OBJEXTS} (a slab page whose
 * objects are charged one by one). The per-page values are a {@link PagePalette}: a byte a page, per 16 MiB of
 * memory charged.
 *
 * Simplification: no limits, no per-cgroup LRU lists or statistics; charging never fails.
 */
export class MemoryCgroups {
  /** `cgroup_name()` of each cgroup by id (index 0 unused). */
  readonly names: string[] = ['', '/'];
  /** Whether each cgroup is online (`CSS_ONLINE`); an offline one prints as `offline` in page_owner. */
  readonly online: boolean[] = [false, true];
  readonly #pages = new PagePalette();
  /** Whether any page was ever charged (frees of a machine without cgroups skip the uncharge). */
  #charged = false;
  readonly #byName = new Map<string, number>([['/', MEMCG_ROOT]]);

  /** The cgroup named `name` (the last component of its path), made on first use. */
  cgroup(name: string): number {
    let id = this.#byName.get(name);
    if (id === undefined) {
      id = this.names.length;
      if (id >= MEMCG_KMEM) throw new RangeError(`too many memory cgroups (${id})`);
      this.names.push(name);
      this.online.push(true);
      this.#byName.set(name, id);
    }
    return id;
  }

  /** Sets the `memcg_data` of `pages` pages from `pfn`. */
  set(pfn: number, pages: number, value: number): void {
    if (value !== 0) this.#charged = true;
    for (let page = pfn; page < pfn + pages; page++) this.#pages.set(page, value);
  }

  /** Clears the charge of `pages` pages from `pfn` (`mem_cgroup_uncharge()`, `__memcg_kmem_uncharge_page()`). */
  uncharge(pfn: number, pages: number): void {
    // (Against a constant: see "Fast listeners" in docs/guide/writing-a-client.md. This runs at every free.)
    if (this.#charged === true) this.set(pfn, pages, 0);
  }

  /** A page's `memcg_data` value (see the class). */
  pageData(pfn: number): number {
    return this.#pages.get(pfn);
  }

  /** Host bytes of the per-page values. */
  hostBytes(): number {
    return this.#pages.hostBytes();
  }
}

import type { Vma } from './address-space';

/** The mappings of a file never mapped. */
const NO_VMAS: ReadonlySet<Vma> = new Set();

/**
 * A file and its page cache (`struct address_space`): the cached page of each page index, and the mappings of the
 * file (`i_mmap`), which the reverse map walks. A tmpfs (shmem) file keeps its pages until it is deleted; shared
 * anonymous mappings are backed by one too, as in the kernel (`shmem_zero_setup()`: `/dev/zero (deleted)`).
 */
export class VmFile {
  /** Positive: a page's `mapping` in the reverse map. */
  readonly id: number;
  readonly name: string;
  /** Size in pages. */
  readonly pages: number;
  /** tmpfs: pages are swap-backed (anon LRU), never dropped while the file exists. */
  readonly shmem: boolean;
  /** `st_dev` as /proc/PID/maps prints it: major and minor. */
  readonly major: number;
  readonly minor: number;
  readonly inode: number;
  /** pfn + 1 of the cached page at each index (0: not cached). */
  readonly cache: Uint32Array;
  /** The file's mappings (`i_mmap`), made at its first mapping: most files of a machine are never mapped. */
  #vmas: Set<Vma> | undefined;
  /** Pages in the page cache. */
  cachedPages = 0;
  /**
   * Shadow entries (mm/workingset.c) where reclaim evicted a page: the node's `nonresident_age` then, plus one (0:
   * none). Made on the first eviction.
   */
  shadow: Uint32Array | undefined;

  constructor(
    id: number,
    name: string,
    pages: number,
    options: { shmem: boolean; major: number; minor: number; inode: number },
  ) {
    this.id = id;
    this.name = name;
    this.pages = pages;
    this.shmem = options.shmem;
    this.major = options.major;
    this.minor = options.minor;
    this.inode = options.inode;
    this.cache = new Uint32Array(pages);
  }

  /** The file's mappings (`i_mmap`). */
  get vmas(): ReadonlySet<Vma> {
    return this.#vmas ?? NO_VMAS;
  }

  /** `vma_interval_tree_insert()`: a mapping of the file. */
  addVma(vma: Vma): void {
    this.#vmas ??= new Set();
    this.#vmas.add(vma);
  }

  /** `vma_interval_tree_remove()`. */
  removeVma(vma: Vma): void {
    this.#vmas?.delete(vma);
  }

  /** The pfn of the cached page at `index`, or -1. */
  cachedPfn(index: number): number {
    return (this.cache[index] ?? 0) - 1;
  }
}

import type { KernelText, ShadowStack } from '@mm/stacktrace';
import type { Codetag } from './codetag';

/**
 * A call site of an allocation macro in the v6.18 source (`alloc_hooks()` around a `*_noprof()` function:
 * `alloc_pages()`, `vma_alloc_folio()`, `filemap_alloc_folio()`, `alloc_frozen_pages()`, `__vmalloc_node()`, ...):
 * the code tag the compiler makes there, and the kernel functions whose frame is on the stack when the allocation
 * comes from it (the function itself, or the one it is inlined into).
 */
export interface AllocTagSite {
  readonly filename: string;
  readonly lineno: number;
  /** `__func__` at the macro: the function it is written in, even when that function is inlined. */
  readonly function: string;
  /** The frames (symbol names, without `.isra.0` and the like) that stand for this site on a stack. */
  readonly frames: readonly string[];
  /** The source line, as written in v6.18 (for citation). */
  readonly code: string;
}

/**
 * The call sites of the page allocations mmsim's simulated kernel paths make (`@mm/workloads`' kernel, module and
 * driver paths, `@mm/stackdepot`'s pool allocation, page_ext's tables), with their v6.18 file and line (checked
 * against a 6.18.2 tree, the release mmsim's v6.18 profile names), in vmlinux link order: the order of `obj-y` in
 * the top-level Kbuild (arch/x86, kernel, mm, ..., then lib), of each directory's Makefile, and of the lines in a
 * file. /proc/allocinfo lists a kernel's tags in the order of its `alloc_tags` section.
 */
export const allocTagSitesV618: readonly AllocTagSite[] = [
  {
    // pte_alloc_one() (x86 has __HAVE_ARCH_PTE_ALLOC_ONE) expands asm-generic's __pte_alloc_one() macro here.
    filename: 'arch/x86/mm/pgtable.c',
    lineno: 18,
    function: 'pte_alloc_one',
    frames: ['pte_alloc_one'],
    code: 'return __pte_alloc_one(mm, GFP_PGTABLE_USER);',
  },
  {
    // pgd_alloc() → _pgd_alloc() (static inline) → __pgd_alloc().
    filename: 'arch/x86/mm/pgtable.c',
    lineno: 314,
    function: '_pgd_alloc',
    frames: ['pgd_alloc', '_pgd_alloc'],
    code: 'return __pgd_alloc(mm, pgd_allocation_order());',
  },
  {
    // A new task's kernel stack (CONFIG_VMAP_STACK): vmalloc allocates its pages under this tag.
    filename: 'kernel/fork.c',
    lineno: 311,
    function: 'alloc_thread_stack_node',
    frames: ['alloc_thread_stack_node'],
    code: 'stack = __vmalloc_node(THREAD_SIZE, THREAD_ALIGN,',
  },
  {
    // dma_alloc_coherent() → dma_direct_alloc() → __dma_direct_alloc_pages(): a driver's DMA ring.
    filename: 'kernel/dma/direct.c',
    lineno: 141,
    function: '__dma_direct_alloc_pages',
    frames: ['__dma_direct_alloc_pages'],
    code: 'while ((page = alloc_pages_node(node, gfp, get_order(size)))',
  },
  {
    // A page cache folio for a write, a fault (filemap_fault), an ext4 or iomap write_begin.
    filename: 'mm/filemap.c',
    lineno: 2012,
    function: '__filemap_get_folio',
    frames: ['__filemap_get_folio'],
    code: 'folio = filemap_alloc_folio(alloc_gfp, order);',
  },
  {
    // filemap_get_pages() → filemap_create_folio() (static, inlined): readahead made nothing.
    filename: 'mm/filemap.c',
    lineno: 2554,
    function: 'filemap_create_folio',
    frames: ['filemap_get_pages', 'filemap_create_folio'],
    code: 'folio = filemap_alloc_folio(mapping_gfp_mask(mapping), min_order);',
  },
  {
    // Every readahead folio: page_cache_ra_unbounded(), page_cache_ra_order() → ra_alloc_folio(), both through
    // ractl_alloc_folio() (static, inlined).
    filename: 'mm/readahead.c',
    lineno: 189,
    function: 'ractl_alloc_folio',
    frames: ['page_cache_ra_unbounded', 'page_cache_ra_order', 'ra_alloc_folio', 'ractl_alloc_folio'],
    code: 'folio = filemap_alloc_folio(gfp_mask, order);',
  },
  {
    filename: 'mm/shmem.c',
    lineno: 1870,
    function: 'shmem_alloc_folio',
    frames: ['shmem_alloc_folio'],
    code: 'folio = folio_alloc_mpol(gfp, order, mpol, ilx, numa_node_id());',
  },
  {
    // percpu.c includes percpu-vm.c: the file name is the included one.
    filename: 'mm/percpu-vm.c',
    lineno: 95,
    function: 'pcpu_alloc_pages',
    frames: ['pcpu_alloc_pages'],
    code: '*pagep = alloc_pages_node(cpu_to_node(cpu), gfp, 0);',
  },
  {
    filename: 'mm/memory.c',
    lineno: 465,
    function: '__pte_alloc_kernel',
    frames: ['__pte_alloc_kernel'],
    code: 'pte_t *new = pte_alloc_one_kernel(&init_mm);',
  },
  {
    // An anonymous fault: do_anonymous_page() → alloc_anon_folio(), which without an enabled mTHP order falls back
    // to folio_prealloc(..., true); x86 defines vma_alloc_zeroed_movable_folio() as a vma_alloc_folio() macro
    // (arch/x86/include/asm/page.h:37), so the tag is folio_prealloc()'s.
    filename: 'mm/memory.c',
    lineno: 1190,
    function: 'folio_prealloc',
    frames: ['do_anonymous_page', 'alloc_anon_folio'],
    code: 'new_folio = vma_alloc_zeroed_movable_folio(vma, addr);',
  },
  {
    // Copy-on-write: do_wp_page() → wp_page_copy() → folio_prealloc(..., pfn_is_zero) for a real page, and
    // do_fault() → do_cow_fault() → folio_prealloc(..., false).
    filename: 'mm/memory.c',
    lineno: 1192,
    function: 'folio_prealloc',
    frames: ['do_wp_page', 'wp_page_copy', 'do_fault', 'do_cow_fault'],
    code: 'new_folio = vma_alloc_folio(GFP_HIGHUSER_MOVABLE, 0, vma, addr);',
  },
  {
    filename: 'mm/memory.c',
    lineno: 6567,
    function: '__pud_alloc',
    frames: ['__pud_alloc'],
    code: 'pud_t *new = pud_alloc_one(mm, address);',
  },
  {
    filename: 'mm/memory.c',
    lineno: 6591,
    function: '__pmd_alloc',
    frames: ['__pmd_alloc'],
    code: 'pmd_t *new = pmd_alloc_one(mm, address);',
  },
  {
    // Every new slab: allocate_slab() → alloc_slab_page() (static inline), node NUMA_NO_NODE.
    filename: 'mm/slub.c',
    lineno: 3059,
    function: 'alloc_slab_page',
    frames: ['allocate_slab', 'alloc_slab_page'],
    code: 'folio = (struct folio *)alloc_frozen_pages(flags, order);',
  },
  {
    // page_ext_init() → init_section_page_ext() → alloc_page_ext(): a section's page_ext table.
    filename: 'mm/page_ext.c',
    lineno: 271,
    function: 'alloc_page_ext',
    frames: ['page_ext_init', 'init_section_page_ext', 'alloc_page_ext'],
    code: 'addr = alloc_pages_exact_nid(nid, size, flags);',
  },
  {
    // A new pool of the stack depot (page_owner's stacks).
    filename: 'lib/stackdepot.c',
    lineno: 677,
    function: 'stack_depot_save_flags',
    frames: ['stack_depot_save_flags'],
    code: 'page = alloc_pages(gfp_nested_mask(alloc_flags),',
  },
];

/**
 * Functions that sit between an allocation macro's call site and the page allocator without a tag of their own:
 * the allocator, the slab and vmalloc internals, kmalloc's large path. Every `*_noprof()` function is one too
 * (the kernel's convention: `_noprof` is the untagged function a macro wraps).
 */
export const allocatorFunctions: ReadonlySet<string> = new Set([
  'alloc_pages_mpol',
  '__alloc_pages_slowpath',
  'get_page_from_freelist',
  'post_alloc_hook',
  'prep_new_page',
  'rmqueue',
  '___slab_alloc',
  '__slab_alloc',
  '__slab_alloc_node',
  'slab_alloc_node',
  'new_slab',
  '___kmalloc_large_node',
  '__kmalloc_large_node',
  'vm_area_alloc_pages',
  '__vmalloc_area_node',
]);

/** The name a symbol has in C: without the compiler's `.isra.0`, `.constprop.0`, `.part.0`, `.cold` suffixes. */
export function functionName(symbol: string): string {
  const dot = symbol.indexOf('.');
  return dot < 0 ? symbol : symbol.slice(0, dot);
}

/** Whether `name` (a function's C name) is part of the allocator, below every call site. */
export function isAllocatorFunction(name: string): boolean {
  return name.endsWith('_noprof') || allocatorFunctions.has(name);
}

/** The file name of a tag mmsim made up for a function the table does not have. */
export const UNKNOWN_FILE = 'unknown';

/** What a frame decides: a tag id (0 and up), or {@link SKIP} (an allocator function: look further out). */
const SKIP = -1;
/** No tag: `current->alloc_tag` is NULL. */
export const NO_TAG = -1;

/**
 * The code tags of one kernel and how a stack finds its tag: the tags of {@link allocTagSitesV618}, made at once
 * (a kernel's tags exist from its build), and one per function the table lacks, made the first time a stack
 * names it.
 *
 * The kernel's tag of an allocation is `current->alloc_tag`, set by the innermost `alloc_hooks()` around the
 * allocation. mmsim reads it off the shadow stack: from the innermost frame outwards, the first frame that is not
 * an allocator function ({@link isAllocatorFunction}) is the caller that used the macro. A function of the table is
 * that site's tag; any other function gets a tag of its own, `unknown:0 func:name` (with ` [module]` for a module's
 * function): the kernel has one, at a line mmsim does not know. A stack of allocator functions only (or an empty
 * stack) has no tag: the allocation is counted nowhere, as a `_noprof()` call outside `alloc_hooks()` would be.
 *
 * Decisions are cached by return address, so that a stack seen before costs a map look-up per frame until its
 * tag; nothing is allocated then.
 */
export class CallSites {
  readonly text: KernelText;
  /** Tags of vmlinux the table gives (`kernel_tags.count` of the build). */
  readonly kernelTags: number;
  readonly #tags: Codetag[] = [];
  /** Tag id of each table frame name. */
  readonly #byFrame = new Map<string, number>();
  /** Tag id of each made-up tag, by `module:function`. */
  readonly #fallback = new Map<string, number>();
  /** What each return address decides ({@link SKIP} or a tag id). */
  readonly #decisions = new Map<number, number>();
  /** Called when a tag is made after boot (a function the table lacks), with its id. */
  onNewTag: ((id: number) => void) | undefined;

  constructor(text: KernelText, sites: readonly AllocTagSite[] = allocTagSitesV618) {
    this.text = text;
    for (const site of sites) {
      const id = this.#add({
        flags: 0,
        lineno: site.lineno,
        modname: undefined,
        function: site.function,
        filename: site.filename,
      });
      for (const frame of site.frames) this.#byFrame.set(frame, id);
    }
    this.kernelTags = sites.length;
  }

  /** Number of tags. */
  get size(): number {
    return this.#tags.length;
  }

  /** The tag with id `id`. */
  tag(id: number): Codetag {
    const tag = this.#tags[id];
    if (tag === undefined) throw new RangeError(`no code tag ${id}`);
    return tag;
  }

  /**
   * The tags in /proc/allocinfo's order: vmlinux's (the table's in link order, then those made up, as made), then
   * each module's, modules in the order their first tag was made (their load order, as far as mmsim knows it).
   */
  order(): number[] {
    const ids = this.#tags.map((_, id) => id);
    const vmlinux = ids.filter((id) => this.#tags[id]!.modname === undefined);
    const modules = [...new Set(ids.map((id) => this.#tags[id]!.modname).filter((name) => name !== undefined))];
    return [...vmlinux, ...modules.flatMap((name) => ids.filter((id) => this.#tags[id]!.modname === name))];
  }

  /** The tag of an allocation made now: from the shadow stack's innermost frame out. {@link NO_TAG} for none. */
  resolveStack(stack: ShadowStack): number {
    const depth = stack.depth;
    for (let index = 0; index < depth; index++) {
      const address = stack.peek(index);
      const decision = this.#decisions.get(address) ?? this.#decide(address);
      if (decision !== SKIP) return decision;
    }
    return NO_TAG;
  }

  /** The tag of a captured stack (return addresses innermost first, as a stack depot record keeps them). */
  resolveFrames(frames: ArrayLike<number>, count = frames.length): number {
    for (let index = 0; index < count; index++) {
      const address = frames[index]!;
      const decision = this.#decisions.get(address) ?? this.#decide(address);
      if (decision !== SKIP) return decision;
    }
    return NO_TAG;
  }

  #decide(address: number): number {
    const index = this.text.symbolAt(address);
    if (index < 0) {
      // No symbol holds the address (a raw address of a replayed trace): a tag named by it, not cached, as a
      // symbol may be defined there later.
      return this.#made(this.text.formatSymbol(address), undefined);
    }
    const symbol = this.text.symbol(index);
    const name = functionName(symbol.name);
    let decision = this.#byFrame.get(name);
    if (decision === undefined) decision = isAllocatorFunction(name) ? SKIP : this.#made(name, symbol.module);
    this.#decisions.set(address, decision);
    return decision;
  }

  /** The made-up tag of a function the table does not have. */
  #made(name: string, module: string | undefined): number {
    const key = `${module ?? ''}:${name}`;
    const known = this.#fallback.get(key);
    if (known !== undefined) return known;
    const id = this.#add({ flags: 0, lineno: 0, modname: module, function: name, filename: UNKNOWN_FILE });
    this.#fallback.set(key, id);
    this.onNewTag?.(id);
    return id;
  }

  #add(tag: Codetag): number {
    this.#tags.push(tag);
    return this.#tags.length - 1;
  }
}

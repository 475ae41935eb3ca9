import { type HookBus, MemoryAction } from '@mm/hooks';
import type { PageExt } from '@mm/page-ext';
import { PAGE_SIZE, type PhysicalMemory } from '@mm/physmem';
import type { ShadowStack } from '@mm/stacktrace';
import { ALLOCINFO_HEADER, allocinfoLine } from './allocinfo';
import { type CallSites, NO_TAG } from './call-sites';
import type { Codetag } from './codetag';
import { EACCES, EINVAL, type MemProfilingConfig, parseStaticKeyWrite } from './mem-profiling-param';
import type { PageflagBits } from './pageflag-bits';

/**
 * The reserved values of a page's tag reference (include/linux/pgalloc_tag.h:28-31): `CODETAG_ID_NULL` (no tag),
 * `CODETAG_ID_EMPTY` (cleared; the same as NULL without CONFIG_MEM_ALLOC_PROFILING_DEBUG, which mmsim leaves off),
 * then tag `id` is `CODETAG_ID_FIRST + id`. mmsim stores this index for page_ext references too (where the kernel
 * keeps a pointer).
 */
export const CODETAG_ID_NULL = 0;
export const CODETAG_ID_EMPTY = 1;
export const CODETAG_ID_FIRST = 2;

/**
 * The hook places of `pgalloc_tag_add()`, `pgalloc_tag_sub()`, `pgalloc_tag_split()` and `pgalloc_tag_swap()`
 * (`MmHookEvents`): last in `post_alloc_hook()` (mm/page_alloc.c:1847), after reset_page_owner() and
 * page_table_check_free() in `free_pages_prepare()` (page_alloc.c:1396), after split_page_owner() in `split_page()`
 * (page_alloc.c:3058), after folio_copy_owner() in `folio_migrate_flags()` (mm/migrate.c:836).
 */
const Place = { add: 500, sub: 300, split: 200, swap: 300 } as const;

/** A tag with its counters (`alloc_tag_read()`: the per-CPU counters summed). */
export interface AllocTagCounters {
  readonly id: number;
  readonly codetag: Codetag;
  /** `bytes`: bytes allocated under the tag and not yet freed. */
  readonly bytes: number;
  /** `calls`: allocations under the tag not yet freed (a split adds one per new part). */
  readonly calls: number;
}

/** What the profiler works with. */
export interface AllocTagDeps {
  readonly memory: PhysicalMemory;
  readonly hooks: HookBus;
  readonly stack: ShadowStack;
  readonly sites: CallSites;
  readonly config: MemProfilingConfig;
  readonly pageflags: PageflagBits;
}

/**
 * Memory allocation profiling of one machine (lib/alloc_tag.c, include/linux/alloc_tag.h, pgalloc_tag.h, the
 * `pgalloc_tag_*()` of mm/page_alloc.c, v6.18): every page allocation is charged to the code tag of its call site
 * (`alloc_tag_add()`: the tag's bytes and calls grow, the block's head page keeps a reference to the tag), and a
 * free uncharges the tag its head page refers to (`alloc_tag_sub()`). The references live in page_ext (8 bytes a
 * page on 64-bit, from `page_ext_init()` on), or with `,compressed` in unused page->flags bits (from the first
 * allocation on; the index is kept on the host). /proc/allocinfo prints every tag; /proc/sys/vm/mem_profiling turns
 * the counting on and off while the machine runs.
 *
 * The hot paths allocate nothing: one stack stamp comparison per allocation while the caller's stack is unchanged
 * (else a walk of its innermost frames, see {@link CallSites}), the head page's entry of a `Uint32Array` per
 * section, and the tag's two counters in `Float64Array`s.
 */
export class AllocTag {
  readonly memory: PhysicalMemory;
  /** The tags and how a stack finds its own. */
  readonly sites: CallSites;
  readonly pageflags: PageflagBits;
  /** `alloc_tag_ref_offs`, `alloc_tag_ref_mask` (alloc_tag.c:43-44), set by `alloc_tag_sec_init()` for compression. */
  refOffs = 0;
  refMask = 0;
  /**
   * Allocations made while counting with no tag (no call site on the stack): what CONFIG_MEM_ALLOC_PROFILING_DEBUG
   * would warn about once (`current->alloc_tag not set`). They are charged nowhere.
   */
  untagged = 0;

  readonly #config: MemProfilingConfig;
  readonly #hooks: HookBus;
  readonly #stack: ShadowStack;
  readonly #shift: number;
  readonly #mask: number;
  readonly #perSection: number;
  /** The tag reference of each page of a section, by section number (created at the section's first charge). */
  readonly #refs: (Uint32Array | undefined)[] = [];
  #bytes = new Float64Array(64);
  #calls = new Float64Array(64);
  /** The index mask of a stored reference: `alloc_tag_ref_mask` when compressed. */
  #idxMask = 0xffffffff;
  /** page_ext when the references live there (undefined before `page_ext_init()` and when compressed). */
  #pageExt: PageExt | undefined;
  /** The references have a home: page_ext exists, or the page flags do (compressed). */
  #ready = false;
  /** The sysctl's mode: 0644, or 0444 when profiling was not supported at `sysctl_init()`. */
  #sysctlWritable = true;
  /** /proc/allocinfo was created (`alloc_tag_init()` with profiling supported) and not removed. */
  #allocinfo = false;
  /** The last stack stamp an allocation saw, and its tag. */
  #lastStamp = -1;
  #lastTag = NO_TAG;
  readonly #unsubscribe: (() => void)[] = [];

  constructor(deps: AllocTagDeps) {
    this.memory = deps.memory;
    this.sites = deps.sites;
    this.pageflags = deps.pageflags;
    this.#config = deps.config;
    this.#hooks = deps.hooks;
    this.#stack = deps.stack;
    this.#shift = deps.memory.pfnSectionShift;
    this.#perSection = deps.memory.pagesPerSection;
    this.#mask = this.#perSection - 1;
    this.#grow(this.sites.size);
    this.sites.onNewTag = (id) => this.#newTag(id);
  }

  /** `mem_profiling_support`. */
  get supported(): boolean {
    return this.#config.support;
  }

  /** `mem_alloc_profiling_enabled()`. */
  get enabled(): boolean {
    return this.#config.enabled;
  }

  /** Where the references live: page_ext, page flags, or nowhere (not supported). */
  get mode(): 'page_ext' | 'compressed' | 'off' {
    if (!this.#config.support) return 'off';
    return this.#config.compressed ? 'compressed' : 'page_ext';
  }

  /** Whether /proc/allocinfo exists. */
  get hasAllocinfo(): boolean {
    return this.#allocinfo;
  }

  /**
   * `alloc_tag_sec_init()` (lib/alloc_tag.c:246-274), from `mm_core_init()` (mm/mm_init.c:2688): with
   * compression, the kernel's tags must fit the unused page flag bits (`kernel_tags.count >
   * 1UL << NR_UNUSED_PAGEFLAG_BITS` shuts profiling down with an error); then the index goes at `LRU_REFS_PGOFF -
   * NR_UNUSED_PAGEFLAG_BITS`. Returns the line it prints, if any.
   */
  secInit(): string | undefined {
    const config = this.#config;
    if (!config.support || !config.compressed) return undefined;
    const count = this.sites.kernelTags;
    const bits = this.pageflags.unusedBits;
    if (count > 2 ** bits) {
      this.#shutdown(false);
      return `${count} allocation tags cannot be references using ${bits} available page flag bits. Memory allocation profiling is disabled!`;
    }
    this.refOffs = this.pageflags.lruRefsPgoff - bits;
    this.refMask = 2 ** bits - 1;
    this.#idxMask = this.refMask;
    return undefined;
  }

  /** Compressed: the page flags exist from the first allocation on; counting starts if it is on. */
  startCompressed(): void {
    if (!this.#config.support || !this.#config.compressed) return;
    this.#ready = true;
    if (this.#config.enabled) this.#subscribe();
  }

  /**
   * page_ext exists (`init_page_alloc_tagging()` does nothing in the kernel: a page_ext entry is zeroed, NULL). From
   * here on every allocation of a page with page_ext is charged, if counting is on. A section taken offline takes
   * its references with it.
   */
  initPageExt(pageExt: PageExt): void {
    this.#pageExt = pageExt;
    this.#ready = true;
    this.#hooks.memory_notify.subscribe((action, startPfn, nrPages) => {
      if (action !== MemoryAction.offline) return;
      for (let pfn = startPfn; pfn < startPfn + nrPages; pfn += this.#perSection)
        this.#refs[pfn >>> this.#shift] = undefined;
    });
    if (this.#config.enabled) this.#subscribe();
  }

  /**
   * `alloc_tag_init()` (lib/alloc_tag.c:810-855, a module_init): registers the sysctl (`sysctl_init()`, read-only
   * when not supported) and, when supported, creates /proc/allocinfo. Returns what it prints.
   */
  init(): string | undefined {
    this.#sysctlWritable = this.#config.support;
    if (!this.#config.support) return 'Memory allocation profiling is not supported!';
    this.#allocinfo = true;
    return undefined;
  }

  /** The tags and their counters, in /proc/allocinfo's order (every tag, those at zero too). */
  tags(): AllocTagCounters[] {
    return this.sites.order().map((id) => this.counters(id));
  }

  /** The bytes every tag holds, together (the sum of their `bytes`). */
  totalBytes(): number {
    let bytes = 0;
    for (const tagBytes of this.#bytes) bytes += tagBytes;
    return bytes;
  }

  /** One tag's counters. */
  counters(id: number): AllocTagCounters {
    return {
      id,
      codetag: this.sites.tag(id),
      bytes: this.#bytes[id] ?? 0,
      calls: this.#calls[id] ?? 0,
    };
  }

  /**
   * `alloc_tag_top_users()` (lib/alloc_tag.c:126-165): the `count` tags with the most bytes, most first, ties in
   * /proc/allocinfo's order (`tags`: the {@link tags} already at hand).
   */
  topUsers(count: number, tags: readonly AllocTagCounters[] = this.tags()): AllocTagCounters[] {
    const top: AllocTagCounters[] = [];
    for (const tag of tags) {
      let index = 0;
      while (index < top.length && !(tag.bytes > top[index]!.bytes)) index++;
      if (index < count) {
        top.splice(index, 0, tag);
        if (top.length > count) top.pop();
      }
    }
    return top;
  }

  /** The tag a page's reference names (its id), or -1 for none: the head page of a block, or any page after a split. */
  refOf(pfn: number): number {
    const refs = this.#refs[pfn >>> this.#shift];
    if (refs === undefined) return NO_TAG;
    const idx = refs[pfn & this.#mask]!;
    return idx < CODETAG_ID_FIRST || idx - CODETAG_ID_FIRST >= this.sites.size ? NO_TAG : idx - CODETAG_ID_FIRST;
  }

  /** `pgalloc_tag_get()`: the tag of `pfn`'s allocation while counting is on, else undefined. */
  tagOf(pfn: number): Codetag | undefined {
    if (!this.#config.enabled) return undefined;
    const id = this.refOf(pfn);
    return id < 0 ? undefined : this.sites.tag(id);
  }

  /**
   * `cat /proc/allocinfo` (`allocinfo_show()`, lib/alloc_tag.c:102-117): the header on the first record, then every
   * tag as `alloc_tag_to_text()` prints it, in chunks of 256 tags.
   */
  allocinfo(write: (chunk: string) => void): void {
    let chunk = ALLOCINFO_HEADER;
    let lines = 0;
    for (const id of this.sites.order()) {
      chunk += allocinfoLine(this.sites.tag(id), this.#bytes[id] ?? 0, this.#calls[id] ?? 0);
      if (++lines % 256 === 0) {
        write(chunk);
        chunk = '';
      }
    }
    if (chunk !== '') write(chunk);
  }

  /** /proc/allocinfo as one string. */
  readAllocinfo(): string {
    let text = '';
    this.allocinfo((chunk) => {
      text += chunk;
    });
    return text;
  }

  /** `cat /proc/sys/vm/mem_profiling`: `proc_do_static_key()` reads the key as `%d\n`. */
  readSysctl(): string {
    return `${this.#config.enabled ? 1 : 0}\n`;
  }

  /**
   * A write to /proc/sys/vm/mem_profiling (`proc_mem_profiling_handler()`, lib/alloc_tag.c:776-783): -EACCES when
   * the file is read-only (profiling not supported at boot), -EINVAL once profiling is not supported (it refuses to
   * turn a shut down profiler on), else `proc_do_static_key()`: `0` or `1` turns counting off or on. Returns the
   * bytes written or a negative errno. Turned off, nothing is charged or uncharged: a page freed meanwhile keeps
   * its tag's bytes, as in the kernel.
   */
  writeSysctl(text: string): number {
    if (!this.#sysctlWritable) return -EACCES;
    if (!this.#config.support) return -EINVAL;
    const parsed = parseStaticKeyWrite(text);
    if (parsed === undefined) return -EINVAL;
    this.#setEnabled(parsed.value === 1);
    return parsed.written;
  }

  /** A sysctl write from the command line (`do_sysctl_args()`): 'open' when the file cannot be opened to write. */
  writeSysctlArg(value: string): number | 'open' {
    if (!this.#sysctlWritable) return 'open';
    return this.writeSysctl(value);
  }

  /** Host bytes: the reference arrays and the counters. */
  hostBytes(): number {
    let bytes = this.#bytes.byteLength + this.#calls.byteLength;
    for (const refs of this.#refs) bytes += refs?.byteLength ?? 0;
    return bytes;
  }

  #setEnabled(on: boolean): void {
    if (on === this.#config.enabled) return;
    this.#config.enabled = on;
    if (!this.#ready) return;
    if (on) this.#subscribe();
    else for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
  }

  #subscribe(): void {
    const hooks = this.#hooks;
    this.#lastStamp = -1;
    this.#unsubscribe.push(
      hooks.post_alloc.subscribe(this.#add, Place.add),
      hooks.free_prepare.subscribe(this.#sub, Place.sub),
      hooks.split.subscribe(this.#split, Place.split),
      hooks.migrate_copy.subscribe(this.#swap, Place.swap),
    );
  }

  /**
   * `shutdown_mem_profiling()` (lib/alloc_tag.c:233-244): counting off, not supported any more, /proc/allocinfo
   * removed if asked.
   */
  #shutdown(removeFile: boolean): void {
    this.#setEnabled(false);
    if (!this.#config.support) return;
    if (removeFile) this.#allocinfo = false;
    this.#config.support = false;
  }

  /**
   * A tag made after boot. With compression its index must still fit: as `reserve_module_tags()` does when a
   * module's tags do not (`tags_addressable()`, lib/alloc_tag.c:320-331), profiling shuts down.
   */
  #newTag(id: number): void {
    if (id >= this.#calls.length) this.#grow(id + 1);
    if (!this.#config.compressed || !this.#config.support) return;
    if (CODETAG_ID_FIRST + id < 2 ** this.pageflags.unusedBits) return;
    this.#shutdown(true);
    this.memory.log.printk(
      `With module ${this.sites.tag(id).modname ?? 'vmlinux'} there are too many tags to fit in ${this.pageflags.unusedBits} page flag bits. Memory allocation profiling is disabled!`,
    );
  }

  #grow(size: number): void {
    let length = this.#calls.length;
    while (length < size) length *= 2;
    const bytes = new Float64Array(length);
    bytes.set(this.#bytes);
    this.#bytes = bytes;
    const calls = new Float64Array(length);
    calls.set(this.#calls);
    this.#calls = calls;
  }

  /** The reference array of a section, made when its first page is charged; undefined without page_ext. */
  #section(nr: number, pfn: number): Uint32Array | undefined {
    const pageExt = this.#pageExt;
    if (pageExt !== undefined ? !pageExt.hasPageExt(pfn) : !this.memory.pfnValid(pfn)) return undefined;
    const refs = new Uint32Array(this.#perSection);
    this.#refs[nr] = refs;
    return refs;
  }

  /**
   * `pgalloc_tag_add()` → `__pgalloc_tag_add()` (mm/page_alloc.c:1247-1266): the head page's reference
   * (`get_page_tag_ref()`: none without page_ext) is set to `current->alloc_tag` and the tag charged
   * `PAGE_SIZE << order` bytes and one call (`alloc_tag_add()`, include/linux/alloc_tag.h:197-201).
   */
  readonly #add = (pfn: number, order: number): void => {
    const nr = pfn >>> this.#shift;
    const refs = this.#refs[nr] ?? this.#section(nr, pfn);
    if (refs === undefined) return;
    const stamp = this.#stack.stamp();
    let tag = this.#lastTag;
    if (stamp !== this.#lastStamp) {
      tag = this.sites.resolveStack(this.#stack);
      this.#lastStamp = stamp;
      this.#lastTag = tag;
    }
    // alloc_tag_ref_set(): no tag, no reference and no charge.
    if (tag < 0) {
      this.untagged++;
      return;
    }
    refs[pfn & this.#mask] = (CODETAG_ID_FIRST + tag) & this.#idxMask;
    this.#calls[tag]!++;
    this.#bytes[tag]! += PAGE_SIZE * 2 ** order;
  };

  /**
   * `pgalloc_tag_sub()` → `__pgalloc_tag_sub()` (mm/page_alloc.c:1268-1286) → `alloc_tag_sub()`
   * (alloc_tag.h:203-222): the tag the head page refers to loses `PAGE_SIZE << order` bytes and a call, and the
   * reference is cleared; a page without one (allocated before page_ext, or while counting was off) changes
   * nothing.
   */
  readonly #sub = (pfn: number, order: number): void => {
    const refs = this.#refs[pfn >>> this.#shift];
    if (refs === undefined) return;
    const index = pfn & this.#mask;
    const idx = refs[index]!;
    if (idx < CODETAG_ID_FIRST) return;
    const tag = idx - CODETAG_ID_FIRST;
    this.#bytes[tag]! -= PAGE_SIZE * 2 ** order;
    this.#calls[tag]!--;
    refs[index] = CODETAG_ID_NULL;
  };

  /**
   * `pgalloc_tag_split()` (lib/alloc_tag.c:167-191): every new part's first page gets a reference to the head's tag
   * and the tag one call more (`alloc_tag_ref_set()`); the bytes stay, as the parts' frees take them back.
   */
  readonly #split = (pfn: number, oldOrder: number, newOrder: number): void => {
    const refs = this.#refs[pfn >>> this.#shift];
    if (refs === undefined) return;
    const index = pfn & this.#mask;
    const idx = refs[index]!;
    if (idx < CODETAG_ID_FIRST) return;
    const tag = idx - CODETAG_ID_FIRST;
    const step = 2 ** newOrder;
    const end = index + 2 ** oldOrder;
    for (let part = index + step; part < end; part += step) {
      refs[part] = idx;
      this.#calls[tag]!++;
    }
  };

  /**
   * `pgalloc_tag_swap()` (lib/alloc_tag.c:193-231), from `folio_migrate_flags()`: the new folio takes the old one's
   * tag and the old one the new one's, so that freeing the old folio uncharges the migration target's allocation;
   * nothing happens unless both have a tag.
   */
  readonly #swap = (from: number, to: number): void => {
    const oldRefs = this.#refs[from >>> this.#shift];
    const newRefs = this.#refs[to >>> this.#shift];
    if (oldRefs === undefined || newRefs === undefined) return;
    const oldIndex = from & this.#mask;
    const newIndex = to & this.#mask;
    const oldIdx = oldRefs[oldIndex]!;
    const newIdx = newRefs[newIndex]!;
    if (oldIdx < CODETAG_ID_FIRST || newIdx < CODETAG_ID_FIRST) return;
    oldRefs[oldIndex] = newIdx;
    newRefs[newIndex] = oldIdx;
  };
}

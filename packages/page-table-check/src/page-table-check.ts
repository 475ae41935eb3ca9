import { pcpAllowedOrder } from '@mm/buddy';
import { type HookBus, MemoryAction } from '@mm/hooks';
import type { PageExt } from '@mm/page-ext';
import { PAGE_SIZE, PageType, type PhysicalMemory, Taint, type X86Regs } from '@mm/physmem';
import type { KernelText } from '@mm/stacktrace';
import type { Vm } from '@mm/vm';
import {
  bugFrames,
  bugRegs,
  formatPageTableCheckBug,
  PAGE_TABLE_CHECK_BUG_SITES,
  type PageTableCheckBugSite,
  type PageTableCheckPath,
} from './bug-report';

/**
 * `sizeof(struct page_table_check)` (mm/page_table_check.c:16-19: `atomic_t anon_map_count; atomic_t
 * file_map_count;`): 8 bytes at its offset in every page_ext entry, `page_table_check_ops.size`.
 */
export const PAGE_TABLE_CHECK_BYTES = 8;

/** `page_table_check_ops`' place in `page_ext_ops[]` (mm/page_ext.c:90, last of the v6.18 array). */
export const PAGE_TABLE_CHECK_PLACE = 600;

/**
 * Its places among the listeners of the hooks (the kernel's call order, `MmHookEvents`): `post_alloc` 400
 * (`page_table_check_alloc()` after `set_page_owner()`, mm/page_alloc.c:1846), `free_prepare` 200
 * (`page_table_check_free()` after `reset_page_owner()`, mm/page_alloc.c:1395), and `migrate_copy` 400: the counts
 * move with the entries in `remove_migration_ptes()`, after `folio_migrate_flags()` and `folio_copy_owner()`.
 */
export const PageTableCheckPlace = { post_alloc: 400, free_prepare: 200, migrate_copy: 400 } as const;

/** `PMD_SIZE >> PAGE_SHIFT` and `PUD_SIZE >> PAGE_SHIFT` on x86_64 (4 KiB pages): the pages of a pmd and pud entry. */
export const PMD_NR_PAGES = 512;
export const PUD_NR_PAGES = 512 * 512;

/** The counts live on the host in chunks of this many pages (made at the chunk's first entry). */
const CHUNK_SHIFT = 12;
const CHUNK_PAGES = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_PAGES - 1;

/** Pass for `rw` to ask the vm: the entry's writability is the mapping's `VM_WRITE` (see {@link PageTableCheck}). */
const RW_FROM_VMA = -1;

/** What `page_table_check=` (and the build's `CONFIG_PAGE_TABLE_CHECK_ENFORCED`) set. */
export interface PageTableCheckConfig {
  /** `__page_table_check_enabled`. */
  enabled: boolean;
}

/** One `BUG_ON()` that fired. */
export interface PageTableCheckBug {
  /** The line of mm/page_table_check.c (`kernel BUG at mm/page_table_check.c:%u!`). */
  readonly line: number;
  readonly function: PageTableCheckBugSite['function'];
  readonly condition: string;
  /** The page whose counts failed the check. */
  readonly pfn: number;
  /** Its counts right after the failing statement (an `atomic_inc_return()` or `atomic_dec_return()` took effect). */
  readonly anonMapCount: number;
  readonly fileMapCount: number;
  /** The task that would die. */
  readonly pid: number;
  readonly comm: string;
}

/** What it checked and found. */
export interface PageTableCheckStats {
  /** Entries set (`page_table_check_set()` calls). */
  entriesSet: number;
  /** Entries cleared (`page_table_check_clear()` calls). */
  entriesCleared: number;
  /** Blocks checked at allocation and free (`__page_table_check_zero()` calls). */
  zeroChecks: number;
  /** `BUG_ON()`s that fired. */
  bugs: number;
}

/**
 * page_table_check (mm/page_table_check.c, `CONFIG_PAGE_TABLE_CHECK`, v5.17+; here v6.18): every page has two
 * counters in page_ext, `anon_map_count` and `file_map_count`, the page table entries that map it as an anonymous
 * page and as a file page. Each entry set and cleared moves them and checks them, and a page allocated or freed must
 * have both at zero; a failed check is a `BUG_ON()`, which kills the task with the kernel's `kernel BUG at
 * mm/page_table_check.c:N!` oops. It catches a page mapped both anon and file, an anonymous page mapped writable by
 * two entries (only read-only sharing after fork is legal), counts going negative, and a page freed (or reused)
 * while still mapped: the double mappings that corrupted `struct page` metadata (a wrong refcount or mapcount) lead
 * to.
 *
 * Where mmsim's vm sets and clears entries: its `map` and `unmap` hooks (`page_add_*_rmap()`,
 * `page_remove_rmap()`: every fault that installs a page, every zap of munmap, madvise, exit, the OOM reaper and
 * reclaim); `PageAnon()` is `vm.isAnon()`, the entry's `pte_write()` the mapping's `VM_WRITE` for an anonymous page
 * (`do_anonymous_page()` and the copy-on-write paths map it writable exactly then; the vm maps no anonymous page
 * read-only in a writable mapping) and is asked only when it matters. Migration moves the entries without those
 * hooks: the counts move from the old page to the new on `migrate_copy`, what `try_to_migrate_one()`'s clear and
 * `remove_migration_pte()`'s set of every entry add up to. `ptesSet()`, `pmdsSet()`, `pteClear()`, ... are the
 * kernel's entry points for paths the vm does not have (no THP: pmd and pud entries never occur).
 *
 * It does nothing until page_ext's `init()` ran with it enabled (`init_page_table_check()` disables the static key
 * `page_table_check_disabled`): only then it subscribes to the hooks. A BUG is printed, recorded and counted; the
 * simulation goes on (the kernel would have killed the task and left the entry, or the page, as it was).
 *
 * Host memory: two `Int32Array` counters a page, in chunks of 4096 pages made when a chunk's first entry is set.
 */
export class PageTableCheck {
  readonly memory: PhysicalMemory;
  readonly config: PageTableCheckConfig;
  /** Whether this kernel has it at all: v6.18 on x86_64 (`ARCH_SUPPORTS_PAGE_TABLE_CHECK if X86_64`, v5.17+). */
  readonly available: boolean;
  readonly stats: PageTableCheckStats = { entriesSet: 0, entriesCleared: 0, zeroChecks: 0, bugs: 0 };
  /** Every `BUG_ON()` that fired, in order. */
  readonly bugs: PageTableCheckBug[] = [];
  readonly #hooks: HookBus;
  readonly #vm: Vm;
  readonly #text: KernelText;
  #checking = false;
  /** Per section: 1 where the section has page_ext (`lookup_page_ext() != NULL`). */
  #hasExt = new Uint8Array(0);
  /** Per chunk of {@link CHUNK_PAGES} pages: `anon_map_count`, `file_map_count` of each page, interleaved. */
  #counts: (Int32Array | undefined)[] = [];
  readonly #sectionShift: number;
  readonly #slabBit: number;
  #dieCount = 0;
  /** `exec_summary_regs`: the registers of the first oops, repeated by every oops's executive summary. */
  #firstRegs: X86Regs | undefined;

  constructor(deps: {
    memory: PhysicalMemory;
    hooks: HookBus;
    vm: Vm;
    text: KernelText;
    config: PageTableCheckConfig;
    available: boolean;
  }) {
    this.memory = deps.memory;
    this.#hooks = deps.hooks;
    this.#vm = deps.vm;
    this.#text = deps.text;
    this.config = deps.config;
    this.available = deps.available;
    this.#sectionShift = deps.memory.pfnSectionShift;
    this.#slabBit = deps.memory.profile.pageFlags.bit.slab;
  }

  /** `page_table_check=` left it enabled (it may still be waiting for page_ext). */
  get enabled(): boolean {
    return this.available && this.config.enabled;
  }

  /** page_ext exists and the checks are live (`page_table_check_disabled` is off). */
  get checking(): boolean {
    return this.#checking;
  }

  /**
   * `init_page_table_check()` (mm/page_table_check.c:39-44), page_ext's `init()`: when enabled, the checks go live.
   * The counters are those of the sections that have page_ext; a section taken offline loses them with its page_ext
   * (`memory_notify` `offline`).
   */
  init(pageExt: PageExt): void {
    if (!this.enabled || this.#checking) return;
    const { memory } = this;
    const sections = memory.sections;
    this.#hasExt = new Uint8Array(sections.length);
    for (let nr = 0; nr < sections.length; nr++) {
      const section = sections[nr];
      if (section !== undefined && pageExt.hasPageExt(section.startPfn)) this.#hasExt[nr] = 1;
    }
    this.#counts = new Array<Int32Array | undefined>(Math.ceil(memory.maxPfn / CHUNK_PAGES) + 1);
    this.#checking = true;
    const hooks = this.#hooks;
    hooks.post_alloc.subscribe((pfn, order) => this.#zero(pfn, order, 'alloc'), PageTableCheckPlace.post_alloc);
    hooks.free_prepare.subscribe((pfn, order) => this.#zero(pfn, order, 'free'), PageTableCheckPlace.free_prepare);
    hooks.map.subscribe((pfn, pid, vaddr) => this.#vmSet(pfn, pid, vaddr));
    hooks.unmap.subscribe((pfn, pid) => this.#vmClear(pfn, pid));
    hooks.migrate_copy.subscribe(
      (from, to, order) => this.#move(from, to, 1 << order),
      PageTableCheckPlace.migrate_copy,
    );
    hooks.memory_notify.subscribe((action, startPfn, nrPages) => {
      if (action === MemoryAction.offline) this.#dropRange(startPfn, nrPages);
    });
  }

  /** `anon_map_count` of a page: 0 where it has no page_ext or the checks are not live. */
  anonMapCount(pfn: number): number {
    return this.#counts[pfn >>> CHUNK_SHIFT]?.[(pfn & CHUNK_MASK) << 1] ?? 0;
  }

  /** `file_map_count` of a page. */
  fileMapCount(pfn: number): number {
    return this.#counts[pfn >>> CHUNK_SHIFT]?.[((pfn & CHUNK_MASK) << 1) + 1] ?? 0;
  }

  /** The sums of both counters over every page: the entries mapping anonymous and file pages now. */
  totals(): { anon: number; file: number } {
    let anon = 0;
    let file = 0;
    for (const counts of this.#counts) {
      if (counts === undefined) continue;
      for (let index = 0; index < counts.length; index += 2) {
        anon += counts[index]!;
        file += counts[index + 1]!;
      }
    }
    return { anon, file };
  }

  /** Host bytes of the counters. */
  hostBytes(): number {
    let bytes = this.#hasExt.byteLength;
    for (const counts of this.#counts) if (counts !== undefined) bytes += counts.byteLength;
    return bytes;
  }

  /**
   * `__page_table_check_ptes_set()` (mm/page_table_check.c:196-210) of `nr` entries mapping the `nr` pages from
   * `pfn`, writable or not (`pte_write()`), over entries that were not present. A path that replaces present entries
   * clears them first ({@link pteClear}), as the kernel's loop over the old entries does. `vaddr` and `pid` only
   * choose the report's registers and path.
   */
  ptesSet(pfn: number, nr: number, rw: boolean, pid = this.memory.current.pid, vaddr?: number): void {
    if (this.#checking) this.#set(pfn, nr, rw ? 1 : 0, pid, vaddr);
  }

  /** `__page_table_check_pmds_set()` (lines 221-236): `nr` pmd entries, `PMD_SIZE >> PAGE_SHIFT` pages each. */
  pmdsSet(pfn: number, nr: number, rw: boolean, pid = this.memory.current.pid, vaddr?: number): void {
    if (this.#checking) this.#set(pfn, PMD_NR_PAGES * nr, rw ? 1 : 0, pid, vaddr);
  }

  /** `__page_table_check_puds_set()` (lines 239-252): `nr` pud entries, `PUD_SIZE >> PAGE_SHIFT` pages each. */
  pudsSet(pfn: number, nr: number, rw: boolean, pid = this.memory.current.pid, vaddr?: number): void {
    if (this.#checking) this.#set(pfn, PUD_NR_PAGES * nr, rw ? 1 : 0, pid, vaddr);
  }

  /** `__page_table_check_pte_clear()` (lines 148-156): one entry mapping `pfn` is gone. */
  pteClear(pfn: number, pid = this.memory.current.pid): void {
    if (this.#checking) this.#clear(pfn, 1, pid);
  }

  /** `__page_table_check_pmd_clear()` (lines 159-167). */
  pmdClear(pfn: number, pid = this.memory.current.pid): void {
    if (this.#checking) this.#clear(pfn, PMD_NR_PAGES, pid);
  }

  /** `__page_table_check_pud_clear()` (lines 170-178). */
  pudClear(pfn: number, pid = this.memory.current.pid): void {
    if (this.#checking) this.#clear(pfn, PUD_NR_PAGES, pid);
  }

  /**
   * The vm set one entry (`map`): `page_table_check_set(pfn, 1, pte_write())` for a page with page_ext, the hot path
   * of {@link #set}. `PageSlab()` is not asked: the vm counted the entry in the page's `_mapcount` before it called,
   * and a page type shares that word (as in v6.18), so a page the vm maps has no type.
   */
  #vmSet(pfn: number, pid: number, vaddr: number): void {
    if (this.#hasExt[pfn >>> this.#sectionShift] !== 1) {
      this.#set(pfn, 1, RW_FROM_VMA, pid, vaddr);
      return;
    }
    this.stats.entriesSet++;
    this.#setOne(pfn, this.#vm.isAnon(pfn), RW_FROM_VMA, pid, vaddr);
  }

  /** The vm cleared one entry (`unmap`): `page_table_check_clear(pfn, 1)`, the hot path of {@link #clear}. */
  #vmClear(pfn: number, pid: number): void {
    if (this.#hasExt[pfn >>> this.#sectionShift] !== 1) {
      this.#clear(pfn, 1, pid);
      return;
    }
    this.stats.entriesCleared++;
    this.#clearOne(pfn, this.#vm.isAnon(pfn), pid);
  }

  /**
   * `page_table_check_set()` (lines 97-125). `rw` 1 or 0, or {@link RW_FROM_VMA}: the mapping of `vaddr` in task
   * `pid` says, read only when an anonymous page gets its second entry (`&&` evaluates `rw` after the increment).
   */
  #set(pfn: number, pgcnt: number, rw: number, pid: number, vaddr: number | undefined): void {
    const { memory } = this;
    this.stats.entriesSet++;
    if (!memory.pfnValid(pfn)) return;
    if (this.#isSlab(pfn)) {
      this.#bug(109, pfn, this.#setPath(false, pid, vaddr), vaddr);
      return;
    }
    const anon = this.#vm.isAnon(pfn);
    for (let page = pfn; page < pfn + pgcnt; page++) {
      // for_each_page_ext(): ends at a page without page_ext.
      if (this.#hasExt[page >>> this.#sectionShift] !== 1) return;
      if (!this.#setOne(page, anon, rw, pid, vaddr)) return;
    }
  }

  /** One page of `page_table_check_set()`: false when one of its `BUG_ON()`s fired (which ends the walk). */
  #setOne(page: number, anon: boolean, rw: number, pid: number, vaddr: number | undefined): boolean {
    const counts = this.#chunk(page);
    const at = (page & CHUNK_MASK) << 1;
    let line = 0;
    if (anon) {
      if (counts[at + 1] !== 0) line = 117;
      else if (++counts[at]! > 1 && (rw === RW_FROM_VMA ? this.#writable(pid, vaddr) : rw === 1)) line = 118;
    } else if (counts[at] !== 0) {
      line = 120;
    } else if (++counts[at + 1]! < 0) {
      // atomic_inc_return() wraps at 2^31 as the Int32Array does.
      line = 121;
    }
    if (line === 0) return true;
    this.#bug(line, page, this.#setPath(anon, pid, vaddr), vaddr);
    return false;
  }

  /** `page_table_check_clear()` (lines 63-90). */
  #clear(pfn: number, pgcnt: number, pid: number): void {
    const { memory } = this;
    this.stats.entriesCleared++;
    if (!memory.pfnValid(pfn)) return;
    if (this.#isSlab(pfn)) {
      this.#bug(74, pfn, this.#clearPath(pid));
      return;
    }
    const anon = this.#vm.isAnon(pfn);
    for (let page = pfn; page < pfn + pgcnt; page++) {
      if (this.#hasExt[page >>> this.#sectionShift] !== 1) return;
      if (!this.#clearOne(page, anon, pid)) return;
    }
  }

  /** One page of `page_table_check_clear()`: false when one of its `BUG_ON()`s fired (which ends the walk). */
  #clearOne(page: number, anon: boolean, pid: number): boolean {
    const counts = this.#chunk(page);
    const at = (page & CHUNK_MASK) << 1;
    let line = 0;
    if (anon) {
      if (counts[at + 1] !== 0) line = 82;
      else if (--counts[at]! < 0) line = 83;
    } else if (counts[at] !== 0) {
      line = 85;
    } else if (--counts[at + 1]! < 0) {
      line = 86;
    }
    if (line === 0) return true;
    this.#bug(line, page, this.#clearPath(pid));
    return false;
  }

  /**
   * `__page_table_check_zero()` (lines 131-146), from `page_table_check_alloc()` and `page_table_check_free()`: every
   * page of the block must have both counters at zero. The hot path: a block in a chunk that never held an entry
   * costs one lookup.
   */
  #zero(pfn: number, order: number, at: 'alloc' | 'free'): void {
    this.stats.zeroChecks++;
    const end = pfn + (1 << order);
    const shift = this.#sectionShift;
    for (let page = pfn; page < end; ) {
      if (this.#hasExt[page >>> shift] !== 1) return;
      const counts = this.#counts[page >>> CHUNK_SHIFT];
      const chunkEnd = Math.min(end, (page | CHUNK_MASK) + 1);
      if (counts !== undefined) {
        for (; page < chunkEnd; page++) {
          const index = (page & CHUNK_MASK) << 1;
          if (counts[index] !== 0) {
            this.#bug(142, page, this.#zeroPath(at, order));
            return;
          }
          if (counts[index + 1] !== 0) {
            this.#bug(143, page, this.#zeroPath(at, order));
            return;
          }
        }
      }
      page = chunkEnd;
    }
  }

  /**
   * Migration: every entry of `from` was cleared (`try_to_migrate_one()`, mm/rmap.c:2454 `ptep_clear_flush()`) and
   * set again on `to` (`remove_migration_pte()`, mm/migrate.c:435 `set_pte_at()`, writable if the migration entry
   * was), so the counts move. `to` is a new page (its counts were checked zero at allocation): no check can fail.
   */
  #move(from: number, to: number, pages: number): void {
    for (let page = 0; page < pages; page++) {
      const source = this.#counts[(from + page) >>> CHUNK_SHIFT];
      if (source === undefined) continue;
      const at = ((from + page) & CHUNK_MASK) << 1;
      const anon = source[at]!;
      const file = source[at + 1]!;
      if (anon === 0 && file === 0) continue;
      source[at] = 0;
      source[at + 1] = 0;
      if (this.#hasExt[(to + page) >>> this.#sectionShift] !== 1) continue;
      const target = this.#chunk(to + page);
      const into = ((to + page) & CHUNK_MASK) << 1;
      target[into] = target[into]! + anon;
      target[into + 1] = target[into + 1]! + file;
    }
  }

  /** The counters of a chunk, made on first use. */
  #chunk(pfn: number): Int32Array {
    const chunk = pfn >>> CHUNK_SHIFT;
    let counts = this.#counts[chunk];
    if (counts === undefined) {
      counts = new Int32Array(CHUNK_PAGES * 2);
      this.#counts[chunk] = counts;
    }
    return counts;
  }

  /** `page_ext_callback()` at `MEM_OFFLINE`: the sections' page_ext, and the counters in it, are gone. */
  #dropRange(startPfn: number, nrPages: number): void {
    for (let pfn = startPfn; pfn < startPfn + nrPages; pfn += CHUNK_PAGES)
      this.#counts[pfn >>> CHUNK_SHIFT] = undefined;
    const perSection = this.memory.pagesPerSection;
    for (let pfn = startPfn; pfn < startPfn + nrPages; pfn += perSection) this.#hasExt[pfn >>> this.#sectionShift] = 0;
  }

  /** `PageSlab()`: the slab page type (v6.18), or PG_slab. */
  #isSlab(pfn: number): boolean {
    const { memory } = this;
    return this.#slabBit >= 0 ? memory.testPageFlag(pfn, this.#slabBit) : memory.pageType(pfn) === PageType.slab;
  }

  /** `pte_write()` of an entry the vm set: the mapping's `VM_WRITE` (false when the mapping cannot be found). */
  #writable(pid: number, vaddr: number | undefined): boolean {
    if (vaddr === undefined) return false;
    return this.#vm.tasks.get(pid)?.mm.find(Math.floor(vaddr / PAGE_SIZE))?.protection.write === true;
  }

  /** The fault path that set an entry: an anonymous fault, a copy-on-write in a file mapping, or a file fault. */
  #setPath(anon: boolean, pid: number, vaddr: number | undefined): PageTableCheckPath {
    if (!anon) return 'fileFault';
    const vma = vaddr === undefined ? undefined : this.#vm.tasks.get(pid)?.mm.find(Math.floor(vaddr / PAGE_SIZE));
    return vma?.file !== undefined ? 'cowFault' : 'anonFault';
  }

  /** The zap that cleared an entry: the OOM reaper's, exit's (the task is gone), or munmap's. */
  #clearPath(pid: number): PageTableCheckPath {
    if (this.memory.current.comm === 'oom_reaper') return 'oomReaper';
    return this.#vm.tasks.has(pid) ? 'munmap' : 'exit';
  }

  /** `page_table_check_free()` from `__free_frozen_pages()` or `__free_pages_ok()`; `page_table_check_alloc()`. */
  #zeroPath(at: 'alloc' | 'free', order: number): PageTableCheckPath {
    if (at === 'alloc') return 'alloc';
    return pcpAllowedOrder(order, this.memory.profile) ? 'free' : 'freeNotPcp';
  }

  /**
   * A `BUG_ON()` fired: the report (lib/bug.c, then the x86 invalid-opcode oops), recorded, then `oops_end()`'s
   * `TAINT_DIE`. `die_counter` and the executive summary's registers are this feature's own.
   */
  #bug(line: number, pfn: number, path: PageTableCheckPath, address?: number): void {
    const site = PAGE_TABLE_CHECK_BUG_SITES[line]!;
    const { memory } = this;
    this.stats.bugs++;
    this.bugs.push({
      line,
      function: site.function,
      condition: site.condition,
      pfn,
      anonMapCount: this.anonMapCount(pfn),
      fileMapCount: this.fileMapCount(pfn),
      pid: memory.current.pid,
      comm: memory.current.comm,
    });
    this.#dieCount++;
    const frames = bugFrames(this.#text, memory, site, path);
    const oops = {
      site,
      path,
      pfn,
      ...(address !== undefined ? { address } : {}),
      dieCount: this.#dieCount,
      // debug_pagealloc_enabled(): mmsim's debug_pagealloc listens to kernel faults exactly when it is enabled (x86
      // unmaps freed pages from the direct map).
      debugPagealloc: this.#hooks.kernel_fault.count !== 0,
    };
    const regs = bugRegs(memory, frames.rip, oops);
    this.#firstRegs ??= regs;
    memory.log.printk(formatPageTableCheckBug(memory, oops, frames, regs, this.#firstRegs).join('\n'));
    memory.taint.add(Taint.DIE);
  }
}

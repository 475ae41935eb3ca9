import type { BuddyAllocator } from '@mm/buddy';
import { formatDumpPage, Ratelimit } from '@mm/buddy';
import type { HookBus } from '@mm/hooks';
import type { MachineCore } from '@mm/kernel-spec';
import { dumpStackWith, type PhysicalMemory, type StackFrame, Taint, type X86Regs } from '@mm/physmem';
import type { DebugPageallocConfig } from './debug-pagealloc-params';
import { formatPageFaultOops, pageFaultRegs } from './page-fault-oops';
import { formatPoisonReport, poisonReportFrames } from './reports';

/** `PAGE_POISON` (include/linux/poison.h). */
export const PAGE_POISON = 0xaa;

/**
 * Its places among the listeners of the allocator's hooks (the kernel's call order, `MmHookEvents`): pages are
 * mapped and their poison checked first in `post_alloc_hook()`, and poisoned and unmapped last in
 * `free_pages_prepare()`, after page_owner has reset its record.
 */
const Place = {
  debug_pagealloc_map_pages: 100,
  kernel_unpoison_pages: 200,
  kernel_poison_pages: 400,
  debug_pagealloc_unmap_pages: 500,
} as const;

/** What debug_pagealloc caught and did. */
export interface DebugPageallocStats {
  /** Kernel accesses to pages removed from the direct map (each an oops). */
  faults: number;
  /** Poison checks that found a changed byte (each a `pagealloc:` report, if not rate limited). */
  corruptions: number;
  /** Pages unmapped and poisoned at free since it became active. */
  unmappedPages: number;
  poisonedPages: number;
}

/**
 * debug_pagealloc (mm/debug_page_alloc.c, mm/page_poison.c; v4.8 also mm/page_alloc.c for guard pages): once
 * active, freed pages leave the kernel's direct map, so a use after free faults with an x86 page fault oops
 * (arch/x86/mm/fault.c: the faulting function as RIP, its callers as the call trace; no page_owner lines, since the
 * fault path never calls `dump_page()`), and come back at allocation; with poisoning, freed pages are filled with
 * 0xaa and checked when allocated again (the report's `dump_page()`, v6.18 only, brings page_owner's part through
 * the `dump_page` hook); `debug_guardpage_minorder` keeps split halves out of the free lists as guard pages.
 *
 * It does nothing until it is active: v4.x activates in its page_ext client's `init()` (page_ext exists late in
 * boot on SPARSEMEM, so the pages allocated and freed before stay mapped and unpoisoned); v6.18 needs no page_ext
 * and activates in `mm_core_init()`, before the free memory reaches the allocator, so all of it starts unmapped.
 */
export class DebugPagealloc {
  readonly config: DebugPageallocConfig;
  readonly memory: PhysicalMemory;
  readonly stats: DebugPageallocStats = { faults: 0, corruptions: 0, unmappedPages: 0, poisonedPages: 0 };
  /** Freed pages are unmapped (x86: `ARCH_SUPPORTS_DEBUG_PAGEALLOC`). */
  readonly unmap: boolean;
  /** Freed pages are poisoned: `page_poison=on`, or debug_pagealloc on an architecture that cannot unmap. */
  readonly poison: boolean;
  active = false;
  readonly #hooks: HookBus;
  readonly #buddy: BuddyAllocator;
  readonly #v4: boolean;
  /** v4.x `PAGE_EXT_DEBUG_POISON`: per section, 1 for pages poisoned at free (only those are checked). */
  readonly #poisoned: (Uint8Array | undefined)[] = [];
  readonly #ratelimit: Ratelimit;
  readonly #text: MachineCore['text'] | undefined;
  #dieCount = 0;
  /** v6.18 `exec_summary_regs`: the registers of the first oops since boot, repeated after every oops. */
  #firstOopsRegs: X86Regs | undefined;

  constructor(deps: {
    memory: PhysicalMemory;
    hooks: HookBus;
    buddy: BuddyAllocator;
    config: DebugPageallocConfig;
    /** Whether the architecture can unmap pages from the direct map (default true, x86). */
    canUnmap?: boolean;
    /**
     * The booted kernel's text, to symbolise the kernel's own frames of the poison report (`dump_stack`,
     * `__kernel_unpoison_pages`, ...). Without it the report's trace is the caller's path alone.
     */
    text?: MachineCore['text'];
  }) {
    this.memory = deps.memory;
    this.config = deps.config;
    this.#hooks = deps.hooks;
    this.#buddy = deps.buddy;
    this.#v4 = deps.memory.profile.era === 'v4';
    const canUnmap = deps.canUnmap ?? true;
    this.unmap = deps.config.enabled && canUnmap;
    this.poison = deps.config.poison || (deps.config.enabled && !canUnmap);
    this.#ratelimit = new Ratelimit(5e9, 10);
    this.#text = deps.text;
  }

  /**
   * Turns it on: hooks on the allocator, guard pages, the fault handler. v6.18 also unmaps and poisons every page
   * that is free now (the kernel's are freed into the allocator only after activation).
   */
  activate(): void {
    if (this.active || !(this.unmap || this.poison || this.config.guardMinOrder > 0)) return;
    this.active = true;
    const hooks = this.#hooks;
    if (this.config.enabled) this.#buddy.enableGuardPages(this.config.guardMinOrder);
    if (!this.unmap && !this.poison) return;
    const { directMap } = this.memory;
    if (this.unmap) {
      hooks.post_alloc.subscribe(
        (pfn, order) => directMap.mapPages(pfn, 1 << order, true),
        Place.debug_pagealloc_map_pages,
      );
      hooks.free_prepare.subscribe((pfn, order) => {
        directMap.mapPages(pfn, 1 << order, false);
        this.stats.unmappedPages += 1 << order;
      }, Place.debug_pagealloc_unmap_pages);
      hooks.kernel_fault.subscribe((pfn, offset, write, length) => this.#oops(pfn, offset, write, length));
    }
    if (this.poison) {
      hooks.post_alloc.subscribe((pfn, order) => this.#unpoison(pfn, 1 << order), Place.kernel_unpoison_pages);
      hooks.free_prepare.subscribe((pfn, order) => this.#poison(pfn, 1 << order), Place.kernel_poison_pages);
    }
    if (!this.#v4) {
      for (const zone of this.#buddy.zones) {
        // Adjacent blocks as one run (boot's free lists are in pfn order): whole sections cost nothing per page.
        let runStart = -1;
        let runEnd = -1;
        const visit = (pfn: number, order: number) => {
          if (pfn === runEnd) {
            runEnd += 1 << order;
            return;
          }
          if (runStart >= 0) this.#freed(runStart, runEnd - runStart);
          runStart = pfn;
          runEnd = pfn + (1 << order);
        };
        this.#buddy.forEachFreeBlock(zone, visit);
        this.#buddy.forEachPcpBlock(zone, visit);
        if (runStart >= 0) this.#freed(runStart, runEnd - runStart);
      }
    }
  }

  /** What `free_pages_prepare()` does to pages that were free before activation (v6.18): poison, then unmap. */
  #freed(pfn: number, pages: number): void {
    if (this.poison) this.#poison(pfn, pages);
    if (this.unmap) {
      this.memory.directMap.mapPages(pfn, pages, false);
      this.stats.unmappedPages += pages;
    }
  }

  /** `kernel_poison_pages()`: fills freed pages with PAGE_POISON (v4.x marks them `PAGE_EXT_DEBUG_POISON`). */
  #poison(pfn: number, pages: number): void {
    const { contents } = this.memory.directMap;
    if (this.#v4) {
      for (let page = pfn; page < pfn + pages; page++) {
        contents.fill(page, PAGE_POISON);
        this.#setPoisoned(page, true);
      }
    } else {
      contents.fillRange(pfn, pages, PAGE_POISON);
    }
    this.stats.poisonedPages += pages;
  }

  /** `kernel_unpoison_pages()`: checks that the poison of pages being allocated is intact. */
  #unpoison(pfn: number, pages: number): void {
    const { contents } = this.memory.directMap;
    for (let page = pfn; page < pfn + pages; page++) {
      if (this.#v4 && !this.#isPoisoned(page)) continue;
      if (this.#v4) this.#setPoisoned(page, false);
      const range = contents.mismatch(page, PAGE_POISON);
      if (range !== undefined) this.#corrupted(page, range);
    }
  }

  /**
   * `check_poison_mem()` found damage: the report, rate limited to 10 per 5 s, with `dump_stack()` (the kernel's own
   * frames, {@link poisonReportFrames}, above the allocator's caller) and, in v6.18 only, `dump_page(page,
   * "pagealloc: corrupted page details")` with page_owner's lines through the `dump_page` hook.
   */
  #corrupted(pfn: number, range: { first: number; last: number }): void {
    this.stats.corruptions++;
    const { memory } = this;
    const verdict = this.#ratelimit.check(memory.clock.ns);
    if (verdict.suppressedBefore > 0) {
      memory.log.printk(`check_poison_mem: ${verdict.suppressedBefore} callbacks suppressed`);
    }
    if (!verdict.allowed) return;
    const lines = [
      ...formatPoisonReport(memory, pfn, range, PAGE_POISON),
      ...dumpStackWith(memory, this.#kernelFrames(poisonReportFrames[memory.profile.era])),
    ];
    if (!this.#v4) {
      lines.push(...formatDumpPage(this.#buddy, pfn), 'page dumped because: pagealloc: corrupted page details');
    }
    memory.log.printk(lines.join('\n'));
    if (!this.#v4) this.#hooks.dump_page.call(pfn);
  }

  /**
   * A kernel access to an unmapped page: the page fault oops (arch/x86/mm/fault.c), whose RIP is the innermost frame
   * of the shadow stack (the faulting function), then `oops_end()`'s taint (TAINT_DIE, after the report). No
   * `dump_page()`: the kernel's fault path does not call it. The kernel goes on (the task would be killed).
   */
  #oops(pfn: number, offset: number, write: boolean, length: number): void {
    this.stats.faults++;
    this.#dieCount++;
    const { memory } = this;
    const fault = { pfn, offset, write, length };
    const frames = memory.stackTrace();
    const regs = pageFaultRegs(memory, fault, frames);
    // __die_header(): the first oops's registers are kept for every later executive summary.
    if (this.#firstOopsRegs === undefined) this.#firstOopsRegs = regs;
    // v6.18's trace scans the stack from the exception handler: its frames and the faulting function's address show
    // as unreliable entries (`? `) before the callers, as real 6.x oopses show them.
    const exceptionFrames = this.#v4
      ? []
      : [...this.#kernelFrames(OOPS_EXCEPTION_FRAMES), ...frames.slice(0, 1)].map((frame) => ({
          ...frame,
          reliable: false,
        }));
    const lines = formatPageFaultOops(memory, {
      fault,
      dieCount: this.#dieCount,
      frames,
      exceptionFrames,
      regs,
      firstRegs: this.#firstOopsRegs,
    });
    memory.log.printk(lines.join('\n'));
    memory.taint.add(Taint.DIE);
  }

  /** The kernel's frames of a report, symbolised against the booted kernel's text (none without it). */
  #kernelFrames(frames: readonly string[]): StackFrame[] {
    const text = this.#text;
    if (text === undefined) return [];
    return frames.map((frame) => {
      const address = text.site(frame);
      return { address: `ffffffff${address.toString(16).padStart(8, '0')}`, symbol: text.formatSymbol(address) };
    });
  }

  #isPoisoned(pfn: number): boolean {
    const shift = this.memory.pfnSectionShift;
    return this.#poisoned[pfn >>> shift]?.[pfn & (this.memory.pagesPerSection - 1)] === 1;
  }

  #setPoisoned(pfn: number, poisoned: boolean): void {
    const shift = this.memory.pfnSectionShift;
    let section = this.#poisoned[pfn >>> shift];
    if (section === undefined) {
      if (!poisoned) return;
      section = new Uint8Array(this.memory.pagesPerSection);
      this.#poisoned[pfn >>> shift] = section;
    }
    section[pfn & (this.memory.pagesPerSection - 1)] = poisoned ? 1 : 0;
  }
}

/**
 * The exception's own frames a 6.x page fault oops lists above the faulting function, innermost first, each with
 * `? ` (real 6.x oopses: `? __die+0x1f/0x60`, `? page_fault_oops+0x148/0x420`, `? exc_page_fault+0x75/0x170`, `?
 * asm_exc_page_fault+0x22/0x30`): `__die()` called from `page_fault_oops()`, reached from `exc_page_fault()` through
 * the inlined kernel-address fault path, entered from `asm_exc_page_fault`. Sizes: this 6.18 kernel's kallsyms for
 * the functions the model has not sized yet.
 */
const OOPS_EXCEPTION_FRAMES = [
  '__die+0x1f/0x69',
  'page_fault_oops+0x148/0x2c0',
  'exc_page_fault+0x76',
  'asm_exc_page_fault+0x26',
];

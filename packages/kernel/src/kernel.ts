import { type BuddyAllocator, type BuddyZone, formatBuddyinfo, formatPagetypeinfo } from '@mm/buddy';
import type { DebugPagealloc } from '@mm/debug-pagealloc';
import { type HookBus, MemoryAction } from '@mm/hooks';
import type { Compaction, Migration } from '@mm/migrate';
import type { PageExt } from '@mm/page-ext';
import type { PageIdle } from '@mm/page-idle';
import { formatPagetypeinfoWithOwner, type PageOwner } from '@mm/page-owner';
import { type KernelProfile, PageState, type PhysicalMemory } from '@mm/physmem';
import type { KernelText, ShadowStack } from '@mm/stacktrace';
import type { Vm } from '@mm/vm';
import type { BootAllocation } from './boot-allocations';
import type { CommandLineArgument } from './command-line';

/** An extra table of /proc/pagetypeinfo contributed by a client (page_owner's mixed blocks). */
export interface PagetypeinfoContribution {
  readonly title: string;
  readonly counts: (zone: BuddyZone) => readonly number[];
}

/** What `boot()` returns: the running simulated kernel and its views. */
export class Kernel {
  readonly profile: KernelProfile;
  readonly memory: PhysicalMemory;
  readonly hooks: HookBus;
  readonly buddy: BuddyAllocator;
  /** The command line as given. */
  readonly cmdline: string;
  /** Parameters some package owns. */
  readonly parameters: readonly CommandLineArgument[];
  /** Parameters nobody owns (passed to init, as the kernel does). */
  readonly unknownParameters: readonly CommandLineArgument[];
  /** Blocks the kernel allocated during boot and holds. */
  readonly bootAllocations: readonly BootAllocation[];
  /** Host milliseconds the boot took. */
  readonly bootMilliseconds: number;
  /** The kernel text (symbols) and the shadow call stack of simulated kernel code. */
  readonly text: KernelText;
  readonly stack: ShadowStack;
  /** page_ext, when some client needed it. */
  readonly pageExt: PageExt | undefined;
  /** page_owner, when built in (it records only if `page_owner=` enabled it). */
  readonly pageOwner: PageOwner | undefined;
  /** User space memory: processes, mappings, page tables, the page cache, the reverse map. */
  readonly vm: Vm;
  /** Page migration (`migrate_pages()`) and compaction (direct on costly failures, or `compactMemory()`). */
  readonly migration: Migration;
  readonly compaction: Compaction;
  /** Idle page tracking, when built in. */
  readonly pageIdle: PageIdle | undefined;
  /** debug_pagealloc, when built in (it acts only if `debug_pagealloc=on` or `page_poison=on`). */
  readonly debugPagealloc: DebugPagealloc | undefined;
  readonly #pagetypeinfo: PagetypeinfoContribution[] = [];

  constructor(init: {
    memory: PhysicalMemory;
    hooks: HookBus;
    buddy: BuddyAllocator;
    cmdline: string;
    parameters: readonly CommandLineArgument[];
    unknownParameters: readonly CommandLineArgument[];
    bootAllocations: readonly BootAllocation[];
    bootMilliseconds: number;
    text: KernelText;
    stack: ShadowStack;
    pageExt?: PageExt;
    pageOwner?: PageOwner;
    vm: Vm;
    migration: Migration;
    compaction: Compaction;
    pageIdle?: PageIdle;
    debugPagealloc?: DebugPagealloc;
  }) {
    this.memory = init.memory;
    this.profile = init.memory.profile;
    this.hooks = init.hooks;
    this.buddy = init.buddy;
    this.cmdline = init.cmdline;
    this.parameters = init.parameters;
    this.unknownParameters = init.unknownParameters;
    this.bootAllocations = init.bootAllocations;
    this.bootMilliseconds = init.bootMilliseconds;
    this.text = init.text;
    this.stack = init.stack;
    this.pageExt = init.pageExt;
    this.pageOwner = init.pageOwner;
    this.vm = init.vm;
    this.migration = init.migration;
    this.compaction = init.compaction;
    this.pageIdle = init.pageIdle;
    this.debugPagealloc = init.debugPagealloc;
  }

  /**
   * Memory hot-remove of one memory section (mm/memory_hotplug.c `offline_pages()`): refused, changing nothing, if
   * the section holds a page that cannot move (kernel memory), with the kernel's `memory offlining ... failed` line;
   * otherwise its pageblocks are isolated, its movable pages migrate away (`memory_hotplug`), its free pages leave
   * the allocator for good, and its page_ext is freed (`MEM_OFFLINE`: page_owner forgets its records there).
   */
  offlineSection(
    nr: number,
  ): { offlinedPages: number; migratedPages: number; pageExtBytes: number } | { error: string } {
    const { memory, buddy, vm } = this;
    const section = memory.sections[nr];
    if (section === undefined) return { error: `section ${nr} has no memory` };
    const start = section.startPfn;
    const end = start + memory.pagesPerSection;
    const range = `[mem ${hexAddress(start)}-${hexAddress(end, -1)}]`;
    buddy.drainAllPages();
    const movable: number[] = [];
    for (let pfn = start; pfn < end; pfn++) {
      if (memory.pageState(pfn) !== PageState.none || memory.pageRefcount(pfn) === 0) continue;
      if (!vm.isMovable(pfn)) {
        memory.log.printk(`memory offlining ${range} failed due to unmovable page`);
        return { error: `pfn ${pfn} holds an unmovable page` };
      }
      movable.push(pfn);
    }
    this.hooks.memory_notify.call(MemoryAction.going_offline, start, memory.pagesPerSection);
    buddy.isolateRange(start, end);
    const migratedPages = this.migration.migratePages(movable, this.migration.reason('memory_hotplug'));
    const offlinedPages = buddy.offlineIsolatedPages(start, end);
    const pageExtBytes = this.pageExt?.freeSection(buddy, nr) ?? 0;
    this.hooks.memory_notify.call(MemoryAction.offline, start, memory.pagesPerSection);
    return { offlinedPages, migratedPages, pageExtBytes };
  }

  /** The kernel log (`dmesg`). */
  dmesg(): string {
    return this.memory.log.text();
  }

  /** `/proc/buddyinfo`. */
  buddyinfo(): string {
    return formatBuddyinfo(this.buddy);
  }

  /** `/proc/pagetypeinfo`, with page_owner's `Number of mixed blocks` when it is on, and other clients' tables. */
  pagetypeinfo(): string {
    if (this.pageOwner?.inited) return formatPagetypeinfoWithOwner(this.pageOwner, this.buddy);
    return formatPagetypeinfo(this.buddy, this.#pagetypeinfo);
  }

  /** Adds a table to /proc/pagetypeinfo (page_owner's `Number of mixed blocks`). */
  addPagetypeinfoSection(section: PagetypeinfoContribution): void {
    this.#pagetypeinfo.push(section);
  }

  /** Host bytes of the simulation's per-page state: physmem's struct pages plus the allocator's arrays. */
  hostBytes(): number {
    return this.memory.hostBytes() + this.buddy.hostBytes();
  }

  /** Host bytes page_owner and its depot add. */
  pageOwnerHostBytes(): number {
    return this.pageOwner === undefined ? 0 : this.pageOwner.hostBytes() + this.pageOwner.depot.hostBytes();
  }
}

/** `%#010llx` of a pfn's physical address (plus `delta` bytes). */
function hexAddress(pfn: number, delta = 0): string {
  return `0x${(pfn * 4096 + delta).toString(16).padStart(8, '0')}`;
}

import type { BuddyAllocator } from '@mm/buddy';
import { type HookBus, type KernelParam, kstrtobool, MemoryAction } from '@mm/hooks';
import type { PageExt } from '@mm/page-ext';
import {
  CurrentTask,
  MAX_ORDER_NR_PAGES,
  MAX_PAGE_ORDER,
  ORDER_MASK,
  ORDER_SHIFT,
  PAGEBLOCK_NR_PAGES,
  PAGEBLOCK_ORDER,
  PageState,
  type PhysicalMemory,
  SimClock,
  STATE_SHIFT,
} from '@mm/physmem';
import { REFCOUNT_SATURATED, type StackDepot } from '@mm/stackdepot';
import { type KernelText, ShadowStack } from '@mm/stacktrace';
import { dumpPageOwnerLines } from './dump-page-owner';
import { InfoBits, makeInfo, OwnerRecords, orderOf, reasonOf } from './owner-records';
import type { PageOwnerEra } from './page-owner-era';
import { ContextSlot, TaskContexts } from './task-contexts';

/** What page_owner works with: the machine, its allocator and hooks, the kernel text and stack, the depot. */
export interface PageOwnerDeps {
  readonly memory: PhysicalMemory;
  readonly hooks: HookBus;
  readonly buddy: BuddyAllocator;
  readonly text: KernelText;
  readonly stack: ShadowStack;
  /** The stack depot (for v4.7, a private depot that keeps the inline stacks deduplicated on the host). */
  readonly depot: StackDepot;
  readonly era: PageOwnerEra;
  /** Whether `page_owner=` turned it on (see {@link pageOwnerParams}). */
  readonly enabled: boolean;
}

/** The value `page_owner=` sets. */
export interface PageOwnerConfig {
  enabled: boolean;
}

/**
 * `early_param("page_owner", ...)`: v4.x enables only on the exact string `on` (anything else is ignored); v6.18
 * reads a kstrtobool value, and when it is true asks the stack depot for its early init
 * (`stack_depot_request_early_init()`, through `onEnable`). A bare `page_owner`, or a value v6.18 cannot read,
 * prints `Malformed early option`.
 */
export function pageOwnerParams(config: PageOwnerConfig, profile: string, onEnable?: () => void): KernelParam[] {
  return [
    {
      name: 'page_owner',
      early: true,
      description: 'page_owner=on: record who allocated every page (v4.x: only "on"; v6.18: any kstrtobool value)',
      setup(value, context) {
        if (value === undefined) {
          context.log(`Malformed early option 'page_owner'`);
          return;
        }
        if (profile === 'v6.18') {
          const parsed = kstrtobool(value);
          if (parsed === undefined) context.log(`Malformed early option 'page_owner'`);
          else config.enabled = parsed;
          if (parsed === true) onEnable?.();
        } else if (value === 'on') {
          config.enabled = true;
        }
      },
    },
  ];
}

/** `sizeof(struct page_owner)` in v6.18, its share of the page_ext entry. */
export const PAGE_OWNER_BYTES_V618 = 64;

/**
 * page_owner's places among the listeners of each hook (the kernel's call order, `MmHookEvents`): it records in
 * `post_alloc_hook()` after debug_pagealloc maps and unpoisons the pages, and resets first in
 * `free_pages_prepare()`, before they are poisoned and unmapped.
 */
const Place = { set_page_owner: 300, reset_page_owner: 100, split_page_owner: 100, folio_copy_owner: 200 } as const;
/** The section fields' arrays before any section is used. */
const NO_RECORDS: Uint32Array = new Uint32Array(0);
/** Objects of 16 bytes in a kmalloc-16 slab page (v6.18 stack list nodes). */
const LIST_NODES_PER_SLAB = 256;
/** Simulated time between two pages of the early sweep (`init_pages_in_zone()` reads `local_clock()` per page). */
const EARLY_SWEEP_NS_PER_PAGE = 80;
/** v4.7: the `ULONG_MAX` x86's `save_stack_trace()` appends to a trace shorter than its buffer. */
const INLINE_TRACE_END = 0xffffffff;

/** `ALIGN(value, size)` for a power-of-two size, on pfns that may pass 2^31. */
const alignUp = (value: number, size: number) => Math.ceil(value / size) * size;

/**
 * page_owner (mm/page_owner.c): records, for every allocated page, the order, gfp mask and allocation stack (and in
 * v6.18 the task, timestamps and the freeing stack), as each kernel version did. It is a page_ext client; it
 * listens on the allocator's hooks only once enabled at boot, so a machine booted without `page_owner=on` pays
 * nothing.
 */
export class PageOwner {
  readonly era: PageOwnerEra;
  readonly memory: PhysicalMemory;
  readonly text: KernelText;
  readonly depot: StackDepot;
  /** `page_owner=` parsed true. */
  readonly enabled: boolean;
  /** `page_owner_inited`: init has run and the hooks are live. */
  inited = false;
  dummyHandle = 0;
  failureHandle = 0;
  earlyHandle = 0;
  /** Pages the early sweep marked, per zone id. */
  readonly earlyPages = new Map<number, number>();
  /** v6.18 page_owner_stacks: handles in list order (newest first). */
  readonly stackList: number[] = [];
  /** v6.18: the kmalloc-16 slab pages holding the list's nodes (recorded with the dummy stack). */
  readonly listSlabPfns: number[] = [];
  /** v6.18 `count_threshold`. */
  countThreshold = 0;
  records!: OwnerRecords;
  contexts!: TaskContexts;

  readonly #deps: PageOwnerDeps;
  // Fields the hot paths read start with a value of their kind (an empty array, 0, a blank object), never undefined
  // (a boolean gains nothing): see "Fast listeners" in docs/guide/writing-a-client.md (such a field costs a check at
  // every use).
  readonly #stack = new ShadowStack();
  readonly #buffer: Uint32Array = new Uint32Array(0);
  readonly #allocFrames: Uint32Array = new Uint32Array(0);
  readonly #freeFrames: Uint32Array = new Uint32Array(0);
  readonly #recursionAddress: number = 0;
  #inPageOwner = false;
  /** The last stack saved through each memo slot (0: allocations, 1: frees) and its handle. */
  readonly #memoFrames: Uint32Array[];
  readonly #memoCount = new Int32Array(2).fill(-1);
  /** The handle and caller's stack stamp of each memo slot, in plain fields: the hooks read them every time. */
  #allocMemoHandle = 0;
  #allocMemoStamp = -1;
  #freeMemoHandle = 0;
  #freeMemoStamp = -1;
  /** `era.everyPage` (v5+: every page of a block has the record): which pair of hooks {@link #enable} subscribes. */
  readonly #everyPage: boolean;
  /**
   * The records' section of a pfn (`pfn >>> shift`) and index in it (`pfn & mask`): `records.shift` and `mask`, kept
   * here, as the hooks read them for every page.
   */
  readonly #sectionShift: number = 0;
  readonly #sectionMask: number = 0;
  /**
   * The contexts `#allocContext()` and `#resetPageOwner()` used last and what they were made of; `#lastSwitches` is
   * `current.switches` when they were made (the task they belong to).
   */
  #lastSwitches = -1;
  #lastAllocTs = -1;
  #lastAllocHandle = -1;
  #lastAllocGfp = -1;
  #lastAllocOrder = -1;
  #lastAllocContext = 0;
  #lastFreeTs = -1;
  #lastFreeHandle = -1;
  #lastFreeContext = 0;
  readonly #current = new CurrentTask(0, 0, '', 0);
  readonly #clock = new SimClock();
  /** The gfp mask the free stack is saved with (`__GFP_NOWARN`). */
  readonly #freeGfp: number = 0;
  #listNodes = 0;
  /**
   * v6.18 stack counts: the changes to one stack's depot refcount (the last one charged) are kept here and written
   * to the depot only when another stack is charged, so that the usual allocate-then-free of one stack does not
   * look its record up twice. {@link stackCount} adds them back in.
   */
  #pendingHandle = 0;
  #pendingDelta = 0;
  /** The pending stack's refcount in the depot (without {@link #pendingDelta}). */
  #pendingBase = 0;
  /**
   * v6.18: the section whose records the hooks wrote last, with its arrays (see {@link #useSection}): allocations and
   * frees in a row mostly fall in one section. -1 when none (and after memory goes offline).
   */
  #sectionNr = -1;
  #sectionAllocContext = NO_RECORDS;
  /** The section's migrate reasons (undefined until a migration gives one of its pages a reason). */
  #sectionReasons: Uint8Array | undefined;
  /**
   * The page freed last and the free context it was given (-1: none): a page freed again in the same context (the
   * hot page of an allocate-then-free loop) needs no look into the free contexts. Forgotten wherever a page's free
   * context is written otherwise (a migration, memory going offline).
   */
  #freedPfn = -1;
  #freedContext = 0;
  readonly #unsubscribe: (() => void)[] = [];

  constructor(deps: PageOwnerDeps) {
    this.#deps = deps;
    this.#stack = deps.stack;
    this.#current = deps.memory.current;
    this.#clock = deps.memory.clock;
    this.era = deps.era;
    this.memory = deps.memory;
    this.text = deps.text;
    this.depot = deps.depot;
    this.enabled = deps.enabled;
    this.#buffer = new Uint32Array(Math.max(deps.era.depth, 16) + 1);
    this.#memoFrames = [new Uint32Array(this.#buffer.length), new Uint32Array(this.#buffer.length)];
    this.#everyPage = deps.era.everyPage;
    this.#sectionShift = deps.memory.pfnSectionShift;
    this.#sectionMask = deps.memory.pagesPerSection - 1;
    this.#freeGfp = deps.memory.profile.gfp.flags.NOWARN;
    this.#allocFrames = deps.text.sites(deps.era.allocFrames);
    this.#freeFrames = deps.text.sites(deps.era.freeFrames);
    this.#recursionAddress = deps.era.recursionFrame === undefined ? -1 : deps.text.site(deps.era.recursionFrame);
  }

  /**
   * `init_page_owner()`: registers the special stacks, sweeps the pages allocated before page_ext existed, and turns
   * the hooks on (v4.8 before the sweep, v6.18 after it, as the kernels do).
   */
  init(pageExt: PageExt): void {
    const { era } = this;
    this.contexts = new TaskContexts();
    this.records = new OwnerRecords(this.memory, era.everyPage ? this.contexts : undefined);
    this.#sectionNr = -1;
    if (!era.inline) {
      this.dummyHandle = this.#register('dummy');
      this.failureHandle = this.#register('failure');
      if (era.earlyHandle) this.earlyHandle = this.#register('early');
    }
    if (era.name !== 'v6.18') this.#enable();
    this.#sweepEarlyPages(pageExt);
    if (era.name === 'v6.18') {
      for (const handle of [this.failureHandle, this.dummyHandle]) {
        this.depot.setRefcount(handle, 1);
        this.stackList.unshift(handle);
      }
      this.#enable();
    }
  }

  /** Stops listening (tests; the kernel never turns page_owner off). */
  disable(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#flushStackCount();
    this.inited = false;
  }

  /** Host bytes page_owner adds: its per-page arrays and the task contexts. */
  hostBytes(): number {
    return (this.records?.hostBytes() ?? 0) + (this.contexts?.hostBytes() ?? 0);
  }

  #enable(): void {
    const { hooks } = this.#deps;
    this.#unsubscribe.push(
      // One listener per era, so that neither tests the era on every page.
      this.#everyPage
        ? hooks.post_alloc.subscribe((pfn, order, gfp) => this.#setPageOwner(pfn, order, gfp), Place.set_page_owner)
        : hooks.post_alloc.subscribe((pfn, order, gfp) => this.#setHeadOwner(pfn, order, gfp), Place.set_page_owner),
      this.#everyPage
        ? hooks.free_prepare.subscribe((pfn, order) => this.#resetPageOwner(pfn, order), Place.reset_page_owner)
        : hooks.free_prepare.subscribe((pfn, order) => this.#resetHeadOwner(pfn, order), Place.reset_page_owner),
      hooks.split.subscribe((pfn, oldOrder, newOrder) => this.#split(pfn, oldOrder, newOrder), Place.split_page_owner),
      hooks.migrate_copy.subscribe(
        (from, to, order, reason) => this.#copy(from, to, order, reason),
        Place.folio_copy_owner,
      ),
      hooks.dump_page.subscribe((pfn) => this.memory.log.printk(dumpPageOwnerLines(this, pfn).join('\n'))),
      // MEM_OFFLINE: the section's page_ext is gone, and with it every record there.
      hooks.memory_notify.subscribe((action, startPfn, nrPages) => {
        if (action !== MemoryAction.offline) return;
        this.records.dropRange(startPfn, nrPages);
        this.#sectionNr = -1;
        this.#freedPfn = -1;
      }),
    );
    this.inited = true;
  }

  /** `register_{dummy,failure,early}_stack()`: a 4-entry capture saved with GFP_KERNEL. */
  #register(kind: 'dummy' | 'failure' | 'early'): number {
    const { stack, text } = this.#deps;
    const depth = stack.depth;
    stack.pushAll(text.sites(this.era.registrationFrames[kind]));
    const count = stack.save(this.#buffer, 4, this.era.registrationSkip);
    const handle = this.depot.save(this.#buffer, count, this.memory.profile.gfp.flags.GFP_KERNEL);
    stack.unwindTo(depth);
    return handle;
  }

  /**
   * `save_stack()`: captures the allocation (or free) path with page_owner's own frames on top, catches
   * recursion through the depot's page allocation, and saves the stack. v4.7 keeps the 8 entries inline (stored
   * deduplicated here, with the `ULONG_MAX` terminator x86 appends to a short trace).
   *
   * `slot` names a one-entry memo (allocation or free): when the captured frames equal the last ones saved through
   * it, the handle is reused without hashing them again, and the caller's stack stamp is remembered so that
   * the hooks can skip even the capture while the caller's stack is unchanged. The depot would
   * have returned the same handle (page_owner saves persistent records), so this only saves host time.
   */
  #saveStack(frames: Uint32Array, gfp: number, slot = -1): number {
    const { stack } = this.#deps;
    const { era } = this;
    if (era.taskFlagRecursion && this.#inPageOwner) return this.dummyHandle;
    const stamp = stack.stamp();
    if (slot >= 0 && this.#memoMatches(frames, slot)) {
      return this.#remember(slot, stamp, slot === 0 ? this.#allocMemoHandle : this.#freeMemoHandle);
    }
    const depth = stack.depth;
    stack.pushAll(frames);
    const buffer = this.#buffer;
    let count = stack.save(buffer, era.depth, era.skip);
    if (era.inline) {
      if (count < era.depth) buffer[count++] = INLINE_TRACE_END;
    } else if (this.#recursionAddress >= 0) {
      let seen = 0;
      for (let index = 0; index < count; index++) if (buffer[index] === this.#recursionAddress) seen++;
      if (seen >= 2) {
        stack.unwindTo(depth);
        return this.dummyHandle;
      }
    }
    // page_owner's frames stay on the stack while the depot saves: a pool allocation it makes is seen nested.
    this.#inPageOwner = true;
    const handle = this.depot.save(buffer, count, gfp);
    this.#inPageOwner = false;
    stack.unwindTo(depth);
    if (handle === 0) return era.inline ? 0 : this.failureHandle;
    if (slot >= 0) {
      const memo = this.#memoFrames[slot]!;
      for (let index = 0; index < count; index++) memo[index] = buffer[index]!;
      this.#memoCount[slot] = count;
      this.#remember(slot, stamp, handle);
    }
    return handle;
  }

  /**
   * Whether the capture {@link #saveStack} would make now (`frames` pushed on the caller's stack) equals the frames
   * last saved through memo `slot`, told in place, without pushing or copying. Those frames were saved, so they
   * passed the recursion check: equal frames pass it too.
   */
  #memoMatches(frames: Uint32Array, slot: number): boolean {
    const { era } = this;
    const memo = this.#memoFrames[slot]!;
    let count = this.#memoCount[slot]!;
    // v4.7: a short trace ends with the terminator save_stack() appended; the frames before it are the capture.
    if (era.inline && count > 0 && count <= era.depth && memo[count - 1] === INLINE_TRACE_END) count--;
    return this.#deps.stack.savesSame(frames, era.depth, era.skip, memo, count);
  }

  /** Sets a memo slot's handle and stamp; returns the handle. */
  #remember(slot: number, stamp: number, handle: number): number {
    if (slot === 0) {
      this.#allocMemoHandle = handle;
      this.#allocMemoStamp = stamp;
    } else {
      this.#freeMemoHandle = handle;
      this.#freeMemoStamp = stamp;
    }
    return handle;
  }

  /**
   * The task context of `current` at `ts` with `handle` for an allocation of `order` with `gfp` (the record's info):
   * the last one when nothing changed (most pages of a step), else interned ({@link #newContext}). The last ones are
   * kept in plain fields, and the check is a method of its own, small enough for V8 to inline: this runs for every
   * page allocated.
   */
  #allocContext(ts: number, handle: number, gfp: number, order: number): number {
    return this.#current.switches === this.#lastSwitches &&
      ts === this.#lastAllocTs &&
      handle === this.#lastAllocHandle &&
      gfp === this.#lastAllocGfp &&
      order === this.#lastAllocOrder &&
      this.#lastAllocContext !== 0
      ? this.#lastAllocContext
      : this.#newAllocContext(ts, handle, gfp, order);
  }

  /** {@link #newContext} for an allocation, remembering the gfp and order its info was made of. */
  #newAllocContext(ts: number, handle: number, gfp: number, order: number): number {
    const context = this.#newContext(0, ts, handle, this.records.allocInfo(gfp, order));
    // (The info is a function of the two: the record's gfp index and order.)
    this.#lastAllocGfp = gfp;
    this.#lastAllocOrder = order;
    return context;
  }

  /** The context of slot 0 (allocations) or 1 (frees) when the last one does not match: interned and remembered. */
  #newContext(slot: 0 | 1, ts: number, handle: number, info: number): number {
    const current = this.#current;
    if (current.switches !== this.#lastSwitches) {
      // Another task: the other slot's context is not its own.
      this.#forgetContexts();
      this.#lastSwitches = current.switches;
    }
    const context = this.contexts.intern(current.pid, current.tgid, current.comm, ts, handle, slot, info);
    if (slot === 0) {
      this.#lastAllocTs = ts;
      this.#lastAllocHandle = handle;
      this.#lastAllocContext = context;
    } else {
      this.#lastFreeTs = ts;
      this.#lastFreeHandle = handle;
      this.#lastFreeContext = context;
    }
    return context;
  }

  /** Drops the last contexts (see {@link #allocContext}): contexts were interned around them. */
  #forgetContexts(): void {
    this.#lastAllocContext = 0;
    this.#lastFreeContext = 0;
    this.#freedPfn = -1;
  }

  /** `__set_page_owner()` (v5+: every page of the block gets the record). */
  #setPageOwner(pfn: number, order: number, gfp: number): void {
    const handle = this.#allocHandle(gfp);
    this.#recordPages(pfn, order, gfp, handle);
    this.#chargeStack(handle, gfp, 1 << order);
  }

  /** `__set_page_owner()` (v4.x: the head's record only). */
  #setHeadOwner(pfn: number, order: number, gfp: number): void {
    this.#recordHead(pfn, order, gfp, this.#allocHandle(gfp));
  }

  /** The allocation's stack handle: the memo's while the caller's stack is unchanged (see {@link #saveStack}). */
  #allocHandle(gfp: number): number {
    const stamp = this.#stack.stamp();
    return stamp !== 0 && this.#allocMemoStamp === stamp && !this.#inPageOwner
      ? this.#allocMemoHandle
      : this.#saveStack(this.#allocFrames, gfp, 0);
  }

  /** v4.x: writes an allocation record into the block's head page. */
  #recordHead(pfn: number, order: number, gfp: number, handle: number): void {
    const records = this.records;
    const nr = pfn >>> this.#sectionShift;
    const info = records.writable(nr);
    if (info === undefined) return;
    const base = pfn & this.#sectionMask;
    records.handle[nr]![base] = handle;
    info[base] = records.allocInfo(gfp, order) | InfoBits.OWNER;
  }

  /** v5+: writes an allocation record, made now, into every page of the block at `pfn`. */
  #recordPages(pfn: number, order: number, gfp: number, handle: number): void {
    const nr = pfn >>> this.#sectionShift;
    if (nr !== this.#sectionNr && !this.#useSection(nr)) return;
    const base = pfn & this.#sectionMask;
    const pages = 1 << order;
    // The slot says allocated (PAGE_EXT_OWNER_ALLOCATED) beside the context, which holds gfp and order.
    const slot = this.#allocContext(this.#clock.ns, handle, gfp, order) | ContextSlot.ALLOCATED;
    const slots = this.#sectionAllocContext;
    // A page allocated again in the same context (freed in between: only the bit changed) keeps its reference.
    if (pages === 1 && (slots[base]! & ContextSlot.INDEX_MASK) === (slot & ContextSlot.INDEX_MASK)) slots[base] = slot;
    else this.contexts.assign(slots, base, pages, slot);
    // last_migrate_reason = -1.
    const reasons = this.#sectionReasons;
    if (reasons !== undefined) reasons.fill(0, base, base + pages);
  }

  /**
   * Section `nr`'s record arrays, made writable, in the section fields (v6.18 hooks); false for a section without
   * page_ext. A hook calls it only when `nr` is not the section of the fields already.
   */
  #useSection(nr: number): boolean {
    const records = this.records;
    const slots = records.writableAlloc(nr);
    if (slots === undefined) return false;
    this.#sectionNr = nr;
    this.#sectionAllocContext = slots;
    this.#sectionReasons = records.reason[nr];
    return true;
  }

  /** {@link #recordPages} of one early allocated page (v6.18 sweep): order 0, gfp 0, the run's next context. */
  #recordEarly(pfn: number): void {
    const nr = pfn >>> this.#sectionShift;
    if (nr !== this.#sectionNr && !this.#useSection(nr)) return;
    const base = pfn & this.#sectionMask;
    this.contexts.assign(this.#sectionAllocContext, base, 1, this.contexts.nextInRun() | ContextSlot.ALLOCATED);
  }

  /** v6.18 `inc_stack_record_count()`: a stack's first charge puts it on the page_owner_stacks list. */
  #chargeStack(handle: number, gfp: number, pages: number): void {
    // __stack_depot_get_stack_record(0) is NULL: a disabled depot's records are not counted.
    if (handle === 0) return;
    if (handle === this.#pendingHandle) {
      this.#pendingDelta += pages;
      return;
    }
    this.#flushStackCount();
    const depot = this.depot;
    let count = depot.addRefcount(handle, pages);
    if (count - pages === REFCOUNT_SATURATED) {
      count = 1 + pages;
      depot.setRefcount(handle, count);
      this.#addToStackList(handle, gfp);
    }
    this.#pendingHandle = handle;
    this.#pendingBase = count;
  }

  /** Writes the pending stack count to the depot. */
  #flushStackCount(): void {
    if (this.#pendingDelta !== 0) this.depot.addRefcount(this.#pendingHandle, this.#pendingDelta);
    this.#pendingHandle = 0;
    this.#pendingDelta = 0;
  }

  /** v6.18: a stack's `stack_record->count` (1 + the base pages it holds once charged). */
  stackCount(handle: number): number {
    const count = this.depot.refcount(handle);
    return handle === this.#pendingHandle ? count + this.#pendingDelta : count;
  }

  /**
   * v6.18 `add_stack_record_to_list()`: a kmalloc'd node (kmalloc-16, with `in_page_owner` set) pushed at the head.
   * Every 256 nodes the slab needs a new page, which page_owner records with the dummy stack.
   */
  #addToStackList(handle: number, gfp: number): void {
    const g = this.memory.profile.gfp.flags;
    if ((gfp & g.RECLAIM) === 0) return;
    if (this.#listNodes % LIST_NODES_PER_SLAB === 0) {
      this.#inPageOwner = true;
      const nested = (gfp & (g.GFP_KERNEL | g.GFP_ATOMIC)) | g.NORETRY | g.NOMEMALLOC | g.NOWARN;
      const pfn = this.#deps.buddy.allocPages(nested, 0);
      this.#inPageOwner = false;
      if (pfn < 0) return;
      this.listSlabPfns.push(pfn);
    }
    this.#listNodes++;
    this.stackList.unshift(handle);
  }

  /** `__reset_page_owner()` (v4.x: the head's record only). */
  #resetHeadOwner(pfn: number, order: number): void {
    const info = this.records.writable(pfn >>> this.#sectionShift);
    if (info === undefined) return;
    const base = pfn & this.#sectionMask;
    for (let index = base; index < base + (1 << order); index++) info[index] = info[index]! & ~InfoBits.OWNER;
  }

  /** `__reset_page_owner()` (v5+: every page of the block). */
  #resetPageOwner(pfn: number, order: number): void {
    const nr = pfn >>> this.#sectionShift;
    if (nr !== this.#sectionNr && !this.#useSection(nr)) return;
    const base = pfn & this.#sectionMask;
    const allocSlots = this.#sectionAllocContext;
    // The allocation's context is most often the last one made: its handle is at hand.
    const allocContext = allocSlots[base]! & ContextSlot.INDEX_MASK;
    const allocHandle =
      allocContext !== 0 && allocContext === this.#lastAllocContext
        ? this.#lastAllocHandle
        : this.contexts.handle(allocContext);
    const stamp = this.#stack.stamp();
    const freeHandle =
      stamp !== 0 && this.#freeMemoStamp === stamp && !this.#inPageOwner
        ? this.#freeMemoHandle
        : this.#saveStack(this.#freeFrames, this.#freeGfp, 1);
    // The free context: the last one when nothing changed, as for an allocation (#allocContext()). Checked in
    // place: V8 did not inline it as a method of its own, and the call cost a fifth of this hook.
    const ts = this.#clock.ns;
    const context =
      this.#current.switches === this.#lastSwitches &&
      ts === this.#lastFreeTs &&
      freeHandle === this.#lastFreeHandle &&
      this.#lastFreeContext !== 0
        ? this.#lastFreeContext
        : this.#newContext(1, ts, freeHandle, 0);
    if (order !== 0) {
      this.#resetBlock(allocSlots, pfn, base, 1 << order, freeHandle, context);
    } else {
      // PAGE_EXT_OWNER_ALLOCATED cleared; the context stays (PAGE_EXT_OWNER and the record, for dump_page).
      if (freeHandle !== 0) allocSlots[base] = allocContext;
      if (pfn !== this.#freedPfn || context !== this.#freedContext) this.#setFreeContext(pfn, 1, context);
    }
    if (allocHandle === this.earlyHandle || allocHandle === 0) return;
    // v6.18 dec_stack_record_count(), the pending stack's count kept here (see #chargeStack()).
    const pages = 1 << order;
    let count: number;
    if (allocHandle === this.#pendingHandle) {
      this.#pendingDelta -= pages;
      count = this.#pendingBase + this.#pendingDelta;
    } else {
      count = this.depot.addRefcount(allocHandle, -pages);
    }
    if (count === 0) this.memory.log.printk(`dec_stack_record_count: refcount went to 0 for ${allocHandle} handle`);
  }

  /** {@link #resetPageOwner} of the pages of a block larger than a page. */
  #resetBlock(
    allocSlots: Uint32Array,
    pfn: number,
    base: number,
    pages: number,
    freeHandle: number,
    context: number,
  ): void {
    if (freeHandle !== 0) {
      for (let index = base; index < base + pages; index++)
        allocSlots[index] = allocSlots[index]! & ContextSlot.INDEX_MASK;
    }
    this.#setFreeContext(pfn, pages, context);
  }

  /** Gives `pages` pages from `pfn` the free context `context`, and remembers the first as the page freed last. */
  #setFreeContext(pfn: number, pages: number, context: number): void {
    this.contexts.assignPages(this.records.freeContexts, pfn, pages, context);
    this.#freedPfn = pfn;
    this.#freedContext = context;
  }

  /** `split_page_owner()`. */
  #split(pfn: number, oldOrder: number, newOrder: number): void {
    const records = this.records;
    const nr = pfn >>> this.#sectionShift;
    const base = pfn & this.#sectionMask;
    const pages = 1 << oldOrder;
    const setOrder = (word: number) =>
      ((word & ~(InfoBits.ORDER_MASK << InfoBits.ORDER_SHIFT)) | (newOrder << InfoBits.ORDER_SHIFT)) >>> 0;
    if (this.#everyPage) {
      const slots = records.writableAlloc(nr);
      if (slots === undefined) return;
      const contexts = this.contexts;
      // Contexts interned here bypass #newContext(): its memory of the last ones must not outlive them.
      this.#forgetContexts();
      for (let index = base; index < base + pages; index++) {
        const slot = slots[index]!;
        const context = slot & ContextSlot.INDEX_MASK;
        if (context === 0) continue;
        const split = contexts.withInfo(context, setOrder(contexts.info(context)));
        contexts.assign(slots, index, 1, split | (slot & ContextSlot.ALLOCATED));
      }
      return;
    }
    const info = records.writable(nr);
    if (info === undefined) return;
    const handles = records.handle[nr]!;
    if (this.era.inline) {
      // v4.7 split_page(): set_page_owner() again on every sub-page, with the head's gfp and a new stack.
      const gfp = records.gfpOf(info[base]!);
      const frames = this.text.sites(this.era.splitFrames);
      for (let index = base; index < base + pages; index++) {
        const handle = this.#saveStack(frames, gfp);
        handles[index] = handle;
        info[index] = records.allocInfo(gfp, 0) | InfoBits.OWNER;
      }
      return;
    }
    // v4.8: the head's order becomes 0 and every sub-page gets a copy of the head's record.
    info[base] = setOrder(info[base]!);
    for (let index = base + 1; index < base + pages; index++) {
      handles[index] = handles[base]!;
      info[index] = info[base]! | InfoBits.OWNER;
    }
  }

  /** `__copy_page_owner()` / `__folio_copy_owner()` for a migration, then the migrate reason on the new page. */
  #copy(from: number, to: number, order: number, reason: number): void {
    const records = this.records;
    const fromNr = from >>> this.#sectionShift;
    const toNr = to >>> this.#sectionShift;
    const fromBase = from & this.#sectionMask;
    const toBase = to & this.#sectionMask;
    if (!this.#everyPage) {
      // v4.x records the head only: its gfp and order, and the migrate reason (set_page_owner_migrate_reason()).
      const fromInfo = records.writable(fromNr);
      const toInfo = records.writable(toNr);
      if (fromInfo === undefined || toInfo === undefined) return;
      const oldInfo = fromInfo[fromBase]!;
      records.handle[toNr]![toBase] = records.handle[fromNr]![fromBase]!;
      toInfo[toBase] = makeInfo(oldInfo & InfoBits.GFP_MASK, orderOf(oldInfo), reason, InfoBits.OWNER);
      return;
    }
    // Both sections are written: the new pages' records, and the old pages' contexts (renamed below).
    const fromAlloc = records.writableAlloc(fromNr);
    const toAlloc = records.writableAlloc(toNr);
    if (fromAlloc === undefined || toAlloc === undefined) return;
    const contexts = this.contexts;
    const current = this.memory.current;
    // Every new page gets the head's gfp, order (its context's info) and migrate reason.
    const oldInfo = records.infoWord(fromNr, fromBase);
    const copied = makeInfo(oldInfo & InfoBits.GFP_MASK, orderOf(oldInfo), -1, 0);
    const keptReason = reasonOf(oldInfo) + 1;
    const toReasons = records.writableReason(toNr);
    // (The section fields may hold the reasons array that did not exist before.)
    this.#sectionNr = -1;
    const freeContexts = records.freeContexts;
    // Contexts interned here bypass #newContext(): its memory of the last ones must not outlive them.
    this.#forgetContexts();
    // The old folio takes the new one's handle, so that the stack counts stay balanced when it is freed.
    const newHandle = records.allocHandle(toNr, toBase);
    for (let index = 0; index < 1 << order; index++) {
      const fromSlot = fromAlloc[fromBase + index]!;
      const alloc = fromSlot & ContextSlot.INDEX_MASK;
      contexts.assign(toAlloc, toBase + index, 1, contexts.withInfo(alloc, copied) | ContextSlot.ALLOCATED);
      toReasons[toBase + index] = keptReason;
      // The free fields come along, except that free_pid/free_tgid become current's (a v6.18 quirk).
      const oldFree = freeContexts.get(from + index);
      const free = contexts.intern(
        current.pid,
        current.tgid,
        contexts.comm(oldFree),
        contexts.ts(oldFree),
        contexts.handle(oldFree),
        1,
      );
      contexts.assignPages(freeContexts, to + index, 1, free);
      // (Every allocated page has a record, from page_owner's start or its early sweep.)
      if (alloc === 0) continue;
      const renamed = contexts.internTask(contexts.task(alloc), contexts.ts(alloc), newHandle, 0, contexts.info(alloc));
      contexts.assign(fromAlloc, fromBase + index, 1, renamed | (fromSlot & ContextSlot.ALLOCATED));
    }
    // set_page_owner_migrate_reason(): head only.
    toReasons[toBase] = reason + 1;
  }

  /**
   * `init_early_allocated_pages()`: every page already allocated when page_owner starts (not free, not reserved,
   * not already owned) is recorded as an order-0 allocation with gfp 0: v4.x with a stack of the init path,
   * v6.18 with `early_handle`. Prints one line per populated zone.
   */
  #sweepEarlyPages(pageExt: PageExt): void {
    const { memory, era } = this;
    const { stack } = this.#deps;
    const reserved = memory.profile.pageFlags.bit.reserved;
    const v6 = era.name === 'v6.18';
    if (!v6) this.#deps.buddy.drainAllPages();
    const sweepFrames = this.text.sites(era.earlySweepFrames);
    if (v6) {
      // Each page gets its own local_clock(), 80 ns after the last: the contexts of a run, not stored one by one.
      const { pid, tgid, comm } = this.#current;
      // Their record: order 0, gfp 0.
      const info = this.records.allocInfo(0, 0);
      this.contexts.startRun(pid, tgid, comm, memory.clock.ns, EARLY_SWEEP_NS_PER_PAGE, this.earlyHandle, info);
    }
    // The kernel's walk: pfn_valid() once per pageblock (the next MAX_ORDER block when it fails), then each page,
    // read here straight from the flat struct page words. A pageblock reserved whole whose words are not stored
    // (PageArrays.reservedBlocks) is PageReserved page by page: passed over at once.
    const { flags, reservedBlocks } = memory.pages;
    const reservedMask = reserved >= 0 ? 1 << reserved : 0;
    for (const zone of memory.zones) {
      if (!zone.populated) continue;
      let count = 0;
      for (let pfn = zone.startPfn; pfn < zone.endPfn; ) {
        const section = memory.sectionAt(pfn);
        if (section === undefined) {
          pfn = alignUp(pfn + 1, MAX_ORDER_NR_PAGES);
          continue;
        }
        const blockEnd = Math.min(alignUp(pfn + 1, PAGEBLOCK_NR_PAGES), zone.endPfn);
        if (reservedBlocks[pfn >>> PAGEBLOCK_ORDER] !== 0) {
          pfn = blockEnd;
          continue;
        }
        const inZone = section.zoneId === zone.id;
        const hasPageExt = pageExt.hasPageExt(pfn);
        for (; pfn < blockEnd; pfn++) {
          if (!inZone && memory.zoneOf(pfn) !== zone) continue;
          // A free MAX_PAGE_ORDER head's word is kept by block, not in the page.
          const word = memory.freeMaxOrderHeadWord(pfn) || flags[pfn]!;
          const state = word >>> STATE_SHIFT;
          if (state === PageState.buddy) {
            const order = (word >>> ORDER_SHIFT) & ORDER_MASK;
            if (!v6 || (order > 0 && order <= MAX_PAGE_ORDER)) pfn += (1 << order) - 1;
            continue;
          }
          // PageReserved(): free and guard pages keep their list in the flag bits, and have no flags.
          if (state !== PageState.pcp && state !== PageState.guard && (word & reservedMask) !== 0) continue;
          if (!hasPageExt) continue;
          const records = this.records;
          const nr = pfn >>> this.#sectionShift;
          if ((records.infoWord(nr, pfn & this.#sectionMask) & InfoBits.OWNER) !== 0) continue;
          if (v6) {
            this.#recordEarly(pfn);
            memory.clock.advance(EARLY_SWEEP_NS_PER_PAGE);
          } else {
            const depth = stack.depth;
            const handle = this.#saveStack(sweepFrames, 0);
            stack.unwindTo(depth);
            this.#recordHead(pfn, 0, 0, handle);
          }
          count++;
        }
      }
      this.earlyPages.set(zone.id, count);
      memory.log.printk(
        `Node ${zone.node}, zone ${zone.name.padStart(8)}: page owner found early allocated ${count} pages`,
      );
    }
  }
}

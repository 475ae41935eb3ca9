import type { BuddyAllocator } from '@mm/buddy';
import { AccessKind, type HookBus } from '@mm/hooks';
import {
  MEMCG_OBJEXTS,
  MEMCG_ROOT,
  PAGE_META_MASK,
  PAGE_SIZE,
  PageType,
  type PhysicalMemory,
  type VmCounters,
  VmCountersBuilder,
} from '@mm/physmem';
import type { ShadowStack } from '@mm/stacktrace';
import { AddressSpace, Vma, type VmaProtection } from './address-space';
import { DirtyQueue } from './dirty-queue';
import { type IdleFlags, noIdleFlags } from './idle-flags';
import { LruList, LruLists, lruListNames } from './lru-lists';
import { OomKiller } from './oom-kill';
import { PageIdleFlags } from './page-idle-flags';
import { PteBits } from './pte';
import { ReverseMap } from './reverse-map';
import { VmFile } from './vm-file';
import { Vmscan } from './vmscan';

/** A task (`struct task_struct`) as the vm sees it: ids, name, and its address space. */
export interface VmTask {
  readonly pid: number;
  readonly tgid: number;
  comm: string;
  readonly mm: AddressSpace;
  /** The task's memory cgroup (`MemoryCgroups` id): its user pages are charged to it. */
  readonly memcg: number;
}

/**
 * The kernel paths the vm allocates and frees through; each is pushed on the shadow stack (outermost first) while
 * the allocator runs, so page_owner records them. Workloads fill these in with their era's frames.
 */
export type VmCallPath =
  | 'anonFault'
  | 'cowFault'
  | 'fileFault'
  | 'fileRead'
  | 'fileWrite'
  | 'shmemFault'
  | 'pageTable'
  | 'unmapFree'
  | 'pageTableFree'
  | 'cacheFree'
  | 'directReclaimFree'
  | 'oomReapFree';

/**
 * The frames of a {@link VmCallPath}, outermost first: one path, or a function that picks one of a path's variants
 * each time (different callers come through different code).
 */
export type VmCallFrames = Uint32Array | (() => Uint32Array);

/** How to map: `mmap()`'s length, protection, flags and file. */
export interface MmapOptions {
  /** Length in pages. */
  readonly pages: number;
  /** The file to map (its page `offset` first); without one the mapping is anonymous. */
  readonly file?: VmFile;
  /** File page of the mapping's first page. */
  readonly offset?: number;
  /** `MAP_SHARED` (default private). Shared anonymous memory is a tmpfs file, `/dev/zero (deleted)`. */
  readonly shared?: boolean;
  /** Default true. */
  readonly write?: boolean;
  readonly exec?: boolean;
  /** `MAP_FIXED` address; default: below the last mapping, top-down. */
  readonly address?: number;
  /** `[heap]`, `[stack]`: what /proc/PID/maps prints for an anonymous mapping. */
  readonly name?: string;
}

/** The LRU lists (`enum lru_list`, without unevictable), with page counts. */
export interface LruCounts {
  inactive_anon: number;
  active_anon: number;
  inactive_file: number;
  active_file: number;
}

/** Counters of what happened (`/proc/vmstat` names where there is one). */
export interface VmEvents {
  /** `pgfault`: faults that installed a page. */
  pgfault: number;
  /** Copy-on-write faults (a private file page replaced by an anonymous copy). */
  cowFault: number;
  /** Accesses outside any mapping, or writes to a read-only one (SIGSEGV). */
  segfault: number;
  /** Faults that found no memory (the fault returns VM_FAULT_OOM). */
  oom: number;
  /** `pgactivate`: pages moved to an active list. */
  pgactivate: number;
  /** `pgmajfault`: faults that had to read the file page in. */
  pgmajfault: number;
  /** `pgdeactivate`: pages moved from an active list to an inactive one. */
  pgdeactivate: number;
  /** `workingset_refault_file`: page cache pages read again after reclaim evicted them. */
  workingsetRefault: number;
  /** `workingset_activate_file`: refaulted pages whose refault distance put them straight on the active list. */
  workingsetActivate: number;
}

/**
 * The vm's counters, per zone (summed per node for the node items): the kernel's `NR_ANON_MAPPED` (`nr_anon_pages`),
 * `NR_FILE_MAPPED` (`nr_mapped`), `NR_FILE_PAGES`, `NR_SHMEM`, `NR_FILE_DIRTY`, `NR_WRITEBACK`, `NR_DIRTIED`,
 * `NR_WRITTEN`, `NR_PAGETABLE`, and the LRU lists per zone (`nr_zone_*`).
 */
const Stat = {
  anonMapped: 0,
  fileMapped: 1,
  filePages: 2,
  shmem: 3,
  dirty: 4,
  writeback: 5,
  dirtied: 6,
  written: 7,
  pageTables: 8,
  inactiveAnon: 9,
  activeAnon: 10,
  inactiveFile: 11,
  activeFile: 12,
  kernelStack: 13,
  slabReclaimable: 14,
  slabUnreclaimable: 15,
} as const;
const STAT_COUNT = 16;

/** `dirty_writeback_centisecs` (5 s) and `dirty_expire_centisecs` (30 s), in ns. */
const DIRTY_WRITEBACK_NS = 5e9;
const DIRTY_EXPIRE_NS = 30e9;
/** How often the background threshold is checked (ns of simulated time). */
const DIRTY_CHECK_NS = 10e6;

/** The `oom_reaper` kernel thread (started at boot by `oom_init()`, so its pid is small). */
const OOM_REAPER = { pid: 37, tgid: 37, comm: 'oom_reaper' } as const;

/** x86_64's top of the mmap area without randomisation (`mmap_base`), as a virtual page number. */
const MMAP_BASE_VPN = 0x7ffff7fff;
const PTES_PER_TABLE = 512;

/**
 * The memory management of user space (mm/memory.c, mm/rmap.c, mm/swap.c, mm/filemap.c): processes and their
 * mappings, page faults that allocate through the buddy allocator with the kernel's gfp masks, page tables whose
 * entries carry accessed and dirty bits, the page cache with a `read()` path that calls `mark_page_accessed()`, the
 * LRU flags, the reverse map, and `page_referenced()`.
 *
 * Simplifications (see the README): no fork, swap, THP, mlock or reclaim of mapped pages; one page table per
 * mapping stands in for the four levels (the PTE pages are still allocated from the simulated allocator, one per
 * 2 MiB span, freed at munmap and exit); page refcounts stay 1 while a page is mapped (mapcount counts mappings).
 */
export class Vm {
  readonly memory: PhysicalMemory;
  readonly buddy: BuddyAllocator;
  readonly hooks: HookBus;
  readonly rmap: ReverseMap;
  readonly tasks = new Map<number, VmTask>();
  /** Files by id (index 0 unused). */
  readonly files: (VmFile | undefined)[] = [undefined];
  readonly lru: LruCounts = { inactive_anon: 0, active_anon: 0, inactive_file: 0, active_file: 0 };
  /** The LRU lists themselves, per node (reclaim takes pages from their tails). */
  readonly lruLists: LruLists;
  readonly events: VmEvents = {
    pgfault: 0,
    pgmajfault: 0,
    cowFault: 0,
    segfault: 0,
    oom: 0,
    pgactivate: 0,
    pgdeactivate: 0,
    workingsetRefault: 0,
    workingsetActivate: 0,
  };
  /** Per zone, the counters of {@link Stat}. */
  readonly #stat: Float64Array;
  /** Page cache pages dirtied and not yet written back, oldest first (cleaned or freed ones are skipped). */
  readonly #dirtyQueue = new DirtyQueue();
  /** When the flusher last woke for old dirty pages (ns). */
  #lastFlush = 0;
  /** When the dirty pages were last checked against the background threshold (ns). */
  #lastDirtyCheck = 0;
  /** Page reclaim: kswapd and direct reclaim, connected to the allocator's slow path. */
  readonly vmscan: Vmscan;
  /** The OOM killer reclaim falls back on. */
  readonly oomKiller: OomKiller;
  /** Evictions and activations so far, per node (`lruvec->nonresident_age`): the clock of shadow entries. */
  readonly #nonresidentAge: number[];
  /** Return addresses pushed while allocating or freeing on each path (see {@link VmCallPath}). */
  readonly callPaths: Partial<Record<VmCallPath, VmCallFrames>> = {};
  readonly #stack: ShadowStack | undefined;
  #idleFlags: IdleFlags = noIdleFlags;
  /** Mappings by id (anonymous pages point at theirs). */
  readonly #vmas: (Vma | undefined)[] = [undefined];
  readonly #bits: { lru: number; active: number; referenced: number; uptodate: number; swapbacked: number };
  readonly #dirtyBit: number;
  readonly #unevictableBit: number;
  readonly #gfp: { anon: number; cow: number; pageTable: number; cache: number; shmem: number };
  readonly #newAnonActive: boolean;
  /** v6.18 `PG_anon_exclusive` (an alias of PG_owner_2): a new anonymous page is mapped exclusively. */
  readonly #anonExclusiveBit: number;
  #nextPid = 1000;
  #nextMm = 1;
  #nextInode = 1280;

  constructor(deps: { memory: PhysicalMemory; buddy: BuddyAllocator; hooks: HookBus; stack?: ShadowStack }) {
    this.memory = deps.memory;
    this.buddy = deps.buddy;
    this.hooks = deps.hooks;
    this.#stack = deps.stack;
    this.rmap = new ReverseMap();
    this.lruLists = new LruLists(deps.memory.nodes.length);
    this.vmscan = new Vmscan(this, deps.buddy);
    this.oomKiller = new OomKiller(this);
    this.vmscan.oomKiller = this.oomKiller;
    deps.buddy.setReclaim(this.vmscan);
    this.#stat = new Float64Array(deps.memory.zones.length * STAT_COUNT);
    this.#nonresidentAge = new Array<number>(deps.memory.nodes.length).fill(0);
    const { bit } = deps.memory.profile.pageFlags;
    this.#bits = {
      lru: bit.lru,
      active: bit.active,
      referenced: bit.referenced,
      uptodate: bit.uptodate,
      swapbacked: bit.swapbacked,
    };
    this.#dirtyBit = bit.dirty;
    this.#unevictableBit = bit.unevictable;
    const g = deps.memory.profile.gfp.flags;
    const v6 = deps.memory.profile.era === 'v6';
    // v6.18 allocates folios: __GFP_COMP even at order 0.
    const folio = v6 ? g.COMP : 0;
    this.#gfp = {
      // do_anonymous_page(): alloc_zeroed_user_highpage_movable() / vma_alloc_zeroed_movable_folio().
      anon: g.GFP_HIGHUSER_MOVABLE | g.ZERO | folio,
      // do_cow_fault() / wp_page_copy(): the copy is not zeroed.
      cow: g.GFP_HIGHUSER_MOVABLE | folio,
      // pte_alloc_one(): v4.8 PGALLOC_GFP (with __GFP_NOTRACK), v6.18 GFP_PGTABLE_USER.
      pageTable: g.GFP_KERNEL_ACCOUNT | g.ZERO | g.NOTRACK | folio,
      // readahead_gfp_mask() of a regular file's mapping: v4.8 GFP_HIGHUSER_MOVABLE (with __GFP_COLD); v6.18 as
      // observed on ext4, whose mappings drop __GFP_FS.
      cache: v6
        ? (g.GFP_HIGHUSER_MOVABLE & ~g.FS) | g.NORETRY | g.NOWARN | folio
        : g.GFP_HIGHUSER_MOVABLE | g.COLD | g.NORETRY | g.NOWARN,
      // shmem_alloc_folio(): the mapping's GFP_HIGHUSER_MOVABLE.
      shmem: g.GFP_HIGHUSER_MOVABLE | folio,
    };
    this.#anonExclusiveBit = v6 ? bit.owner_2 : -1;
    // v4.8 lru_cache_add_active_or_unevictable() puts a new anonymous page on the active list; v6.18's
    // folio_add_lru_vma() on the inactive one.
    this.#newAnonActive = deps.memory.profile.era === 'v4';
  }

  /** Creates a process with an empty address space, in memory cgroup `memcg` (default the root). */
  createProcess(comm: string, pid = this.#nextPid, memcg = MEMCG_ROOT): VmTask {
    if (this.tasks.has(pid)) throw new RangeError(`pid ${pid} is taken`);
    this.#nextPid = Math.max(this.#nextPid, pid + 1);
    const task: VmTask = {
      pid,
      tgid: pid,
      comm: comm.slice(0, 15),
      mm: new AddressSpace(this.#nextMm++, MMAP_BASE_VPN),
      memcg,
    };
    this.tasks.set(pid, task);
    return task;
  }

  /** Creates a thread of `leader`'s process: same address space and tgid. */
  createThread(leader: VmTask, comm = leader.comm): VmTask {
    const pid = this.#nextPid++;
    const task: VmTask = { pid, tgid: leader.tgid, comm: comm.slice(0, 15), mm: leader.mm, memcg: leader.memcg };
    leader.mm.users++;
    this.tasks.set(pid, task);
    return task;
  }

  /**
   * Creates a file of `pages` pages (nothing cached yet). A tmpfs file (`shmem`) lives on device 00:1b, a regular
   * one on the root disk (fe:00), unless told otherwise.
   */
  createFile(
    name: string,
    pages: number,
    options: { shmem?: boolean; major?: number; minor?: number; inode?: number } = {},
  ): VmFile {
    if (!Number.isSafeInteger(pages) || pages <= 0) throw new RangeError(`file '${name}': ${pages} pages`);
    const shmem = options.shmem ?? false;
    const file = new VmFile(this.files.length, name, pages, {
      shmem,
      major: options.major ?? (shmem ? 0 : 0xfe),
      minor: options.minor ?? (shmem ? 0x1b : 0),
      inode: options.inode ?? this.#nextInode++,
    });
    this.files.push(file);
    return file;
  }

  /**
   * `mmap()`: a new mapping of `pages` pages, top-down below the previous ones unless an address is given. Shared
   * anonymous memory gets its tmpfs file (`shmem_zero_setup()`). Returns the start address.
   */
  mmap(task: VmTask, options: MmapOptions): number {
    const { pages } = options;
    if (!Number.isSafeInteger(pages) || pages <= 0) throw new RangeError(`mmap: ${pages} pages`);
    const mm = task.mm;
    let start: number;
    if (options.address !== undefined) {
      if (options.address % PAGE_SIZE !== 0) throw new RangeError(`mmap: address ${hex(options.address)} not aligned`);
      start = options.address / PAGE_SIZE;
      if (mm.overlaps(start, start + pages)) throw new RangeError(`mmap: ${hex(options.address)} is mapped`);
    } else {
      start = mm.mmapBase - pages;
      while (mm.overlaps(start, start + pages)) start -= pages;
      mm.mmapBase = start;
    }
    const shared = options.shared ?? false;
    let file = options.file;
    if (file === undefined && shared) {
      file = this.createFile('/dev/zero (deleted)', pages, { shmem: true, major: 0, minor: 1 });
    }
    const offset = options.offset ?? 0;
    if (file !== undefined && (offset < 0 || offset + pages > file.pages)) {
      throw new RangeError(`mmap: pages ${offset}..${offset + pages} are beyond the ${file.pages} of '${file.name}'`);
    }
    const protection: VmaProtection = {
      read: true,
      write: options.write ?? true,
      exec: options.exec ?? false,
      shared,
    };
    const vma = new Vma(this.#vmas.length, mm, { start, end: start + pages }, protection, file, offset, options.name);
    this.#vmas.push(vma);
    mm.insert(vma);
    file?.addVma(vma);
    return start * PAGE_SIZE;
  }

  /**
   * The hardware touched `address` in `task`'s address space (a load, or a store if `write`): through a present
   * entry this sets its accessed (and dirty) bit and nothing else; otherwise it is a page fault. A write through a
   * private file page copies it first. Returns the pfn, or -1 for SIGSEGV (no mapping, or a write to a read-only
   * one) or when the fault found no memory.
   */
  touch(task: VmTask, address: number, write = false): number {
    const vpn = Math.floor(address / PAGE_SIZE);
    const vma = task.mm.find(vpn);
    if (vma === undefined || (write && !vma.protection.write)) {
      this.events.segfault++;
      return -1;
    }
    const slot = vpn - vma.start;
    const entry = vma.pte[slot]!;
    if (entry !== 0 && !(write && (vma.bits[slot]! & PteBits.COW) !== 0)) {
      vma.bits[slot]! |= write ? PteBits.ACCESSED | PteBits.DIRTY : PteBits.ACCESSED;
      this.hooks.access.call(entry - 1, write ? AccessKind.user_write : AccessKind.user_read);
      return entry - 1;
    }
    return this.#asTask(task, () => this.#fault(vma, slot, write));
  }

  /** The pfn `address` maps in `task`, or -1 (no mapping or not present). No fault, no accessed bit. */
  translate(task: VmTask, address: number): number {
    const vpn = Math.floor(address / PAGE_SIZE);
    const vma = task.mm.find(vpn);
    return vma === undefined ? -1 : vma.pte[vpn - vma.start]! - 1;
  }

  /**
   * `read()` of `count` pages of `file` from page `index` (filemap_read): pages not cached are read into the page
   * cache (readahead's gfp), and every page read is `mark_page_accessed()`. Returns the pages read.
   */
  readFile(task: VmTask, file: VmFile, index: number, count: number): number {
    let read = 0;
    this.#asTask(task, () => {
      for (let page = index; page < Math.min(index + count, file.pages); page++) {
        const pfn = this.#filePage(file, page, file.shmem ? 'shmemFault' : 'fileRead');
        if (pfn < 0) break;
        this.markPageAccessed(pfn);
        read++;
      }
    });
    return read;
  }

  /**
   * `munmap()` of `pages` pages from `address`: entries are zapped (anonymous pages freed, file pages stay cached,
   * marked accessed if their entry was young, dirty if it was dirty), mappings trimmed or split, and the PTE pages
   * of spans no mapping covers any more freed.
   */
  munmap(task: VmTask, address: number, pages: number): void {
    if (address % PAGE_SIZE !== 0) throw new RangeError(`munmap: address ${hex(address)} not aligned`);
    const start = address / PAGE_SIZE;
    const end = start + pages;
    this.#asTask(task, () => {
      for (const vma of task.mm.vmas.filter((other) => other.start < end && start < other.end)) {
        const from = Math.max(start, vma.start);
        const to = Math.min(end, vma.end);
        this.#zap(vma, from - vma.start, to - vma.start);
        this.#trim(vma, from, to);
      }
      this.#freePageTables(task.mm, start, end);
    });
  }

  /**
   * `madvise(MADV_DONTNEED)` of `pages` pages from `address`: their entries are zapped (anonymous pages freed), the
   * mappings stay.
   */
  discard(task: VmTask, address: number, pages: number): void {
    const start = Math.floor(address / PAGE_SIZE);
    this.#asTask(task, () => {
      for (const vma of task.mm.vmas) {
        const from = Math.max(start, vma.start);
        const to = Math.min(start + pages, vma.end);
        if (from < to) this.#zap(vma, from - vma.start, to - vma.start);
      }
    });
  }

  /** Process (or thread) exit: the last user of an address space unmaps everything and frees its page tables. */
  exit(task: VmTask): void {
    this.tasks.delete(task.pid);
    const mm = task.mm;
    if (--mm.users > 0) return;
    this.#asTask(task, () => {
      for (const vma of [...mm.vmas]) {
        this.#zap(vma, 0, vma.pages);
        this.#trim(vma, vma.start, vma.end);
      }
      this.#freePageTables(mm, 0, Number.MAX_SAFE_INTEGER);
    });
  }

  /** Frees the page cache pages of regular files that nothing maps (`echo 1 > /proc/sys/vm/drop_caches`). */
  dropCaches(): number {
    let freed = 0;
    for (const file of this.files) {
      if (file === undefined || file.shmem) continue;
      for (let index = 0; index < file.pages; index++) {
        const pfn = file.cachedPfn(index);
        if (pfn < 0 || this.memory.pageMapcount(pfn) > 0 || this.memory.testPageFlag(pfn, this.#dirtyBit)) continue;
        this.#removeFromCache(file, index, pfn, false);
        this.#freeUserPage(pfn, 'cacheFree');
        freed++;
      }
    }
    return freed;
  }

  /**
   * `write()` of `count` pages of `file` from page `index` (`generic_perform_write()`): missing pages are read into
   * the page cache, every page written is marked accessed and dirty (`folio_mark_dirty()`: `nr_dirty`,
   * `nr_dirtied`; tmpfs pages are dirty without being counted, `noop_dirty_folio()`). Returns the pages written.
   */
  writeFile(task: VmTask, file: VmFile, index: number, count: number): number {
    let written = 0;
    this.#asTask(task, () => {
      for (let page = index; page < Math.min(index + count, file.pages); page++) {
        const pfn = this.#filePage(file, page, file.shmem ? 'shmemFault' : 'fileWrite');
        if (pfn < 0) break;
        this.markPageAccessed(pfn);
        if (file.shmem) this.memory.setPageFlag(pfn, this.#dirtyBit);
        else this.#setDirty(pfn);
        written++;
      }
    });
    return written;
  }

  /** Page cache pages dirty now (`nr_dirty`). */
  get dirtyPages(): number {
    let pages = 0;
    for (let zone = 0; zone < this.memory.zones.length; zone++) pages += this.#zoneStat(zone, Stat.dirty);
    return pages;
  }

  /**
   * The flusher (`wb_workfn()`, fs/fs-writeback.c): writes back the dirty page cache pages, oldest first, at most
   * `limit` of them: each is written (`nr_written`) and clean again. Writeback completes at once: mmsim has no
   * disk latency. Returns the pages written.
   */
  writeback(limit = Number.POSITIVE_INFINITY, dirtiedBefore = Number.POSITIVE_INFINITY): number {
    let written = 0;
    const queue = this.#dirtyQueue;
    // Oldest first: the queue is in the order pages were dirtied.
    while (!queue.empty && written < limit && queue.oldestTime() < dirtiedBefore) {
      const pfn = queue.shift();
      if (!this.#isDirtyCache(pfn)) continue;
      this.memory.clearPageFlag(pfn, this.#dirtyBit);
      this.#mod(pfn, Stat.dirty, -1);
      this.#mod(pfn, Stat.written, 1);
      written++;
    }
    queue.compact();
    return written;
  }

  /**
   * `global_dirty_limits()` (mm/page-writeback.c) for a task that is not real-time: of the dirtyable memory (free
   * pages less `totalreserve_pages`, plus the file LRU lists), `dirty_ratio` 20% may be dirty before writers are
   * throttled, and above `dirty_background_ratio` 10% the flusher writes back.
   */
  dirtyThresholds(): { dirtyThreshold: number; dirtyBackgroundThreshold: number } {
    let free = 0;
    let reserve = 0;
    for (const zone of this.buddy.zones) {
      free += zone.freePages;
      // calculate_totalreserve_pages(): the zone's largest lowmem reserve and its high watermark.
      const largest = Math.max(0, ...zone.lowmemReserve);
      reserve += Math.min(largest + zone.watermark.high, zone.zone.managedPages);
    }
    const dirtyable = Math.max(0, free - reserve) + this.lru.inactive_file + this.lru.active_file;
    return {
      dirtyThreshold: Math.floor((dirtyable * 20) / 100),
      dirtyBackgroundThreshold: Math.floor((dirtyable * 10) / 100),
    };
  }

  /**
   * What runs while time passes: the flusher (`wb_workfn()`: every `dirty_writeback_centisecs`, 5 s, it writes back
   * pages dirty for longer than `dirty_expire_centisecs`, 30 s; and whatever exceeds the background threshold,
   * `dirty_background_ratio` 10% of dirtyable memory, at once), then kswapd if an allocation woke it.
   */
  background(): void {
    const now = this.memory.clock.ns;
    // balance_dirty_pages() looks at the thresholds every few pages a writer dirties: here every 10 ms.
    if (now - this.#lastDirtyCheck >= DIRTY_CHECK_NS) {
      this.#lastDirtyCheck = now;
      const threshold = this.dirtyThresholds().dirtyBackgroundThreshold;
      const dirty = this.dirtyPages;
      if (dirty > threshold) this.writeback(dirty - threshold);
    }
    if (now - this.#lastFlush >= DIRTY_WRITEBACK_NS) {
      this.#lastFlush = now;
      this.writeback(Number.POSITIVE_INFINITY, now - DIRTY_EXPIRE_NS);
    }
    if (this.vmscan.kswapdPending) this.vmscan.runKswapd();
  }

  /** Whether `pfn` is a dirty page of a regular file's page cache. */
  #isDirtyCache(pfn: number): boolean {
    const mapping = this.rmap.mappingOf(pfn);
    return mapping > 0 && !this.files[mapping]!.shmem && this.memory.testPageFlag(pfn, this.#dirtyBit);
  }

  /** `folio_mark_dirty()` of a regular file's page: PG_dirty, counted once, queued for the flusher. */
  #setDirty(pfn: number): void {
    const mapping = this.rmap.mappingOf(pfn);
    if (mapping <= 0 || this.files[mapping]!.shmem) {
      this.memory.setPageFlag(pfn, this.#dirtyBit);
      return;
    }
    if (this.memory.testPageFlag(pfn, this.#dirtyBit)) return;
    this.memory.setPageFlag(pfn, this.#dirtyBit);
    this.#mod(pfn, Stat.dirty, 1);
    this.#mod(pfn, Stat.dirtied, 1);
    this.#dirtyQueue.push(pfn, this.memory.clock.ns);
  }

  /**
   * Takes a page out of its file's page cache (`__filemap_remove_folio()`), leaving a shadow entry when reclaim
   * evicts it (`workingset_eviction()`), so that reading it again counts as a refault.
   */
  #removeFromCache(file: VmFile, index: number, pfn: number, shadow: boolean): void {
    file.cache[index] = 0;
    file.cachedPages--;
    this.#mod(pfn, Stat.filePages, -1);
    if (file.shmem) this.#mod(pfn, Stat.shmem, -1);
    if (this.memory.testPageFlag(pfn, this.#dirtyBit) && !file.shmem) this.#mod(pfn, Stat.dirty, -1);
    if (!shadow) return;
    file.shadow ??= new Uint32Array(file.pages);
    const node = this.memory.nodeOf(pfn);
    file.shadow[index] = this.#nonresidentAge[node]! + 1;
    this.#nonresidentAge[node]!++;
  }

  /** Where the Idle and Young flags live: {@link noIdleFlags} until a feature selects them ({@link enableIdleFlags}). */
  get idleFlags(): IdleFlags {
    return this.#idleFlags;
  }

  /**
   * `CONFIG_PAGE_IDLE_FLAG`, selected by a feature (idle page tracking; DAMON would too): the Idle and Young flags
   * exist from now on, for every feature that asks (one set, shared), and migration and THP splits copy them to the
   * new pages (`folio_migrate_flags()`, `__split_huge_page_tail()`). On 32-bit they live in page_ext: the feature
   * that owns `page_idle_ops` attaches it once it exists.
   */
  enableIdleFlags(): PageIdleFlags {
    if (this.#idleFlags instanceof PageIdleFlags) return this.#idleFlags;
    const flags = new PageIdleFlags(this.memory);
    this.#idleFlags = flags;
    // folio_migrate_flags() copies them before page_owner's folio_copy_owner() (the migrate_copy places).
    this.hooks.migrate_copy.subscribe((from, to, order) => flags.copy(from, to, 1 << order), 100);
    this.hooks.thp_split.subscribe((pfn, order) => {
      for (let tail = 1; tail < 1 << order; tail++) flags.copy(pfn, pfn + tail, 1);
    });
    return flags;
  }

  /**
   * `rmap_walk()` (mm/rmap.c): calls `rmapOne` with each mapping and page-table slot whose entry maps `pfn` (the one
   * entry of an anonymous page, every mapping of a page cache page that has it), until `rmapOne` returns false.
   * An unmapped page visits nothing. Pass a function made once (as the kernel's `rmap_walk_control` is static) to
   * walk without allocating.
   */
  rmapWalk(pfn: number, rmapOne: (vma: Vma, slot: number) => boolean): void {
    const mapping = this.rmap.mappingOf(pfn);
    if (mapping === 0) return;
    const index = this.rmap.indexOf(pfn);
    const entry = pfn + 1;
    if (mapping < 0) {
      // An anonymous page: one mapping, the page at its index in it.
      const vma = this.#vmas[-mapping];
      if (vma !== undefined && vma.pte[index] === entry) rmapOne(vma, index);
      return;
    }
    for (const vma of this.files[mapping]!.vmas) {
      const slot = fileSlot(vma, index, entry);
      if (slot >= 0 && !rmapOne(vma, slot)) return;
    }
  }

  /**
   * `page_idle_clear_pte_refs()` (mm/page_idle.c) of a page cache page, page `index` of file `file` (its reverse
   * map entry): clears the accessed bit of every entry mapping `pfn` there and says whether one was set.
   */
  clearFilePteRefs(file: number, index: number, pfn: number): boolean {
    let referenced = false;
    for (const vma of this.files[file]!.vmas) {
      const slot = fileSlot(vma, index, pfn + 1);
      if (slot >= 0 && vma.clearYoung(slot)) referenced = true;
    }
    return referenced;
  }

  /**
   * `mark_page_accessed()` / `folio_mark_accessed()` (mm/swap.c): an inactive page referenced once gets
   * PG_referenced, referenced again it moves to the active list (losing PG_referenced); an active page gets
   * PG_referenced. Either way a page marked idle is not idle any more.
   */
  markPageAccessed(pfn: number): void {
    const memory = this.memory;
    const bits = this.#bits;
    const active = memory.testPageFlag(pfn, bits.active);
    const referenced = memory.testPageFlag(pfn, bits.referenced);
    if (!referenced) {
      memory.setPageFlag(pfn, bits.referenced);
    } else if (!active && !memory.testPageFlag(pfn, this.#unevictableBit)) {
      if (memory.testPageFlag(pfn, bits.lru)) this.#activate(pfn);
      memory.clearPageFlag(pfn, bits.referenced);
    }
    const idle = this.#idleFlags;
    if (idle.isIdle(pfn)) idle.clearIdle(pfn);
    this.hooks.access.call(pfn, AccessKind.mark_accessed);
  }

  /**
   * `page_referenced()` / `folio_referenced()` (mm/rmap.c), as reclaim calls it: the number of mappings through
   * which the page was accessed since the last call, clearing their accessed bits. A mapping with an accessed bit
   * clears Idle; the first mapping walked also consumes Young (set when idle tracking cleared an accessed bit) as
   * one reference, so that idle scans do not hide accesses from reclaim. An unmapped page reads 0.
   */
  pageReferenced(pfn: number): number {
    if (this.memory.pageMapcount(pfn) === 0) return 0;
    const idle = this.#idleFlags;
    let referenced = 0;
    let first = true;
    this.rmapWalk(pfn, (vma, slot) => {
      let found = vma.clearYoung(slot) ? 1 : 0;
      if (found > 0) idle.clearIdle(pfn);
      if (first && idle.testAndClearYoung(pfn)) found++;
      first = false;
      if (found > 0) referenced++;
      return true;
    });
    return referenced;
  }

  /**
   * Whether a page can be migrated: a user page the vm manages (anonymous, or in a page cache) on an LRU list
   * (`isolate_lru_page()` would take it).
   */
  isMovable(pfn: number): boolean {
    return this.rmap.mappingOf(pfn) !== 0 && this.memory.testPageFlag(pfn, this.#bits.lru);
  }

  /**
   * The vm's part of migrating a page to `to`, an order-0 page just allocated (`folio_migrate_mapping()`,
   * `folio_migrate_flags()`, `remove_migration_ptes()`): the page flags, the contents, the reverse map and page cache
   * slot, and every page table entry (with its accessed and dirty bits) move to `to`; `from` is left with no flags,
   * mappings or contents role, ready to be freed. Returns false, changing nothing, for a page that is not movable.
   */
  movePage(from: number, to: number): boolean {
    if (!this.isMovable(from)) return false;
    const { memory } = this;
    const mapping = this.rmap.mappingOf(from);
    const index = this.rmap.indexOf(from);
    const mask = memory.pagesPerSection - 1;
    // The new page takes the old one's place on its LRU list (the same node: migration within a node, or the list
    // of the new page's node).
    const list = this.lruListOf(from);
    const fromNode = memory.nodeOf(from);
    const toNode = memory.nodeOf(to);
    if (fromNode === toNode) this.lruLists.replace(fromNode, list, from, to);
    else {
      this.lruLists.delete(fromNode, list, from);
      this.lruLists.add(toNode, list, to);
    }
    const fromSection = memory.section(from);
    const toSection = memory.section(to);
    // Page flags: the kernel flag bits move, the allocator's state bits of each page stay.
    toSection.flags[to & mask] = (toSection.flags[to & mask]! & PAGE_META_MASK) | memory.pageFlags(from);
    fromSection.flags[from & mask] = fromSection.flags[from & mask]! & PAGE_META_MASK;
    memory.directMap.contents.copy(from, to);
    // mem_cgroup_migrate(): the charge moves to the new page.
    memory.memcg.set(to, 1, memory.memcg.pageData(from));
    memory.memcg.uncharge(from, 1);
    this.rmapWalk(from, (vma, slot) => {
      vma.pte[slot] = to + 1;
      return true;
    });
    toSection.mapcount[to & mask] = fromSection.mapcount[from & mask]!;
    fromSection.mapcount[from & mask] = 0;
    this.rmap.set(to, mapping, index);
    this.rmap.set(from, 0, 0);
    if (mapping > 0) this.files[mapping]!.cache[index] = to + 1;
    return true;
  }

  /** Pages present in `task`'s page tables. */
  mappedPages(task: VmTask): number {
    let count = 0;
    for (const vma of task.mm.vmas) for (let slot = 0; slot < vma.pages; slot++) if (vma.pte[slot] !== 0) count++;
    return count;
  }

  /** Whether a page is anonymous (`PageAnon`: its mapping is an anon_vma). */
  isAnon(pfn: number): boolean {
    return this.rmap.mappingOf(pfn) < 0;
  }

  /**
   * The counters the allocator and the vm keep (reclaim's and the OOM killer's included), with what `more` adds
   * (the features' part of /proc/vmstat): what /proc/vmstat and the reports (Mem-Info) print.
   */
  counters(more: readonly ((counters: VmCountersBuilder) => void)[] = []): VmCounters {
    const counters = new VmCountersBuilder(this.memory.zones.length, this.memory.nodes.length);
    this.buddy.addCounters(counters);
    this.addCounters(counters);
    this.vmscan.addCounters(counters);
    counters.addEvent('oom_kill', this.oomKiller.kills);
    for (const add of more) add(counters);
    return counters;
  }

  /** Adds `delta` to counter `item` of the zone of `pfn`. */
  #mod(pfn: number, item: number, delta: number): void {
    const zone = this.memory.zoneOf(pfn);
    if (zone !== undefined) this.#stat[zone.id * STAT_COUNT + item]! += delta;
  }

  /** The vm's counter `item` of `zone`. */
  #zoneStat(zone: number, item: number): number {
    return this.#stat[zone * STAT_COUNT + item]!;
  }

  /**
   * Adds the vm's counters to `counters` under their /proc/vmstat names: the LRU lists (per node, and per zone as
   * `nr_zone_*`), mapped, file, shmem, dirty and writeback pages, page tables (a zone item in v4.8, a node item in
   * v6.18), and the events (faults, activations, refaults).
   */
  addCounters(counters: VmCountersBuilder): void {
    const v6 = this.memory.profile.era === 'v6';
    const node = (name: string, zone: number, item: number) =>
      counters.addNode(this.memory.zones[zone]!.node, name, this.#zoneStat(zone, item));
    for (let zone = 0; zone < this.memory.zones.length; zone++) {
      counters.addZone(zone, 'nr_zone_inactive_anon', this.#zoneStat(zone, Stat.inactiveAnon));
      counters.addZone(zone, 'nr_zone_active_anon', this.#zoneStat(zone, Stat.activeAnon));
      counters.addZone(zone, 'nr_zone_inactive_file', this.#zoneStat(zone, Stat.inactiveFile));
      counters.addZone(zone, 'nr_zone_active_file', this.#zoneStat(zone, Stat.activeFile));
      counters.addZone(
        zone,
        'nr_zone_write_pending',
        this.#zoneStat(zone, Stat.dirty) + this.#zoneStat(zone, Stat.writeback),
      );
      node('nr_inactive_anon', zone, Stat.inactiveAnon);
      node('nr_active_anon', zone, Stat.activeAnon);
      node('nr_inactive_file', zone, Stat.inactiveFile);
      node('nr_active_file', zone, Stat.activeFile);
      node('nr_anon_pages', zone, Stat.anonMapped);
      node('nr_mapped', zone, Stat.fileMapped);
      node('nr_file_pages', zone, Stat.filePages);
      node('nr_shmem', zone, Stat.shmem);
      node('nr_dirty', zone, Stat.dirty);
      node('nr_writeback', zone, Stat.writeback);
      node('nr_dirtied', zone, Stat.dirtied);
      node('nr_written', zone, Stat.written);
      // Page tables, kernel stacks (kB) and slab: zone items in v4.8, node items in v6.18.
      const kernelItem = (name: string, value: number) =>
        v6 ? counters.addNode(this.memory.zones[zone]!.node, name, value) : counters.addZone(zone, name, value);
      kernelItem('nr_page_table_pages', this.#zoneStat(zone, Stat.pageTables));
      kernelItem('nr_kernel_stack', this.#zoneStat(zone, Stat.kernelStack) * (PAGE_SIZE / 1024));
      kernelItem('nr_slab_reclaimable', this.#zoneStat(zone, Stat.slabReclaimable));
      kernelItem('nr_slab_unreclaimable', this.#zoneStat(zone, Stat.slabUnreclaimable));
    }
    const { events } = this;
    counters.addEvent('pgfault', events.pgfault);
    counters.addEvent('pgmajfault', events.pgmajfault);
    counters.addEvent('pgactivate', events.pgactivate);
    counters.addEvent('pgdeactivate', events.pgdeactivate);
    const refault = v6 ? 'workingset_refault_file' : 'workingset_refault';
    const activate = v6 ? 'workingset_activate_file' : 'workingset_activate';
    for (let node = 0; node < this.memory.nodes.length; node++) {
      // The workingset counters are node items; mmsim keeps one count and gives it to node 0.
      counters.addNode(node, refault, node === 0 ? events.workingsetRefault : 0);
      counters.addNode(node, activate, node === 0 ? events.workingsetActivate : 0);
    }
  }

  /** Host bytes of the vm: page tables of every mapping, the reverse map, page cache indices. */
  hostBytes(): number {
    let bytes = this.rmap.hostBytes();
    for (const vma of this.#vmas) if (vma !== undefined) bytes += vma.pte.byteLength + vma.bits.byteLength;
    for (const file of this.files) if (file !== undefined) bytes += file.cache.byteLength;
    return bytes;
  }

  /** The mapping with this id (from the reverse map of an anonymous page). */
  vma(id: number): Vma | undefined {
    return this.#vmas[id];
  }

  /** `handle_mm_fault()` for an entry that is not present (or a write to a private file page). */
  #fault(vma: Vma, slot: number, write: boolean): number {
    const mm = vma.mm;
    const vpn = vma.start + slot;
    const table = Math.floor(vpn / PTES_PER_TABLE);
    if (!mm.pageTables.has(table)) {
      const pfn = this.#alloc('pageTable', this.#gfp.pageTable);
      if (pfn < 0) return this.#oom();
      this.memory.setPageType(pfn, PageType.table);
      this.#mod(pfn, Stat.pageTables, 1);
      mm.pageTables.set(table, pfn);
    }
    const file = vma.file;
    const old = vma.pte[slot]!;
    let pfn: number;
    let bits = PteBits.ACCESSED | (write ? PteBits.DIRTY : 0);
    if (file === undefined || (vma.private && write)) {
      pfn = file === undefined ? this.#alloc('anonFault', this.#gfp.anon) : this.#alloc('cowFault', this.#gfp.cow);
      if (pfn < 0) return this.#oom();
      if (old !== 0) {
        // wp_page_copy(): the private copy replaces the file page in this mapping.
        this.#unmapEntry(vma, slot, false);
        this.events.cowFault++;
      } else if (file !== undefined) {
        // A write fault on a private file page reads the file page first (do_cow_fault()).
        if (this.#filePage(file, vma.pgoff + slot, 'fileFault') < 0) {
          this.buddy.freePages(pfn, 0);
          return this.#oom();
        }
      }
      const { memory } = this;
      memory.setPageFlag(pfn, this.#bits.swapbacked);
      memory.setPageFlag(pfn, this.#bits.uptodate);
      if (this.#anonExclusiveBit >= 0) memory.setPageFlag(pfn, this.#anonExclusiveBit);
      this.rmap.set(pfn, -vma.id, slot);
      this.#lruAdd(pfn, false, this.#newAnonActive);
    } else {
      pfn = this.#filePage(file, vma.pgoff + slot, file.shmem ? 'shmemFault' : 'fileFault');
      if (pfn < 0) return this.#oom();
      if (vma.private) bits |= PteBits.COW;
    }
    vma.pte[slot] = pfn + 1;
    vma.bits[slot] = bits;
    const mapcount = this.memory.section(pfn).mapcount;
    const at = pfn & (this.memory.pagesPerSection - 1);
    if (mapcount[at]!++ === 0) {
      // The first mapping: NR_ANON_MAPPED or NR_FILE_MAPPED (`__folio_add_anon_rmap()`, `__folio_add_file_rmap()`).
      this.#mod(pfn, this.rmap.mappingOf(pfn) < 0 ? Stat.anonMapped : Stat.fileMapped, 1);
    }
    const rss = mm.rss;
    if (file === undefined || (vma.private && write)) rss.anon++;
    else if (file.shmem) rss.shmem++;
    else rss.file++;
    mm.hiwaterRss = Math.max(mm.hiwaterRss, rss.anon + rss.file + rss.shmem);
    this.events.pgfault++;
    this.hooks.map.call(pfn, this.memory.current.pid, vpn * PAGE_SIZE);
    this.hooks.access.call(pfn, write ? AccessKind.user_write : AccessKind.user_read);
    return pfn;
  }

  #oom(): number {
    this.events.oom++;
    return -1;
  }

  /** The page cache page of `file` at `index`, read in (allocated, uptodate, on the inactive LRU) if missing. */
  #filePage(file: VmFile, index: number, path: VmCallPath): number {
    const cached = file.cache[index]!;
    if (cached !== 0) return cached - 1;
    const pfn = this.#alloc(path, file.shmem ? this.#gfp.shmem : this.#gfp.cache);
    if (pfn < 0) return -1;
    this.memory.setPageFlag(pfn, this.#bits.uptodate);
    if (file.shmem) this.memory.setPageFlag(pfn, this.#bits.swapbacked);
    this.rmap.set(pfn, file.id, index);
    this.#lruAdd(pfn, !file.shmem, this.#refault(file, index, pfn));
    file.cache[index] = pfn + 1;
    file.cachedPages++;
    this.#mod(pfn, Stat.filePages, 1);
    if (file.shmem) this.#mod(pfn, Stat.shmem, 1);
    if (path === 'fileFault' && !file.shmem) this.events.pgmajfault++;
    return pfn;
  }

  /**
   * `workingset_refault()` (mm/workingset.c): a page read back where reclaim left a shadow entry. Its refault
   * distance (evictions and activations since) no larger than the active file list means it would have stayed
   * cached with a larger inactive list: it goes straight to the active list. Returns whether it does.
   */
  #refault(file: VmFile, index: number, pfn: number): boolean {
    const shadow = file.shadow?.[index] ?? 0;
    if (shadow === 0) return false;
    file.shadow![index] = 0;
    this.events.workingsetRefault++;
    const node = this.memory.nodeOf(pfn);
    const distance = this.#nonresidentAge[node]! - (shadow - 1);
    if (distance > this.lruLists.size(node, LruList.active_file)) return false;
    this.events.workingsetActivate++;
    this.#nonresidentAge[node]!++;
    return true;
  }

  /** Zaps entries [from, to) of a mapping (`zap_pte_range()`). */
  #zap(vma: Vma, from: number, to: number): void {
    for (let slot = from; slot < to; slot++) if (vma.pte[slot] !== 0) this.#unmapEntry(vma, slot, true);
  }

  /**
   * Removes one entry: the page loses a mapping; an anonymous page is freed, a file page keeps its cache slot (and,
   * when `zap`ped rather than replaced by a copy, takes the entry's dirty and young bits).
   */
  #unmapEntry(vma: Vma, slot: number, zap: boolean, freePath: VmCallPath = 'unmapFree'): void {
    const pfn = vma.pte[slot]! - 1;
    const bits = vma.bits[slot]!;
    vma.pte[slot] = 0;
    vma.bits[slot] = 0;
    const { memory } = this;
    const mapping = this.rmap.mappingOf(pfn);
    if (--memory.section(pfn).mapcount[pfn & (memory.pagesPerSection - 1)]! === 0) {
      this.#mod(pfn, mapping < 0 ? Stat.anonMapped : Stat.fileMapped, -1);
    }
    this.hooks.unmap.call(pfn, memory.current.pid, (vma.start + slot) * PAGE_SIZE);
    const rss = vma.mm.rss;
    if (mapping < 0) rss.anon--;
    else if (this.files[mapping]!.shmem) rss.shmem--;
    else rss.file--;
    if (mapping < 0) {
      this.#freeUserPage(pfn, freePath);
      return;
    }
    if (!zap) return;
    if ((bits & PteBits.DIRTY) !== 0) this.#setDirty(pfn);
    if ((bits & PteBits.ACCESSED) !== 0) this.markPageAccessed(pfn);
  }

  /** Removes [from, to) (virtual pages) from a mapping whose entries there are gone: trims, splits or drops it. */
  #trim(vma: Vma, from: number, to: number): void {
    const mm = vma.mm;
    if (from <= vma.start && to >= vma.end) {
      mm.remove(vma);
      vma.file?.removeVma(vma);
      this.#vmas[vma.id] = undefined;
      return;
    }
    if (from > vma.start && to < vma.end) {
      // __split_vma(): the part after the hole becomes a mapping of its own.
      const tail = new Vma(
        this.#vmas.length,
        mm,
        { start: to, end: vma.end },
        vma.protection,
        vma.file,
        vma.pgoff + (to - vma.start),
        vma.name,
      );
      tail.pte.set(vma.pte.subarray(to - vma.start));
      tail.bits.set(vma.bits.subarray(to - vma.start));
      this.#vmas.push(tail);
      mm.insert(tail);
      vma.file?.addVma(tail);
      this.#rebase(tail);
      this.#shrink(vma, vma.start, from);
      return;
    }
    if (from <= vma.start) this.#shrink(vma, to, vma.end);
    else this.#shrink(vma, vma.start, from);
  }

  /** Keeps virtual pages [start, end) of a mapping. */
  #shrink(vma: Vma, start: number, end: number): void {
    const moved = start !== vma.start;
    vma.pte = vma.pte.slice(start - vma.start, end - vma.start);
    vma.bits = vma.bits.slice(start - vma.start, end - vma.start);
    vma.pgoff += start - vma.start;
    vma.start = start;
    vma.end = end;
    if (moved) this.#rebase(vma);
  }

  /** Points the reverse map of a mapping's anonymous pages at it and their new page numbers. */
  #rebase(vma: Vma): void {
    for (let slot = 0; slot < vma.pages; slot++) {
      const pfn = vma.pte[slot]! - 1;
      if (pfn >= 0 && this.rmap.mappingOf(pfn) < 0) this.rmap.set(pfn, -vma.id, slot);
    }
  }

  /** Frees the PTE pages of [start, end) spans that no mapping covers any more (`free_pgtables()`). */
  #freePageTables(mm: AddressSpace, start: number, end: number): void {
    for (const [table, pfn] of mm.pageTables) {
      const first = table * PTES_PER_TABLE;
      const last = first + PTES_PER_TABLE;
      if (last <= start || first >= end || mm.overlaps(first, last)) continue;
      mm.pageTables.delete(table);
      this.memory.setPageType(pfn, PageType.none);
      this.#mod(pfn, Stat.pageTables, -1);
      this.#free('pageTableFree', pfn);
    }
  }

  /** Takes a user page off its LRU list and the reverse map and frees it. */
  #freeUserPage(pfn: number, path: VmCallPath): void {
    this.#lruDel(pfn);
    this.rmap.set(pfn, 0, 0);
    this.#free(path, pfn);
  }

  /** `lru_cache_add()`: PG_lru, and PG_active for an active list; the page goes to the head of its node's list. */
  #lruAdd(pfn: number, file: boolean, active: boolean): void {
    const { memory } = this;
    memory.setPageFlag(pfn, this.#bits.lru);
    if (active) memory.setPageFlag(pfn, this.#bits.active);
    const list = (file ? LruList.inactive_file : LruList.inactive_anon) + (active ? 1 : 0);
    this.lruLists.add(memory.nodeOf(pfn), list as LruList, pfn);
    this.lru[lruListNames[list]!]++;
    this.#mod(pfn, Stat.inactiveAnon + list, 1);
  }

  /** The list a page on an LRU list is on. */
  lruListOf(pfn: number): LruList {
    const { memory } = this;
    const file = !memory.testPageFlag(pfn, this.#bits.swapbacked);
    const active = memory.testPageFlag(pfn, this.#bits.active);
    return ((file ? LruList.inactive_file : LruList.inactive_anon) + (active ? 1 : 0)) as LruList;
  }

  /** Removes a page from its LRU list (`lruvec_del_folio()`, `__folio_clear_lru_flags()`). */
  #lruDel(pfn: number): void {
    const { memory } = this;
    if (!memory.testPageFlag(pfn, this.#bits.lru)) return;
    const list = this.lruListOf(pfn);
    this.lruLists.delete(memory.nodeOf(pfn), list, pfn);
    this.lru[lruListNames[list]!]--;
    this.#mod(pfn, Stat.inactiveAnon + list, -1);
    memory.clearPageFlag(pfn, this.#bits.lru);
    memory.clearPageFlag(pfn, this.#bits.active);
  }

  /**
   * A slab of a cache (mm/slub.c `allocate_slab()` / `__free_slab()`), `2^order` pages: PG_slab (v4.x) or the slab
   * page type (v6.x) on its head, `nr_slab_reclaimable` or `nr_slab_unreclaimable`, and in v6.18 `memcg_data`
   * with object extensions for a cache whose objects are charged to cgroups (`SLAB_ACCOUNT`). `add` false undoes it
   * before the pages are freed.
   */
  slabPage(pfn: number, order: number, reclaimable: boolean, accounted: boolean, add = true): void {
    const { memory } = this;
    // On the head page: the tails of a slab folio are slab pages through their head (`PageSlab()`, PF_NO_TAIL).
    const bit = memory.profile.pageFlags.bit.slab;
    if (bit >= 0) {
      if (add) memory.setPageFlag(pfn, bit);
      else memory.clearPageFlag(pfn, bit);
    } else memory.setPageType(pfn, add ? PageType.slab : PageType.none);
    this.#mod(pfn, reclaimable ? Stat.slabReclaimable : Stat.slabUnreclaimable, add ? 2 ** order : -(2 ** order));
    if (memory.profile.era === 'v6' && accounted) memory.memcg.set(pfn, 1, add ? MEMCG_OBJEXTS : 0);
  }

  /** A task's kernel stack pages (`account_kernel_stack()`: `nr_kernel_stack`); `add` false at its exit. */
  kernelStackPages(pfn: number, pages: number, add = true): void {
    this.#mod(pfn, Stat.kernelStack, add ? pages : -pages);
  }

  /** Reclaim's `folio_activate()`: an inactive page that was referenced goes to the active list. */
  activatePage(pfn: number): void {
    this.#activate(pfn);
  }

  /**
   * `shrink_active_list()`'s move of a page to the head of the inactive list (PG_active cleared, PG_workingset set
   * in v6.18): `pgdeactivate`.
   */
  deactivatePage(pfn: number): void {
    const { memory } = this;
    const file = !memory.testPageFlag(pfn, this.#bits.swapbacked);
    this.#lruDel(pfn);
    const workingset = memory.profile.pageFlags.bit.workingset;
    if (workingset >= 0) memory.setPageFlag(pfn, workingset);
    this.#lruAdd(pfn, file, false);
    this.events.pgdeactivate++;
  }

  /** `list_move()` of a page to the head of its list: reclaim keeps it for now. */
  rotatePage(pfn: number): void {
    const list = this.lruListOf(pfn);
    const node = this.memory.nodeOf(pfn);
    this.lruLists.delete(node, list, pfn);
    this.lruLists.add(node, list, pfn);
  }

  /** Whether the page is mapped by a mapping that may execute it (`VM_EXEC`: reclaim keeps such pages active). */
  mappedExecutable(pfn: number): boolean {
    let exec = false;
    this.rmapWalk(pfn, (vma) => {
      exec = vma.protection.exec;
      return !exec;
    });
    return exec;
  }

  /**
   * `shrink_folio_list()`'s reclaim of one page cache page of a regular file on an inactive list: its mappings are
   * unmapped (`try_to_unmap()`: the entries' dirty bits dirty the page), a dirty page is left for the flusher
   * (returns 'dirty'), a clean one is taken out of the page cache with a shadow entry and freed through `path`
   * (returns 'reclaimed'). Pages of tmpfs or anonymous pages, which need swap, are 'busy'.
   */
  reclaimFilePage(pfn: number, path: VmCallPath): 'reclaimed' | 'dirty' | 'busy' {
    const mapping = this.rmap.mappingOf(pfn);
    if (mapping <= 0 || this.files[mapping]!.shmem) return 'busy';
    const file = this.files[mapping]!;
    const { memory } = this;
    if (memory.pageMapcount(pfn) > 0) {
      this.rmapWalk(pfn, (vma, slot) => {
        this.#unmapEntry(vma, slot, true);
        return true;
      });
    }
    if (memory.testPageFlag(pfn, this.#dirtyBit)) return 'dirty';
    this.#removeFromCache(file, this.rmap.indexOf(pfn), pfn, true);
    this.#freeUserPage(pfn, path);
    return 'reclaimed';
  }

  /**
   * The OOM reaper (`__oom_reap_task_mm()`, mm/oom_kill.c): unmaps a killed process's private anonymous memory at
   * once, freeing it, without waiting for its exit. Returns the pages freed.
   */
  reapTask(task: VmTask): number {
    let freed = 0;
    task.mm.oomKilled = true;
    this.memory.current.runAs(OOM_REAPER, () => {
      for (const vma of task.mm.vmas) {
        if (vma.file !== undefined && !vma.private) continue;
        for (let slot = 0; slot < vma.pages; slot++) {
          const entry = vma.pte[slot]!;
          if (entry === 0 || this.rmap.mappingOf(entry - 1) >= 0) continue;
          this.#unmapEntry(vma, slot, true, 'oomReapFree');
          freed++;
        }
      }
    });
    return freed;
  }

  /** `folio_activate()`: inactive list to active list. */
  #activate(pfn: number): void {
    const { memory } = this;
    if (memory.testPageFlag(pfn, this.#bits.active)) return;
    this.#lruDel(pfn);
    this.#lruAdd(pfn, !memory.testPageFlag(pfn, this.#bits.swapbacked), true);
    this.events.pgactivate++;
    this.#nonresidentAge[memory.nodeOf(pfn)]!++;
  }

  /** The frames of a path for this call (a variant picked when the path has several). */
  #frames(path: VmCallPath): Uint32Array | undefined {
    const frames = this.callPaths[path];
    return typeof frames === 'function' ? frames() : frames;
  }

  #alloc(path: VmCallPath, gfp: number): number {
    const stack = this.#stack;
    const frames = this.#frames(path);
    let pfn: number;
    if (stack === undefined || frames === undefined) pfn = this.buddy.allocPages(gfp, 0);
    else {
      const depth = stack.depth;
      stack.pushAll(frames);
      pfn = this.buddy.allocPages(gfp, 0);
      stack.unwindTo(depth);
    }
    // `mem_cgroup_charge()`: a user page is charged to the faulting (or reading) task's cgroup.
    if (pfn >= 0 && path !== 'pageTable') this.memory.memcg.set(pfn, 1, this.memory.current.memcg);
    return pfn;
  }

  /** Frees a page through `path` (its frames on the stack, above whatever is there: direct reclaim's caller). */
  freeVia(path: VmCallPath, pfn: number): void {
    const stack = this.#stack;
    const frames = this.#frames(path);
    if (stack === undefined || frames === undefined) {
      this.buddy.freePages(pfn, 0);
      return;
    }
    const depth = stack.depth;
    stack.pushAll(frames);
    this.buddy.freePages(pfn, 0);
    stack.unwindTo(depth);
  }

  #free(path: VmCallPath, pfn: number): void {
    this.freeVia(path, pfn);
  }

  /** Runs `body` with `current` set to `task` (faults and frees happen in its context). */
  #asTask<T>(task: VmTask, body: () => T): T {
    const current = this.memory.current;
    if (current.pid === task.pid && current.comm === task.comm) return body();
    return current.runAs(task, body);
  }
}

function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

/** The slot of file page `index` in a mapping of the file, when its entry there is `entry` (pfn + 1); else -1. */
function fileSlot(vma: Vma, index: number, entry: number): number {
  const slot = index - vma.pgoff;
  return slot >= 0 && slot < vma.pages && vma.pte[slot] === entry ? slot : -1;
}

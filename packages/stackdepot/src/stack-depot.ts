import { jhash2Frames, STACK_HASH_SEED } from './jhash2';

/** `DEPOT_POOL_ORDER` / `STACK_ALLOC_ORDER`: a pool is 4 pages. */
export const DEPOT_POOL_ORDER = 2;
/** A pool's size in bytes (16 KiB). */
export const DEPOT_POOL_SIZE = 4096 << DEPOT_POOL_ORDER;
/** Records are aligned to 16 bytes (`DEPOT_STACK_ALIGN` / `STACK_ALLOC_ALIGN` = 4). */
const ALIGN_SHIFT = 4;
/** v6.18 `STACK_DEPOT_FLAG_CAN_ALLOC`. */
export const STACK_DEPOT_FLAG_CAN_ALLOC = 0x1;
/** v6.18 `STACK_DEPOT_FLAG_GET`: the record is refcounted and can be freed with `put`. */
export const STACK_DEPOT_FLAG_GET = 0x2;
/** `REFCOUNT_SATURATED`: the refcount of a persistent record. */
export const REFCOUNT_SATURATED = -0x40000000;

/** The allocator the depot takes its pools from, as the kernel's depot calls `alloc_pages()`. */
export interface DepotPageSource {
  /** `alloc_pages(gfp, order)`: a pfn, or -1. */
  allocPages(gfp: number, order: number): number;
  /** `free_pages(pfn, order)`. */
  freePages(pfn: number, order: number): void;
}

/** The gfp bits the depot needs to compute the nested allocation mask of each era. */
export interface DepotGfp {
  readonly GFP_KERNEL: number;
  readonly GFP_ATOMIC: number;
  readonly ZONEMASK: number;
  readonly NOWARN: number;
  readonly NORETRY: number;
  readonly NOMEMALLOC: number;
  readonly DIRECT_RECLAIM: number;
  readonly KSWAPD_RECLAIM: number;
}

/** How a depot behaves: the era's handle layout, record format and limits. */
export interface StackDepotOptions {
  readonly era: 'v4' | 'v6';
  readonly gfp: DepotGfp;
  readonly pages: DepotPageSource;
  /** Hash buckets (a power of two): 2^20 in v4.8; one per 16 KiB of memory, 2^12..2^20, in v6.18. */
  readonly buckets: number;
  /** Pools at most: 1024 slabs in v4.8, 8192 pools in v6.18 (`stack_depot_max_pools=`). */
  readonly maxPools?: number;
  /** v6.18 `CONFIG_STACKDEPOT_MAX_FRAMES` (64): longer traces are cut. */
  readonly maxFrames?: number;
  /** Where the depot's warnings go (the kernel log). */
  readonly warn?: (message: string) => void;
  /** v6.18 `stack_depot_disable=on`: nothing is stored, every save returns 0 and every fetch finds nothing. */
  readonly disabled?: boolean;
}

/** What the depot holds, for summaries and the debugfs `stats` file. */
export interface StackDepotStats {
  /** Pools in use (`pools_num`, v4.8 `depot_index + 1`). */
  pools: number;
  /** Pages the depot holds: the pools in use and a preallocated spare. */
  pages: number;
  /** Unique stack records. */
  stacks: number;
  /** Bytes of the pools used by records. */
  bytes: number;
  refcountedAllocations: number;
  refcountedFrees: number;
  refcountedInUse: number;
  freelistSize: number;
  persistentCount: number;
  persistentBytes: number;
  /** Saves that found their stack already stored. */
  hits: number;
  /** Saves that failed (no memory, full depot). */
  failures: number;
}

/**
 * The kernel's stack depot (lib/stackdepot.c): stores each distinct stack trace once, in 16 KiB pools it takes from
 * the page allocator at run time, and hands out a 32-bit handle for it.
 *
 * - v4.8: handle = slab index (bits 0-20) | offset in 16-byte units (bits 21-30) | valid (bit 31); records have a
 *   24-byte header; a static table of 2^20 buckets; the depot keeps the *next* slab preallocated
 *   (`next_slab_inited`); the pool gfp is the caller's minus zone bits, masked to GFP_ATOMIC|GFP_KERNEL, plus NOWARN.
 * - v6.18: handle = pool index + 1 (bits 0-16) | offset (bits 17-26) | extra (bits 27-31); 32-byte header; a
 *   preallocated `new_pool`; the pool gfp is `gfp_nested_mask()`; records saved with `STACK_DEPOT_FLAG_GET` are
 *   refcounted, sized for the maximum depth, and recycled through a freelist after `put()`.
 *
 * Hashing (jhash2 of the addresses as 32-bit words, seed 0x9747b28c) and lookup (hash, size, then the frames) are
 * the kernel's. Records live in host typed arrays; the byte and page counts are what the kernel would use.
 * Frames are the low 32 bits of kernel addresses (@mm/stacktrace); the high halves are all 0xffffffff and hashed
 * as such.
 */
export class StackDepot {
  readonly era: 'v4' | 'v6';
  readonly maxPools: number;
  readonly maxFrames: number;
  readonly stats: StackDepotStats = {
    pools: 0,
    pages: 0,
    stacks: 0,
    bytes: 0,
    refcountedAllocations: 0,
    refcountedFrees: 0,
    refcountedInUse: 0,
    freelistSize: 0,
    persistentCount: 0,
    persistentBytes: 0,
    hits: 0,
    failures: 0,
  };
  // Fields the hot paths read start with a value of their kind (an empty array, 0, a blank object), never undefined
  // (a boolean gains nothing): see "Fast listeners" in docs/guide/writing-a-client.md (such a field costs a check at
  // every use).
  /** Simulated kernel bytes of the hash table (8 per bucket in v4.8, 16 in v6.18). */
  readonly hashTableBytes: number = 0;

  readonly #options: StackDepotOptions;
  readonly #disabled: boolean;
  /** The handle layout: pool index = (handle & poolMask) - poolBias, offset = (handle >>> offsetShift) & 0x3ff. */
  readonly #poolMask: number = 0;
  readonly #poolBias: number = 0;
  readonly #offsetShift: number = 0;
  /**
   * The host's hash table: the kernel's bucket count is only simulated (`hashTableBytes`); the host starts small
   * and doubles, up to it, whenever there are more records than buckets. Lookups match on the full hash and the
   * frames, so the bucket count changes nothing the kernel would show.
   */
  #bucketMask = 0;
  #buckets = new Int32Array(0);
  #linked = 0;
  // Records, struct of arrays.
  #recordHash = new Uint32Array(1024);
  #recordSize = new Uint16Array(1024);
  #recordFrames = new Uint32Array(1024);
  #recordNext = new Int32Array(1024);
  #recordHandle = new Uint32Array(1024);
  #recordRefcount = new Int32Array(1024);
  #recordCount = 0;
  #frames = new Uint32Array(16384);
  #frameCount = 0;
  /** Per pool: record index at each 16-byte slot, for `fetch`. */
  readonly #slots: Int32Array[] = [];
  /** Pfns of the pools, by pool index. */
  readonly #poolPfns: number[] = [];
  #poolOffset = 0;
  /** v4.8 `next_slab_inited` / v6.18 `!new_pool_required`. */
  #spareReady = false;
  /** The preallocated next pool (v4.8: `stack_slabs[depot_index + 1]`; v6.18 `new_pool`), or -1. */
  #spare = -1;
  /** v6.18 freelist of evictable records (record indices, oldest first). */
  readonly #freelist: number[] = [];
  #warnedFull = false;

  constructor(options: StackDepotOptions) {
    this.#options = options;
    this.#disabled = options.disabled ?? false;
    this.era = options.era;
    this.maxPools = options.maxPools ?? (options.era === 'v6' ? 8192 : 1024);
    this.maxFrames = options.maxFrames ?? (options.era === 'v6' ? 64 : 256);
    if ((options.buckets & (options.buckets - 1)) !== 0) throw new RangeError('buckets must be a power of two');
    this.#buckets = new Int32Array(Math.min(options.buckets, 1024)).fill(-1);
    this.#bucketMask = this.#buckets.length - 1;
    this.hashTableBytes = options.buckets * (options.era === 'v6' ? 16 : 8);
    this.#poolOffset = options.era === 'v6' ? DEPOT_POOL_SIZE : 0;
    this.#poolMask = options.era === 'v6' ? 0x1ffff : 0x1fffff;
    this.#poolBias = options.era === 'v6' ? 1 : 0;
    this.#offsetShift = options.era === 'v6' ? 17 : 21;
  }

  /** Bytes of a record holding `frames` frames: ALIGN(header + 8·frames, 16); header 24 (v4.8) or 32 (v6.18). */
  recordBytes(frames: number): number {
    const header = this.era === 'v6' ? 32 : 24;
    return Math.ceil((header + 8 * frames) / 16) * 16;
  }

  /**
   * `depot_save_stack()` (v4.8) / `stack_depot_save_flags()` (v6.18): returns the handle of the trace made of the
   * first `count` frames of `frames`, storing it if it is new; 0 if it cannot be stored (an empty trace, no memory
   * for a pool, the depot full). v6.18 takes `flags` (CAN_ALLOC, GET); v4.8 always may allocate.
   */
  save(frames: ArrayLike<number>, count: number, gfp: number, flags = STACK_DEPOT_FLAG_CAN_ALLOC): number {
    if (count === 0 || this.#disabled) return 0;
    if (this.era === 'v6' && count > this.maxFrames) count = this.maxFrames;
    const hash = jhash2Frames(frames, count, STACK_HASH_SEED);
    let found = this.#find(hash & this.#bucketMask, frames, count, hash, flags);
    if (found >= 0) {
      this.stats.hits++;
      return this.#recordHandle[found]!;
    }
    const g = this.#options.gfp;
    let prealloc = -1;
    const canAlloc =
      this.era === 'v4' ||
      ((flags & STACK_DEPOT_FLAG_CAN_ALLOC) !== 0 && (gfp & (g.DIRECT_RECLAIM | g.KSWAPD_RECLAIM)) !== 0);
    if (canAlloc && !this.#spareReady) {
      const poolGfp =
        this.era === 'v4'
          ? (gfp & ~g.ZONEMASK & (g.GFP_ATOMIC | g.GFP_KERNEL)) | g.NOWARN
          : (gfp & (g.GFP_KERNEL | g.GFP_ATOMIC)) | g.NORETRY | g.NOMEMALLOC | g.NOWARN;
      prealloc = this.#options.pages.allocPages(poolGfp >>> 0, DEPOT_POOL_ORDER);
      if (prealloc >= 0) this.stats.pages += 1 << DEPOT_POOL_ORDER;
    }
    // The pool allocation may have re-entered the depot and stored this very stack: look again, as the kernel
    // does under the lock.
    found = this.#find(hash & this.#bucketMask, frames, count, hash, flags);
    if (found < 0) {
      const result = this.#allocRecord(frames, count, hash, flags, prealloc);
      prealloc = result.prealloc;
      found = result.record;
      if (found >= 0) this.#link(found, hash);
    } else {
      this.stats.hits++;
    }
    if (prealloc >= 0) prealloc = this.#keepSpare(prealloc);
    if (prealloc >= 0) {
      this.#options.pages.freePages(prealloc, DEPOT_POOL_ORDER);
      this.stats.pages -= 1 << DEPOT_POOL_ORDER;
    }
    if (found < 0) {
      this.stats.failures++;
      return 0;
    }
    return this.#recordHandle[found]!;
  }

  /**
   * `depot_fetch_stack()` / `stack_depot_fetch()`: copies the frames of `handle` into `out` and returns their
   * number; 0 for handle 0 or a handle that names no record. v6.18 also refuses a record freed by `put()`
   * (refcount 0), with the kernel's warning.
   */
  fetch(handle: number, out: Uint32Array): number {
    const record = this.recordOf(handle);
    if (record < 0) return 0;
    if (this.era === 'v6' && this.#recordRefcount[record] === 0) {
      this.#warn('corrupt handle or use after stack_depot_put()');
      return 0;
    }
    const size = this.#recordSize[record]!;
    const start = this.#recordFrames[record]!;
    for (let index = 0; index < size; index++) out[index] = this.#frames[start + index]!;
    return size;
  }

  /** The frames of `handle` as a new array (for printing and tests). */
  framesOf(handle: number): number[] {
    const record = this.recordOf(handle);
    if (record < 0) return [];
    const start = this.#recordFrames[record]!;
    return Array.from(this.#frames.subarray(start, start + this.#recordSize[record]!));
  }

  /** The record index a handle names, or -1 (a bad pool index or offset). Allocation-free. */
  recordOf(handle: number): number {
    if (handle === 0) return -1;
    const slots = this.#slots[(handle & this.#poolMask) - this.#poolBias];
    return slots === undefined ? -1 : slots[(handle >>> this.#offsetShift) & 0x3ff]!;
  }

  /** Splits a handle into its pool index and 16-byte offset (and v6.18 extra bits). */
  decodeHandle(handle: number): { pool: number; offset: number; extra: number; valid: boolean } {
    if (this.era === 'v4') {
      return { pool: handle & 0x1fffff, offset: (handle >>> 21) & 0x3ff, extra: 0, valid: handle >>> 31 === 1 };
    }
    return { pool: (handle & 0x1ffff) - 1, offset: (handle >>> 17) & 0x3ff, extra: handle >>> 27, valid: true };
  }

  /** Builds a handle from a pool index and a 16-byte offset. */
  encodeHandle(pool: number, offset: number): number {
    if (this.era === 'v4') return (pool | (offset << 21) | 0x80000000) >>> 0;
    return ((pool + 1) | (offset << 17)) >>> 0;
  }

  /** The refcount of a record (v6.18 page_owner counts pages per stack in it). */
  refcount(handle: number): number {
    const record = this.recordOf(handle);
    return record < 0 ? 0 : this.#recordRefcount[record]!;
  }

  /** Sets a record's refcount (page_owner turns a saturated one into 1 the first time it charges it). */
  setRefcount(handle: number, value: number): void {
    const record = this.recordOf(handle);
    if (record >= 0) this.#recordRefcount[record] = value;
  }

  /** Adds `delta` to a record's refcount and returns the new value. */
  addRefcount(handle: number, delta: number): number {
    // recordOf(), written out: page_owner calls this on every allocation and free.
    const slots = this.#slots[(handle & this.#poolMask) - this.#poolBias];
    if (handle === 0 || slots === undefined) return 0;
    const record = slots[(handle >>> this.#offsetShift) & 0x3ff]!;
    if (record < 0) return 0;
    const refcount = this.#recordRefcount;
    refcount[record]! += delta;
    return refcount[record]!;
  }

  /**
   * v6.18 `stack_depot_put()`: drops a reference to a record saved with `STACK_DEPOT_FLAG_GET`; at zero the record
   * leaves its hash chain for the freelist, to be reused by the next evictable record. Handle 0 is ignored; a
   * handle naming no live record warns and changes nothing; a persistent record (saved without GET, refcount
   * saturated) stays saturated, with refcount_t's underflow warning.
   */
  put(handle: number): void {
    if (handle === 0) return;
    const record = this.recordOf(handle);
    if (record < 0 || this.#recordRefcount[record] === 0) {
      this.#warn('corrupt handle or unbalanced stack_depot_put()');
      return;
    }
    if (this.#recordRefcount[record]! < 0) {
      this.#warn('refcount_t: underflow; use-after-free.');
      return;
    }
    if (--this.#recordRefcount[record]! > 0) return;
    this.#unlinkRecord(record);
    this.#freelist.push(record);
    this.stats.stacks--;
    this.stats.refcountedFrees++;
    this.stats.refcountedInUse--;
    this.stats.freelistSize++;
  }

  /** Pfns of the pools in use, by pool index. */
  poolPfns(): readonly number[] {
    return this.#poolPfns;
  }

  /** Pfn of the preallocated spare pool, or -1. */
  sparePfn(): number {
    return this.#spare;
  }

  /** Visits every stored record: its handle and frame count. */
  forEachRecord(visit: (handle: number, frames: number) => void): void {
    for (let bucket = 0; bucket < this.#buckets.length; bucket++) {
      for (let record = this.#buckets[bucket]!; record >= 0; record = this.#recordNext[record]!) {
        visit(this.#recordHandle[record]!, this.#recordSize[record]!);
      }
    }
  }

  /** v6.18 debugfs `stackdepot/stats`. */
  statsText(): string {
    const s = this.stats;
    return (
      `pools: ${s.pools}\n` +
      `refcounted_allocations: ${s.refcountedAllocations}\n` +
      `refcounted_frees: ${s.refcountedFrees}\n` +
      `refcounted_in_use: ${s.refcountedInUse}\n` +
      `freelist_size: ${s.freelistSize}\n` +
      `persistent_count: ${s.persistentCount}\n` +
      `persistent_bytes: ${s.persistentBytes}\n`
    );
  }

  /** Host bytes of the depot's own arrays. */
  hostBytes(): number {
    let bytes = this.#buckets.byteLength + this.#frames.byteLength;
    bytes += this.#recordHash.byteLength + this.#recordSize.byteLength + this.#recordFrames.byteLength;
    bytes += this.#recordNext.byteLength + this.#recordHandle.byteLength + this.#recordRefcount.byteLength;
    for (const slots of this.#slots) bytes += slots.byteLength;
    return bytes;
  }

  /** `find_stack()`: walks the bucket's chain comparing hash, size, then the frames. */
  #find(bucket: number, frames: ArrayLike<number>, count: number, hash: number, flags: number): number {
    // The arrays in locals: the loop then reads typed arrays, not private fields, at every step.
    const stored = this.#frames;
    const hashes = this.#recordHash;
    const sizes = this.#recordSize;
    const next = this.#recordNext;
    for (let record = this.#buckets[bucket]!; record >= 0; record = next[record]!) {
      if (hashes[record] !== hash || sizes[record] !== count) continue;
      const start = this.#recordFrames[record]!;
      let index = 0;
      while (index < count && stored[start + index] === frames[index]) index++;
      if (index < count) continue;
      if ((flags & STACK_DEPOT_FLAG_GET) !== 0) {
        // refcount_inc_not_zero(): a record freed by put() (0) is passed over; a persistent one (saturated,
        // negative) is found and stays saturated.
        const refcounts = this.#recordRefcount;
        const refcount = refcounts[record]!;
        if (refcount === 0) continue;
        if (refcount > 0) refcounts[record] = refcount + 1;
      }
      return record;
    }
    return -1;
  }

  /** `depot_alloc_stack()`: carves a record out of the current pool, moving to the next pool when it is full. */
  #allocRecord(
    frames: ArrayLike<number>,
    count: number,
    hash: number,
    flags: number,
    prealloc: number,
  ): { record: number; prealloc: number } {
    const evictable = this.era === 'v6' && (flags & STACK_DEPOT_FLAG_GET) !== 0;
    const bytes = this.recordBytes(evictable ? this.maxFrames : count);
    let record = -1;
    if (evictable && this.#freelist.length > 0) {
      record = this.#freelist.shift()!;
      this.stats.freelistSize--;
      this.#writeFrames(record, frames, count, evictable ? this.maxFrames : count);
    } else {
      if (this.#poolOffset + bytes > DEPOT_POOL_SIZE || this.#poolPfns.length === 0) {
        const next = this.#nextPool(prealloc);
        if (next.pool < 0) return { record: -1, prealloc: next.prealloc };
        prealloc = next.prealloc;
      }
      const pool = this.#poolPfns.length - 1;
      const slot = this.#poolOffset >>> ALIGN_SHIFT;
      record = this.#newRecord(this.encodeHandle(pool, slot));
      this.#slots[pool]![slot] = record;
      this.#poolOffset += bytes;
      this.#writeFrames(record, frames, count, evictable ? this.maxFrames : count);
      this.stats.bytes += bytes;
    }
    this.#recordHash[record] = hash;
    this.#recordSize[record] = count;
    this.stats.stacks++;
    if (evictable) {
      this.#recordRefcount[record] = 1;
      this.stats.refcountedAllocations++;
      this.stats.refcountedInUse++;
    } else {
      this.#recordRefcount[record] = REFCOUNT_SATURATED;
      this.stats.persistentCount++;
      this.stats.persistentBytes += bytes;
    }
    return { record, prealloc };
  }

  /** Switches to a new pool: the kept spare if there is one, else this save's preallocation. */
  #nextPool(prealloc: number): { pool: number; prealloc: number } {
    if (this.#poolPfns.length >= this.maxPools) {
      if (!this.#warnedFull) {
        this.#warnedFull = true;
        this.#warn('Stack depot reached limit capacity');
      }
      return { pool: -1, prealloc };
    }
    let pfn = -1;
    if (this.#spare >= 0) {
      pfn = this.#spare;
      this.#spare = -1;
      this.#spareReady = false;
    } else if (prealloc >= 0) {
      pfn = prealloc;
      prealloc = -1;
    }
    if (pfn < 0) return { pool: -1, prealloc };
    this.#poolPfns.push(pfn);
    this.#slots.push(new Int32Array(DEPOT_POOL_SIZE >>> ALIGN_SHIFT).fill(-1));
    this.#poolOffset = 0;
    this.stats.pools = this.#poolPfns.length;
    // The last pool: stop preallocating for good (v4.8 leaves `next_slab_inited` set when it moves into the last
    // slab; v6.18 sets `new_pool` to STACK_DEPOT_POISON).
    if (this.#poolPfns.length >= this.maxPools) this.#spareReady = true;
    // Keep hold of what is left of the preallocation as the next spare (v4.8 init_stack_slab, v6.18
    // depot_keep_new_pool).
    if (prealloc >= 0) prealloc = this.#keepSpare(prealloc);
    return { pool: this.#poolPfns.length - 1, prealloc };
  }

  /** Keeps a preallocated pool as the spare if none is held; returns it (-1) or gives it back to be freed. */
  #keepSpare(prealloc: number): number {
    if (this.#spareReady || this.#spare >= 0 || this.#poolPfns.length + 1 > this.maxPools) return prealloc;
    this.#spare = prealloc;
    this.#spareReady = true;
    return -1;
  }

  #newRecord(handle: number): number {
    if (this.#recordCount === this.#recordHash.length) {
      const grow = <T extends Uint32Array | Uint16Array | Int32Array>(array: T): T => {
        const grown = new (array.constructor as new (length: number) => T)(array.length * 2);
        grown.set(array);
        return grown;
      };
      this.#recordHash = grow(this.#recordHash);
      this.#recordSize = grow(this.#recordSize);
      this.#recordFrames = grow(this.#recordFrames);
      this.#recordNext = grow(this.#recordNext);
      this.#recordHandle = grow(this.#recordHandle);
      this.#recordRefcount = grow(this.#recordRefcount);
    }
    const record = this.#recordCount++;
    this.#recordHandle[record] = handle;
    this.#recordFrames[record] = this.#frameCount;
    return record;
  }

  /** Copies the frames into the record's slot, reserving `capacity` frames the first time. */
  #writeFrames(record: number, frames: ArrayLike<number>, count: number, capacity: number): void {
    let start = this.#recordFrames[record]!;
    if (start === this.#frameCount) {
      if (this.#frameCount + capacity > this.#frames.length) {
        const grown = new Uint32Array(Math.max(this.#frames.length * 2, this.#frameCount + capacity));
        grown.set(this.#frames);
        this.#frames = grown;
      }
      this.#frameCount += capacity;
      start = this.#recordFrames[record]!;
    }
    for (let index = 0; index < count; index++) this.#frames[start + index] = frames[index]!;
  }

  /** Puts a record at the head of its bucket's chain, growing the host table when it gets crowded. */
  #link(record: number, hash: number): void {
    if (++this.#linked > this.#buckets.length && this.#buckets.length < this.#options.buckets) {
      const old = this.#buckets;
      this.#buckets = new Int32Array(old.length * 2).fill(-1);
      this.#bucketMask = this.#buckets.length - 1;
      for (let bucket = 0; bucket < old.length; bucket++) {
        for (let current = old[bucket]!; current >= 0; ) {
          const next = this.#recordNext[current]!;
          const target = this.#recordHash[current]! & this.#bucketMask;
          this.#recordNext[current] = this.#buckets[target]!;
          this.#buckets[target] = current;
          current = next;
        }
      }
    }
    const bucket = hash & this.#bucketMask;
    this.#recordNext[record] = this.#buckets[bucket]!;
    this.#buckets[bucket] = record;
  }

  #unlinkRecord(record: number): void {
    const bucket = this.#recordHash[record]! & this.#bucketMask;
    let previous = -1;
    for (let current = this.#buckets[bucket]!; current >= 0; current = this.#recordNext[current]!) {
      if (current === record) {
        if (previous < 0) this.#buckets[bucket] = this.#recordNext[current]!;
        else this.#recordNext[previous] = this.#recordNext[current]!;
        this.#linked--;
        return;
      }
      previous = current;
    }
  }

  #warn(message: string): void {
    this.#options.warn?.(message);
  }
}

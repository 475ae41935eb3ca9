import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEPOT_POOL_SIZE,
  REFCOUNT_SATURATED,
  STACK_DEPOT_FLAG_CAN_ALLOC,
  STACK_DEPOT_FLAG_GET,
  StackDepot,
} from './stack-depot';

const gfpV48 = {
  GFP_KERNEL: 0x24000c0,
  GFP_ATOMIC: 0x2080020,
  ZONEMASK: 0xf,
  NOWARN: 0x200,
  NORETRY: 0x1000,
  NOMEMALLOC: 0x10000,
  DIRECT_RECLAIM: 0x400000,
  KSWAPD_RECLAIM: 0x2000000,
};
const gfpV618 = {
  GFP_KERNEL: 0xcc0,
  GFP_ATOMIC: 0x820,
  ZONEMASK: 0xf,
  NOWARN: 0x2000,
  NORETRY: 0x10000,
  NOMEMALLOC: 0x80000,
  DIRECT_RECLAIM: 0x400,
  KSWAPD_RECLAIM: 0x800,
};

/** A page source that hands out pools from a counter and can be told to fail. */
function pages() {
  const calls: { gfp: number; order: number }[] = [];
  const freed: number[] = [];
  let next = 0x1000;
  let fail = false;
  return {
    calls,
    freed,
    fail: (value: boolean) => {
      fail = value;
    },
    source: {
      allocPages: (gfp: number, order: number) => {
        calls.push({ gfp, order });
        if (fail) return -1;
        const pfn = next;
        next += 1 << order;
        return pfn;
      },
      freePages: (pfn: number) => freed.push(pfn),
    },
  };
}

function depot(era: 'v4' | 'v6', buckets = 1 << 12) {
  const source = pages();
  const warnings: string[] = [];
  const instance = new StackDepot({
    era,
    gfp: era === 'v4' ? gfpV48 : gfpV618,
    pages: source.source,
    buckets,
    warn: (message) => warnings.push(message),
  });
  return { depot: instance, source, warnings };
}

const trace = (...frames: number[]) => Uint32Array.from(frames);

describe('StackDepot handles', () => {
  it('uses the v4.8 layout: slab index, offset in 16-byte units, valid bit', () => {
    const { depot: d } = depot('v4');
    expect(d.encodeHandle(1, 0)).toBe(0x80000001);
    expect(d.encodeHandle(0, 1)).toBe(0x80200000);
    const handle = d.save(trace(0x81000000, 0x81000010), 2, gfpV48.GFP_KERNEL);
    expect(handle).toBe(0x80000000);
    // 24-byte header + 16 bytes of frames = 40, aligned to 48: the next record starts at offset 3 (units of 16).
    expect(d.save(trace(0x81000020), 1, gfpV48.GFP_KERNEL)).toBe((0x80000000 | (3 << 21)) >>> 0);
  });

  it('uses the v6.18 layout: pool index + 1, offset, extra bits', () => {
    const { depot: d } = depot('v6');
    expect(d.encodeHandle(0, 0)).toBe(1);
    expect(d.encodeHandle(0, 1)).toBe(0x20001);
    const first = d.save(trace(0x81000000, 0x81000010), 2, gfpV618.GFP_KERNEL);
    expect(first).toBe(1);
    // 32 + 16 = 48: offset 3.
    expect(d.save(trace(0x81000020), 1, gfpV618.GFP_KERNEL)).toBe(1 | (3 << 17));
    expect(d.decodeHandle(0x8000000 | 1)).toEqual({ pool: 0, offset: 0, extra: 1, valid: true });
  });
});

describe('StackDepot storage', () => {
  it('deduplicates and fetches the frames back', () => {
    const { depot: d } = depot('v6');
    const frames = trace(0x81001234, 0x81005678, 0x8100abcd);
    const handle = d.save(frames, 3, gfpV618.GFP_KERNEL);
    expect(d.save(trace(0x81001234, 0x81005678, 0x8100abcd), 3, gfpV618.GFP_KERNEL)).toBe(handle);
    expect(d.stats.stacks).toBe(1);
    expect(d.stats.hits).toBe(1);
    const out = new Uint32Array(16);
    expect(d.fetch(handle, out)).toBe(3);
    expect(Array.from(out.subarray(0, 3))).toEqual(Array.from(frames));
    expect(d.save(trace(0x81001234, 0x81005678), 2, gfpV618.GFP_KERNEL)).not.toBe(handle);
    expect(d.fetch(0, out)).toBe(0);
  });

  it('returns 0 for an empty trace', () => {
    expect(depot('v4').depot.save(trace(), 0, gfpV48.GFP_KERNEL)).toBe(0);
  });

  it('takes order-2 pools with the nested gfp of each era and keeps one spare', () => {
    const v4 = depot('v4');
    v4.depot.save(trace(1), 1, gfpV48.GFP_KERNEL | 0x2 /* __GFP_HIGHMEM */);
    v4.depot.save(trace(2), 1, gfpV48.GFP_KERNEL);
    expect(v4.source.calls).toEqual([
      { gfp: gfpV48.GFP_KERNEL | gfpV48.NOWARN, order: 2 },
      { gfp: gfpV48.GFP_KERNEL | gfpV48.NOWARN, order: 2 },
    ]);
    expect(v4.depot.stats.pools).toBe(1);
    expect(v4.depot.stats.pages).toBe(8);
    const v6 = depot('v6');
    v6.depot.save(trace(1), 1, gfpV618.GFP_KERNEL | 0x8 /* __GFP_MOVABLE */);
    expect(v6.source.calls[0]).toEqual({
      gfp: gfpV618.GFP_KERNEL | gfpV618.NORETRY | gfpV618.NOMEMALLOC | gfpV618.NOWARN,
      order: 2,
    });
  });

  it('fills a pool, moves on to the spare and preallocates the next one', () => {
    const { depot: d } = depot('v4');
    const perPool = Math.floor(DEPOT_POOL_SIZE / d.recordBytes(16));
    for (let index = 0; index < perPool + 1; index++) {
      d.save(
        Uint32Array.from({ length: 16 }, (_, frame) => 0x81000000 + index * 64 + frame),
        16,
        gfpV48.GFP_KERNEL,
      );
    }
    // The record that did not fit went into the spare; the next new stack preallocates the next spare.
    expect(d.stats.pools).toBe(2);
    expect(d.stats.stacks).toBe(perPool + 1);
    expect(d.stats.pages).toBe(8);
    expect(d.sparePfn()).toBe(-1);
    d.save(trace(0x82000000), 1, gfpV48.GFP_KERNEL);
    expect(d.stats.pages).toBe(12);
    expect(d.poolPfns()).toHaveLength(2);
    expect(d.sparePfn()).toBeGreaterThan(0);
  });

  it('returns 0 when no pool can be allocated, and succeeds again once memory is back', () => {
    const { depot: d, source } = depot('v6');
    source.fail(true);
    expect(d.save(trace(1, 2), 2, gfpV618.GFP_KERNEL)).toBe(0);
    expect(d.stats.failures).toBe(1);
    source.fail(false);
    expect(d.save(trace(1, 2), 2, gfpV618.GFP_KERNEL)).toBeGreaterThan(0);
  });

  it('does not allocate for requests that cannot spin (v6.18) and fails without a pool', () => {
    const { depot: d, source } = depot('v6');
    expect(d.save(trace(1), 1, 0 /* no reclaim bits */)).toBe(0);
    expect(source.calls).toHaveLength(0);
  });

  it('warns once and fails when the pool limit is reached', () => {
    const source = pages();
    const warnings: string[] = [];
    const d = new StackDepot({
      era: 'v4',
      gfp: gfpV48,
      pages: source.source,
      buckets: 16,
      maxPools: 2,
      warn: (m) => warnings.push(m),
    });
    let failures = 0;
    for (let index = 0; index < 2000; index++) {
      const handle = d.save(
        Uint32Array.from({ length: 16 }, (_, frame) => index * 100 + frame),
        16,
        gfpV48.GFP_KERNEL,
      );
      if (handle === 0) failures++;
    }
    expect(d.stats.pools).toBe(2);
    expect(failures).toBeGreaterThan(0);
    expect(warnings).toEqual(['Stack depot reached limit capacity']);
  });

  it('refcounts GET records, recycles them through the freelist, and reports stats (v6.18)', () => {
    const { depot: d } = depot('v6');
    const flags = STACK_DEPOT_FLAG_CAN_ALLOC | STACK_DEPOT_FLAG_GET;
    const handle = d.save(trace(7, 8), 2, gfpV618.GFP_KERNEL, flags);
    expect(d.save(trace(7, 8), 2, gfpV618.GFP_KERNEL, flags)).toBe(handle);
    expect(d.refcount(handle)).toBe(2);
    d.put(handle);
    d.put(handle);
    expect(d.stats.freelistSize).toBe(1);
    const reused = d.save(trace(9), 1, gfpV618.GFP_KERNEL, flags);
    expect(reused).toBe(handle);
    expect(d.statsText()).toBe(
      'pools: 1\nrefcounted_allocations: 2\nrefcounted_frees: 1\nrefcounted_in_use: 1\nfreelist_size: 0\npersistent_count: 0\npersistent_bytes: 0\n',
    );
  });

  it('round-trips any set of stacks: every handle fetches its own frames', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('v4' as const, 'v6' as const),
        fc.array(fc.array(fc.integer({ min: 0x81000000, max: 0x82ffffff }), { minLength: 1, maxLength: 20 }), {
          maxLength: 300,
        }),
        (era, stacks) => {
          const { depot: d } = depot(era, 64);
          const gfp = era === 'v4' ? gfpV48.GFP_KERNEL : gfpV618.GFP_KERNEL;
          const handles = stacks.map((frames) => d.save(Uint32Array.from(frames), frames.length, gfp));
          const out = new Uint32Array(64);
          stacks.forEach((frames, index) => {
            const count = d.fetch(handles[index]!, out);
            expect(Array.from(out.subarray(0, count))).toEqual(frames);
          });
          const distinct = new Set(stacks.map((frames) => frames.join(',')));
          expect(new Set(handles).size).toBe(distinct.size);
          expect(d.stats.stacks).toBe(distinct.size);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('StackDepot host hash table', () => {
  it.each(['v4', 'v6'] as const)('%s: grows past its first 1024 buckets and still finds every stack', (era) => {
    const { depot: d } = depot(era, 1 << 20);
    const gfp = era === 'v4' ? gfpV48.GFP_KERNEL : gfpV618.GFP_KERNEL;
    const small = d.hostBytes();
    const stack = (index: number) => Uint32Array.from({ length: 12 }, (_, frame) => 0x81000000 + index * 64 + frame);
    const handles = Array.from({ length: 5000 }, (_, index) => d.save(stack(index), 12, gfp));
    expect(new Set(handles).size).toBe(5000);
    const out = new Uint32Array(16);
    handles.forEach((handle, index) => {
      expect(d.save(stack(index), 12, gfp)).toBe(handle);
      expect(Array.from(out.subarray(0, d.fetch(handle, out)))).toEqual(Array.from(stack(index)));
    });
    expect(d.stats.stacks).toBe(5000);
    // The simulated kernel table is the era's; the host's follows the records.
    expect(d.hashTableBytes).toBe((1 << 20) * (era === 'v6' ? 16 : 8));
    expect(d.hostBytes() - small).toBeLessThan(5000 * 200);
  });
});

const gfpOfEra = { v4: gfpV48.GFP_KERNEL, v6: gfpV618.GFP_KERNEL } as const;
const GET = STACK_DEPOT_FLAG_CAN_ALLOC | STACK_DEPOT_FLAG_GET;

describe('StackDepot properties', () => {
  it('round-trips stacks of any length and any 32-bit frames; v6.18 keeps the first 64 frames', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('v4' as const, 'v6' as const),
        fc.array(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 100 }), {
          minLength: 1,
          maxLength: 60,
        }),
        (era, stacks) => {
          const { depot: d } = depot(era, 16);
          const kept = stacks.map((frames) => (era === 'v6' ? frames.slice(0, 64) : frames));
          const handles = stacks.map((frames) => d.save(Uint32Array.from(frames), frames.length, gfpOfEra[era]));
          const out = new Uint32Array(128);
          kept.forEach((frames, index) => {
            expect(d.fetch(handles[index]!, out)).toBe(frames.length);
            expect(Array.from(out.subarray(0, frames.length))).toEqual(frames);
            expect(d.framesOf(handles[index]!)).toEqual(frames);
          });
          // Equal (kept) stacks share a handle, different ones never do.
          const byKey = new Map<string, number>();
          kept.forEach((frames, index) => {
            const key = frames.join(',');
            const known = byKey.get(key);
            if (known === undefined) byKey.set(key, handles[index]!);
            else expect(handles[index]).toBe(known);
          });
          expect(new Set(byKey.values()).size).toBe(byKey.size);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('encodes and decodes every pool index and offset in each era layout', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: (1 << 21) - 1 }), fc.integer({ min: 0, max: 1023 }), (pool, offset) => {
        const d = depot('v4').depot;
        const handle = d.encodeHandle(pool, offset);
        expect(handle).toBe((pool + offset * 2 ** 21 + 2 ** 31) >>> 0);
        expect(d.decodeHandle(handle)).toEqual({ pool, offset, extra: 0, valid: true });
      }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: (1 << 17) - 2 }),
        fc.integer({ min: 0, max: 1023 }),
        fc.integer({ min: 0, max: 31 }),
        (pool, offset, extra) => {
          const d = depot('v6').depot;
          const handle = d.encodeHandle(pool, offset);
          expect(handle).toBe(pool + 1 + offset * 2 ** 17);
          expect(handle).not.toBe(0);
          expect(d.decodeHandle(handle)).toEqual({ pool, offset, extra: 0, valid: true });
          // The 5 extra bits (stack_depot_set_extra_bits) sit above and leave the rest alone.
          expect(d.decodeHandle((handle | (extra << 27)) >>> 0)).toEqual({ pool, offset, extra, valid: true });
        },
      ),
    );
  });

  it('carves records one after another out of 16 KiB pools, 16-byte aligned, never across a pool end', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('v4' as const, 'v6' as const),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 400 }),
        (era, lengths) => {
          const { depot: d } = depot(era, 64);
          lengths.forEach((length, index) => {
            const frames = Uint32Array.from({ length }, (_, frame) => 0x81000000 + index * 0x1000 + frame);
            expect(d.save(frames, length, gfpOfEra[era])).not.toBe(0);
          });
          const records: { pool: number; start: number; end: number }[] = [];
          d.forEachRecord((handle, frames) => {
            const { pool, offset, valid } = d.decodeHandle(handle);
            expect(valid).toBe(true);
            if (era === 'v4') expect(handle >>> 31).toBe(1);
            records.push({ pool, start: offset * 16, end: offset * 16 + d.recordBytes(frames) });
          });
          expect(records).toHaveLength(lengths.length);
          records.sort((a, b) => a.pool - b.pool || a.start - b.start);
          records.forEach((record, index) => {
            expect(record.pool).toBeLessThan(d.stats.pools);
            expect(record.end).toBeLessThanOrEqual(DEPOT_POOL_SIZE);
            const next = records[index + 1];
            if (next?.pool === record.pool) expect(record.end).toBeLessThanOrEqual(next.start);
          });
          expect(d.stats.bytes).toBe(records.reduce((sum, record) => sum + record.end - record.start, 0));
          // Saved without STACK_DEPOT_FLAG_GET: every record is persistent.
          expect(d.stats.persistentBytes).toBe(d.stats.bytes);
          expect(d.stats.persistentCount).toBe(lengths.length);
          expect(d.poolPfns()).toHaveLength(d.stats.pools);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('gives equal stacks equal handles whatever the flags (v6.18: GET finds a persistent record too)', () => {
    const stacks = [[1, 2, 3], [1, 2], [1, 2, 3, 4], [9], [3, 2, 1]];
    fc.assert(
      fc.property(
        fc.array(fc.record({ stack: fc.integer({ min: 0, max: stacks.length - 1 }), get: fc.boolean() }), {
          maxLength: 40,
        }),
        (saves) => {
          const { depot: d } = depot('v6');
          const handles = new Map<number, number>();
          for (const { stack, get } of saves) {
            const frames = Uint32Array.from(stacks[stack]!);
            const handle = d.save(frames, frames.length, gfpV618.GFP_KERNEL, get ? GET : STACK_DEPOT_FLAG_CAN_ALLOC);
            expect(handle).not.toBe(0);
            if (handles.has(stack)) expect(handle).toBe(handles.get(stack));
            handles.set(stack, handle);
          }
          expect(new Set(handles.values()).size).toBe(handles.size);
          expect(d.stats.stacks).toBe(handles.size);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('counts GET references, never below zero, and frees records to the freelist at zero, oldest reused first', () => {
    const stacks = [[0x81000010], [0x81000020, 0x81000030], [0x81000040], [0x81000050, 0x81000060, 0x81000070]];
    fc.assert(
      fc.property(
        fc.array(fc.record({ put: fc.boolean(), stack: fc.integer({ min: 0, max: stacks.length - 1 }) }), {
          maxLength: 80,
        }),
        (operations) => {
          const { depot: d, warnings } = depot('v6');
          const references = stacks.map(() => 0);
          const handles: (number | undefined)[] = stacks.map(() => undefined);
          const freed: number[] = [];
          let allocations = 0;
          for (const { put, stack } of operations) {
            if (put) {
              if (references[stack] === 0) continue;
              d.put(handles[stack]!);
              if (--references[stack]! === 0) {
                freed.push(handles[stack]!);
                expect(d.fetch(handles[stack]!, new Uint32Array(8))).toBe(0);
                handles[stack] = undefined;
              }
            } else {
              const frames = Uint32Array.from(stacks[stack]!);
              const handle = d.save(frames, frames.length, gfpV618.GFP_KERNEL, GET);
              if (references[stack] === 0) {
                allocations++;
                // A new record: the oldest freed one is recycled when there is one.
                if (freed.length > 0) expect(handle).toBe(freed.shift());
                handles[stack] = handle;
              } else {
                expect(handle).toBe(handles[stack]);
              }
              references[stack]!++;
            }
            const live = references.filter((count) => count > 0).length;
            references.forEach((count, index) => {
              if (count > 0) expect(d.refcount(handles[index]!)).toBe(count);
            });
            expect(d.stats.refcountedInUse).toBe(live);
            expect(d.stats.refcountedAllocations).toBe(allocations);
            expect(d.stats.refcountedFrees).toBe(allocations - live);
            expect(d.stats.freelistSize).toBe(freed.length);
            expect(d.stats.stacks).toBe(live);
          }
          expect(warnings.filter((warning) => !warning.startsWith('corrupt handle or use after'))).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('StackDepot put() and fetch() of records that are gone (v6.18)', () => {
  it('ignores handle 0, and warns without underflowing on a put of a freed record', () => {
    const { depot: d, warnings } = depot('v6');
    d.put(0);
    expect(warnings).toEqual([]);
    const handle = d.save(trace(5, 6), 2, gfpV618.GFP_KERNEL, GET);
    d.put(handle);
    expect(d.stats.freelistSize).toBe(1);
    d.put(handle);
    expect(warnings).toEqual(['corrupt handle or unbalanced stack_depot_put()']);
    expect(d.refcount(handle)).toBe(0);
    expect(d.stats).toMatchObject({ freelistSize: 1, refcountedFrees: 1, refcountedInUse: 0 });
    expect(d.fetch(handle, new Uint32Array(8))).toBe(0);
    expect(warnings.at(-1)).toBe('corrupt handle or use after stack_depot_put()');
  });

  it('keeps a persistent record saturated when put, and finds it for a GET save', () => {
    const { depot: d, warnings } = depot('v6');
    const handle = d.save(trace(7), 1, gfpV618.GFP_KERNEL);
    expect(d.refcount(handle)).toBe(REFCOUNT_SATURATED);
    d.put(handle);
    expect(warnings).toEqual(['refcount_t: underflow; use-after-free.']);
    expect(d.refcount(handle)).toBe(REFCOUNT_SATURATED);
    expect(d.save(trace(7), 1, gfpV618.GFP_KERNEL, GET)).toBe(handle);
    expect(d.refcount(handle)).toBe(REFCOUNT_SATURATED);
    expect(d.stats).toMatchObject({ stacks: 1, persistentCount: 1, refcountedAllocations: 0 });
    expect(d.framesOf(handle)).toEqual([7]);
  });
});

describe('StackDepot pool limit', () => {
  it.each(['v4', 'v6'] as const)(
    '%s: warns once, fails new stacks, still finds stored ones, and takes no more pages',
    (era) => {
      const source = pages();
      const warnings: string[] = [];
      const d = new StackDepot({
        era,
        gfp: era === 'v4' ? gfpV48 : gfpV618,
        pages: source.source,
        buckets: 64,
        maxPools: 2,
        warn: (message) => warnings.push(message),
      });
      const stack = (index: number) => Uint32Array.from({ length: 16 }, (_, frame) => 0x81000000 + index * 64 + frame);
      const handles: number[] = [];
      let index = 0;
      for (; handles.length === index; index++) {
        const handle = d.save(stack(index), 16, gfpOfEra[era]);
        if (handle !== 0) handles.push(handle);
      }
      // Two pools of 102 records of 160 bytes each.
      expect(handles).toHaveLength(2 * Math.floor(DEPOT_POOL_SIZE / d.recordBytes(16)));
      expect(d.stats.pools).toBe(2);
      const calls = source.calls.length;
      for (let more = 0; more < 500; more++) expect(d.save(stack(index + more), 16, gfpOfEra[era])).toBe(0);
      handles.forEach((handle, stored) => {
        expect(d.save(stack(stored), 16, gfpOfEra[era])).toBe(handle);
      });
      expect(warnings).toEqual(['Stack depot reached limit capacity']);
      expect(d.stats.failures).toBe(501);
      // The kernel stops preallocating once the last pool is in use (v4.8 next_slab_inited stays set; v6.18
      // new_pool is poisoned): no page is taken or freed after that.
      expect(source.calls.length).toBe(calls);
      expect(source.calls.length).toBe(2);
      expect(source.freed).toEqual([]);
      expect(d.stats.pages).toBe(8);
      expect(d.sparePfn()).toBe(-1);
    },
  );
});

describe('StackDepot without memory', () => {
  it.each(['v4', 'v6'] as const)('%s: returns handle 0 when the page source fails, holding no page', (era) => {
    const { depot: d, source } = depot(era);
    source.fail(true);
    expect(d.save(trace(1, 2, 3), 3, gfpOfEra[era])).toBe(0);
    expect(d.save(trace(1, 2, 3), 3, gfpOfEra[era])).toBe(0);
    expect(d.stats).toMatchObject({ pools: 0, pages: 0, stacks: 0, failures: 2, hits: 0 });
    expect(source.calls).toHaveLength(2);
    expect(d.fetch(0, new Uint32Array(4))).toBe(0);
  });

  it.each(['v4', 'v6'] as const)('%s: still stores into the current pool while the page source fails', (era) => {
    const { depot: d, source } = depot(era);
    const first = d.save(trace(1), 1, gfpOfEra[era]);
    const second = d.save(trace(2), 1, gfpOfEra[era]);
    source.fail(true);
    const third = d.save(trace(3), 1, gfpOfEra[era]);
    expect([first, second, third].every((handle) => handle !== 0)).toBe(true);
    expect(d.save(trace(1), 1, gfpOfEra[era])).toBe(first);
    expect(d.stats.pools).toBe(1);
  });
});

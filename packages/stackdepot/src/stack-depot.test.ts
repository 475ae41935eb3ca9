import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEPOT_POOL_SIZE, STACK_DEPOT_FLAG_CAN_ALLOC, STACK_DEPOT_FLAG_GET, StackDepot } from './stack-depot';

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

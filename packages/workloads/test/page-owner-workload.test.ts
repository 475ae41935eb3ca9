import { allFeatures } from '@mm/defaults';
import { boot, type Kernel } from '@mm/kernel';
import { dumpPageOwner, forEachPageOwnerRecord, InfoBits, pageOwner, RecordFormatter } from '@mm/page-owner';
import type { ProfileName } from '@mm/physmem';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type KernelPath, kernelBuild, Simulation } from '../src/index';

/** Runs a small kernel build (1 GiB, 60 compile units) under `profile`. */
function buildOn(profile: ProfileName, depotFailureRate?: number): { kernel: Kernel; sim: Simulation } {
  const kernel = boot({
    memory: '1G',
    profile,
    cmdline: 'page_owner=on',
    cpus: 2,
    features: allFeatures(depotFailureRate !== undefined ? { depotFailureRate } : {}),
  });
  const sim = new Simulation(kernel, { seed: 7 });
  kernelBuild({ units: 60 }).run(sim);
  return { kernel, sim };
}

/** The frames a variant of `path` can start with (alternative runs may be empty: then the next part starts it). */
function outermostFrames(path: KernelPath): string[] {
  const frames: string[] = [];
  for (const part of path) {
    if (typeof part === 'string') return [...frames, part];
    for (const run of part) if (run.length > 0) frames.push(run[0]!);
    if (part.every((run) => run.length > 0)) return frames;
  }
  return frames;
}

/** Pages whose record (as the dump shows it) carries `handle`, by pfn. */
function pagesWithHandle(kernel: Kernel, handle: number): Set<number> {
  const pages = new Set<number>();
  forEachPageOwnerRecord(kernel.feature(pageOwner)!, (pfn, recordHandle, order) => {
    if (recordHandle === handle) for (let page = 0; page < 1 << order; page++) pages.add(pfn + page);
  });
  return pages;
}

describe.each(['v4.8', 'v6.18'] as const)('page_owner under a workload, %s', (profile) => {
  it('records the depot’s own pools with the dummy stack: recursion caught, not special-cased', () => {
    const { kernel } = buildOn(profile);
    const owner = kernel.feature(pageOwner)!;
    const depot = owner.depot;
    // The workload made the depot grow after page_owner started, so some pools were allocated under page_owner.
    expect(depot.stats.pools).toBeGreaterThan(1);
    const depotPages = new Set<number>();
    for (const pfn of [...depot.poolPfns(), depot.sparePfn()]) {
      if (pfn >= 0) for (let page = 0; page < 4; page++) depotPages.add(pfn + page);
    }
    const dummy = pagesWithHandle(kernel, owner.dummyHandle);
    const slabPages = new Set(owner.listSlabPfns);
    // Every page recorded with the dummy stack is a depot pool page or (v6.18) a page_owner_stacks list slab page.
    for (const pfn of dummy) expect(depotPages.has(pfn) || slabPages.has(pfn)).toBe(true);
    // And every depot page is recorded: with the dummy stack, or, for the pools taken while page_owner was
    // registering its own stacks (before its hooks were live), by the sweep of early pages.
    const formatter = new RecordFormatter(owner);
    let early = 0;
    for (const pfn of depotPages) {
      if (dummy.has(pfn)) continue;
      early++;
      const head = pfn - (pfn % 4);
      expect(formatter.record(head)).toMatch(/^Page allocated via order 0, mask 0x0\(\)/);
    }
    expect(early).toBeLessThanOrEqual(8);
    expect([...dummy].filter((pfn) => depotPages.has(pfn)).length).toBe(depotPages.size - early);
    expect(dummy.size - (depotPages.size - early)).toBe(owner.listSlabPfns.length);
    // The dummy stack is the registration's: page_owner's own init path.
    expect(formatter.stack(owner.dummyHandle)).toMatch(/register_dummy_stack/);
  });

  it('survives a failing depot: records carry the failure stack and the dump stays consistent', () => {
    // Every pool allocation fails once page_owner runs: new stacks fit until the current pool is full, then fail.
    const { kernel } = buildOn(profile, 1);
    const owner = kernel.feature(pageOwner)!;
    expect(owner.depot.stats.failures).toBeGreaterThan(0);
    const failed = pagesWithHandle(kernel, owner.failureHandle);
    expect(failed.size).toBeGreaterThan(0);
    const formatter = new RecordFormatter(owner);
    expect(formatter.stack(owner.failureHandle)).toMatch(/register_failure_stack/);
    let records = 0;
    let bytes = 0;
    dumpPageOwner(owner, (record) => {
      records++;
      bytes += record.length;
      expect(record).toMatch(
        // v6.18 adds the page's cgroup (print_page_owner_memcg()) after the migration line.
        /^Page allocated via order \d+, mask 0x[0-9a-f]+\(.*\n(PFN .*\n)( .+\n)+(Page has .*\n)?(Slab cache page\n)?(Charged .*\n)?\n$/,
      );
    });
    expect(records).toBeGreaterThan(1000);
    expect(bytes).toBeGreaterThan(records * 100);
  });
});

describe('page_owner invariants under random workloads (property)', () => {
  const profiles = ['v4.7', 'v4.8', 'v6.18'] as const;

  it.each(profiles)(
    '%s: one owner record per allocated block, freed pages per era, fetch returns the saved frames',
    (profile) => {
      const kernel = boot({ memory: '256M', profile, cmdline: 'page_owner=on', cpus: 2, features: allFeatures() });
      const sim = new Simulation(kernel, { seed: 3 });
      const owner = kernel.feature(pageOwner)!;
      const { records } = owner;
      const g = kernel.profile.gfp.flags;
      const kinds = Object.keys(sim.paths).filter((kind) => !/Free$/.test(kind));
      const held = new Map<number, { order: number; path: KernelPath }>();
      const freed = new Set<number>();
      const out = new Uint32Array(64);
      const task = sim.spawn('fuzz');

      fc.assert(
        fc.property(
          fc.array(
            fc.oneof(
              fc.record({ op: fc.constant('alloc' as const), kind: fc.nat(kinds.length - 1), order: fc.nat(3) }),
              fc.record({ op: fc.constant('free' as const), pick: fc.nat() }),
              fc.record({ op: fc.constant('split' as const), pick: fc.nat() }),
            ),
            { maxLength: 60 },
          ),
          (ops) => {
            sim.run(task, () => {
              for (const op of ops) {
                sim.step(1000);
                if (op.op === 'alloc') {
                  const path = sim.paths[kinds[op.kind]!]!;
                  const pfn = sim.alloc(path, g.GFP_KERNEL, op.order);
                  if (pfn < 0) continue;
                  held.set(pfn, { order: op.order, path });
                  for (let page = 0; page < 1 << op.order; page++) freed.delete(pfn + page);
                } else if (held.size > 0) {
                  const pfns = [...held.keys()];
                  const pfn = pfns[op.pick % pfns.length]!;
                  const { order, path } = held.get(pfn)!;
                  if (op.op === 'free') {
                    sim.free(sim.paths.exitFree, pfn, order);
                    held.delete(pfn);
                    for (let page = 0; page < 1 << order; page++) freed.add(pfn + page);
                  } else if (order > 0) {
                    kernel.buddy.splitPage(pfn, order);
                    for (let page = 0; page < 1 << order; page++) held.set(pfn + page, { order: 0, path });
                  }
                }
              }
            });
            // Every block we hold has exactly one record, at its head, with its order.
            const shown = new Map<number, number>();
            const pagesByHandle = new Map<number, number>();
            forEachPageOwnerRecord(owner, (pfn, handle, order) => {
              shown.set(pfn, order);
              pagesByHandle.set(handle, (pagesByHandle.get(handle) ?? 0) + (1 << order));
            });
            // v6.18 stack counts: each charged stack counts the base pages allocated with it now (plus one).
            for (const handle of owner.stackList) {
              if (handle === owner.dummyHandle || handle === owner.failureHandle) continue;
              expect(owner.stackCount(handle) - 1).toBe(pagesByHandle.get(handle) ?? 0);
            }
            for (const [pfn, { order }] of held) {
              expect(shown.get(pfn)).toBe(order);
              for (let page = 1; page < 1 << order; page++) expect(shown.has(pfn + page)).toBe(false);
            }
            // Freed pages: v4.x clears the owner bit; v6.18 keeps the record as freed, with the free stack.
            for (const pfn of freed) {
              const nr = pfn >>> records.shift;
              const info = records.infoWord(nr, pfn & records.mask);
              if (owner.era.everyPage) {
                expect(info & InfoBits.OWNER).not.toBe(0);
                expect(info & InfoBits.OWNER_ALLOCATED).toBe(0);
                const free = records.freeContexts.get(pfn);
                expect(owner.contexts.handle(free)).not.toBe(0);
              } else {
                expect(info & InfoBits.OWNER).toBe(0);
              }
              expect(shown.has(pfn)).toBe(false);
            }
            // The depot gives back the frames that were on the stack: the path's outermost frames, in order.
            for (const [pfn, { path }] of held) {
              const handle = records.allocHandle(pfn >>> records.shift, pfn & records.mask);
              const count = owner.depot.fetch(handle, out);
              expect(count).toBeGreaterThan(0);
              const outermost = out[count - 1] === 0xffffffff ? out[count - 2]! : out[count - 1]!;
              if (owner.era.name === 'v4.7') continue; // 8 inline frames rarely reach the outermost caller.
              const candidates = outermostFrames(path).map((frame) => kernel.text.site(frame));
              if (count < owner.era.depth) expect(candidates).toContain(outermost);
            }
          },
        ),
        { numRuns: 40, seed: 42 },
      );
      // Once page_owner stops, what it kept pending is in the depot.
      const counts = owner.stackList.map((handle) => owner.stackCount(handle));
      owner.disable();
      expect(owner.stackList.map((handle) => owner.depot.refcount(handle))).toEqual(counts);
    },
  );
});

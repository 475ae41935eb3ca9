import { boot } from '@mm/kernel';
import { describe, expect, it } from 'vitest';
import { Simulation } from './simulation';

const machine = (profile: 'v4.8' | 'v6.18' = 'v6.18') => boot({ memory: '256M', profile, cpus: 2 });

describe('Simulation', () => {
  it('draws the same sequence from the same seed, and another from another seed', () => {
    const draw = (seed: number) => {
      const sim = new Simulation(machine(), { seed });
      return Array.from({ length: 8 }, () => sim.randomInt(0, 1000));
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
    const sim = new Simulation(machine());
    for (let index = 0; index < 1000; index++) {
      const value = sim.random();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });

  it('makes a task current while it runs, and restores the previous one even on a throw', () => {
    const kernel = machine();
    const sim = new Simulation(kernel);
    const snapshot = () => {
      const { pid, tgid, comm, cpu } = kernel.memory.current;
      return { pid, tgid, comm, cpu };
    };
    const before = snapshot();
    const cc = sim.spawn('a-very-long-command-name');
    expect(cc.comm).toBe('a-very-long-com'); // TASK_COMM_LEN - 1
    expect(cc.tgid).toBe(cc.pid);
    const thread = sim.spawn('cc1', { tgid: cc.pid });
    expect(thread.tgid).toBe(cc.pid);
    sim.run(cc, () => {
      expect(kernel.memory.current.pid).toBe(cc.pid);
      expect(kernel.memory.current.comm).toBe(cc.comm);
    });
    expect(() =>
      sim.run(thread, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(snapshot()).toEqual(before);
  });

  it('allocates through a path with its frames on the stack, and leaves the stack as it found it', () => {
    const kernel = machine();
    const sim = new Simulation(kernel);
    const depth = kernel.stack.depth;
    let seen: number[] = [];
    const unsubscribe = kernel.hooks.post_alloc.subscribe(() => {
      seen = Array.from({ length: kernel.stack.depth }, (_, index) => kernel.stack.peek(index));
    });
    const g = kernel.profile.gfp.flags;
    const pfn = sim.alloc(sim.paths.shmemWrite, g.GFP_HIGHUSER_MOVABLE, 0);
    unsubscribe();
    expect(pfn).toBeGreaterThanOrEqual(0);
    expect(kernel.stack.depth).toBe(depth);
    // The innermost frame is the path's last: the allocation API it called.
    expect(kernel.text.formatSymbol(seen[0]!)).toBe('alloc_pages_mpol+0x86/0xd0');
    expect(seen.length).toBe(depth + sim.paths.shmemWrite.length);
    sim.free(sim.paths.exitFree, pfn, 0);
    expect(kernel.stack.depth).toBe(depth);
  });

  it('faults, caches and exits through the vm, with every page accounted for', () => {
    const kernel = machine('v4.8');
    const sim = new Simulation(kernel, { seed: 9 });
    const free = () => kernel.buddy.totalFreePages();
    const before = free();
    const task = sim.spawn('cc1');
    sim.run(task, () => {
      expect(sim.fault(task, 50)).toBe(50);
      sim.readFile('include/linux/mm.h', 30);
      sim.readFile('include/linux/mm.h', 30); // cached: nothing new
      sim.writeShmem('tmp/ccA.s', 10);
    });
    expect(task.vm.mm.rss.anon).toBe(50);
    expect(sim.files.get('include/linux/mm.h')!.cachedPages).toBe(30);
    expect(sim.files.get('tmp/ccA.s')!.cachedPages).toBe(10);
    // 90 pages, and the heap's two page tables (its first page is the last of a 2 MiB span).
    expect(before - free()).toBe(92);
    // The heap on the active anonymous list (v4.8 adds new anonymous pages there), the tmpfs pages on the inactive
    // one, and the header, read twice, on the active file list (mark_page_accessed() twice).
    expect(kernel.vm.lru).toEqual({ inactive_anon: 10, active_anon: 50, inactive_file: 0, active_file: 30 });
    sim.exit(task);
    expect(sim.tasks.has(task.pid)).toBe(false);
    // The heap and its page table went back; the page cache and the tmpfs file stay.
    expect(before - free()).toBe(40);
    expect(sim.failures).toBe(0);
  });

  it('reads and writes only as a task', () => {
    const sim = new Simulation(machine());
    expect(() => sim.readFile('a', 1)).toThrow(
      'Simulation.readFile() reads and writes as a task: call it inside run()',
    );
  });

  it('picks among a path’s variants, resolving each once', () => {
    const kernel = machine();
    const sim = new Simulation(kernel, { seed: 3 });
    const byContent = new Map<string, Uint32Array>();
    for (let index = 0; index < 400; index++) {
      const sites = sim.resolve(sim.paths.anonFault);
      const key = sites.join(',');
      // The same variant is always the same resolved array: nothing is built per call.
      expect(byContent.get(key) ?? sites).toBe(sites);
      byContent.set(key, sites);
    }
    expect(byContent.size).toBeGreaterThan(10);
    expect(byContent.size).toBeLessThanOrEqual(1024);
  });
});

import { boot } from '@mm/kernel';
import { pageOwner } from '@mm/page-owner';
import { kernelBuild, Simulation } from '@mm/workloads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('runs a kernel build on a v4.8 machine with page_owner', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const progress = vi.spyOn(console, 'error').mockImplementation(() => {});
    // The README example, line for line:
    const kernel = boot({ memory: '2G', profile: 'v4.8', cmdline: 'page_owner=on', features: [pageOwner()] });
    const sim = new Simulation(kernel, { seed: 1 });
    kernelBuild({ units: 100 }).run(sim, (done) => console.error(`${Math.round(done * 100)}%`));
    const cc = sim.spawn('cc1');
    sim.run(cc, () => sim.fault(cc, 64)); // 64 anonymous page faults as cc1, with the era's fault path
    console.log(kernel.feature(pageOwner)!.depot.stats, sim.failures); // { pools: ..., stacks: ..., ... } 0

    const [[stats, failures]] = log.mock.calls as [
      [{ pools: number; stacks: number; bytes: number; failures: number }, number],
    ];
    // Hundreds of distinct stacks (the paths' variants), in the depot's 16 KiB slabs, none failed.
    expect(stats.stacks).toBeGreaterThan(250);
    expect(stats.pools).toBe(Math.ceil(stats.bytes / 16384));
    expect(stats.failures).toBe(0);
    expect(failures).toBe(0);
    expect(progress.mock.calls.at(-1)).toEqual(['100%']);
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});

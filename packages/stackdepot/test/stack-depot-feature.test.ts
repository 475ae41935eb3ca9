import { boot, type Kernel } from '@mm/kernel';
import type { Feature } from '@mm/kernel-spec';
import type { ProfileName } from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import { stackDepot } from '../src/index';

const withoutTime = (text: string) => text.replace(/^\[[ \d.]+\] /gm, '');

/**
 * A client of the depot, as page_owner is: `client=on` asks for the depot's early init (v6.18
 * `stack_depot_request_early_init()`), and once the kernel is up it saves one stack.
 */
function depotClient(): Feature<{ handle: number }> {
  return {
    name: 'depot_client',
    factory: depotClient,
    requires: [stackDepot()],
    boot: (setup) => {
      const api = { handle: -1 };
      let enabled = false;
      return {
        api,
        params: [
          {
            name: 'client',
            early: true,
            description: 'client=on',
            setup: (value) => {
              enabled = value === 'on';
              if (enabled) setup.feature(stackDepot)?.requestEarlyInit();
            },
          },
        ],
        lateInit: (kernel) => {
          if (!enabled) return;
          const frames = kernel.text.sites(['start_kernel+0x10/0x100', 'depot_client_init+0x20/0x40']);
          api.handle = setup
            .feature(stackDepot)!
            .depot.save(frames, frames.length, kernel.profile.gfp.flags.GFP_KERNEL);
        },
      };
    },
  };
}

function bootWith(profile: ProfileName, cmdline: string): Kernel {
  return boot({ memory: '1G', profile, cmdline, features: [depotClient()] });
}

describe('the stack depot as a feature', () => {
  it('v6.18: allocates its hash table from memblock and says so only when a client asked for early init', () => {
    const asked = withoutTime(bootWith('v6.18', 'client=on').dmesg());
    expect(asked).toMatch(
      /\nstackdepot: allocating hash table via alloc_large_system_hash\nstackdepot hash table entries: 65536 \(order: 8, 1048576 bytes, linear\)\nstackdepot: allocating space for 8192 stack pools via memblock\n/,
    );
    const kernel = bootWith('v6.18', 'client=on');
    const owners = kernel.memory.memblockReserved.map((region) => region.owner);
    expect(owners).toContain('stackdepot hash table');
    expect(owners).toContain('stackdepot pools');
    expect(kernel.feature(stackDepot)!.depot.hashTableBytes).toBe(65536 * 16);
    // Not asked: no line, no memblock, the default size of the depot's table.
    const quiet = bootWith('v6.18', '');
    expect(withoutTime(quiet.dmesg())).not.toMatch(/stackdepot/);
    expect(quiet.memory.memblockReserved.map((region) => region.owner)).not.toContain('stackdepot hash table');
  });

  it('v6.18: stack_depot_disable=on turns it off: the line, no table, every save returns 0, no debugfs file', () => {
    const kernel = bootWith('v6.18', 'stack_depot_disable=on client=on');
    expect(withoutTime(kernel.dmesg())).toMatch(/\nstackdepot: disabled\n/);
    expect(withoutTime(kernel.dmesg())).not.toMatch(/allocating hash table/);
    expect(kernel.feature(depotClient)!.handle).toBe(0);
    expect(kernel.feature(stackDepot)!.disabled).toBe(true);
    expect(kernel.files().map((file) => file.path)).not.toContain('sys/kernel/debug/stackdepot/stats');
    expect(withoutTime(bootWith('v6.18', 'stack_depot_disable=maybe').dmesg())).toContain(
      "Malformed early option 'stack_depot_disable'",
    );
  });

  it('v6.18: stack_depot_max_pools= between 1024 and 131071, else the kernel’s error and the default', () => {
    const pools = (cmdline: string) => {
      const log = withoutTime(bootWith('v6.18', `client=on ${cmdline}`).dmesg());
      return [/allocating space for (\d+) stack pools/.exec(log)?.[1], log] as const;
    };
    expect(pools('stack_depot_max_pools=0x800')[0]).toBe('2048');
    const [low, lowLog] = pools('stack_depot_max_pools=100');
    expect(low).toBe('8192');
    expect(lowLog).toContain('stackdepot: stack_depot_max_pools below 1024, using default of 8192');
    const [high, highLog] = pools('stack_depot_max_pools=131072');
    expect(high).toBe('8192');
    expect(highLog).toContain('stackdepot: stack_depot_max_pools exceeds 131071, using default of 8192');
    expect(pools('stack_depot_max_pools=lots')[1]).toContain("Malformed early option 'stack_depot_max_pools'");
  });

  it('v6.18: debugfs stackdepot/stats counts what its clients saved', () => {
    const kernel = bootWith('v6.18', 'client=on');
    expect(kernel.feature(depotClient)!.handle).toBeGreaterThan(0);
    const stats = kernel.files().find((file) => file.path === 'sys/kernel/debug/stackdepot/stats')!;
    let text = '';
    stats.read((chunk) => {
      text += chunk;
    });
    expect(text).toBe(
      'pools: 1\nrefcounted_allocations: 0\nrefcounted_frees: 0\nrefcounted_in_use: 0\nfreelist_size: 0\npersistent_count: 1\npersistent_bytes: 48\n',
    );
  });

  it('v4.8: a static depot with nothing to say at boot, no parameters and no debugfs file', () => {
    const kernel = bootWith('v4.8', 'client=on stack_depot_disable=on');
    expect(withoutTime(kernel.dmesg())).not.toMatch(/stackdepot/);
    expect(kernel.unknownParameters.map((argument) => argument.name)).toEqual(['stack_depot_disable']);
    expect(kernel.feature(depotClient)!.handle).toBeGreaterThan(0);
    expect(kernel.feature(stackDepot)!.depot.hashTableBytes).toBe((1 << 20) * 8);
    expect(kernel.files().map((file) => file.path)).not.toContain('sys/kernel/debug/stackdepot/stats');
  });

  it('reports itself in a run’s summary only once something was saved', () => {
    expect(bootWith('v6.18', '').summaries({ counters: new Map() })).toEqual([{ fields: { stackDepot: null } }]);
    const [summary] = bootWith('v6.18', 'client=on').summaries({ counters: new Map() });
    // The first save takes a pool (4 pages) and keeps no spare: the pool took the preallocation.
    expect(summary!.fields).toEqual({ stackDepot: { pools: 1, pages: 4, stacks: 1, bytes: 48, failures: 0 } });
    expect(summary!.lines).toEqual(['  stackdepot: 1 stacks in 1 pools, 4 pages (16 KiB)']);
  });
});

import { allFeatures } from '@mm/defaults';
import { boot, type Kernel } from '@mm/kernel';
import { dumpPageOwner, pageOwner } from '@mm/page-owner';
import { kernelBuild, Simulation } from '@mm/workloads';
import { bench, describe } from 'vitest';

/** Boots 4 GiB with page_owner on and runs the kernel-build workload. */
function build(profile: 'v4.7' | 'v4.8' | 'v6.18', cmdline = 'page_owner=on'): Kernel {
  const kernel = boot({ memory: '4G', profile, cmdline, cpus: 2, features: allFeatures() });
  kernelBuild().run(new Simulation(kernel, { seed: 1 }));
  return kernel;
}

// The whole main job without writing files: boot, udev's modules, make -j with ~360 compile units.
describe('boot 4 GiB and run kernel-build', () => {
  bench('v6.18, page_owner off', () => void build('v6.18', ''), { iterations: 3, time: 0 });
  bench('v6.18, page_owner=on', () => void build('v6.18'), { iterations: 3, time: 0 });
  bench('v4.8, page_owner=on', () => void build('v4.8'), { iterations: 3, time: 0 });
});

// `cat /sys/kernel/debug/page_owner` after the build: every record formatted (stacks, gfp names, page flags).
for (const profile of ['v4.7', 'v4.8', 'v6.18'] as const) {
  const kernel = build(profile);
  let bytes = 0;
  const records = dumpPageOwner(kernel.feature(pageOwner)!, (record) => {
    bytes += record.length;
  });
  describe(`dump page_owner after kernel-build, ${profile}, ${(bytes / 2 ** 20).toFixed(1)} MiB (${records} records)`, () => {
    bench(profile, () => {
      dumpPageOwner(kernel.feature(pageOwner)!, (record) => {
        bytes += record.length;
      });
    });
  });
}

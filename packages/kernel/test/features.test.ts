import { kstrtobool } from '@mm/hooks';
import type { BootedFeature, Feature, FeatureSetup, KernelCore } from '@mm/kernel-spec';
import type { PageExt } from '@mm/page-ext';
import { describe, expect, it } from 'vitest';
import { boot } from '../src/index';

/** What a probe feature saw, in order. */
interface ProbeApi {
  readonly calls: string[];
  enabled: boolean;
  allocations: number;
  pageExt: PageExt | undefined;
}

/**
 * A page_ext client written the way a package writes one: `probe=on` enables it; it asks for 16 bytes of page_ext
 * at place `place`, counts allocations once initialised, and shows a file and a summary.
 */
function probe(name = 'probe', place = 700): Feature<ProbeApi> {
  const make = (): Feature<ProbeApi> => ({
    name,
    factory: make,
    boot: (setup: FeatureSetup): BootedFeature<ProbeApi> => {
      const api: ProbeApi = { calls: [], enabled: false, allocations: 0, pageExt: undefined };
      const log = (call: string) => api.calls.push(call);
      log(`boot ${setup.profile.name}`);
      return {
        api,
        params: [
          {
            name,
            early: true,
            description: `${name}=on|off`,
            setup: (value) => {
              log(`param ${value}`);
              api.enabled = kstrtobool(value) ?? false;
            },
          },
        ],
        pageExt: [
          {
            name,
            place,
            size: 16,
            needSharedFlags: false,
            need: () => api.enabled,
            init: (pageExt) => {
              log('page_ext init');
              api.pageExt = pageExt;
              setup.hooks.post_alloc.subscribe(() => {
                api.allocations++;
              }, 350);
            },
          },
        ],
        memblock: () => {
          log('memblock');
          return [];
        },
        mmCoreInit: () => log('mm_core_init'),
        memInit: () => log('mem_init'),
        start: (kernel: KernelCore) => log(`start ${kernel.vm === undefined ? 'without' : 'with'} vm`),
        lateInit: () => log('late_init'),
        files: () => [{ path: `sys/kernel/debug/${name}`, read: (write) => write(`${api.allocations}\n`) }],
        summary: () => ({ fields: { [name]: api.allocations }, lines: [`  ${name}: ${api.allocations}`] }),
        sample: () => ({ [`${name}Allocations`]: api.allocations }),
      };
    },
  });
  return make();
}

describe('boot() with features', () => {
  it('runs each phase of a feature in start_kernel order, and parses its parameters', () => {
    const feature = probe();
    const kernel = boot({ memory: '256M', cmdline: 'probe=on', features: [feature] });
    const api = kernel.feature(feature)!;
    expect(api.calls).toEqual([
      'boot v6.18',
      'param on',
      'memblock',
      'mm_core_init',
      'mem_init',
      'start with vm',
      'page_ext init',
      'late_init',
    ]);
    expect(kernel.parameters.map((argument) => argument.name)).toEqual(['probe']);
    expect(kernel.featureNames).toEqual(['probe']);
  });

  it('lays out page_ext from the features that ask, and costs nothing when a feature is built in but off', () => {
    const feature = probe();
    const on = boot({ memory: '256M', cmdline: 'probe=on', features: [feature] });
    // v6.18 offsets: no flags word asked for, the probe's 16 bytes.
    expect(on.pageExt?.entryBytes).toBe(16);
    expect(on.feature(feature)!.pageExt).toBe(on.pageExt);
    const before = on.feature(feature)!.allocations;
    on.buddy.allocPages(on.profile.gfp.flags.GFP_KERNEL, 0);
    expect(on.feature(feature)!.allocations).toBe(before + 1);

    const off = boot({ memory: '256M', features: [feature] });
    expect(off.pageExt).toBeUndefined();
    expect(off.hooks.post_alloc.count).toBe(0);
    expect(off.dmesg()).not.toContain('bytes of page_ext');
  });

  it('finds a feature by its factory or by the object, and nothing for a feature it was not booted with', () => {
    const feature = probe();
    const kernel = boot({ memory: '256M', features: [feature] });
    expect(kernel.feature(feature)).toBe(kernel.feature(feature.factory));
    expect(kernel.feature(probe('other'))).toBeUndefined();
  });

  it('asks features for their files, summaries and samples, in boot order', () => {
    const first = probe('first', 700);
    const second = probe('second', 650);
    const kernel = boot({ memory: '256M', cmdline: 'first=on second=on', features: [first, second] });
    // page_ext_ops[] order: 'second' has the lower place, so it comes first in the entry.
    expect(kernel.pageExt!.plan.active.map(({ client, offset }) => [client.name, offset])).toEqual([
      ['second', 0],
      ['first', 16],
    ]);
    const paths = kernel.files().map((file) => file.path);
    expect(paths.slice(0, 2)).toEqual(['proc/buddyinfo', 'proc/pagetypeinfo']);
    expect(paths.slice(-2)).toEqual(['sys/kernel/debug/first', 'sys/kernel/debug/second']);
    expect(kernel.summaries({ counters: new Map() }).map((summary) => summary.lines)).toEqual([
      [`  first: ${kernel.feature(first)!.allocations}`],
      [`  second: ${kernel.feature(second)!.allocations}`],
    ]);
    expect(Object.keys(kernel.sample())).toEqual(['firstAllocations', 'secondAllocations']);
  });

  it('boots a kernel of the core alone: no page_ext, no feature file, the core /proc files', () => {
    const kernel = boot({ memory: '256M', cmdline: 'page_owner=on' });
    expect(kernel.featureNames).toEqual([]);
    expect(kernel.pageExt).toBeUndefined();
    // Nobody owns page_owner=: v6.18 passes it to init, as the kernel does with an unknown parameter.
    expect(kernel.unknownParameters.map((argument) => argument.name)).toEqual(['page_owner']);
    expect(kernel.files().every((file) => file.path.startsWith('proc/'))).toBe(true);
  });

  it('refuses features that cannot be composed', () => {
    const feature = probe();
    expect(() => boot({ memory: '256M', features: [feature, feature] })).toThrow(/given twice/);
  });
});

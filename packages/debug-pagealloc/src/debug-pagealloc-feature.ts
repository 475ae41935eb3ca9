import type { BootedFeature, Feature, FeatureSetup, FeatureSummary, MachineCore, RunContext } from '@mm/kernel-spec';
import type { PageExtClient } from '@mm/page-ext';
import { DebugPagealloc } from './debug-pagealloc';
import { type DebugPageallocConfig, debugPageallocParams, defaultDebugPageallocConfig } from './debug-pagealloc-params';

/** The run counter a workload keeps of the use-after-free and corruption bugs it injected. */
export const INJECTED_BUGS_COUNTER = 'debug_pagealloc.injected';

/** What the architecture can do, beyond what the command line says. */
export interface DebugPageallocOptions {
  /**
   * Whether the architecture can take pages out of the direct map (`ARCH_SUPPORTS_DEBUG_PAGEALLOC`, default true as
   * on x86). Without it, `debug_pagealloc=on` poisons freed pages instead.
   */
  readonly canUnmap?: boolean;
}

/**
 * debug_pagealloc as a kernel feature (mm/debug_page_alloc.c, mm/page_poison.c; v4.8 mm/page_alloc.c):
 * `debug_pagealloc=`, `page_poison=` and `debug_guardpage_minorder=`; in v4.x its two flag-only page_ext clients,
 * `debug_guardpage_ops` (needed with debug_pagealloc=on) and `page_poisoning_ops` (with page_poison=on), whose
 * `init()` activates it; in v6.18 no page_ext, and activation in `mm_core_init()` before the free memory reaches the
 * allocator. Its part of a run's summary is what it caught against what the workload injected.
 * `kernel.feature(debugPagealloc)` is the machine's {@link DebugPagealloc}.
 */
export function debugPagealloc(options: DebugPageallocOptions = {}): Feature<DebugPagealloc> {
  return {
    name: 'debug_pagealloc',
    factory: debugPagealloc,
    enable: 'debug_pagealloc=on',
    boot: (setup) => new BootedDebugPagealloc(setup, options),
  };
}

class BootedDebugPagealloc implements BootedFeature<DebugPagealloc> {
  readonly params;
  readonly pageExt: readonly PageExtClient[];
  readonly #config: DebugPageallocConfig = defaultDebugPageallocConfig();
  readonly #options: DebugPageallocOptions;
  #debug: DebugPagealloc | undefined;

  constructor(setup: FeatureSetup, options: DebugPageallocOptions) {
    this.#options = options;
    this.params = debugPageallocParams(this.#config, setup.profile.name);
    const activate = () => this.api.activate();
    // v4.x page_ext_ops[] begins with these two (flags only); v6.18 has neither.
    this.pageExt =
      setup.profile.era === 'v4'
        ? [
            {
              name: 'debug_guardpage',
              place: 100,
              size: 0,
              needSharedFlags: true,
              need: () => this.#config.enabled,
              init: activate,
            },
            {
              name: 'page_poisoning',
              place: 200,
              size: 0,
              needSharedFlags: true,
              need: () => this.#config.poison,
              init: activate,
            },
          ]
        : [];
  }

  get api(): DebugPagealloc {
    if (this.#debug === undefined) throw new Error('debug_pagealloc exists once the page allocator is up');
    return this.#debug;
  }

  memInit(machine: MachineCore): void {
    this.#debug = new DebugPagealloc({
      ...machine,
      config: this.#config,
      ...(this.#options.canUnmap !== undefined ? { canUnmap: this.#options.canUnmap } : {}),
    });
    // v6.18 mem_debugging_and_hardening_init(): before memblock_free_all(), so all free memory starts unmapped.
    if (machine.profile.era === 'v6') this.#debug.activate();
  }

  summary(run: RunContext): FeatureSummary {
    const debug = this.api;
    if (!debug.active) return { fields: { debugPagealloc: null } };
    const { stats } = debug;
    const injected = run.counters.get(INJECTED_BUGS_COUNTER) ?? 0;
    const caught = stats.faults + stats.corruptions;
    return {
      fields: {
        debugPagealloc: {
          injected,
          caught,
          faults: stats.faults,
          corruptions: stats.corruptions,
          unmappedPages: stats.unmappedPages,
          poisonedPages: stats.poisonedPages,
        },
      },
      lines: [
        `  debug_pagealloc: caught ${caught} (${stats.faults} oopses on freed pages, ${stats.corruptions} poison reports) of ${injected} injected bugs; reports in dmesg`,
      ],
      facts: [['debug_pagealloc', `caught ${caught} of ${injected} injected bugs`]],
    };
  }
}

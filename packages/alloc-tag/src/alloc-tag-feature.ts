import type {
  BootedFeature,
  Feature,
  FeatureSetup,
  FeatureSummary,
  KernelCore,
  KernelFile,
  MachineCore,
} from '@mm/kernel-spec';
import { textFile } from '@mm/kernel-spec';
import type { PageExtClient } from '@mm/page-ext';
import type { PhysicalMemory } from '@mm/physmem';
import { AllocTag } from './alloc-tag';
import { CallSites } from './call-sites';
import { codetagToText } from './codetag';
import { MEM_PROFILING_PARAM, type MemProfilingConfig, memProfilingParam, sysctlArgLine } from './mem-profiling-param';
import { type PageflagOptions, pageflagBits } from './pageflag-bits';

/** `page_alloc_tagging_ops`' place in `page_ext_ops[]` (mm/page_ext.c:79-92: after page_owner and page_idle). */
const PAGE_EXT_PLACE = 500;

/** Options of the kernel build. */
export interface AllocTagOptions extends PageflagOptions {
  /**
   * `CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT`: profiling supported and on without a parameter (then every boot
   * pays its page_ext). Default false, as distributions build it: `sysctl.vm.mem_profiling=1` turns it on.
   */
  readonly enabledByDefault?: boolean;
}

/**
 * `sizeof(union codetag_ref)` (include/linux/codetag.h:35-37): one pointer, page_alloc_tagging_ops' `.size`
 * (lib/alloc_tag.c:764-768), in every page_ext entry when the references live there.
 */
export function codetagRefBytes(bitsPerLong: 32 | 64): number {
  return bitsPerLong / 8;
}

/**
 * Memory allocation profiling as a kernel feature (lib/alloc_tag.c, `CONFIG_MEM_ALLOC_PROFILING`, v6.18 only):
 * `sysctl.vm.mem_profiling=` (early param), `page_alloc_tagging_ops` in page_ext (8 bytes a page, none with
 * `,compressed`), `alloc_tag_sec_init()` in `mm_core_init()`, the page allocator's hooks while counting is on,
 * `alloc_tag_init()` and `do_sysctl_args()` at the end of boot, /proc/allocinfo and /proc/sys/vm/mem_profiling, and
 * its part of a run's summary. `kernel.feature(allocTag)` is the machine's {@link AllocTag}. Built into a v4.x
 * kernel it is absent: those kernels have no allocation profiling.
 */
export function allocTag(options: AllocTagOptions = {}): Feature<AllocTag> {
  return {
    name: 'alloc_tag',
    factory: allocTag,
    enable: `${MEM_PROFILING_PARAM}=1`,
    boot: (setup) => new BootedAllocTag(setup, options),
  };
}

class BootedAllocTag implements BootedFeature<AllocTag> {
  readonly params;
  readonly pageExt: readonly PageExtClient[];
  readonly #setup: FeatureSetup;
  readonly #options: AllocTagOptions;
  readonly #config: MemProfilingConfig;
  readonly #v6: boolean;
  #api: AllocTag | undefined;

  constructor(setup: FeatureSetup, options: AllocTagOptions) {
    this.#setup = setup;
    this.#options = options;
    this.#v6 = setup.profile.name === 'v6.18';
    const byDefault = options.enabledByDefault ?? false;
    this.#config = { support: byDefault, enabled: byDefault, compressed: false, sysctlArgs: [] };
    this.params = this.#v6 ? [memProfilingParam(this.#config)] : [];
    const bitsPerLong = setup.profile.arch.bitsPerLong;
    this.pageExt = this.#v6
      ? [
          {
            name: 'page_alloc_tagging',
            place: PAGE_EXT_PLACE,
            size: codetagRefBytes(bitsPerLong),
            // The fixed struct page_ext of v3.19-v4.8 never had it.
            fixedBytes: () => 0,
            needSharedFlags: false,
            // need_page_alloc_tagging() (lib/alloc_tag.c:752-758). In the kernel it is asked after
            // alloc_tag_sec_init(), which can only clear the support of a compressed boot: no difference here.
            need: () => this.#config.support && !this.#config.compressed,
            init: (pageExt) => this.api.initPageExt(pageExt),
          },
        ]
      : [];
  }

  get api(): AllocTag {
    if (this.#api === undefined) throw new Error('alloc_tag exists once the page allocator has memory');
    return this.#api;
  }

  /** `alloc_tag_sec_init()` runs in `mm_core_init()`, before page_ext. */
  mmCoreInit(memory: PhysicalMemory): void {
    if (!this.#v6) return;
    this.#make(memory);
    const line = this.#api!.secInit();
    if (line !== undefined) memory.log.printk(line);
  }

  /** From `memblock_free_all()` on the page allocator runs: compressed references need nothing more. */
  memInit(machine: MachineCore): void {
    this.#make(machine.memory);
    if (this.#v6) this.#api!.startCompressed();
  }

  /** `alloc_tag_init()` (a module_init), then `do_sysctl_args()` for the command line's sysctl values. */
  lateInit(kernel: KernelCore): void {
    if (!this.#v6) return;
    const api = this.api;
    const log = (line: string) => kernel.memory.log.printk(line);
    const line = api.init();
    if (line !== undefined) log(line);
    for (const value of this.#config.sysctlArgs) {
      const result = value === undefined || value === '' ? -22 : api.writeSysctlArg(value);
      const message = sysctlArgLine(value, result);
      if (message !== undefined) log(message);
    }
  }

  files(): KernelFile[] {
    if (!this.#v6) return [];
    const api = this.api;
    const files: KernelFile[] = [];
    if (api.hasAllocinfo) files.push({ path: 'proc/allocinfo', read: (write) => api.allocinfo(write) });
    files.push(textFile('proc/sys/vm/mem_profiling', () => api.readSysctl()));
    return files;
  }

  summary(): FeatureSummary {
    const api = this.#api;
    if (api === undefined || !api.supported) return { fields: { allocTag: null } };
    const tags = api.tags();
    const bytes = tags.reduce((sum, tag) => sum + tag.bytes, 0);
    const calls = tags.reduce((sum, tag) => sum + tag.calls, 0);
    const sites = tags.filter((tag) => tag.calls !== 0).length;
    const top = api.topUsers(3, tags).filter((tag) => tag.bytes > 0);
    const mib = (value: number) => `${(value / 2 ** 20).toFixed(1)} MiB`;
    const state = api.enabled ? 'on' : 'off';
    const lines = [
      `  allocation profiling (${api.mode}, ${state}): ${mib(bytes)} in ${calls} allocations at ${sites} call sites`,
      ...top.map(
        (tag) => `    ${mib(tag.bytes).padStart(10)} ${`${tag.calls}`.padStart(8)} ${codetagToText(tag.codetag)}`,
      ),
    ];
    const largest = top[0];
    return {
      fields: {
        allocTag: {
          mode: api.mode,
          enabled: api.enabled,
          bytes,
          calls,
          callSites: sites,
          untagged: api.untagged,
          top: top.map((tag) => ({ site: codetagToText(tag.codetag), bytes: tag.bytes, calls: tag.calls })),
        },
      },
      lines,
      facts:
        largest === undefined
          ? []
          : [['largest allocation call site', `${codetagToText(largest.codetag)} (${mib(largest.bytes)})`]],
    };
  }

  sample(): Readonly<Record<string, number>> {
    const api = this.#api;
    if (api === undefined || !api.supported) return {};
    return { allocTagBytes: api.totalBytes() };
  }

  #make(memory: PhysicalMemory): void {
    if (this.#api !== undefined) return;
    const { profile, hooks, stack, text } = this.#setup;
    this.#api = new AllocTag({
      memory,
      hooks,
      stack,
      sites: new CallSites(text),
      config: this.#config,
      pageflags: pageflagBits(
        profile,
        this.#options.numaBalancing !== undefined ? { numaBalancing: this.#options.numaBalancing } : {},
      ),
    });
  }
}

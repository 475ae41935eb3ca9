import { type KernelParam, kstrtoboolParam } from '@mm/hooks';
import type { BootedFeature, Feature, FeatureSetup, FeatureSummary, KernelCore } from '@mm/kernel-spec';
import type { PageExtClient } from '@mm/page-ext';
import {
  PAGE_TABLE_CHECK_BYTES,
  PAGE_TABLE_CHECK_PLACE,
  PageTableCheck,
  type PageTableCheckConfig,
} from './page-table-check';

/** How page_table_check is built. */
export interface PageTableCheckOptions {
  /**
   * `CONFIG_PAGE_TABLE_CHECK_ENFORCED`: on unless `page_table_check=off` (`__page_table_check_enabled` starts as
   * `IS_ENABLED(CONFIG_PAGE_TABLE_CHECK_ENFORCED)`, mm/page_table_check.c:21-22). Default false: off unless
   * `page_table_check=on`.
   */
  readonly enforced?: boolean;
}

/**
 * `early_param("page_table_check", early_page_table_check_param)` (mm/page_table_check.c:27-32): a kstrtobool
 * value. A bare `page_table_check`, or a value kstrtobool cannot read, returns -EINVAL and `do_early_param()`
 * prints `Malformed early option 'page_table_check'`; the setting stays as it was.
 */
export function pageTableCheckParam(config: PageTableCheckConfig): KernelParam {
  return kstrtoboolParam(
    'page_table_check',
    'page_table_check=on|off (kstrtobool): check every user page table entry set and cleared',
    (enabled) => {
      config.enabled = enabled;
    },
  );
}

/**
 * page_table_check as a kernel feature (mm/page_table_check.c, include/linux/page_table_check.h;
 * `CONFIG_PAGE_TABLE_CHECK`, v5.17+, x86_64 only: arch/x86/Kconfig `select ARCH_SUPPORTS_PAGE_TABLE_CHECK if
 * X86_64`): `page_table_check=`, `page_table_check_ops` at place 600 of `page_ext_ops[]` (8 bytes, no shared flags),
 * and once page_ext is initialised the checks on every entry set and cleared, allocation and free (see
 * {@link PageTableCheck}). On a kernel that cannot have it (v4.x, i386) it adds nothing: no parameter (so
 * `page_table_check=on` is an unknown parameter, passed to init), no page_ext client. `kernel.feature(pageTableCheck)`
 * is the machine's {@link PageTableCheck}.
 */
export function pageTableCheck(options: PageTableCheckOptions = {}): Feature<PageTableCheck> {
  return {
    name: 'page_table_check',
    factory: pageTableCheck,
    enable: 'page_table_check=on',
    boot: (setup) => new BootedPageTableCheck(setup, options.enforced ?? false),
  };
}

class BootedPageTableCheck implements BootedFeature<PageTableCheck> {
  readonly params: readonly KernelParam[];
  readonly pageExt: readonly PageExtClient[];
  readonly #config: PageTableCheckConfig;
  readonly #available: boolean;
  #check: PageTableCheck | undefined;

  constructor(setup: FeatureSetup, enforced: boolean) {
    const { profile } = setup;
    this.#available = profile.era === 'v6' && profile.arch.name === 'x86_64';
    this.#config = { enabled: this.#available && enforced };
    if (!this.#available) {
      this.params = [];
      this.pageExt = [];
      return;
    }
    const config = this.#config;
    this.params = [pageTableCheckParam(config)];
    this.pageExt = [
      {
        // page_table_check_ops (mm/page_table_check.c:46-51).
        name: 'page_table_check',
        place: PAGE_TABLE_CHECK_PLACE,
        size: PAGE_TABLE_CHECK_BYTES,
        needSharedFlags: false,
        need: () => config.enabled,
        init: (pageExt) => this.api.init(pageExt),
      },
    ];
  }

  get api(): PageTableCheck {
    if (this.#check === undefined) throw new Error('page_table_check exists once the vm is up');
    return this.#check;
  }

  start(kernel: KernelCore): void {
    this.#check = new PageTableCheck({
      memory: kernel.memory,
      hooks: kernel.hooks,
      vm: kernel.vm,
      text: kernel.text,
      config: this.#config,
      available: this.#available,
    });
  }

  /** Its part of a run's summary: what it checked and the BUGs it hit; `null` when the checks are not live. */
  summary(): FeatureSummary {
    const check = this.api;
    if (!check.checking) return { fields: { pageTableCheck: null } };
    const { entriesSet, entriesCleared, zeroChecks, bugs } = check.stats;
    const first = check.bugs[0];
    const where =
      first === undefined ? 'none' : `mm/page_table_check.c:${first.line} (pfn 0x${first.pfn.toString(16)})`;
    return {
      fields: {
        pageTableCheck: {
          entriesSet,
          entriesCleared,
          zeroChecks,
          bugs,
          firstBug: first === undefined ? null : { line: first.line, pfn: first.pfn, comm: first.comm },
        },
      },
      lines: [
        `  page_table_check: ${entriesSet} entries set, ${entriesCleared} cleared, ${zeroChecks} blocks checked at alloc and free; ${bugs} BUGs, the first: ${where}`,
      ],
      facts: [['page_table_check BUGs', bugs === 0 ? '0' : `${bugs}, the first at ${where}`]],
    };
  }
}

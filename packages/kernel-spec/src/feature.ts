import type { BuddyAllocator, PagetypeinfoExtra } from '@mm/buddy';
import type { HookBus, KernelParam } from '@mm/hooks';
import type { PageExtClient } from '@mm/page-ext';
import type { EarlyAllocation, KernelProfile, MemoryNode, PhysicalMemory, VmCountersBuilder } from '@mm/physmem';
import type { KernelText, ShadowStack } from '@mm/stacktrace';
import type { Vm } from '@mm/vm';
import type { KernelFile } from './kernel-file';

/**
 * A kernel feature: a page_ext client or an mm subsystem that a package adds to the kernel (page_owner,
 * idle page tracking, debug_pagealloc, migration, ...), carrying what the kernel keeps beside it (its kernel
 * parameters, its `page_ext_operations`, its hook calls, its files, its boot lines), as mm/page_owner.c keeps
 * `early_param("page_owner", ...)`, `page_owner_ops` and `__set_page_owner()` together while mm/page_ext.c only
 * lists the clients. `boot({ features: [pageOwner(), pageIdle()] })` composes a kernel of the features given, and
 * of nothing else.
 *
 * One feature object may serve many boots: everything of one boot lives in what {@link Feature.boot} returns.
 */
export interface Feature<Api = unknown> {
  /** The kernel's name for it (`page_owner`, `page_idle`, `debug_pagealloc`): unique in a boot. */
  readonly name: string;
  /** The factory that made it: `kernel.feature(pageOwner)` finds the feature by it. */
  readonly factory: FeatureFactory<Api>;
  /**
   * Features it cannot work without (Kconfig `select`: page_owner selects the stack depot). They boot before it;
   * one given to `boot()` with the same factory stands for the default one named here.
   */
  readonly requires?: readonly Feature[];
  /**
   * The kernel command line that turns it on where the kernel leaves it off by default (`page_owner=on`), if any:
   * what a tool boots to see the feature at work (`mmsim layouts` compares the page_ext each one costs).
   */
  readonly enable?: string;
  /** Starts the feature's part of one boot, before the command line is parsed. */
  boot(setup: FeatureSetup): BootedFeature<Api>;
}

/** A package's factory of its feature (`pageOwner(options?)`). */
export type FeatureFactory<Api> = (...options: never[]) => Feature<Api>;

/** How to name a feature when looking it up: its factory, or the object the factory returned. */
export type FeatureRef<Api> = FeatureFactory<Api> | Feature<Api>;

/** What every feature sees from the start of a boot (the command line is not parsed yet). */
export interface FeatureSetup {
  readonly profile: KernelProfile;
  /** The machine's hook bus: subscribe at the kernel's place for each event (see `MmHookEvents`). */
  readonly hooks: HookBus;
  /** The kernel text (symbols) and the shadow call stack of simulated kernel code. */
  readonly text: KernelText;
  readonly stack: ShadowStack;
  /** The API of another feature of this boot (the ones a feature requires are booted before it). */
  feature<Api>(which: FeatureRef<Api>): Api | undefined;
}

/** The machine once memory is laid out and the page allocator holds all free memory (`memblock_free_all()`). */
export interface MachineCore extends Omit<FeatureSetup, 'feature'> {
  readonly memory: PhysicalMemory;
  readonly buddy: BuddyAllocator;
}

/** The kernel's core subsystems, up: what a feature starts with. */
export interface KernelCore extends MachineCore {
  /** User space memory: processes, page tables, the page cache, the reverse map. */
  readonly vm: Vm;
}

/** What a run tells a feature when it summarises itself. */
export interface RunContext {
  /** The workload's own counters (`debug_pagealloc.injected`, ...). */
  readonly counters: ReadonlyMap<string, number>;
}

/** A feature's part of a run's summary. */
export interface FeatureSummary {
  /** Fields of the JSON summary (`mmsim run --json`, `summary.json`), by name; `null` for a feature that is off. */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** Lines of the text summary, as printed (each begins with two spaces). */
  readonly lines?: readonly string[];
  /** Name and value pairs the report lists among the run's headline figures. */
  readonly facts?: readonly (readonly [string, string])[];
}

/**
 * One feature in one boot. `boot()` calls what it has, phase by phase, in the order of init/main.c
 * `start_kernel()`, each phase for every feature in boot order; afterwards the kernel asks it for its files, its
 * part of /proc/pagetypeinfo and of the summary. A feature that is installed but not enabled on the command line
 * subscribes to nothing and asks for no page_ext.
 */
export interface BootedFeature<Api> {
  /** What `kernel.feature()` returns, complete once boot() returns (a feature may fill it in during the phases). */
  readonly api: Api;
  /** The kernel parameters it owns (`early_param()`, `__setup()`), parsed against the command line first. */
  readonly params?: readonly KernelParam[];
  /** Its `page_ext_operations` (each with its place in `page_ext_ops[]`). */
  readonly pageExt?: readonly PageExtClient[];
  /** `setup_arch()`: memblock allocations it needs, once the nodes are known (the v6.18 stackdepot hash table). */
  memblock?(nodes: readonly MemoryNode[]): readonly EarlyAllocation[];
  /** `mm_core_init()`, before the page allocator has memory: what it prints there (`stack_depot_early_init()`). */
  mmCoreInit?(memory: PhysicalMemory): void;
  /** The page allocator holds all free memory (`mem_debugging_and_hardening_init()` and later). */
  memInit?(machine: MachineCore): void;
  /** The kernel's own boot allocations are made and the core subsystems are up: the feature builds its state. */
  start?(kernel: KernelCore): void;
  /** `late_initcall()`: page_ext exists and its clients are initialised; debugfs files appear. */
  lateInit?(kernel: KernelCore): void;
  /** The files it adds (debugfs, sysfs), as a whole-file read sees them now. */
  files?(): readonly KernelFile[];
  /** Tables it adds to /proc/pagetypeinfo (page_owner's `Number of mixed blocks`), computed now. */
  pagetypeinfo?(): readonly PagetypeinfoExtra[];
  /** Its part of a run's summary. */
  summary?(run: RunContext): FeatureSummary;
  /** Numbers to sample along a run (the depot's stacks and bytes), for the run's timeline. */
  sample?(): Readonly<Record<string, number>>;
  /**
   * The feature's counters in /proc/vmstat (and the files made from them): compaction's `compact_stall`, migration's
   * `pgmigrate_success`, ... added under the kernel's names.
   */
  counters?(counters: VmCountersBuilder): void;
}

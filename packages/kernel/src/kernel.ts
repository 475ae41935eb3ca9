import { type BuddyAllocator, formatBuddyinfo, formatPagetypeinfo } from '@mm/buddy';
import type { HookBus } from '@mm/hooks';
import {
  type BootedFeature,
  type Feature,
  type FeatureRef,
  type FeatureSummary,
  featureKey,
  type KernelCore,
  type KernelFile,
  type RunContext,
  textFile,
} from '@mm/kernel-spec';
import type { PageExt } from '@mm/page-ext';
import type { KernelProfile, PhysicalMemory, VmCounters } from '@mm/physmem';
import type { KernelText, ShadowStack } from '@mm/stacktrace';
import type { Vm } from '@mm/vm';
import type { BootAllocation } from './boot-allocations';
import type { CommandLineArgument } from './command-line';
import { type CountersSource, memoryFiles } from './memory-files';
import { userSpaceFiles } from './user-space-files';

/** A feature of a booted kernel, and its part of the boot. */
interface BootedEntry {
  readonly feature: Feature;
  readonly booted: BootedFeature<unknown>;
}

/** What `boot()` returns: the running simulated kernel, its features and its views. */
export class Kernel implements KernelCore {
  readonly profile: KernelProfile;
  readonly memory: PhysicalMemory;
  readonly hooks: HookBus;
  readonly buddy: BuddyAllocator;
  /** The command line as given. */
  readonly cmdline: string;
  /** Parameters some package owns. */
  readonly parameters: readonly CommandLineArgument[];
  /** Parameters nobody owns (passed to init, as the kernel does). */
  readonly unknownParameters: readonly CommandLineArgument[];
  /** Blocks the kernel allocated during boot and holds. */
  readonly bootAllocations: readonly BootAllocation[];
  /** Host milliseconds the boot took. */
  readonly bootMilliseconds: number;
  /** The kernel text (symbols) and the shadow call stack of simulated kernel code. */
  readonly text: KernelText;
  readonly stack: ShadowStack;
  /** page_ext, when some feature needed it. */
  readonly pageExt: PageExt | undefined;
  /** User space memory: processes, mappings, page tables, the page cache, the reverse map. */
  readonly vm: Vm;
  readonly #features: readonly BootedEntry[];

  constructor(
    init: KernelCore & {
      cmdline: string;
      parameters: readonly CommandLineArgument[];
      unknownParameters: readonly CommandLineArgument[];
      bootAllocations: readonly BootAllocation[];
      bootMilliseconds: number;
      pageExt: PageExt | undefined;
      features: readonly BootedEntry[];
    },
  ) {
    this.memory = init.memory;
    this.profile = init.memory.profile;
    this.hooks = init.hooks;
    this.buddy = init.buddy;
    this.cmdline = init.cmdline;
    this.parameters = init.parameters;
    this.unknownParameters = init.unknownParameters;
    this.bootAllocations = init.bootAllocations;
    this.bootMilliseconds = init.bootMilliseconds;
    this.text = init.text;
    this.stack = init.stack;
    this.pageExt = init.pageExt;
    this.vm = init.vm;
    this.#features = init.features;
  }

  /**
   * A feature's API (`kernel.feature(pageOwner)` is the machine's `PageOwner`), found by its factory or by the object
   * the factory returned; undefined when the kernel was booted without it.
   */
  feature<Api>(which: FeatureRef<Api>): Api | undefined {
    const key = featureKey(which);
    return this.#features.find((entry) => entry.feature.factory === key)?.booted.api as Api | undefined;
  }

  /** The names of the features built in, in boot order. */
  get featureNames(): readonly string[] {
    return this.#features.map((entry) => entry.feature.name);
  }

  /** The kernel log (`dmesg`). */
  dmesg(): string {
    return this.memory.log.text();
  }

  /** `/proc/buddyinfo`. */
  buddyinfo(): string {
    return formatBuddyinfo(this.buddy);
  }

  /** `/proc/pagetypeinfo`, with the tables features add (page_owner's `Number of mixed blocks`). */
  pagetypeinfo(): string {
    return formatPagetypeinfo(
      this.buddy,
      this.#features.flatMap((entry) => entry.booted.pagetypeinfo?.() ?? []),
    );
  }

  /**
   * The files the machine shows, as whole-file reads see them now: /proc (buddyinfo, pagetypeinfo, the maps and
   * pagemap of every process, kpageflags, kpagecount), then each feature's, in boot order.
   */
  files(): KernelFile[] {
    return [
      textFile('proc/buddyinfo', () => this.buddyinfo()),
      textFile('proc/pagetypeinfo', () => this.pagetypeinfo()),
      ...memoryFiles(this.buddy, this.vm, this.#counterSources()),
      ...userSpaceFiles(this.vm),
      ...this.#features.flatMap((entry) => entry.booted.files?.() ?? []),
    ];
  }

  /**
   * What `cat /path` prints: one of {@link files} read whole as text (binary files as UTF-8), or undefined when the
   * machine has no such file.
   */
  readFile(path: string): string | undefined {
    const file = this.files().find((candidate) => candidate.path === path);
    if (file === undefined) return undefined;
    let text = '';
    const decoder = new TextDecoder();
    file.read((chunk) => {
      text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    });
    return text + decoder.decode();
  }

  /** The machine's counters now, as /proc/vmstat shows them (the allocator's, the vm's and the features'). */
  vmCounters(): VmCounters {
    return this.vm.counters(this.#counterSources());
  }

  #counterSources(): CountersSource[] {
    return this.#features.flatMap((entry) => (entry.booted.counters === undefined ? [] : [entry.booted.counters]));
  }

  /** Each feature's part of a run's summary, in boot order. */
  summaries(run: RunContext): FeatureSummary[] {
    return this.#features.flatMap((entry) => (entry.booted.summary === undefined ? [] : [entry.booted.summary(run)]));
  }

  /** What the features sample along a run (the depot's stacks and bytes), in one record. */
  sample(): Record<string, number> {
    return Object.assign({}, ...this.#features.map((entry) => entry.booted.sample?.() ?? {}));
  }

  /** Host bytes of the simulation's per-page state: physmem's struct pages plus the allocator's arrays. */
  hostBytes(): number {
    return this.memory.hostBytes() + this.buddy.hostBytes();
  }
}

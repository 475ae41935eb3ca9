import { BootPhase, type KernelParam, kstrtobool, kstrtouint } from '@mm/hooks';
import type { BootedFeature, Feature, FeatureSetup, KernelFile, MachineCore } from '@mm/kernel-spec';
import { type EarlyAllocation, type MemoryNode, PAGE_SIZE, type PhysicalMemory } from '@mm/physmem';
import { StackDepot } from './stack-depot';

/** How the stack depot of a boot behaves beyond what the command line says. */
export interface StackDepotFeatureOptions {
  /**
   * Fault injection: fails this fraction (0..1, from a seeded sequence) of the pool allocations made after
   * page_ext_init (so the stacks its clients register at init are spared).
   */
  readonly failureRate?: number;
  /**
   * v6.18 `CONFIG_STACKDEPOT_MAX_FRAMES` of the build (Kconfig: 1-256, default 64): longer traces are cut to it.
   * v4.8's depot keeps any length.
   */
  readonly maxFrames?: number;
}

/** What the stack depot feature offers its clients and users (`kernel.feature(stackDepot)`). */
export interface StackDepotService {
  /**
   * v6.18 `stack_depot_request_early_init()`: a client (page_owner=on) asks for the hash table at boot, from
   * memblock, with its boot lines; otherwise the depot is set up when first used.
   */
  requestEarlyInit(): void;
  /** `stack_depot_disable=` turned it off: every save returns 0. */
  readonly disabled: boolean;
  /** The depot itself, once the page allocator is up. */
  readonly depot: StackDepot;
}

/** v6.18 `DEPOT_MAX_POOLS`: the pool index has 17 bits, the value 0 meaning none. */
const DEPOT_MAX_POOLS = (1 << 17) - 1;
/** v6.18 default `stack_max_pools`. */
const DEFAULT_MAX_POOLS = 8192;

/**
 * The frames of the depot's own path into the page allocator when it takes a pool (outermost first), so that a
 * pool allocation reaches the allocator's hooks from inside the depot as in the kernel.
 */
const poolAllocationFrames: Readonly<Record<'v4' | 'v6', readonly string[]>> = {
  v4: ['depot_save_stack+0x1c3/0x3e0', 'alloc_pages_current+0x88/0x120'],
  v6: ['stack_depot_save_flags+0x2a3/0x6e0', 'alloc_pages_noprof+0x4c/0x70', 'alloc_pages_mpol+0x86/0x190'],
};

/**
 * v6.18 `stack_depot_early_init()` → `alloc_large_system_hash("stackdepot", 16, 0, 14, ...)`: one bucket per
 * 16 KiB of kernel memory (rounded up to 1 MiB, then to a power of two), between 2^12 and 2^20.
 */
export function stackDepotHashEntries(kernelPages: number): number {
  const rounded = Math.ceil(kernelPages / 256) * 256;
  const entries = 2 ** Math.ceil(Math.log2(Math.max(1, rounded >> 2)));
  return Math.min(Math.max(entries, 1 << 12), 1 << 20);
}

/**
 * The stack depot as a kernel feature (lib/stackdepot.c): one depot per machine that its clients (page_owner)
 * share, taking its pools from the page allocator through its own code path. v6.18 adds its boot side:
 * `stack_depot_disable=` and `stack_depot_max_pools=`, the early hash table from memblock when a client asked for it
 * (`stackdepot: allocating hash table via alloc_large_system_hash` ...), and debugfs `stackdepot/stats`. v4.8's depot
 * is static and prints nothing. Its part of a run's summary is the depot's size, when anything was saved.
 */
export function stackDepot(options: StackDepotFeatureOptions = {}): Feature<StackDepotService> {
  const { maxFrames } = options;
  if (maxFrames !== undefined && !(Number.isInteger(maxFrames) && maxFrames >= 1 && maxFrames <= 256)) {
    throw new RangeError(`stackdepot: maxFrames is CONFIG_STACKDEPOT_MAX_FRAMES, 1 to 256, not ${maxFrames}`);
  }
  return { name: 'stackdepot', factory: stackDepot, boot: (setup) => new BootedStackDepot(setup, options) };
}

class BootedStackDepot implements BootedFeature<StackDepotService>, StackDepotService {
  readonly api: StackDepotService = this;
  readonly params: readonly KernelParam[];
  disabled = false;
  readonly #options: StackDepotFeatureOptions;
  readonly #v6: boolean;
  #early = false;
  #maxPools = DEFAULT_MAX_POOLS;
  /** Hash buckets: the early table's entries (v6.18), else the static 2^20 of v4.8. */
  #buckets = 1 << 20;
  #depot: StackDepot | undefined;
  #resolveFrames: (() => void) | undefined;

  constructor(setup: FeatureSetup, options: StackDepotFeatureOptions) {
    this.#options = options;
    this.#v6 = setup.profile.era === 'v6';
    this.params = this.#v6 ? this.#v6Params() : [];
  }

  get depot(): StackDepot {
    if (this.#depot === undefined) throw new Error('the stack depot exists once the page allocator is up');
    // The depot's code enters the kernel text when a client first takes the depot (as its symbols are laid out).
    this.#resolveFrames?.();
    return this.#depot;
  }

  requestEarlyInit(): void {
    if (this.#v6) this.#early = true;
  }

  memblock(nodes: readonly MemoryNode[]): readonly EarlyAllocation[] {
    if (!this.#early || this.disabled) return [];
    // stack_depot_early_init(): the hash table (sized on the kernel's pages) and the pool pointer array.
    const kernelPages = nodes.reduce((sum, node) => sum + node.presentPages, 0);
    this.#buckets = stackDepotHashEntries(kernelPages - Math.ceil((kernelPages * 64) / PAGE_SIZE));
    return [
      { node: 0, bytes: this.#buckets * 16, owner: 'stackdepot hash table' },
      { node: 0, bytes: this.#maxPools * 8, owner: 'stackdepot pools' },
    ];
  }

  mmCoreInit(memory: PhysicalMemory): void {
    if (!this.#v6) return;
    if (this.disabled) {
      memory.log.printk('stackdepot: disabled');
      return;
    }
    if (!this.#early) return;
    const bytes = this.#buckets * 16;
    memory.log.printk('stackdepot: allocating hash table via alloc_large_system_hash');
    memory.log.printk(
      `stackdepot hash table entries: ${this.#buckets} (order: ${Math.log2(bytes) - 12}, ${bytes} bytes, linear)`,
    );
    memory.log.printk(`stackdepot: allocating space for ${this.#maxPools} stack pools via memblock`);
  }

  memInit(machine: MachineCore): void {
    const { memory, buddy, stack, text, hooks } = machine;
    let frames: Uint32Array | undefined;
    this.#resolveFrames = () => {
      frames ??= text.sites(poolAllocationFrames[memory.profile.era]);
    };
    const failureRate = this.#options.failureRate ?? 0;
    let armed = false;
    let seed = 0x2545f491;
    if (failureRate > 0) {
      hooks.boot_phase.subscribe((phase) => {
        if (phase === BootPhase.page_ext_init) armed = true;
      });
    }
    this.#depot = new StackDepot({
      era: memory.profile.era,
      gfp: memory.profile.gfp.flags,
      buckets: this.#buckets,
      ...(this.#v6 ? { maxPools: this.#maxPools } : {}),
      ...(this.#options.maxFrames !== undefined ? { maxFrames: this.#options.maxFrames } : {}),
      disabled: this.disabled,
      warn: (message) => memory.log.printk(`WARNING: ${message}`),
      pages: {
        allocPages: (gfp, order) => {
          if (armed) {
            seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
            if (seed / 4294967296 < failureRate) return -1;
          }
          this.#resolveFrames?.();
          const depth = stack.depth;
          stack.pushAll(frames!);
          const pfn = buddy.allocPages(gfp, order);
          stack.unwindTo(depth);
          return pfn;
        },
        freePages: (pfn, order) => buddy.freePages(pfn, order),
      },
    });
  }

  /** v6.18 `depot_debugfs_init()`: `stackdepot/stats`, unless the depot is disabled. */
  files(): KernelFile[] {
    const depot = this.#depot;
    if (!this.#v6 || this.disabled || depot === undefined) return [];
    return [{ path: 'sys/kernel/debug/stackdepot/stats', read: (write) => write(depot.statsText()) }];
  }

  summary() {
    const depot = this.#depot;
    const stats = depot === undefined || depot.stats.stacks === 0 ? undefined : depot.stats;
    if (stats === undefined) return { fields: { stackDepot: null } };
    return {
      fields: {
        stackDepot: {
          pools: stats.pools,
          pages: stats.pages,
          stacks: stats.stacks,
          bytes: stats.bytes,
          failures: stats.failures,
        },
      },
      lines: [
        `  stackdepot: ${stats.stacks} stacks in ${stats.pools} pools, ${stats.pages} pages (${stats.pages * 4} KiB)`,
      ],
      facts: [
        [
          'stack depot',
          `${stats.stacks} stacks, ${formatMebibytes(stats.bytes)} used in ${stats.pages} pages`,
        ] as const,
      ],
    };
  }

  sample() {
    const stats = this.#depot?.stats;
    return { stacks: stats?.stacks ?? 0, depotBytes: stats?.bytes ?? 0 };
  }

  #v6Params(): KernelParam[] {
    return [
      {
        name: 'stack_depot_disable',
        early: true,
        description: 'stack_depot_disable=on|off (kstrtobool): turn the stack depot off; every save returns 0',
        setup: (value, context) => {
          const parsed = kstrtobool(value);
          if (parsed === undefined) context.log(`Malformed early option 'stack_depot_disable'`);
          else this.disabled = parsed;
        },
      },
      {
        name: 'stack_depot_max_pools',
        early: true,
        description: `stack_depot_max_pools=N: pools the depot may take (1024..${DEPOT_MAX_POOLS}, default ${DEFAULT_MAX_POOLS})`,
        setup: (value, context) => {
          const pools = kstrtouint(value, 0);
          if (pools === undefined) context.log(`Malformed early option 'stack_depot_max_pools'`);
          else if (pools < 1024) {
            context.log(`stackdepot: stack_depot_max_pools below 1024, using default of ${this.#maxPools}`);
          } else if (pools > DEPOT_MAX_POOLS) {
            context.log(
              `stackdepot: stack_depot_max_pools exceeds ${DEPOT_MAX_POOLS}, using default of ${this.#maxPools}`,
            );
          } else this.#maxPools = pools;
        },
      },
    ];
  }
}

/** A depot's size for people: KiB below a MiB, else MiB, to a tenth. */
function formatMebibytes(bytes: number): string {
  return bytes < 2 ** 20 ? `${Number((bytes / 1024).toFixed(1))} KiB` : `${Number((bytes / 2 ** 20).toFixed(1))} MiB`;
}

import { BuddyAllocator, zoneBatchsize } from '@mm/buddy';
import { BootPhase, createHookBus, type KernelParam, KernelParamError, MemoryAction } from '@mm/hooks';
import {
  type BootedFeature,
  type Feature,
  type FeatureFactory,
  type FeatureSetup,
  featureKey,
  type KernelCore,
  resolveFeatures,
} from '@mm/kernel-spec';
import { flatmemPageExtAllocations, PageExt, pageExtLayouts, planPageExt } from '@mm/page-ext';
import {
  firmwareMemoryMap,
  getProfile,
  type MemoryLayout,
  type MemoryModel,
  type MemoryParamValues,
  memoryParams,
  memparse,
  PAGE_SIZE,
  PfnLimitError,
  PhysicalMemory,
  type ProfileName,
} from '@mm/physmem';
import { createKernelText, type KernelText, ShadowStack, symbolizeStack } from '@mm/stacktrace';
import { Vm } from '@mm/vm';
import { allocateBootMemory } from './boot-allocations';
import {
  memoryInfoLine,
  memoryMapLines,
  unavailableRangeLines,
  zoneLines,
  zonelistLines,
  zoneSetupLinesV4,
} from './boot-log';
import { ignoredCoreParams } from './core-params';
import { Kernel } from './kernel';
import { parseKernelParams, unknownParamsLine } from './kernel-params';

/** How to build and boot a simulated machine. */
export interface BootOptions {
  /** RAM: bytes, or a size such as `4G`. */
  readonly memory: number | string;
  /** The kernel command line. */
  readonly cmdline?: string;
  /** Default `v6.18`. */
  readonly profile?: ProfileName;
  /** Default `x86_64`. */
  readonly arch?: 'x86_64' | 'i386';
  /** Default `sparsemem`. */
  readonly model?: MemoryModel;
  /** Default `pc`. */
  readonly layout?: MemoryLayout;
  /** NUMA nodes, default 1. */
  readonly nodes?: number;
  /** CPUs, default 2. */
  readonly cpus?: number;
  /**
   * The features built into this kernel (`pageOwner()`, `pageIdle()`, ...), default none: a kernel of the core
   * alone (physical memory, the buddy allocator, page_ext, the vm). Each still needs its parameter on the command
   * line where the kernel's does (`page_owner=on`); one that is built in but off costs nothing.
   */
  readonly features?: readonly Feature[];
  /** Further kernel parameters to recognise, beside the core's and the features'. */
  readonly params?: readonly KernelParam[];
  /**
   * The kernel text (symbols) to boot with: default the era's catalog. A replay passes the traced kernel's symbols
   * (from its kallsyms, or from the trace's call chains), so that records show them as that kernel would.
   */
  readonly text?: KernelText;
  /**
   * Host bytes the simulation may take (the CLI gives the host's RAM): a machine whose {@link estimateHostBytes}
   * is larger fails before anything is allocated (RangeError naming the estimate), instead of growing until the
   * host's OOM killer ends it. Default: no limit.
   */
  readonly hostMemoryLimit?: number;
  /**
   * The end of the pfns the machine may reach (`MachineConfig.maxPfn`): a caller that runs a workload or walks every
   * page passes `PER_PAGE_PFNS` (8 TiB), above which pages cannot be used. Default: what mmsim lays out (32 TiB).
   */
  readonly maxPfn?: number;
}

/**
 * Host memory per simulated page at boot, with room to spare: the most measured is 1.9 bytes (1 TiB, v6.18,
 * `page_owner=on debug_pagealloc=on page_poison=on`: free memory costs nothing per page, so this is mostly what boot
 * allocates and page_owner records of it, page_ext above all).
 */
export const HOST_BYTES_PER_PAGE_ESTIMATE = 4;

/** An upper estimate of the host memory a machine of `memory` bytes takes once booted. */
export function estimateHostBytes(memory: number | string): number {
  return Math.ceil(parseMemorySize(memory) / 4096) * HOST_BYTES_PER_PAGE_ESTIMATE;
}

/** `would take about 16.0 GiB of host memory (4 bytes a page)`: what messages say of a machine's host cost. */
export function hostCostText(memory: number | string): string {
  return `would take about ${binarySize(estimateHostBytes(memory))} of host memory (${HOST_BYTES_PER_PAGE_ESTIMATE} bytes a page)`;
}

/** The refusal of a machine of `memory` bytes above a host limit of `limit` bytes, or undefined when it fits. */
export function hostLimitText(memory: number | string, limit: number): string | undefined {
  if (estimateHostBytes(memory) <= limit) return undefined;
  return `${hostCostText(memory)}, more than the ${binarySize(limit)} it may use`;
}

/** Binary size with its unit, for messages: `192.0 GiB`. */
export function binarySize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * A machine that cannot exist or cannot be simulated here: a malformed or impossible memory size, one the host
 * cannot hold, a memory map with nothing usable, too many nodes or CPUs. A RangeError, so older callers that catch
 * those still do; callers such as the CLI tell it from the simulator's own errors by its class.
 */
export class MachineConfigError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'MachineConfigError';
  }
}

/** The bytes of a size given as a number or text, or a clear error. */
export function parseMemorySize(memory: number | string): number {
  const bytes = typeof memory === 'number' ? memory : memparse(memory);
  if (bytes === undefined || !Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new MachineConfigError(`memory size '${memory}' is not a size such as 512M, 4G or 1T`);
  }
  if (bytes < 64 * 2 ** 20)
    throw new MachineConfigError(`memory size '${memory}' is too small: mmsim boots machines from 64M`);
  return bytes;
}

/**
 * Runs the laying out of a machine, its RangeErrors (a machine that cannot exist) as {@link MachineConfigError}s;
 * one past the pfns mmsim computes on also says what the machine would have taken of the host.
 */
function machineConfig<T>(layOut: () => T, hostEstimate: string): T {
  try {
    return layOut();
  } catch (error) {
    if (error instanceof PfnLimitError) throw new MachineConfigError(`${error.message}; ${hostEstimate}`);
    if (error instanceof RangeError && !(error instanceof MachineConfigError))
      throw new MachineConfigError(error.message);
    throw error;
  }
}

const BOOT_BUILD = '#1 SMP PREEMPT_DYNAMIC Thu Nov 26 12:00:00 UTC 2026';

/** The call path of `page_ext_init()` (outermost first): v4.8 calls it from start_kernel, v6.18 from mm_core_init. */
const pageExtInitPath: Readonly<Record<'v4' | 'v6', readonly string[]>> = {
  v4: [
    'x86_64_start_kernel+0x14c/0x16f',
    'x86_64_start_reservations+0x2a/0x2c',
    'start_kernel+0x3d4/0x4a3',
    'page_ext_init+0x77/0x9b',
  ],
  v6: [
    'common_startup_64+0x13e/0x141',
    'x86_64_start_kernel+0x10c/0x110',
    'x86_64_start_reservations+0x24/0x30',
    'start_kernel+0x6b9/0xa10',
    'mm_core_init+0x211/0x250',
    'page_ext_init+0x7aa/0xcc0',
  ],
};

/**
 * Boots a simulated machine with the features given, in the kernel's boot order: parses the command line against
 * the parameters of the core and of every feature, lays out physical memory, brings up the buddy allocator with all
 * free memory, makes the kernel's own boot-time allocations, sets up page_ext for the features that need it, and
 * prints the boot log a real kernel would (init/main.c `start_kernel`, arch/x86 `setup_arch`). Each feature acts in
 * the phases it has (see `BootedFeature`), in boot order. A malformed parameter throws {@link KernelParamError}; a
 * machine that cannot exist throws {@link MachineConfigError}; features that cannot be composed throw TypeError.
 */
export function boot(options: BootOptions): Kernel {
  const started = performance.now();
  const profile = getProfile(options.profile ?? 'v6.18', options.arch ?? 'x86_64');
  const cmdline = options.cmdline ?? '';
  const bytes = parseMemorySize(options.memory);
  const limit = options.hostMemoryLimit;
  const refusal = limit === undefined ? undefined : hostLimitText(bytes, limit);
  if (refusal !== undefined) throw new MachineConfigError(`${binarySize(bytes)} of RAM ${refusal}`);
  const hooks = createHookBus();
  const text = options.text ?? createKernelText(profile.era);
  const stack = new ShadowStack();

  // Every feature's part of this boot, in boot order (required features first).
  const booted = new Map<FeatureFactory<unknown>, BootedFeature<unknown>>();
  const setup: FeatureSetup = {
    profile,
    hooks,
    text,
    stack,
    feature: <Api>(which: Parameters<FeatureSetup['feature']>[0]) =>
      booted.get(featureKey(which))?.api as Api | undefined,
  };
  const features = resolveFeatures(options.features ?? []);
  for (const feature of features) booted.set(feature.factory, feature.boot(setup));
  const parts = [...booted.values()];

  const pending: string[] = [];
  const values: MemoryParamValues = { reserve: [] };
  const params = [
    ...memoryParams(values),
    ...ignoredCoreParams(),
    ...parts.flatMap((part) => part.params ?? []),
    ...(options.params ?? []),
  ];
  const parsed = parseKernelParams(cmdline, params, profile.name, (line) => pending.push(line));
  // page_ext's need phase: the entry size is known before memory is laid out (FLATMEM takes it from memblock).
  const plan = planPageExt(
    parts.flatMap((part) => part.pageExt ?? []),
    pageExtLayouts[profile.name]!,
    profile.arch.bitsPerLong,
  );
  const movableBytes =
    values.movablePercent !== undefined
      ? Math.floor((bytes * values.movablePercent) / 100 / PAGE_SIZE) * PAGE_SIZE
      : values.movableBytes;

  const layout = options.layout ?? 'pc';
  const model = options.model ?? 'sparsemem';
  const memory = machineConfig(
    () =>
      new PhysicalMemory({
        memory: bytes,
        profile,
        layout,
        model,
        nodes: options.nodes ?? 1,
        cpus: options.cpus ?? 2,
        hooks,
        stackTrace: () => symbolizeStack(text, stack),
        ...(values.limit !== undefined ? { limit: values.limit } : {}),
        ...(values.reserve.length > 0 ? { reserve: values.reserve } : {}),
        ...(movableBytes !== undefined ? { movableBytes } : {}),
        ...(options.maxPfn !== undefined ? { maxPfn: options.maxPfn } : {}),
        earlyAllocations: (nodes) => [
          ...(plan !== undefined && model === 'flatmem' ? flatmemPageExtAllocations(plan, nodes) : []),
          ...parts.flatMap((part) => part.memblock?.(nodes) ?? []),
        ],
      }),
    `it ${hostCostText(bytes)}`,
  );
  const log = (lines: string | readonly string[]) => {
    for (const line of typeof lines === 'string' ? [lines] : lines) memory.log.printk(line);
  };
  const v6 = profile.era === 'v6';

  log(
    v6
      ? `Linux version ${profile.release} (mmsim@mmsim) (gcc (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) ${BOOT_BUILD}`
      : `Linux version ${profile.release} (mmsim@mmsim) (gcc version 6.2.0 20161109 (Debian 6.2.0-13) ) ${BOOT_BUILD.replace(' PREEMPT_DYNAMIC', '')}`,
  );
  log(`Command line: ${cmdline}`);
  log(memoryMapLines(memory, firmwareMemoryMap(layout, bytes, profile.arch), values));
  log(pending);
  hooks.boot_phase.call(BootPhase.setup_arch);
  log(zoneLines(memory));
  let totalPages = memory.presentPages;
  if (v6) {
    log(unavailableRangeLines(memory));
  } else {
    const setupLines = zoneSetupLinesV4(memory, (managed) => zoneBatchsize(managed, profile));
    log(setupLines.lines);
    totalPages = setupLines.totalPages;
  }
  // v4.8 start_kernel() builds the zonelists before it prints the command line; v6.18 in mm_core_init(), after.
  if (!v6) log(zonelistLines(memory, totalPages));
  log(`Kernel command line: ${cmdline}`);
  if (v6) {
    const unknown = unknownParamsLine(parsed.unknown);
    if (unknown !== undefined) log(unknown);
    log(zonelistLines(memory, totalPages));
  }
  // mm_init() / mm_core_init(): FLATMEM's page_ext (page_ext_init_flatmem), then what features print there
  // (v6.18 stack_depot_early_init()).
  if (plan !== undefined && memory.model === 'flatmem') {
    const flat = flatmemPageExtAllocations(plan, memory.nodes).reduce((sum, request) => sum + request.bytes, 0);
    log(`allocated ${flat} bytes of page_ext`);
  }
  for (const part of parts) part.mmCoreInit?.(memory);

  memory.clock.advance(20e6 + memory.presentPages * 10);
  const buddy = new BuddyAllocator(memory, hooks);
  buddy.freeAllMemory();
  const machine = { profile, hooks, text, stack, memory, buddy };
  for (const part of parts) part.memInit?.(machine);
  if (!v6) log(memoryInfoLine(memory, buddy));
  hooks.boot_phase.call(BootPhase.mm_init);
  // v4.8 sched_init() follows mm_init(): init_idle() names the boot task swapper/0 (init_task is "swapper").
  if (!v6) schedInit(memory);

  memory.clock.advance(50e6);
  const bootAllocations = allocateBootMemory(buddy);
  const vm = new Vm({ memory, buddy, hooks, stack });
  // The reports print the machine's counters (the features' part included) and the kernel's frames of this text.
  const counterSources = parts.flatMap((part) => (part.counters === undefined ? [] : [part.counters.bind(part)]));
  buddy.setReports({ counters: () => vm.counters(counterSources), text });
  vm.oomKiller.text = text;
  const core: KernelCore = { ...machine, vm };
  for (const part of parts) part.start?.(core);
  let pageExt: PageExt | undefined;
  if (plan !== undefined) {
    // page_ext_init(): late in start_kernel (v4.8), at the end of mm_core_init (v6.18).
    const depth = stack.depth;
    stack.pushAll(text.sites(pageExtInitPath[profile.era]));
    pageExt = new PageExt(memory, plan);
    if (memory.model === 'flatmem') {
      for (const allocation of flatmemPageExtAllocations(plan, memory.nodes)) pageExt.totalBytes += allocation.bytes;
    } else {
      pageExt.allocate(buddy);
      // page_ext_callback(): a section taken offline takes its page_ext with it.
      const sparse = pageExt;
      hooks.memory_notify.subscribe((action, startPfn, nrPages) => {
        if (action !== MemoryAction.offline) return;
        for (let pfn = startPfn; pfn < startPfn + nrPages; pfn += memory.pagesPerSection) {
          sparse.freeSection(buddy, Math.floor(pfn / memory.pagesPerSection));
        }
      });
    }
    pageExt.initClients();
    stack.unwindTo(depth);
  }
  hooks.boot_phase.call(BootPhase.page_ext_init);
  // v6.18 sched_init() follows mm_core_init(), whose end is page_ext_init().
  if (v6) schedInit(memory);

  memory.clock.advance(200e6);
  if (v6) log(memoryInfoLine(memory, buddy));
  for (const part of parts) part.lateInit?.(core);
  hooks.boot_phase.call(BootPhase.late_init);
  memory.clock.advance(400e6);
  const freed = freeInitMemory(memory, buddy);
  log(
    v6
      ? `Freeing unused kernel image (initmem) memory: ${freed * 4}K`
      : `Freeing unused kernel memory: ${freed * 4}K (${initAddress(memory)} - ${initAddress(memory, freed)})`,
  );
  memory.current.pid = 1;
  memory.current.tgid = 1;
  memory.current.comm = 'init';

  return new Kernel({
    ...core,
    cmdline,
    parameters: parsed.recognised,
    unknownParameters: parsed.unknown,
    bootAllocations,
    bootMilliseconds: performance.now() - started,
    pageExt,
    features: features.map((feature) => ({ feature, booted: booted.get(feature.factory)! })),
  });
}

/** `sched_init()` → `init_idle(current, 0)`: the boot task becomes `swapper/0` (it was init_task's `swapper`). */
function schedInit(memory: PhysicalMemory): void {
  memory.current.comm = `swapper/${memory.current.cpu}`;
}

/** pfn range of the kernel image's init sections: after code, rodata and rwdata. */
function initRange(memory: PhysicalMemory): { start: number; end: number } {
  const image = memory.profile.kernelImage;
  const kernel = memory.memblockReserved.find((region) => region.owner === 'kernel image')!;
  const start = kernel.start + Math.ceil(((image.codeKiB + image.rodataKiB + image.rwdataKiB) * 1024) / PAGE_SIZE);
  return { start, end: start + Math.floor((image.initKiB * 1024) / PAGE_SIZE) };
}

/** The kernel-text virtual address (`__init_begin` and on) of a page of the init sections, as `%p` printed it. */
function initAddress(memory: PhysicalMemory, offsetPages = 0): string {
  const { start } = initRange(memory);
  const kernel = memory.memblockReserved.find((region) => region.owner === 'kernel image')!;
  const low = 0x81000000 + (start + offsetPages - kernel.start) * PAGE_SIZE;
  return `ffffffff${low.toString(16).padStart(8, '0')}`;
}

/** `free_initmem()`: gives the kernel's init sections back to the allocator. */
function freeInitMemory(memory: PhysicalMemory, buddy: BuddyAllocator): number {
  const { start, end } = initRange(memory);
  return buddy.freeReservedPages(start, end);
}

export { KernelParamError };

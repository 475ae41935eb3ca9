import { BuddyAllocator, zoneBatchsize } from '@mm/buddy';
import {
  DebugPagealloc,
  type DebugPageallocConfig,
  debugPageallocClient,
  debugPageallocParams,
  defaultDebugPageallocConfig,
} from '@mm/debug-pagealloc';
import { BootPhase, createHookBus, type KernelParam, KernelParamError } from '@mm/hooks';
import { Compaction, Migration } from '@mm/migrate';
import { flatmemPageExtAllocations, PageExt, type PageExtClient, pageExtLayouts, planPageExt } from '@mm/page-ext';
import { PageIdle } from '@mm/page-idle';
import {
  createPageOwner,
  PAGE_OWNER_BYTES_V618,
  type PageOwner,
  type PageOwnerConfig,
  pageOwnerParams,
  stackDepotHashEntries,
} from '@mm/page-owner';
import {
  type EarlyAllocation,
  firmwareMemoryMap,
  getProfile,
  type MemoryLayout,
  type MemoryModel,
  type MemoryParamValues,
  memoryParams,
  memparse,
  PAGE_SIZE,
  PhysicalMemory,
  type ProfileName,
} from '@mm/physmem';
import { createKernelText, KernelText, ShadowStack } from '@mm/stacktrace';
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
  /** Parameters of the clients being booted, beside the core ones. */
  readonly params?: readonly KernelParam[];
  /**
   * The page_ext clients built into this kernel (default: all mmsim has). `page_owner` still has to be enabled on
   * the command line; `page_idle` (CONFIG_IDLE_PAGE_TRACKING) is on whenever it is built in.
   */
  readonly clients?: readonly PageExtClientName[];
  /**
   * Whether the architecture can take pages out of the direct map (`ARCH_SUPPORTS_DEBUG_PAGEALLOC`, default true as
   * on x86). Without it, `debug_pagealloc=on` poisons freed pages instead.
   */
  readonly debugPageallocCanUnmap?: boolean;
  /** Fault injection: the fraction of stackdepot pool allocations that fail (0..1) once page_owner runs. */
  readonly depotFailureRate?: number;
}

/** The page_ext clients mmsim has, in the kernel's `page_ext_ops[]` order. */
export type PageExtClientName = 'debug_pagealloc' | 'page_owner' | 'page_idle';

/** The bytes of a size given as a number or text, or a clear error. */
export function parseMemorySize(memory: number | string): number {
  const bytes = typeof memory === 'number' ? memory : memparse(memory);
  if (bytes === undefined || !Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new RangeError(`memory size '${memory}' is not a size such as 512M, 4G or 1T`);
  }
  if (bytes < 64 * 2 ** 20) throw new RangeError(`memory size '${memory}' is too small: mmsim boots machines from 64M`);
  return bytes;
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
 * Boots a simulated machine (DESIGN §4): parses the command line against every package's parameters, lays out
 * physical memory, brings up the buddy allocator with all free memory, makes the kernel's own boot-time
 * allocations, and prints the boot log a real kernel would (init/main.c `start_kernel`, arch/x86 `setup_arch`).
 * A malformed parameter throws {@link KernelParamError}; a machine that cannot exist throws RangeError.
 */
export function boot(options: BootOptions): Kernel {
  const started = performance.now();
  const profile = getProfile(options.profile ?? 'v6.18', options.arch ?? 'x86_64');
  const cmdline = options.cmdline ?? '';
  const bytes = parseMemorySize(options.memory);
  const pending: string[] = [];
  const values: MemoryParamValues = { reserve: [] };
  const builtIn = new Set<PageExtClientName>(options.clients ?? ['debug_pagealloc', 'page_owner', 'page_idle']);
  const debugConfig: DebugPageallocConfig = defaultDebugPageallocConfig();
  const pageOwnerConfig: PageOwnerConfig = { enabled: false };
  const params = [
    ...memoryParams(values),
    ...ignoredCoreParams(),
    ...(builtIn.has('debug_pagealloc') ? debugPageallocParams(debugConfig, profile.name) : []),
    ...(builtIn.has('page_owner') ? pageOwnerParams(pageOwnerConfig, profile.name) : []),
    ...(options.params ?? []),
  ];
  const parsed = parseKernelParams(cmdline, params, profile.name, (line) => pending.push(line));
  // page_ext's need phase: the entry size is known before memory is laid out (FLATMEM takes it from memblock).
  let pageOwner: PageOwner | undefined;
  let pageIdle: PageIdle | undefined;
  let debugPagealloc: DebugPagealloc | undefined;
  const clients: PageExtClient[] = [];
  if (builtIn.has('debug_pagealloc') && profile.era === 'v4') {
    // v4.x page_ext_ops[]: debug_guardpage_ops and page_poisoning_ops come first. v6.18 needs no page_ext.
    clients.push(debugPageallocClient(debugConfig, () => debugPagealloc?.activate()));
  }
  if (builtIn.has('page_owner')) {
    clients.push({
      name: 'page_owner',
      size: PAGE_OWNER_BYTES_V618,
      needSharedFlags: true,
      need: () => pageOwnerConfig.enabled,
      init: (pageExt) => pageOwner?.init(pageExt),
    });
  }
  if (builtIn.has('page_idle')) {
    // page_idle_ops: only 32-bit keeps the flags in page_ext, and then it always needs it.
    clients.push({
      name: 'page_idle',
      size: 0,
      needSharedFlags: true,
      need: () => profile.arch.bitsPerLong === 32,
      init: (pageExt) => pageIdle?.init(pageExt),
    });
  }
  const plan = planPageExt(clients, pageExtLayouts[profile.name]!, profile.arch.bitsPerLong);
  const earlyDepot = profile.era === 'v6' && pageOwnerConfig.enabled;
  let depotEntries = 0;
  const movableBytes =
    values.movablePercent !== undefined
      ? Math.floor((bytes * values.movablePercent) / 100 / PAGE_SIZE) * PAGE_SIZE
      : values.movableBytes;

  const layout = options.layout ?? 'pc';
  const memory = new PhysicalMemory({
    memory: bytes,
    profile,
    layout,
    model: options.model ?? 'sparsemem',
    nodes: options.nodes ?? 1,
    cpus: options.cpus ?? 2,
    ...(values.limit !== undefined ? { limit: values.limit } : {}),
    ...(values.reserve.length > 0 ? { reserve: values.reserve } : {}),
    ...(movableBytes !== undefined ? { movableBytes } : {}),
    earlyAllocations: (nodes) => {
      const requests: EarlyAllocation[] = [];
      if (plan !== undefined && (options.model ?? 'sparsemem') === 'flatmem') {
        requests.push(...flatmemPageExtAllocations(plan, nodes));
      }
      if (earlyDepot) {
        // stack_depot_early_init(): the hash table and the pool pointer array, from memblock.
        const kernelPages = nodes.reduce((sum, node) => sum + node.presentPages, 0);
        depotEntries = stackDepotHashEntries(kernelPages - Math.ceil((kernelPages * 64) / PAGE_SIZE));
        requests.push({ node: 0, bytes: depotEntries * 16, owner: 'stackdepot hash table' });
        requests.push({ node: 0, bytes: 8192 * 8, owner: 'stackdepot pools' });
      }
      return requests;
    },
  });
  const text = createKernelText(profile.era);
  const stack = new ShadowStack();
  memory.stackTrace = () => {
    const frames = new Uint32Array(stack.depth);
    const count = stack.save(frames, stack.depth, 0);
    return Array.from(frames.subarray(0, count), (address) => ({
      address: KernelText.hexAddress(address),
      symbol: text.formatSymbol(address),
    }));
  };
  const log = (lines: string | readonly string[]) => {
    for (const line of typeof lines === 'string' ? [lines] : lines) memory.log.printk(line);
  };
  const v6 = profile.era === 'v6';
  const hooks = createHookBus();

  log(
    v6
      ? `Linux version ${profile.release} (mmsim@mmsim) (gcc (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) ${BOOT_BUILD}`
      : `Linux version ${profile.release} (mmsim@mmsim) (gcc version 6.2.0 20161109 (Debian 6.2.0-13) ) ${BOOT_BUILD.replace(' PREEMPT_DYNAMIC', '')}`,
  );
  log(`Command line: ${cmdline}`);
  log(memoryMapLines(memory, firmwareMemoryMap(layout, bytes, profile.arch), values.limit));
  log(pending);
  hooks.boot_phase.call(BootPhase.setup_arch);
  log(zoneLines(memory));
  let totalPages = memory.presentPages;
  if (v6) {
    log(unavailableRangeLines(memory));
  } else {
    const setup = zoneSetupLinesV4(memory, (managed) => zoneBatchsize(managed, profile));
    log(setup.lines);
    totalPages = setup.totalPages;
  }
  log(zonelistLines(memory, totalPages));
  log(`Kernel command line: ${cmdline}`);
  if (v6) {
    const unknown = unknownParamsLine(parsed.unknown);
    if (unknown !== undefined) log(unknown);
  }
  if (earlyDepot) {
    const bytesOfTable = depotEntries * 16;
    log([
      'stackdepot: allocating hash table via alloc_large_system_hash',
      `stackdepot hash table entries: ${depotEntries} (order: ${Math.log2(bytesOfTable) - 12}, ${bytesOfTable} bytes, linear)`,
      'stackdepot: allocating space for 8192 stack pools via memblock',
    ]);
  }
  if (plan !== undefined && memory.model === 'flatmem') {
    const flat = flatmemPageExtAllocations(plan, memory.nodes).reduce((sum, request) => sum + request.bytes, 0);
    log(`allocated ${flat} bytes of page_ext`);
  }

  memory.clock.advance(20e6 + memory.presentPages * 10);
  const buddy = new BuddyAllocator(memory, hooks);
  buddy.freeAllMemory();
  if (builtIn.has('debug_pagealloc')) {
    debugPagealloc = new DebugPagealloc({
      memory,
      hooks,
      buddy,
      config: debugConfig,
      canUnmap: options.debugPageallocCanUnmap ?? true,
    });
    // v6.18 mem_debugging_and_hardening_init(): before memblock_free_all(), so all free memory starts unmapped.
    if (v6) debugPagealloc.activate();
  }
  if (!v6) log(memoryInfoLine(memory, buddy));
  hooks.boot_phase.call(BootPhase.mm_init);

  memory.clock.advance(50e6);
  const bootAllocations = allocateBootMemory(buddy);
  if (builtIn.has('page_owner')) {
    pageOwner = createPageOwner({
      memory,
      hooks,
      buddy,
      text,
      stack,
      enabled: pageOwnerConfig.enabled,
      ...(depotEntries > 0 ? { depotBuckets: depotEntries } : {}),
      ...(options.depotFailureRate !== undefined ? { depotFailureRate: options.depotFailureRate } : {}),
    });
  }
  const vm = new Vm({ memory, buddy, hooks, stack });
  const migration = new Migration({ memory, buddy, hooks, vm });
  const compaction = new Compaction({ memory, buddy, vm, migration });
  compaction.enableDirectCompaction(hooks);
  if (builtIn.has('page_idle')) pageIdle = new PageIdle({ memory, vm, hooks });
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
    }
    pageExt.initClients();
    stack.unwindTo(depth);
  }
  hooks.boot_phase.call(BootPhase.page_ext_init);

  memory.clock.advance(200e6);
  if (v6) log(memoryInfoLine(memory, buddy));
  if (pageOwner !== undefined && !pageOwner.enabled) log('page_owner is disabled');
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
    memory,
    hooks,
    buddy,
    cmdline,
    parameters: parsed.recognised,
    unknownParameters: parsed.unknown,
    bootAllocations,
    bootMilliseconds: performance.now() - started,
    text,
    stack,
    ...(pageExt !== undefined ? { pageExt } : {}),
    ...(pageOwner !== undefined ? { pageOwner } : {}),
    vm,
    migration,
    compaction,
    ...(pageIdle !== undefined ? { pageIdle } : {}),
    ...(debugPagealloc !== undefined ? { debugPagealloc } : {}),
  });
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

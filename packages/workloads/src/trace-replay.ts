import { totalmem } from 'node:os';
import { boot, hostLimitText, type Kernel, parseMemorySize } from '@mm/kernel';
import type { Feature, MachineCore } from '@mm/kernel-spec';
import {
  firmwareMemoryMap,
  formatSize,
  MAX_PAGE_ORDER,
  PAGE_SIZE,
  PER_PAGE_PFNS,
  type ProfileName,
  parseGfp,
  presentRanges,
  x86_64,
} from '@mm/physmem';
import type { KernelText } from '@mm/stacktrace';
import { PfnSet } from './pfn-set';
import { TraceBlocks } from './trace-blocks';
import { gfpFits, NO_PAGE, pfnOf, type TraceEvent, TraceFormatError, type TraceFrame, traceField } from './trace-event';
import { TraceReader } from './trace-reader';
import { type FrameSource, type KallsymsSymbol, TraceSymbols } from './trace-symbols';

/** The page allocator events a replay understands (include/trace/events/kmem.h). */
export const replayedEvents = [
  'mm_page_alloc',
  'mm_page_free',
  'mm_page_free_batched',
  'mm_page_alloc_zone_locked',
  'mm_page_pcpu_drain',
  'mm_page_alloc_extfrag',
] as const;

const isReplayed: ReadonlySet<string> = new Set(replayedEvents);

/** The largest machine a replay sizes for itself (mmsim's tested limit); `memory` overrides it. */
export const REPLAY_MEMORY_CAP = 2 ** 40;

export { TraceFormatError };

/**
 * A trace whose pages lie beyond the machine a replay may build (the RAM of `memory`, {@link REPLAY_MEMORY_CAP}, or
 * what the host can hold): thrown as soon as the first pass reads the page, before any machine is booted; the
 * message, one line, names the file, the line, the pfn and the RAM it needs. Also a `memory` beyond any machine
 * mmsim builds or the host holds, before the trace is read (the message names the size).
 */
export class TraceRangeError extends RangeError {
  override readonly name = 'TraceRangeError';
}

/** How to replay a trace. */
export interface ReplayOptions {
  /** Opens the trace's text from its start: a replay reads it twice (first its symbols, pages and size). */
  readonly open: () => AsyncIterable<string>;
  /** The trace's name in messages. */
  readonly file?: string;
  /** The kernel whose files the replay shows (default `v6.18`), whatever kernel wrote the trace. */
  readonly profile?: ProfileName;
  /** Default `page_owner=on`. */
  readonly cmdline?: string;
  /**
   * RAM; default: sized from the trace's highest page, up to {@link REPLAY_MEMORY_CAP}. A trace with a page beyond
   * it is refused ({@link TraceRangeError}).
   */
  readonly memory?: number | string;
  /**
   * Host bytes the replay's machine may take (see `estimateHostBytes()` of @mm/kernel); default the host's RAM
   * (`os.totalmem()`). A machine that would take more is refused before the trace is read (`memory` given) or at
   * the trace's first page that needs it.
   */
  readonly hostMemoryLimit?: number;
  /** The traced machine's symbols (`parseKallsyms()` of its /proc/kallsyms), for the frames' real sizes. */
  readonly kallsyms?: ReadonlyMap<string, KallsymsSymbol>;
  /** The features to boot (the CLI boots them all). */
  readonly features: readonly Feature[];
  readonly cpus?: number;
  /** Sees every event of the replaying pass, in trace order, before it is replayed (perf kmem statistics, say). */
  readonly observe?: (event: TraceEvent) => void;
}

/** What a replay did: the trace's events, how each was replayed, and where its frames' sizes came from. */
export interface ReplayResult {
  /** RAM of the machine the trace was replayed on, in bytes. */
  readonly memoryBytes: number;
  /** Events by name, as the trace spells them. */
  readonly events: Record<string, number>;
  /** Lines that are not events mmsim knows (other events, other text). */
  readonly unknownLines: number;
  /** Lines of a known event without the fields it needs. */
  readonly malformedLines: number;
  /** The first malformed lines' messages (file:line: ...), at most 10. */
  readonly errors: readonly string[];
  /** Allocations replayed at their pfn, and frees of pages the replay had allocated. */
  readonly allocations: number;
  readonly frees: number;
  /** `mm_page_alloc` events of allocations that failed (no page). */
  readonly failedAllocations: number;
  /**
   * Allocations of pages the replay still held from an earlier allocation: the trace missed their free (it began
   * mid-run, or follows some tasks only), so the earlier owner's pages were freed first and the new owner holds them.
   */
  readonly missedFrees: number;
  /** Frees of pages the trace never showed allocated (allocated before the trace began, or by an untraced task). */
  readonly unknownFrees: number;
  /** Frees of part of an allocated block (`split_page()` first, as the kernel did for it). */
  readonly partialFrees: number;
  /** Allocations of pages the simulated machine has no free page for (its own reserved memory, a hole). */
  readonly unplaceable: number;
  /**
   * Allocations the simulated machine made for itself while replaying: its stack depot's pools, taken as the
   * kernel takes them, in the context of the event whose new stack needed room, with page_owner's dummy stack.
   * The traced machine's own pools are in the trace already, as events.
   */
  readonly ownAllocations: number;
  /** Kernel frames of the call chains replayed, by where their symbol's size came from. */
  readonly frames: Readonly<Record<FrameSource, number>>;
  /** How the trace was written: `ftrace` or `perf script`, and `pfn=%lu` (decimal) or `pfn=0x%lx` (hex). */
  readonly formats: readonly string[];
}

/** The allocator's own frames at the top of an allocation's call chain: where the tracepoint fires. */
const ALLOCATOR_ENTRY = /^(__alloc_frozen_pages_noprof|__alloc_pages_noprof|__alloc_pages_nodemask|__alloc_pages)$/;

/** The frames of an allocation's chain that page_owner shows below its own: those past the allocator's entry. */
function callerFrames(event: TraceEvent): readonly TraceFrame[] {
  const chain = event.chain;
  for (let index = 0; index < chain.length; index++) {
    if (chain[index]!.symbol !== undefined && ALLOCATOR_ENTRY.test(chain[index]!.symbol!))
      return chain.slice(index + 1);
  }
  return chain;
}

/** How many gfp texts a replay keeps parsed. */
const GFP_CACHE_SIZE = 4096;

/** A field's text for a message: its first 80 characters. */
const clip = (text: string): string => (text.length > 80 ? `${text.slice(0, 80)}...` : text);

/** What {@link readPages} found. */
const Pages = { found: 0, failed: 1, malformed: 2 } as const;
type Pages = (typeof Pages)[keyof typeof Pages];

/** The pages of the event {@link readPages} read last: its pfn, order, and whether its pfn was printed in hex. */
const pages = { pfn: 0, order: 0, hex: false };

/** The `order=` of an event (`%d`: one or two decimal digits, at most {@link MAX_PAGE_ORDER}), or -1. */
function orderOf(text: string | undefined): number {
  if (text === undefined || text.length === 0 || text.length > 2) return -1;
  let order = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x30 || code > 0x39) return -1;
    order = order * 10 + (code - 0x30);
  }
  return order <= MAX_PAGE_ORDER ? order : -1;
}

/** An event's pfn and order (into {@link pages}), or why it has none: a failed allocation, or fields missing. */
function readPages(event: TraceEvent): Pages {
  const pfnText = traceField(event, 'pfn');
  const pfn = pfnText === undefined ? undefined : pfnOf(pfnText, event);
  if (pfn === NO_PAGE) return Pages.failed;
  const order = orderOf(traceField(event, 'order') ?? (event.name === 'mm_page_free_batched' ? '0' : undefined));
  if (pfn === undefined || order < 0) {
    pages.pfn = pfn ?? -1;
    return Pages.malformed;
  }
  pages.pfn = pfn;
  pages.order = order;
  pages.hex = pfnText!.charCodeAt(1) === 0x78;
  return Pages.found;
}

/** What the first pass learns of a trace. */
interface Survey {
  readonly symbols: TraceSymbols;
  readonly pages: PfnSet;
  readonly maxPfnEnd: number;
  readonly maxPfnLine: number;
  readonly formats: Set<string>;
}

/**
 * The first pass: the trace's symbols and their largest offsets, the pages it allocates, its highest page. Each new
 * highest page is checked against what the machine can be (`bound`), which throws at once for one beyond it.
 */
async function survey(options: ReplayOptions, file: string, bound: MachineBound): Promise<Survey> {
  const symbols = new TraceSymbols();
  const allocated = new PfnSet();
  const formats = new Set<string>();
  let maxPfnEnd = 0;
  let maxPfnLine = 0;
  const reader = new TraceReader({ tasks: false, file });
  const visit = (event: TraceEvent) => {
    if (!isReplayed.has(event.name)) return;
    const isAlloc = event.name === 'mm_page_alloc';
    const chain = isAlloc ? callerFrames(event) : event.chain;
    for (let index = 0; index < chain.length; index++) symbols.note(chain[index]!);
    const found = readPages(event);
    // Every page event sizes the machine, even those not replayed (a drain, a fallback): their pages are its pages.
    if (found === Pages.failed || pages.pfn < 0) return;
    formats.add(pages.hex ? 'pfn=0x%lx' : 'pfn=%lu');
    const end = found === Pages.found ? pages.pfn + 2 ** pages.order : pages.pfn + 1;
    if (end > maxPfnEnd) {
      bound.check(end, event.line);
      maxPfnEnd = end;
      maxPfnLine = event.line;
    }
    if (isAlloc && found === Pages.found) allocated.addRange(pages.pfn, 2 ** pages.order);
  };
  for await (const chunk of options.open()) for (const event of reader.push(chunk)) visit(event);
  for (const event of reader.end()) visit(event);
  formats.add(reader.layouts.has('perf script') ? 'perf script' : 'ftrace');
  return { symbols, pages: allocated, maxPfnEnd, maxPfnLine, formats };
}

/** The RAM of a machine that holds the pages below `pfnEnd`: 1 GiB more than the highest, in whole GiB. */
function sizedBytes(pfnEnd: number): number {
  return (Math.ceil((pfnEnd * PAGE_SIZE) / 2 ** 30) + 1) * 2 ** 30;
}

/**
 * The end of the pfns of a machine of `bytes` of RAM: its PC memory map (RAM above 3 GiB moves past 4 GiB), or
 * Infinity for RAM beyond the physical address space.
 */
function machineEndPfn(bytes: number): number {
  try {
    const ranges = presentRanges(firmwareMemoryMap('pc', bytes, x86_64), true);
    return ranges[ranges.length - 1]?.end ?? 0;
  } catch (error) {
    if (error instanceof RangeError) return Number.POSITIVE_INFINITY;
    throw error;
  }
}

/** What the replay's machine can hold, known before the trace is read. */
interface MachineBound {
  /** The RAM given, or undefined when the trace's highest page sizes the machine. */
  readonly bytes: number | undefined;
  /** Throws {@link TraceRangeError} when pages below `pfnEnd` (its highest first seen at `line`) do not fit. */
  check(pfnEnd: number, line: number): void;
}

/**
 * The bound of the replay's machine: the RAM of `memory` (checked now against mmsim's largest machine and the host),
 * or else whatever the trace needs up to {@link REPLAY_MEMORY_CAP} and the host's memory.
 */
function machineBound(options: ReplayOptions, file: string): MachineBound {
  const host = options.hostMemoryLimit ?? totalmem();
  const pfnAt = (pfnEnd: number) => `0x${(pfnEnd - 1).toString(16)}`;
  const hostCost = (bytes: number) => hostLimitText(bytes, host);
  if (options.memory !== undefined) {
    const bytes = parseMemorySize(options.memory);
    const endPfn = machineEndPfn(bytes);
    if (endPfn > PER_PAGE_PFNS) {
      throw new TraceRangeError(
        `${formatSize(bytes)} of RAM reach beyond pfn 0x${PER_PAGE_PFNS.toString(16)}: a replay puts pages at the ` +
          "trace's pfns, and mmsim keeps per-page state below 8 TiB only, so its machine must end below it (at most " +
          '8191G of RAM with the PCI hole)',
      );
    }
    const cost = hostCost(bytes);
    if (cost !== undefined) throw new TraceRangeError(`${formatSize(bytes)} of RAM ${cost}`);
    return {
      bytes,
      check(pfnEnd, line) {
        if (pfnEnd <= endPfn) return;
        const needed = sizedBytes(pfnEnd);
        const advice =
          pfnEnd > PER_PAGE_PFNS
            ? `no machine mmsim replays on reaches it (pfns end below 0x${PER_PAGE_PFNS.toString(16)}, 8 TiB)`
            : `replaying it needs --mem ${formatSize(needed)}`;
        throw new TraceRangeError(
          `${file}:${line}: pfn ${pfnAt(pfnEnd)} is beyond the ${formatSize(bytes)} of RAM given (its pfns end ` +
            `at 0x${endPfn.toString(16)}): ${advice}`,
        );
      },
    };
  }
  return {
    bytes: undefined,
    check(pfnEnd, line) {
      const needed = sizedBytes(pfnEnd);
      if (needed > REPLAY_MEMORY_CAP) {
        throw new TraceRangeError(
          `${file}:${line}: pfn ${pfnAt(pfnEnd)} is at ${(needed / 2 ** 40).toFixed(1)} TiB, beyond the ${REPLAY_MEMORY_CAP / 2 ** 40} TiB a replay sizes its machine to: give the memory to replay it on (--mem)`,
        );
      }
      const cost = hostCost(needed);
      if (cost !== undefined) {
        throw new TraceRangeError(
          `${file}:${line}: pfn ${pfnAt(pfnEnd)} needs a machine of ${formatSize(needed)} of RAM, which ${cost}`,
        );
      }
    },
  };
}

/**
 * The replay's hold on the pages a trace allocates: taken out of the allocator as soon as it holds memory, before
 * the kernel's own boot allocations, so that nothing of the simulation (boot allocations, page_ext, stack depot
 * pools) takes a page the trace will allocate.
 */
function tracePages(pages: PfnSet): Feature<undefined> {
  const feature: Feature<undefined> = {
    name: 'trace_pages',
    factory: () => feature,
    boot: () => ({
      api: undefined,
      memInit: ({ buddy }: MachineCore) => pages.forEachRun((pfn, count) => buddy.holdFreePages(pfn, count)),
    }),
  };
  return feature;
}

/**
 * Replays a real trace of the page allocator's events (`perf script` of `kmem:mm_page_alloc`/`mm_page_free` with
 * call chains, or ftrace text of the kmem page events) through a machine booted for it, so that its page_owner
 * shows what the traced machine's would have: every allocation at its pfn and order, with its gfp flags, the
 * trace's task and time, and its whole call chain (the symbols' sizes from kallsyms, the model, or the trace, see
 * {@link TraceSymbols}). Two passes over the text: the first learns the symbols, the pages and the machine's size;
 * the second replays. A page allocated again without a traced free frees its earlier owner first; frees of pages
 * the trace never allocated, failed allocations, and pages the simulated machine cannot give are counted. Throws,
 * before booting: {@link TraceRangeError} at the first page beyond the machine (`memory`, else
 * {@link REPLAY_MEMORY_CAP}, and what the host can hold) or for a `memory` no machine can have or the host hold
 * (before reading the trace); {@link TraceFormatError} for text that is no trace (a line over 64 KiB, or not one
 * event line).
 */
export async function replayTrace(options: ReplayOptions): Promise<{ kernel: Kernel; result: ReplayResult }> {
  const file = options.file ?? '<trace>';
  const bound = machineBound(options, file);
  const found = await survey(options, file, bound);
  const memoryBytes = bound.bytes ?? sizedBytes(found.maxPfnEnd);
  const profile = options.profile ?? 'v6.18';
  let text: KernelText;
  try {
    text = found.symbols.buildText(profile === 'v6.18' ? 'v6' : 'v4', options.kallsyms);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new TraceRangeError(
      `${file}: the symbols of its call chains do not fit a kernel text of 32-bit addresses (${error.message})`,
    );
  }
  const kernel = boot({
    memory: memoryBytes,
    profile,
    cmdline: options.cmdline ?? 'page_owner=on',
    cpus: options.cpus ?? 2,
    hostMemoryLimit: options.hostMemoryLimit ?? totalmem(),
    text,
    features: [...options.features, tracePages(found.pages)],
  });
  const result = await replay(kernel, options, found, file);
  return { kernel, result: { memoryBytes, ...result, formats: [...found.formats] } };
}

/** The second pass. */
async function replay(
  kernel: Kernel,
  options: ReplayOptions,
  found: Survey,
  file: string,
): Promise<Omit<ReplayResult, 'memoryBytes' | 'formats'>> {
  const { buddy, memory, stack, text } = kernel;
  const { current } = memory;
  const result = {
    events: {} as Record<string, number>,
    unknownLines: 0,
    malformedLines: 0,
    errors: [] as string[],
    allocations: 0,
    frees: 0,
    failedAllocations: 0,
    missedFrees: 0,
    unknownFrees: 0,
    partialFrees: 0,
    unplaceable: 0,
    ownAllocations: 0,
    frames: { kallsyms: 0, modelled: 0, derived: 0, unresolved: 0 },
  };
  const blocks = new TraceBlocks();
  const gfpCache = new Map<string, number>();
  /** Runs of one mask are common: the last one read, compared before the map is asked. */
  const lastGfp = { text: '', value: 0 };
  const malformed = (line: number, message: string) => {
    result.malformedLines++;
    if (result.errors.length < 10) result.errors.push(new TraceFormatError(file, line, message).message);
  };

  /** The return address of a frame in the replay's text (an unresolved one keeps its own). */
  const siteOf = (frame: TraceFrame): number => {
    result.frames[found.symbols.sourceOf(frame)]++;
    return frame.symbol === undefined
      ? Number.parseInt(frame.address.slice(-8), 16)
      : text.address(frame.symbol, frame.offset);
  };

  /** Runs `body` as the event's task, at its time, with its call chain (outermost first) on the kernel stack. */
  const asEvent = (event: TraceEvent, chain: readonly TraceFrame[], body: () => void) => {
    memory.clock.ns = event.timestamp;
    const comm = event.comm.slice(0, 15);
    current.pid = event.pid;
    current.tgid = event.tgid ?? event.pid;
    current.comm = comm;
    const depth = stack.depth;
    for (let index = chain.length - 1; index >= 0; index--) stack.push(siteOf(chain[index]!));
    try {
      body();
    } finally {
      stack.unwindTo(depth);
    }
  };

  /** Frees a block the trace holds (its pages go back to the replay's hold) and forgets it. */
  const freeBlock = (head: number, order: number) => {
    blocks.delete(head, order);
    buddy.freeAndHold(head, order);
  };

  const handle = (event: TraceEvent): void => {
    options.observe?.(event);
    if (!isReplayed.has(event.name)) {
      result.unknownLines++;
      return;
    }
    result.events[event.name] = (result.events[event.name] ?? 0) + 1;
    const isFree = event.name === 'mm_page_free';
    if (event.name !== 'mm_page_alloc' && !isFree) return;
    const found = readPages(event);
    if (found === Pages.malformed) {
      malformed(event.line, `${event.name} needs pfn= (decimal or 0x...) and order=N`);
      return;
    }
    if (found === Pages.failed) {
      if (event.name === 'mm_page_alloc') result.failedAllocations++;
      return;
    }
    const { pfn, order } = pages;
    const count = 2 ** order;
    if (isFree) {
      asEvent(event, event.chain, () => freeTracePages(pfn, count));
      return;
    }
    const gfpText = traceField(event, 'gfp_flags') ?? '';
    let gfp = gfpText === lastGfp.text ? lastGfp.value : gfpCache.get(gfpText);
    if (gfp === undefined) {
      const fits = gfpFits(gfpText);
      gfp = fits ? parseGfp(gfpText, memory.profile.gfp) : undefined;
      if (gfp === undefined) {
        const why = fits ? `is not a gfp mask of ${memory.profile.name}` : "has bits beyond gfp_t's 32";
        malformed(event.line, `mm_page_alloc gfp_flags=${clip(gfpText)} ${why}`);
        return;
      }
      // A trace has a few hundred masks; the cache stays small whatever the text.
      if (gfpCache.size >= GFP_CACHE_SIZE) gfpCache.clear();
      gfpCache.set(gfpText, gfp);
    }
    lastGfp.text = gfpText;
    lastGfp.value = gfp;
    // Pages the trace still holds: their free was not traced; the earlier owner goes first.
    for (let page = pfn; page < pfn + count; page++) {
      const head = blocks.headOf(page);
      if (head < 0) continue;
      result.missedFrees++;
      freeBlock(head, blocks.orderOf(head));
    }
    let done = false;
    asEvent(event, callerFrames(event), () => {
      done = buddy.allocHeld(pfn, order, gfp);
    });
    if (!done) {
      result.unplaceable++;
      return;
    }
    blocks.set(pfn, order);
    result.allocations++;
  };

  /** An `mm_page_free` of `count` pages from `pfn`, as the current event. */
  const freeTracePages = (pfn: number, count: number) => {
    let page = pfn;
    while (page < pfn + count) {
      const head = blocks.headOf(page);
      if (head < 0) {
        result.unknownFrees++;
        page++;
        continue;
      }
      const order = blocks.orderOf(head);
      if (head === page && page + 2 ** order <= pfn + count) {
        freeBlock(head, order);
        result.frees++;
        page += 2 ** order;
        continue;
      }
      // Part of a larger block: the kernel split it (split_page(), or a folio's split) and freed pages of it.
      buddy.splitFolio(head, order);
      for (let sub = head; sub < head + 2 ** order; sub++) blocks.set(sub, 0);
      result.partialFrees++;
    }
  };

  // The task and time of the events replayed; the others are only counted.
  const reader = new TraceReader({ tasks: (name) => name === 'mm_page_alloc' || name === 'mm_page_free', file });
  const allocationsBefore = buddy.stats.allocations;
  const before = { pid: current.pid, tgid: current.tgid, comm: current.comm, ns: memory.clock.ns };
  try {
    for await (const chunk of options.open()) for (const event of reader.push(chunk)) handle(event);
    for (const event of reader.end()) handle(event);
  } finally {
    current.pid = before.pid;
    current.tgid = before.tgid;
    current.comm = before.comm;
    memory.clock.ns = Math.max(memory.clock.ns, before.ns);
    // The pages the trace freed and did not allocate again are free at its end.
    found.pages.forEachRun((pfn, count) => buddy.releaseHeldPages(pfn, count));
  }
  result.ownAllocations = buddy.stats.allocations - allocationsBefore - result.allocations;
  result.unknownLines += reader.unknown;
  return result;
}

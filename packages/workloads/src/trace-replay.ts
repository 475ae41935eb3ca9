import type { Kernel } from '@mm/kernel';
import { parseGfp } from '@mm/physmem';

/** The page allocator events a replay understands (include/trace/events/kmem.h). */
export const replayedEvents = [
  'mm_page_alloc',
  'mm_page_free',
  'mm_page_free_batched',
  'mm_page_alloc_zone_locked',
  'mm_page_pcpu_drain',
  'mm_page_alloc_extfrag',
] as const;

/** One event of a trace: its name, fields, the task, and (perf script) the kernel call chain, innermost first. */
export interface TraceEvent {
  readonly line: number;
  readonly name: string;
  readonly comm: string;
  readonly pid: number;
  readonly fields: ReadonlyMap<string, string>;
  readonly chain: readonly string[];
}

/** A line of a known event that does not have what the event needs. */
export class TraceFormatError extends Error {
  readonly file: string;
  readonly line: number;

  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'TraceFormatError';
    this.file = file;
    this.line = line;
  }
}

// ftrace text: `  comm-pid  [cpu] flags  timestamp: event: fields`; the comm may contain spaces and dashes.
const FTRACE = /^\s*(.+)-(\d+)\s+\[(\d{3})\]\s+\S+\s+(\d+\.\d+): (\w+): (.*)$/;
// perf script: `comm pid [cpu] timestamp: [system:]event: fields`, then `\taddress symbol+0xoff (dso)` lines.
const PERF = /^(\S.*?)\s+(\d+)\s+\[(\d{3})\]\s+(\d+\.\d+):\s+(?:\w+:)?(\w+): (.*)$/;
const PERF_FRAME = /^\s+[0-9a-f]+ (\S+) \(([^)]*)\)$/;

function fieldsOf(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const match of text.matchAll(/(\w+)=(\S+)/g)) fields.set(match[1]!, match[2]!);
  return fields;
}

/**
 * Reads the events of an ftrace text trace (`/sys/kernel/tracing/trace`) or of `perf script` output, detecting the
 * format from each line, one event at a time (perf events with their call chains). Lines that are neither are
 * counted in `unknown`.
 */
export async function* traceEvents(
  lines: AsyncIterable<string>,
  counts: { unknown: number },
): AsyncGenerator<TraceEvent, void, undefined> {
  let number = 0;
  let pending:
    | { line: number; name: string; comm: string; pid: number; fields: Map<string, string>; chain: string[] }
    | undefined;
  for await (const line of lines) {
    number++;
    if (pending !== undefined) {
      const frame = PERF_FRAME.exec(line);
      if (frame !== null) {
        if (frame[2] === '[kernel.kallsyms]') pending.chain.push(frame[1]!);
        continue;
      }
      yield pending;
      pending = undefined;
      if (line.trim() === '') continue;
    }
    if (line.startsWith('#') || line.trim() === '') continue;
    const ftrace = FTRACE.exec(line);
    if (ftrace !== null) {
      yield {
        line: number,
        name: ftrace[5]!,
        comm: ftrace[1]!,
        pid: Number(ftrace[2]),
        fields: fieldsOf(ftrace[6]!),
        chain: [],
      };
      continue;
    }
    const perf = PERF.exec(line);
    if (perf !== null) {
      pending = {
        line: number,
        name: perf[5]!,
        comm: perf[1]!,
        pid: Number(perf[2]),
        fields: fieldsOf(perf[6]!),
        chain: [],
      };
      continue;
    }
    counts.unknown++;
  }
  if (pending !== undefined) yield pending;
}

/** What a replay did. */
export interface ReplayResult {
  /** Events by name, as the trace spells them. */
  readonly events: Record<string, number>;
  /** Lines that are not events mmsim knows (other events, other text). */
  unknownLines: number;
  /** Lines of a known event without the fields it needs. */
  malformedLines: number;
  /** The first malformed lines' messages (file:line: ...), at most 10. */
  readonly errors: string[];
  /** Allocations replayed at their pfn, and frees of pages the replay had allocated. */
  allocations: number;
  frees: number;
  /** Allocations whose pages the simulation did not have free (the trace began after they were allocated, or a
   * pfn is in a hole of the simulated machine); frees of pages the replay never allocated. */
  skippedAllocations: number;
  skippedFrees: number;
}

/** The highest pfn + order pages of the allocations and frees in a trace (for sizing the machine). */
export async function traceMaxPfn(lines: AsyncIterable<string>): Promise<number> {
  let max = 0;
  for await (const event of traceEvents(lines, { unknown: 0 })) {
    const pfn = Number.parseInt(event.fields.get('pfn') ?? '', 16);
    const order = Number(event.fields.get('order') ?? 0);
    if (Number.isSafeInteger(pfn)) max = Math.max(max, pfn + 2 ** order);
  }
  return max;
}

/**
 * Replays a trace through a booted machine: each `mm_page_alloc` allocates its pfn and order with its gfp flags
 * (`buddy.allocExact()`), with a perf event's kernel call chain on the simulated stack, so that page_owner records
 * the real kernel's allocation sites; `mm_page_free` and `mm_page_free_batched` free the pages the replay had
 * allocated (the batched event repeats a free the trace already showed); the other events are counted. Real pfns
 * are the simulated ones: the machine must be large enough. Streams: memory holds the pages the replay holds.
 */
export async function replayTrace(
  kernel: Kernel,
  lines: AsyncIterable<string>,
  file = '<trace>',
): Promise<ReplayResult> {
  const result: ReplayResult = {
    events: {},
    unknownLines: 0,
    malformedLines: 0,
    errors: [],
    allocations: 0,
    frees: 0,
    skippedAllocations: 0,
    skippedFrees: 0,
  };
  const counts = { unknown: 0 };
  const held = new Map<number, number>();
  const { buddy, memory, stack } = kernel;
  const malformed = (line: number, message: string) => {
    result.malformedLines++;
    if (result.errors.length < 10) result.errors.push(new TraceFormatError(file, line, message).message);
  };
  for await (const event of traceEvents(lines, counts)) {
    if (!(replayedEvents as readonly string[]).includes(event.name)) {
      counts.unknown++;
      continue;
    }
    result.events[event.name] = (result.events[event.name] ?? 0) + 1;
    if (event.name !== 'mm_page_alloc' && event.name !== 'mm_page_free' && event.name !== 'mm_page_free_batched') {
      continue;
    }
    const pfn = Number.parseInt(event.fields.get('pfn') ?? '', 16);
    const order = Number(event.fields.get('order') ?? (event.name === 'mm_page_free_batched' ? '0' : ''));
    if (!Number.isSafeInteger(pfn) || !Number.isInteger(order) || order < 0 || order > 10) {
      malformed(event.line, `${event.name} needs pfn=0x... and order=N`);
      continue;
    }
    if (event.name !== 'mm_page_alloc') {
      if (held.get(pfn) === order) {
        held.delete(pfn);
        buddy.freePages(pfn, order);
        result.frees++;
      } else if (event.name === 'mm_page_free') {
        result.skippedFrees++;
      }
      continue;
    }
    const gfp = parseGfp(event.fields.get('gfp_flags') ?? '', memory.profile.gfp);
    if (gfp === undefined) {
      malformed(
        event.line,
        `mm_page_alloc gfp_flags=${event.fields.get('gfp_flags')} is not a gfp mask of ${memory.profile.name}`,
      );
      continue;
    }
    const depth = stack.depth;
    try {
      stack.pushAll(callSites(kernel, event.chain));
    } catch {
      // A frame this kernel text cannot place: record the allocation without the chain.
      stack.unwindTo(depth);
    }
    const done =
      memory.pfnValid(pfn) &&
      memory.current.runAs({ pid: event.pid, tgid: event.pid, comm: event.comm.slice(0, 15) }, () =>
        buddy.allocExact(pfn, order, gfp),
      );
    stack.unwindTo(depth);
    if (done) {
      held.set(pfn, order);
      result.allocations++;
    } else {
      result.skippedAllocations++;
    }
  }
  result.unknownLines = counts.unknown;
  return result;
}

/**
 * The return addresses of a perf call chain (innermost first, `symbol+0xoff`), outermost first for the shadow stack,
 * without the allocator's own frames (page_owner adds its era's).
 */
function callSites(kernel: Kernel, chain: readonly string[]): Uint32Array {
  const entry = chain.findIndex((frame) =>
    /^(__alloc_frozen_pages_noprof|__alloc_pages_noprof|__alloc_pages_nodemask|__alloc_pages)\+/.test(frame),
  );
  const frames = chain.slice(entry + 1).reverse();
  // A symbol this kernel text lacks is defined with a size just past the offset perf saw.
  return kernel.text.sites(
    frames.map((frame) => {
      const [name, offset] = frame.split('+0x') as [string, string | undefined];
      return kernel.text.has(name) ? frame : `${frame}/0x${(Number.parseInt(offset ?? '0', 16) + 0x40).toString(16)}`;
    }),
  );
}

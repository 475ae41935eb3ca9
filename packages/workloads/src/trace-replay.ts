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

/**
 * One event of a trace: its name, the task, its fields as printed (see {@link traceField}), and (perf script) the
 * kernel call chain, innermost first.
 */
export interface TraceEvent {
  readonly line: number;
  readonly name: string;
  readonly comm: string;
  readonly pid: number;
  readonly fields: string;
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

/**
 * The parts of an event line of either format, or undefined for any other line. ftrace text:
 * `  comm-pid  [cpu] flags  timestamp: event: fields`; perf script: `comm pid [cpu] timestamp: system:event: fields`.
 * The comm may contain spaces and dashes (the pid is after the last one). Scanned with indexOf, not a regex: a
 * replay reads millions of lines.
 */
function eventLine(line: string): { comm: string; pid: number; name: string; fields: string } | undefined {
  const cpu = line.indexOf(' [');
  if (cpu < 0 || line.charCodeAt(cpu + 5) !== 0x5d /* ] */) return undefined;
  const stamp = line.indexOf(': ', cpu + 6);
  if (stamp < 0) return undefined;
  const nameEnd = line.indexOf(': ', stamp + 2);
  if (nameEnd < 0) return undefined;
  let name = line.slice(stamp + 2, nameEnd);
  const system = name.indexOf(':');
  if (system >= 0) name = name.slice(system + 1);
  const head = line.slice(0, cpu).trim();
  const split = Math.max(head.lastIndexOf('-'), head.lastIndexOf(' '));
  const pid = Number(head.slice(split + 1));
  if (split <= 0 || !Number.isInteger(pid)) return undefined;
  return { comm: head.slice(0, split).trimEnd(), pid, name, fields: line.slice(nameEnd + 2) };
}

/** The value of `key=` in an event's fields (`pfn`, `order`, `gfp_flags`), or undefined. */
export function traceField(event: TraceEvent, key: string): string | undefined {
  const { fields } = event;
  let at = fields.indexOf(`${key}=`);
  while (at > 0 && fields.charCodeAt(at - 1) !== 0x20) at = fields.indexOf(`${key}=`, at + 1);
  if (at < 0) return undefined;
  const end = fields.indexOf(' ', at);
  return fields.slice(at + key.length + 1, end < 0 ? fields.length : end);
}

/**
 * Turns chunks of trace text into events, synchronously: `push()` each chunk (lines may span chunks), then `end()`.
 * Both formats are detected line by line; perf events collect the kernel frames of their call chains. Lines that
 * are neither events, frames, comments nor blank are counted in `unknown`.
 */
export class TraceReader {
  unknown = 0;
  #number = 0;
  #rest = '';
  #pending: { line: number; name: string; comm: string; pid: number; fields: string; chain: string[] } | undefined;

  /** The events completed by this chunk. */
  push(chunk: string): TraceEvent[] {
    const events: TraceEvent[] = [];
    const text = this.#rest + chunk;
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline < 0) break;
      this.#line(text.slice(start, newline), events);
      start = newline + 1;
    }
    this.#rest = text.slice(start);
    return events;
  }

  /** The events left at the end of the input. */
  end(): TraceEvent[] {
    const events: TraceEvent[] = [];
    if (this.#rest !== '') this.#line(this.#rest, events);
    this.#rest = '';
    if (this.#pending !== undefined) events.push(this.#pending);
    this.#pending = undefined;
    return events;
  }

  #line(line: string, events: TraceEvent[]): void {
    this.#number++;
    const pending = this.#pending;
    const first = line.charCodeAt(0);
    if (pending !== undefined && (first === 0x09 || first === 0x20) && line.endsWith(')')) {
      // A call chain frame: `\taddress symbol+0xoff (dso)`; only the kernel's are kept.
      if (line.endsWith(KERNEL_DSO)) {
        const text = line.trim();
        pending.chain.push(text.slice(text.indexOf(' ') + 1, text.length - KERNEL_DSO.length));
      }
      return;
    }
    if (pending !== undefined) {
      events.push(pending);
      this.#pending = undefined;
    }
    if (first === 0x23 /* # */ || line.trim() === '') return;
    const event = eventLine(line);
    if (event === undefined) this.unknown++;
    else this.#pending = { line: this.#number, ...event, chain: [] };
  }
}

const KERNEL_DSO = ' ([kernel.kallsyms])';

/** The events of a trace read from chunks of its text, one at a time (see {@link TraceReader}). */
export async function* traceEvents(
  chunks: AsyncIterable<string>,
  counts: { unknown: number },
): AsyncGenerator<TraceEvent, void, undefined> {
  const reader = new TraceReader();
  for await (const chunk of chunks) yield* reader.push(chunk);
  yield* reader.end();
  counts.unknown += reader.unknown;
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
export async function traceMaxPfn(chunks: AsyncIterable<string>): Promise<number> {
  let max = 0;
  for await (const event of traceEvents(chunks, { unknown: 0 })) {
    const pfn = Number.parseInt(traceField(event, 'pfn') ?? '', 16);
    const order = Number(traceField(event, 'order') ?? 0);
    if (Number.isSafeInteger(pfn)) max = Math.max(max, pfn + 2 ** order);
  }
  return max;
}

/**
 * Replays a trace through a booted machine: each `mm_page_alloc` allocates its pfn and order with its gfp flags
 * (`buddy.allocExact()`), with a perf event's kernel call chain on the simulated stack, so that page_owner records
 * the real kernel's allocation sites; `mm_page_free` and `mm_page_free_batched` free the pages the replay had
 * allocated (the batched event repeats a free the trace already showed); the other events are counted. Real pfns
 * are the simulated ones: the machine must be large enough. `chunks` are pieces of the trace's text (a file stream
 * with an encoding). Streams: memory holds the pages the replay holds.
 */
export async function replayTrace(
  kernel: Kernel,
  chunks: AsyncIterable<string>,
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
  const gfpCache = new Map<string, number>();
  const { buddy, memory, stack } = kernel;
  const malformed = (line: number, message: string) => {
    result.malformedLines++;
    if (result.errors.length < 10) result.errors.push(new TraceFormatError(file, line, message).message);
  };
  const handle = (event: TraceEvent): void => {
    if (!(replayedEvents as readonly string[]).includes(event.name)) {
      counts.unknown++;
      return;
    }
    result.events[event.name] = (result.events[event.name] ?? 0) + 1;
    if (event.name !== 'mm_page_alloc' && event.name !== 'mm_page_free' && event.name !== 'mm_page_free_batched') {
      return;
    }
    const pfn = Number.parseInt(traceField(event, 'pfn') ?? '', 16);
    const order = Number(traceField(event, 'order') ?? (event.name === 'mm_page_free_batched' ? '0' : ''));
    if (!Number.isSafeInteger(pfn) || !Number.isInteger(order) || order < 0 || order > 10) {
      malformed(event.line, `${event.name} needs pfn=0x... and order=N`);
      return;
    }
    if (event.name !== 'mm_page_alloc') {
      if (held.get(pfn) === order) {
        held.delete(pfn);
        buddy.freePages(pfn, order);
        result.frees++;
      } else if (event.name === 'mm_page_free') {
        result.skippedFrees++;
      }
      return;
    }
    const gfpText = traceField(event, 'gfp_flags') ?? '';
    const gfp = gfpCache.get(gfpText) ?? parseGfp(gfpText, memory.profile.gfp);
    if (gfp === undefined) {
      malformed(event.line, `mm_page_alloc gfp_flags=${gfpText} is not a gfp mask of ${memory.profile.name}`);
      return;
    }
    gfpCache.set(gfpText, gfp);
    const depth = stack.depth;
    try {
      stack.pushAll(callSites(kernel, event.chain));
    } catch {
      // A frame this kernel text cannot place: record the allocation without the chain.
      stack.unwindTo(depth);
    }
    // The event's task is `current` while the page is allocated (page_owner records it); consecutive events of a
    // task switch once.
    const comm = event.comm.slice(0, 15);
    if (current.pid !== event.pid || current.comm !== comm) {
      current.pid = event.pid;
      current.tgid = event.pid;
      current.comm = comm;
    }
    const done = memory.pfnValid(pfn) && buddy.allocExact(pfn, order, gfp);
    stack.unwindTo(depth);
    if (done) {
      held.set(pfn, order);
      result.allocations++;
    } else {
      result.skippedAllocations++;
    }
  };
  const { current } = memory;
  const before = { pid: current.pid, tgid: current.tgid, comm: current.comm };
  const reader = new TraceReader();
  try {
    for await (const chunk of chunks) for (const event of reader.push(chunk)) handle(event);
    for (const event of reader.end()) handle(event);
  } finally {
    Object.assign(current, before);
  }
  result.unknownLines = reader.unknown + counts.unknown;
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

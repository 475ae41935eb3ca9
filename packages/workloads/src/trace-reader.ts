import { hexDigit, MAX_TRACE_LINE, type TraceEvent, TraceFormatError, type TraceFrame } from './trace-event';

/** A TraceEvent being read: its chain grows as the frame lines below it come. */
type ReadEvent = TraceEvent & { readonly chain: TraceFrame[] };

/** Whether the character is a decimal digit. */
const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;

/** The largest pid, tgid and CPU number: they are C `int`s (`pid_t`; ftrace's and perf's `%d`). */
const INT_MAX = 2 ** 31 - 1;
/** The largest whole seconds of a timestamp: the kernel's clocks count nanoseconds in a u64. */
const MAX_SECONDS = Math.floor(2 ** 64 / 1e9);
/** The largest offset of a frame in its symbol: 32 bits (the simulation keeps kernel text addresses in 32 bits). */
const MAX_FRAME_OFFSET = 2 ** 32 - 1;

/** The decimal number of `line[start, end)`, or -1 if it is empty, not all digits, or above `max`. */
function decimalAt(line: string, start: number, end: number, max: number): number {
  if (end <= start) return -1;
  let value = 0;
  for (let index = start; index < end; index++) {
    const code = line.charCodeAt(index);
    if (!isDigit(code)) return -1;
    value = value * 10 + (code - 0x30);
    if (value > max) return -1;
  }
  return value;
}

/** The hex number (digits without `0x`) of `text[start, end)`, or -1 if it is empty, not all hex, or above `max`. */
function hexAt(text: string, start: number, end: number, max: number): number {
  if (end <= start) return -1;
  let value = 0;
  for (let index = start; index < end; index++) {
    const digit = hexDigit(text.charCodeAt(index));
    if (digit < 0) return -1;
    value = value * 16 + digit;
    if (value > max) return -1;
  }
  return value;
}

/** `1234.567890` (seconds, 1 to 9 decimals) of `line[start, end)` in nanoseconds, or -1 (also past 2^64 ns). */
function nanosecondsAt(line: string, start: number, end: number): number {
  const dot = line.indexOf('.', start);
  if (dot <= start || dot >= end - 1 || end - dot - 1 > 9) return -1;
  const seconds = decimalAt(line, start, dot, MAX_SECONDS);
  const fraction = decimalAt(line, dot + 1, end, 999_999_999);
  if (seconds < 0 || fraction < 0) return -1;
  return seconds * 1e9 + fraction * 10 ** (9 - (end - dot - 1));
}

/** The index after the last non-space character of `line[start, end)` (start if none). */
function trimmedEnd(line: string, start: number, end: number): number {
  while (end > start && line.charCodeAt(end - 1) === 0x20) end--;
  return end;
}

/** The event names seen, each kept as one string: a trace has a few, and lookups by name hash them once. */
const eventNames: string[] = [];

/** The event name `line[start, end)`, as the string seen before when there is one. */
function eventName(line: string, start: number, end: number): string {
  for (let index = 0; index < eventNames.length; index++) {
    const name = eventNames[index]!;
    if (name.length === end - start && line.startsWith(name, start)) return name;
  }
  const name = line.slice(start, end);
  if (eventNames.length < 64) eventNames.push(name);
  return name;
}

/**
 * An event line as a {@link TraceEvent} (without call chain yet), or undefined for any other line. The layouts:
 * - ftrace text: `  comm-pid  [cpu] flags  seconds: event: fields`, with `(tgid)` before `[cpu]` when the
 *   `record-tgid` option is on (`(-----)` for an unknown tgid);
 * - `perf script`: `comm pid [cpu] seconds: system:event: fields`, with `pid/tid` for `-F pid,tid`, without
 *   `[cpu]` or the comm when `-F` leaves them out.
 * The comm may hold spaces and dashes: the pid is what follows the last space (perf) or the last dash (ftrace).
 * Numbers are read in their kernel ranges (pid, tgid and CPU are `int`s, the time below 2^64 ns): a line with one
 * out of range is no event. Scanned by index, with one string made per part kept (no regular expression, linear in
 * the line): a replay reads millions of lines.
 */
export function parseEventLine(line: string, number = 0): TraceEvent | undefined {
  return readEventLine(line, number, true);
}

function readEventLine(
  line: string,
  number: number,
  tasks: boolean | ((name: string) => boolean),
): ReadEvent | undefined {
  // The first ': ' ends the timestamp; the next one ends the event's name.
  const stampEnd = line.indexOf(': ');
  if (stampEnd < 0) return undefined;
  const stampStart = line.lastIndexOf(' ', stampEnd - 1) + 1;
  if (!isDigit(line.charCodeAt(stampEnd - 1))) return undefined;
  // perf pads the event's name to the widest one recorded: `897.434223:  kmem:mm_page_free: ...`.
  let nameStart = stampEnd + 2;
  while (line.charCodeAt(nameStart) === 0x20) nameStart++;
  let nameEnd = line.indexOf(': ', nameStart);
  const fieldsStart = nameEnd < 0 ? line.length : nameEnd + 2;
  if (nameEnd < 0) nameEnd = line.charCodeAt(line.length - 1) === 0x3a ? line.length - 1 : line.length;
  if (nameEnd <= nameStart) return undefined;
  const space = line.indexOf(' ', nameStart);
  if (space >= 0 && space < nameEnd) return undefined;
  const system = line.lastIndexOf(':', nameEnd - 1);
  const name = eventName(line, system >= nameStart ? system + 1 : nameStart, nameEnd);
  if (tasks === false || (tasks !== true && !tasks(name))) {
    // perf names an event with its system (`kmem:mm_page_alloc`), ftrace without.
    const layout = system >= nameStart ? 'perf script' : 'ftrace';
    return {
      line: number,
      layout,
      name,
      comm: '',
      pid: -1,
      tgid: undefined,
      cpu: undefined,
      timestamp: -1,
      fields: line.slice(fieldsStart),
      chain: [],
    };
  }
  const timestamp = nanosecondsAt(line, stampStart, stampEnd);
  if (timestamp < 0) return undefined;
  // The head, read backwards from the timestamp: [cpu] and ftrace's flags, (tgid), then the task.
  let headEnd = trimmedEnd(line, 0, stampStart);
  let cpu: number | undefined;
  const cpuOpen = line.lastIndexOf(' [', headEnd - 1);
  if (cpuOpen > 0) {
    const close = line.indexOf(']', cpuOpen);
    const value = close < 0 || close >= headEnd ? -1 : decimalAt(line, cpuOpen + 2, close, INT_MAX);
    if (value >= 0) {
      cpu = value;
      // ftrace's flags (`.....`, `d..2.`) follow the CPU; they go with it.
      headEnd = trimmedEnd(line, 0, cpuOpen);
    }
  }
  let tgid: number | undefined;
  if (line.charCodeAt(headEnd - 1) === 0x29 /* ) */) {
    const open = line.lastIndexOf('(', headEnd - 1);
    if (open > 0) {
      let from = open + 1;
      while (line.charCodeAt(from) === 0x20) from++;
      const value = decimalAt(line, from, headEnd - 1, INT_MAX);
      if (value >= 0) tgid = value;
      else {
        for (let index = from; index < headEnd - 1; index++) if (line.charCodeAt(index) !== 0x2d) return undefined;
      }
      headEnd = trimmedEnd(line, 0, open);
    }
  }
  let headStart = 0;
  while (line.charCodeAt(headStart) === 0x20) headStart++;
  const lastSpace = line.lastIndexOf(' ', headEnd - 1);
  const lastStart = lastSpace < headStart ? headStart : lastSpace + 1;
  const slash = line.indexOf('/', lastStart);
  let pid = -1;
  let comm: string;
  let layout: TraceEvent['layout'];
  const whole = decimalAt(line, lastStart, headEnd, INT_MAX);
  const group = slash > 0 && slash < headEnd ? decimalAt(line, lastStart, slash, INT_MAX) : -1;
  const thread = group >= 0 ? decimalAt(line, slash + 1, headEnd, INT_MAX) : -1;
  if (whole >= 0 || thread >= 0) {
    // perf: `comm pid` or `comm pid/tid` (the task is the tid, its group the pid); `-F` without comm: the pid only.
    layout = 'perf script';
    comm = lastStart === headStart ? '' : line.slice(headStart, trimmedEnd(line, headStart, lastStart - 1));
    if (thread >= 0) {
      tgid = group;
      pid = thread;
    } else pid = whole;
  } else {
    // ftrace: `comm-pid`.
    const dash = line.lastIndexOf('-', headEnd - 1);
    if (dash < headStart) return undefined;
    pid = decimalAt(line, dash + 1, headEnd, INT_MAX);
    if (pid < 0) return undefined;
    layout = 'ftrace';
    comm = line.slice(headStart, dash);
  }
  return {
    line: number,
    layout,
    name,
    comm,
    pid,
    tgid,
    cpu,
    timestamp,
    fields: line.slice(fieldsStart),
    chain: [],
  };
}

/**
 * A frame line of a `perf script -g` call chain (`\taddress symbol+0xoffset (dso)`, `\taddress [unknown] (dso)`),
 * as a {@link TraceFrame} when it is a kernel frame; null for a user frame; undefined if the line is not a frame (an
 * address is 1 to 16 hex digits, a kernel frame's offset at most 32 bits).
 */
export function parseFrameLine(line: string): TraceFrame | null | undefined {
  // Cheap first: a frame line ends with the dso's ')'.
  if (line.charCodeAt(trimmedEnd(line, 0, line.length) - 1) !== 0x29) return undefined;
  const text = line.trim();
  const space = text.indexOf(' ');
  const open = text.lastIndexOf(' (');
  if (space <= 0 || open < space || !text.endsWith(')')) return undefined;
  if (space > 16 || hexAt(text, 0, space, Number.POSITIVE_INFINITY) < 0) return undefined;
  const address = text.slice(0, space);
  const dso = text.slice(open + 2, -1);
  const where = text.slice(space + 1, open).trim();
  const kernelAddress = address.length === 16 && address.startsWith('ffff');
  const module =
    dso.startsWith('[') &&
    dso.endsWith(']') &&
    !['[kernel.kallsyms]', '[unknown]', '[vdso]', '[vsyscall]'].includes(dso)
      ? dso.slice(1, -1)
      : undefined;
  if (dso !== '[kernel.kallsyms]' && module === undefined && !(dso === '[unknown]' && kernelAddress)) return null;
  if (where === '[unknown]' || where === '') return { address, symbol: undefined, offset: 0, module };
  const plus = where.lastIndexOf('+0x');
  if (plus < 0) return { address, symbol: where, offset: 0, module };
  const offset = hexAt(where, plus + 3, where.length, MAX_FRAME_OFFSET);
  if (offset < 0) return undefined;
  return { address, symbol: where.slice(0, plus), offset, module };
}

/** How a {@link TraceReader} reads. */
export interface TraceReaderOptions {
  /**
   * Whether to read each event's task and time (default true), or of which events by name. A pass that needs only
   * names, fields and call chains reads twice as fast without: such events have comm '', pid -1 and timestamp -1,
   * and a line is taken for an event by its shape after the task (`seconds: [system:]name: fields`).
   */
  readonly tasks?: boolean | ((name: string) => boolean);
  /** The trace's name in error messages (default `<trace>`). */
  readonly file?: string;
  /** The longest line read, in characters (default {@link MAX_TRACE_LINE}, 64 KiB). */
  readonly maxLineLength?: number;
}

/** How much of a line a message shows. */
const SHOWN_CHARACTERS = 80;
/** How many distinct frame lines a reader keeps parsed. */
const FRAME_CACHE_SIZE = 1 << 16;

/**
 * Turns chunks of trace text into events, synchronously: `push()` each chunk (lines may span chunks), then `end()`.
 * Every layout is recognised line by line (see {@link parseEventLine}); perf events collect the kernel frames of
 * their call chains. Lines that are neither events, frames, comments nor blank are counted in `unknown`. A line
 * longer than `maxLineLength` throws {@link TraceFormatError} naming it (the text is no trace), as soon as the
 * chunk that makes it too long is pushed: memory stays bounded whatever the input. So does `end()` for an input
 * with such lines and not one event.
 */
export class TraceReader {
  unknown = 0;
  /** The first line counted in {@link unknown}: its number and first characters, for the message of {@link end}. */
  #firstUnknown: { readonly line: number; readonly text: string; readonly length: number } | undefined;
  readonly #tasks: boolean | ((name: string) => boolean);
  readonly #file: string;
  readonly #maxLine: number;
  /** The layouts of the event lines read so far. */
  readonly layouts = new Set<TraceEvent['layout']>();
  #number = 0;
  #rest = '';
  #pending: ReadEvent | undefined;
  /** The frames read so far by their line: a trace repeats a few thousand frames millions of times. */
  readonly #frames = new Map<string, TraceFrame | null | undefined>();

  constructor(options: TraceReaderOptions = {}) {
    this.#tasks = options.tasks ?? true;
    this.#file = options.file ?? '<trace>';
    this.#maxLine = options.maxLineLength ?? MAX_TRACE_LINE;
  }

  /** The events completed by this chunk. Throws {@link TraceFormatError} at a line longer than the bound. */
  push(chunk: string): TraceEvent[] {
    const events: TraceEvent[] = [];
    const max = this.#maxLine;
    // The line the last chunk left unfinished ends in this one. The rest is searched in the chunk itself: indexOf
    // on a concatenation (a V8 cons string) is several times slower.
    const first = chunk.indexOf('\n');
    if (first < 0) {
      if (this.#rest.length + chunk.length > max) this.#tooLong();
      this.#rest += chunk;
      return events;
    }
    if (this.#rest.length + first > max) this.#tooLong();
    this.#line(this.#rest + chunk.slice(0, first), events);
    let start = first + 1;
    for (;;) {
      const newline = chunk.indexOf('\n', start);
      if (newline < 0) break;
      if (newline - start > max) this.#tooLong();
      this.#line(chunk.slice(start, newline), events);
      start = newline + 1;
    }
    if (chunk.length - start > max) this.#tooLong();
    this.#rest = chunk.slice(start);
    return events;
  }

  /** The error of the line being read (the one after the last line read), too long to be a trace's. */
  #tooLong(): never {
    throw new TraceFormatError(
      this.#file,
      this.#number + 1,
      `a line of more than ${this.#maxLine} characters: no ftrace or perf script line is that long (is this a trace?)`,
    );
  }

  /**
   * The events left at the end of the input. Throws {@link TraceFormatError} for an input of which no line is an
   * event but some line is neither a comment nor blank (a page_owner dump, a log): it names that first line.
   */
  end(): TraceEvent[] {
    const events: TraceEvent[] = [];
    if (this.#rest !== '') this.#line(this.#rest, events);
    this.#rest = '';
    if (this.#pending !== undefined) events.push(this.#pending);
    this.#pending = undefined;
    const first = this.#firstUnknown;
    if (this.layouts.size === 0 && first !== undefined) {
      const lines = `${this.unknown.toLocaleString('en-US')} line${this.unknown === 1 ? '' : 's'}`;
      throw new TraceFormatError(
        this.#file,
        first.line,
        `expected an event line of ftrace ('TASK-PID [CPU] FLAGS SECONDS: EVENT: FIELDS') or perf script ('COMM PID ` +
          `[CPU] SECONDS: SYSTEM:EVENT: FIELDS'), got ${JSON.stringify(first.text)}` +
          `${first.length > first.text.length ? `... (${first.length} characters)` : ''} ` +
          `(no trace event in ${this.#file}: ${lines} that are neither events, comments nor blank)`,
      );
    }
    return events;
  }

  #line(raw: string, events: TraceEvent[]): void {
    this.#number++;
    const line = raw.charCodeAt(raw.length - 1) === 0x0d ? raw.slice(0, -1) : raw;
    const pending = this.#pending;
    const first = line.charCodeAt(0);
    // A frame line ends with its dso's `)`: ftrace's event lines, which begin with spaces too, do not.
    if (pending !== undefined && (first === 0x09 || first === 0x20) && line.charCodeAt(line.length - 1) === 0x29) {
      const frames = this.#frames;
      let frame = frames.get(line);
      if (frame === undefined && !frames.has(line)) {
        frame = parseFrameLine(line);
        if (frames.size >= FRAME_CACHE_SIZE) frames.clear();
        frames.set(line, frame);
      }
      if (frame !== undefined) {
        if (frame !== null) pending.chain.push(frame);
        return;
      }
    }
    if (pending !== undefined) {
      events.push(pending);
      this.#pending = undefined;
    }
    if (first === 0x23 /* # */ || trimmedEnd(line, 0, line.length) === 0) return;
    const event = readEventLine(line, this.#number, this.#tasks);
    if (event === undefined) {
      if (this.unknown++ === 0) {
        this.#firstUnknown = { line: this.#number, text: line.slice(0, SHOWN_CHARACTERS), length: line.length };
      }
    } else {
      this.layouts.add(event.layout);
      this.#pending = event;
    }
  }
}

/**
 * A text the trace readers cannot go on with (a line longer than {@link MAX_TRACE_LINE}), or a line of a known event
 * without what the event needs: the message, one line, begins with `file:line: `.
 */
export class TraceFormatError extends Error {
  override readonly name = 'TraceFormatError';
  readonly file: string;
  readonly line: number;

  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.file = file;
    this.line = line;
  }
}

/**
 * The longest line the trace readers take, in characters: 64 KiB. ftrace's lines are bounded by its `trace_seq`
 * buffer (a page or two), perf script's by the symbol names it prints (`KSYM_NAME_LEN`, 512), so a longer line is
 * no trace.
 */
export const MAX_TRACE_LINE = 1 << 16;

/**
 * The end of the pfns the parsers read: 2^52. Larger numbers are no page number a double holds exactly (and far
 * beyond any physical address space); the replay bounds pfns much lower, by the machine it builds.
 */
export const MAX_TRACE_PFN = 2 ** 52;

/**
 * One frame of a `perf script` call chain: `\tffffffff8163993b __alloc_frozen_pages_noprof+0x26b ([kernel.kallsyms])`.
 * Only kernel frames are kept (the core kernel's, a module's, or an unresolved address in the kernel's half).
 */
export interface TraceFrame {
  /** The address as perf printed it (hex digits without `0x`). */
  readonly address: string;
  /** The symbol, or undefined where perf printed `[unknown]`. */
  readonly symbol: string | undefined;
  /** The offset in the symbol (0 where perf printed none). */
  readonly offset: number;
  /** The module a module's symbol belongs to (perf's `([xfs])`), undefined for the core kernel. */
  readonly module: string | undefined;
}

/**
 * One event of a trace, in any of the layouts mmsim reads (ftrace text with or without the tgid column, `perf
 * script` with or without the CPU, with `pid/tid`): the event's name without its system, the task, the CPU, the
 * time, its fields as printed (read them with {@link traceField}), and for `perf script -g` the kernel part of its
 * call chain, innermost first.
 */
export interface TraceEvent {
  /** The line of the event in its file (1-based). */
  readonly line: number;
  /** Which tool wrote the line. */
  readonly layout: 'ftrace' | 'perf script';
  /** `mm_page_alloc` (perf's `kmem:` prefix removed). */
  readonly name: string;
  /** The task's `comm` as the trace prints it. */
  readonly comm: string;
  /** The task (thread) id: ftrace's `TASK-PID`, perf's pid or tid. */
  readonly pid: number;
  /** The thread group id, where the trace has it (ftrace's tgid column, perf's `pid/tid`); else undefined. */
  readonly tgid: number | undefined;
  /** The CPU, where the trace has it. */
  readonly cpu: number | undefined;
  /** Nanoseconds since boot (`local_clock()`), from the trace's seconds with 6 or 9 decimals. */
  readonly timestamp: number;
  /** The event's fields as printed: `page=... pfn=0x1a2b order=0 ...`. */
  readonly fields: string;
  /** The kernel frames of the call chain, innermost first (empty without `-g`). */
  readonly chain: readonly TraceFrame[];
}

/** `key=` of each key asked for, made once. */
const needles = new Map<string, string>();

/** The value of `key=` in an event's fields (`pfn`, `order`, `gfp_flags`), or undefined. */
export function traceField(event: TraceEvent, key: string): string | undefined {
  const { fields } = event;
  let needle = needles.get(key);
  if (needle === undefined) {
    needle = `${key}=`;
    needles.set(key, needle);
  }
  let at = fields.indexOf(needle);
  while (at > 0 && fields.charCodeAt(at - 1) !== 0x20) at = fields.indexOf(needle, at + 1);
  if (at < 0) return undefined;
  const end = fields.indexOf(' ', at);
  return fields.slice(at + needle.length, end < 0 ? fields.length : end);
}

/** What {@link tracePfn} found: a pfn, the event of a failed allocation, or nothing readable. */
export const NO_PAGE = -1;

/** The value of a hex digit (either case), or -1. */
export function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  return -1;
}

/**
 * The `pfn=` of a page event, in either era's format: `pfn=%lu` (decimal, v4.x and earlier) or `pfn=0x%lx` (hex,
 * later kernels), whatever the kernel version the replay simulates. A failed allocation (`mm_page_alloc` is traced
 * with a NULL page and pfn 0, or as -1UL by some builds) gives {@link NO_PAGE}; anything unreadable, or from
 * {@link MAX_TRACE_PFN} up, gives undefined.
 */
export function tracePfn(event: TraceEvent): number | undefined {
  const text = traceField(event, 'pfn');
  return text === undefined ? undefined : pfnOf(text, event);
}

/** {@link tracePfn} of the text of an event's `pfn=`. */
export function pfnOf(text: string, event: TraceEvent): number | undefined {
  const hex = text.charCodeAt(0) === 0x30 && (text.charCodeAt(1) === 0x78 || text.charCodeAt(1) === 0x58);
  const start = hex ? 2 : 0;
  // At most a u64's digits: 16 in hex, 20 in decimal (the kernel prints no leading zeros).
  if (text.length === start || text.length - start > (hex ? 16 : 20)) return undefined;
  let pfn = 0;
  for (let index = start; index < text.length; index++) {
    const digit = hexDigit(text.charCodeAt(index));
    if (digit < 0 || (!hex && digit > 9)) return undefined;
    pfn = pfn * (hex ? 16 : 10) + digit;
  }
  if (pfn >= MAX_TRACE_PFN) {
    // -1UL, as either era prints it; any other pfn this large is no page number.
    const digits = text.slice(start).toLowerCase();
    return digits === (hex ? 'ffffffffffffffff' : '18446744073709551615') ? NO_PAGE : undefined;
  }
  // A NULL page: `(null)` (v4.x %p), zeros (hashed %p), `(nil)` or `0x0` (perf's libtraceevent), or nothing (%p
  // padded with spaces); its pfn is printed as 0.
  if (pfn === 0) {
    const page = traceField(event, 'page');
    if (page !== undefined && isNullPage(page)) return NO_PAGE;
  }
  return pfn;
}

/** Whether a `page=` is a NULL pointer as some printer wrote it: `(null)`, `(nil)`, zeros, `0x` and zeros, or ''. */
function isNullPage(page: string): boolean {
  if (page === '(null)' || page === '(nil)') return true;
  const start = page.charCodeAt(0) === 0x30 && page.charCodeAt(1) === 0x78 && page.length > 2 ? 2 : 0;
  for (let index = start; index < page.length; index++) if (page.charCodeAt(index) !== 0x30) return false;
  return true;
}

/**
 * Whether the hex parts of a symbolic gfp mask (`GFP_KERNEL|0x1000000`: `show_gfp_flags()` prints bits without a
 * name in hex) fit `gfp_t`'s 32 bits: parseGfp() reads them into a 32-bit mask, and would drop higher bits.
 */
export function gfpFits(text: string): boolean {
  let part = 0;
  while (part < text.length) {
    let end = text.indexOf('|', part);
    if (end < 0) end = text.length;
    if (text.charCodeAt(part) === 0x30 && (text.charCodeAt(part + 1) | 0x20) === 0x78) {
      let digit = part + 2;
      while (digit < end && text.charCodeAt(digit) === 0x30) digit++;
      if (end - digit > 8) return false;
    }
    part = end + 1;
  }
  return true;
}

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

/** The value of a hex digit, or -1. */
function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  return -1;
}

/**
 * The `pfn=` of a page event, in either era's format: `pfn=%lu` (decimal, v4.x and earlier) or `pfn=0x%lx` (hex,
 * later kernels), whatever the kernel version the replay simulates. A failed allocation (`mm_page_alloc` is traced
 * with a NULL page and pfn 0, or as -1UL by some builds) gives {@link NO_PAGE}; anything unreadable gives undefined.
 */
export function tracePfn(event: TraceEvent): number | undefined {
  const text = traceField(event, 'pfn');
  return text === undefined ? undefined : pfnOf(text, event);
}

/** {@link tracePfn} of the text of an event's `pfn=`. */
export function pfnOf(text: string, event: TraceEvent): number | undefined {
  const hex = text.charCodeAt(0) === 0x30 && (text.charCodeAt(1) === 0x78 || text.charCodeAt(1) === 0x58);
  const start = hex ? 2 : 0;
  if (text.length === start) return undefined;
  let pfn = 0;
  for (let index = start; index < text.length; index++) {
    const digit = hexDigit(text.charCodeAt(index));
    if (digit < 0 || (!hex && digit > 9)) return undefined;
    pfn = pfn * (hex ? 16 : 10) + digit;
  }
  if (!Number.isSafeInteger(pfn)) {
    // -1UL, as either era prints it; any other pfn this large is no page number.
    const digits = text.slice(start).toLowerCase();
    return digits === (hex ? 'ffffffffffffffff' : '18446744073709551615') ? NO_PAGE : undefined;
  }
  // A NULL page: `(null)` (v4.x %p), zeros (hashed %p), `(nil)` or `0x0` (perf's libtraceevent), or nothing (%p
  // padded with spaces); its pfn is printed as 0.
  if (pfn === 0) {
    const page = traceField(event, 'page');
    if (page !== undefined && /^(\(null\)|\(nil\)|0+|0x0+|)$/.test(page)) return NO_PAGE;
  }
  return pfn;
}

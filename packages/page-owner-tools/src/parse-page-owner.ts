/**
 * The record formats the parser knows, by the kernel that prints them (mm/page_owner.c):
 * - `v3.19` (v3.19 to v4.5): `Page allocated via order %u, mask 0x%x`, then
 *   `PFN %lu Block %lu type %d <Fallback|8 spaces> Flags <12 letters or spaces>`, then ` [<%p>] %pS` frames;
 * - `v4.x` (v4.6 to about v4.13, so v4.7 and v4.8): `... mask %#x(%pGg)`, then
 *   `PFN %lu type %s Block %lu type %s Flags %#lx(%pGp)`, then ` [<%p>] %pS` frames;
 * - `v5.10`: the v4.x header and PFN line, with ` %pS` frames (no address);
 * - `tv-5.x` (about v5.11 to v6.3): the header adds `, pid %d[, tgid %d][ (%s)], ts %llu ns, free_ts %llu ns`;
 * - `v6.18` (v6.19 is read as v6.18: no change to these lines is known, unverified): the header has pid, tgid,
 *   comm and ts but no free_ts, and the PFN is hex: `PFN 0x%lx`;
 * - `dmesg`: what `__dump_page_owner()` writes to the kernel log when `dump_page()` reports a bad page (v4.6+):
 *   `page [last ]allocated via order %u, migratetype %s, gfp_mask %#x(%pGg)[, pid %d[, tgid %d (%s)], ts %llu,
 *   free_ts %llu]` and its stack, after `page_owner tracks the page as allocated|freed` (v5.4+) and before
 *   `page last free [pid %d tgid %d ]stack trace:` and the free stack.
 *
 * After the frames every era may print `Page has been migrated, last migrate reason: %s` (v4.6+), and v5.19+
 * `Slab cache page` and `Charged [(via objcg) ]to [offline ]memcg %s`; an empty line ends every record.
 */
export type PageOwnerFormat = 'v3.19' | 'v4.x' | 'v5.10' | 'tv-5.x' | 'v6.18' | 'dmesg';

/**
 * One stack line of a record: ` [<address>] ` (v3.19 to v4.x) and then what `%pS` prints (lib/vsprintf.c
 * `symbol_string` → kernel/kallsyms.c `__sprint_symbol`): `symbol+0xoffset/0xsize`, with ` [module]` for a module
 * address, or `0x<address>` when no symbol covers it (v4.7's `ULONG_MAX` terminator prints `0xffffffffffffffff`).
 */
export interface PageOwnerFrame {
  /** The `%p` address between `[<` and `>]` (v3.19 to v4.x), kept as its 8 or 16 lowercase hex digits. */
  readonly address?: string;
  /** The function name, or for an address without a symbol the `0x...` text `%pS` prints instead. */
  readonly symbol: string;
  /** The offset into the function (absent for an address without a symbol); a safe integer. */
  readonly offset?: number;
  /** The size of the function (absent for an address without a symbol); a safe integer. */
  readonly size?: number;
  /** The module the function is in (` [xfs]`; with `CONFIG_STACKTRACE_BUILD_ID`, ` [xfs <build id>]`). */
  readonly module?: string;
}

/** `Charged %sto %smemcg %s` (mm/page_owner.c `print_page_owner_memcg`, v5.19+). */
export interface PageOwnerMemcg {
  /** `(via objcg) `: a kmem page charged through an obj_cgroup (`PageMemcgKmem`). */
  readonly viaObjcg: boolean;
  /** `offline `: the memcg's css is no longer online. */
  readonly offline: boolean;
  /** `cgroup_name()` of the memcg. */
  readonly name: string;
}

/** The free stack of a `dmesg` record: `page last free [pid %d tgid %d ]stack trace:` and its frames (v5.4+). */
export interface PageOwnerFreeStack {
  /** v6.x. */
  readonly pid?: number;
  /** v6.x. */
  readonly tgid?: number;
  readonly frames: readonly PageOwnerFrame[];
}

/**
 * One record of /sys/kernel/debug/page_owner, as `print_page_owner()` (mm/page_owner.c) printed it, or of a kernel
 * log (`dmesg` format). Optional fields are absent when the record's era does not print them.
 * {@link formatParsedRecord} prints it back byte for byte. Every number is within the kernel's range (see
 * {@link PageOwnerParser}).
 */
export interface ParsedPageOwnerRecord {
  /** The era whose format the record is in. */
  readonly format: PageOwnerFormat;
  /** The 1-based line of the record's header in the input. */
  readonly line: number;
  /** At most {@link ParsePageOwnerOptions.maxOrder} (10). */
  readonly order: number;
  /** The gfp mask (`%#x`), 32 bits. */
  readonly gfp: number;
  /** `%pGg` of the mask, the text in parentheses (absent in v3.19). */
  readonly gfpText?: string;
  /** tv-5.x, v6.18 and dmesg (v5.11+); below 2^32. */
  readonly pid?: number;
  /** tv-5.x (v6.0+), v6.18 and dmesg (v6.0+); below 2^32. */
  readonly tgid?: number;
  /** The task's comm, printed in parentheses after the tgid (or, about v5.19, after the pid). */
  readonly comm?: string;
  /** Allocation time in ns (`local_clock()`), tv-5.x, v6.18 and dmesg; 64 bits. */
  readonly ts?: bigint;
  /** Time of the last free in ns, tv-5.x and dmesg; 64 bits. */
  readonly freeTs?: bigint;
  /**
   * Below 2^52; -1 when the input does not say: a dump with its PFN lines removed (`grep -v ^PFN`, as the v4.x
   * page_owner_sort documentation does), or a kernel log without the `pfn:` of `dump_page()` before the record.
   */
  readonly pfn: number;
  /** The page's migratetype name, from the gfp mask (absent in v3.19). */
  readonly pageType?: string;
  /** `pfn >> pageblock_order`; -1 without a PFN line. */
  readonly block: number;
  /** The pageblock's migratetype: its name, or in v3.19 its number; `''` without a PFN line. */
  readonly blockType: string;
  /** v3.19: `Fallback` (pageblock and page migratetypes differ) rather than 8 spaces. */
  readonly fallback?: boolean;
  /**
   * Everything after `Flags `: `%#lx(%pGp)` (v4.x, v5.10), `%pGp` (v5.17+), or v3.19's 12 letter columns; `''`
   * without a PFN line.
   */
  readonly flags: string;
  readonly frames: readonly PageOwnerFrame[];
  /** `Page has been migrated, last migrate reason: %s`. */
  readonly migrateReason?: string;
  /** `Slab cache page`. */
  readonly slab: boolean;
  /** `Charged ... memcg NAME`. */
  readonly memcg?: PageOwnerMemcg;
  /** dmesg, v5.4+: `page_owner tracks the page as allocated` (true) or `as freed` (false). */
  readonly allocated?: boolean;
  /** dmesg, v5.4+: the stack that last freed the page (absent after `page_owner free stack trace missing`). */
  readonly free?: PageOwnerFreeStack;
}

/** Lines longer than this are refused: a page_owner line is under 1 KiB (a comm is 15 bytes, a symbol < 512). */
export const PAGE_OWNER_MAX_LINE = 65536;
/** What messages show of a line: its first 80 characters. */
const SHOWN_CHARACTERS = 80;
/** pfns are below 2^52 (x86_64's 52-bit physical addresses, in 4 KiB pages, are below 2^40). */
const PFN_LIMIT = 2 ** 52;
const U32_LIMIT = 2 ** 32;
const U64_MAX = (1n << 64n) - 1n;
/** Stack depot records hold at most `CONFIG_STACKDEPOT_MAX_FRAMES` (64 by default, 256 at most) entries. */
const MAX_FRAMES = 256;
/** How many skipped lines a summary shows. */
const EXAMPLES = 3;
/** How far (in lines) the `pfn:` of `dump_page()` may be before the `__dump_page_owner()` lines it belongs to. */
const DUMP_PAGE_REACH = 32;

/**
 * A line for a message: quoted, every control or line-breaking character escaped, cut after about 80 characters
 * (`"..."... (N characters)`, N the whole line's `length`), so that the message stays one short line.
 */
function quoteLine(text: string, length: number | string = text.length): string {
  let shown = '';
  let used = 0;
  for (const character of text) {
    if (used >= SHOWN_CHARACTERS || shown.length >= SHOWN_CHARACTERS) break;
    const code = character.codePointAt(0)!;
    shown +=
      (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029
        ? `\\u${code.toString(16).padStart(4, '0')}`
        : JSON.stringify(character).slice(1, -1);
    used += character.length;
  }
  return used >= text.length && length === text.length ? `"${shown}"` : `"${shown}"... (${length} characters)`;
}

/**
 * A line of a page_owner dump that cannot be read. The message names the file, the line, the expected form and
 * the line itself (its first 80 characters): `page_owner:17: expected 'PFN ...' line after the header, got "..."`.
 * Thrown for a line longer than {@link PAGE_OWNER_MAX_LINE}, for an input of which nothing reads as a record (by
 * the report and the diff), and in `strict` mode for the first line that would be skipped.
 */
export class PageOwnerParseError extends Error {
  /** The name the caller gave the input (`<input>` by default). */
  readonly file: string;
  /** 1-based; for an early end of input, the line after the last one. */
  readonly line: number;
  /** The offending line's first 80 characters, or `undefined` at the end of input. */
  readonly text: string | undefined;
  /** What the format allows there. */
  readonly expected: string;

  /** `note` follows the message; `length` is the whole line's, when `text` is only its start. */
  constructor(
    file: string,
    line: number,
    text: string | undefined,
    expected: string,
    note = '',
    length: number | string | undefined = text?.length,
  ) {
    super(
      `${file}:${line}: expected ${expected}, got ${text === undefined ? 'end of input' : quoteLine(text, length)}${note}`,
    );
    this.name = 'PageOwnerParseError';
    this.file = file;
    this.line = line;
    this.text = text === undefined || text.length <= SHOWN_CHARACTERS ? text : text.slice(0, SHOWN_CHARACTERS);
    this.expected = expected;
  }
}

/** A line (or the first line of a dropped record) a reader skipped. */
export interface PageOwnerSkip {
  /** 1-based. */
  readonly line: number;
  /** The line as read (after its line ending, quote markers and log prefix), cut to 80 characters. */
  readonly text: string;
  /** What the format allows there, or the range a field is out of: `an order of at most 10`. */
  readonly expected: string;
}

/**
 * What a reader skipped in one input: lines that are no part of a record (or not where they are), and records with
 * a field out of the kernel's range, dropped whole (never summed). Counts everything, keeps the first 3 examples.
 */
export class PageOwnerSkips {
  /** The input's name. */
  file: string;
  /** Lines skipped, with those of dropped records. */
  lines = 0;
  /** Records dropped for a field out of range. */
  records = 0;
  /** Incidents: skipped lines and dropped records, each once (a dropped record's later lines are not counted). */
  incidents = 0;
  /** The first few incidents, in input order. */
  readonly examples: PageOwnerSkip[] = [];

  constructor(file = '<input>') {
    this.file = file;
  }

  /** Whether nothing was skipped. */
  get empty(): boolean {
    return this.lines === 0;
  }

  /** Counts `lines` skipped lines (a dropped record when `record`), keeping the incident as an example. */
  add(line: number, text: string, expected: string, lines = 1, record = false): void {
    this.lines += lines;
    this.incidents++;
    if (record) this.records++;
    if (this.examples.length < EXAMPLES) {
      this.examples.push({
        line,
        text: text.length <= SHOWN_CHARACTERS ? text : text.slice(0, SHOWN_CHARACTERS),
        expected,
      });
    }
  }

  /**
   * One line saying what was skipped, for a warning: `dump: skipped 4 lines (1 record with a field out of range),
   * e.g. dump:3: expected an order of at most 10, got "Page allocated via order 99, ..."; ...`.
   */
  summary(): string {
    const dropped =
      this.records === 0 ? '' : ` (${this.records} record${this.records === 1 ? '' : 's'} with a field out of range)`;
    const examples = this.examples.map(
      (example) => `${this.file}:${example.line}: expected ${example.expected}, got ${quoteLine(example.text)}`,
    );
    const more = this.incidents > this.examples.length ? ` (and ${this.incidents - this.examples.length} more)` : '';
    return `${this.file}: skipped ${this.lines} line${this.lines === 1 ? '' : 's'} it could not read as page_owner records${dropped}, e.g. ${examples.join('; ')}${more}`;
  }

  /** The error for an input of which nothing could be read: its first skipped line. */
  error(): PageOwnerParseError {
    const first = this.examples[0];
    const note = ` (no page_owner record in ${this.file}: ${this.lines} line${this.lines === 1 ? '' : 's'} skipped)`;
    return first === undefined
      ? new PageOwnerParseError(this.file, 1, undefined, EXPECT_HEADER, note)
      : new PageOwnerParseError(this.file, first.line, first.text, first.expected, note);
  }
}

/** Options of the page_owner parsers. */
export interface ParsePageOwnerOptions {
  /** The name errors and skip summaries give the input (default `<input>`). */
  readonly file?: string;
  /** Where to count what is skipped (default: a new {@link PageOwnerSkips}, the parser's `skipped`). */
  readonly skipped?: PageOwnerSkips;
  /** Throw a {@link PageOwnerParseError} at the first line that would be skipped (default false: skip and count). */
  readonly strict?: boolean;
  /**
   * The largest order a record may have (default 10: `MAX_PAGE_ORDER`, and `MAX_ORDER - 1` before v6.4; arm64 with
   * 64 KiB pages allows 13).
   */
  readonly maxOrder?: number;
  /**
   * At the end of an input that held no record but had lines skipped, throw the {@link PageOwnerParseError} of its
   * first skipped line (default false: such an input simply has no records).
   */
  readonly requireRecord?: boolean;
}

const EXPECT_HEADER = "'Page allocated via order N, mask 0xGFP(...)' header";
const EXPECT_PFN = "'PFN ...' line or a stack line after the header";
const EXPECT_PFN_V3 =
  "'PFN N Block N type N <Fallback|8 spaces> Flags <12 columns>' line or a stack line after the v3.19 header";
const EXPECT_FRAME_OR_END =
  "a stack line (' [<address>] symbol+0xoff/0xsize' or ' symbol+0xoff/0xsize [module]'), " +
  "'Page has been migrated, last migrate reason: ...', 'Slab cache page', 'Charged to memcg ...' or the empty line ending the record";
const EXPECT_AFTER_MIGRATE = "'Slab cache page', 'Charged to memcg ...' or the empty line ending the record";
const EXPECT_AFTER_SLAB = "'Charged to memcg ...' or the empty line ending the record";
const EXPECT_END = 'the empty line ending the record';

const HEADER = 'Page allocated via order ';
const DMESG_HEADER = 'page allocated via order ';
const DMESG_LAST_HEADER = 'page last allocated via order ';
const MIGRATED = 'Page has been migrated, last migrate reason: ';
const DMESG_MIGRATED = 'page has been migrated, last migrate reason: ';
const SLAB = 'Slab cache page';
const TRACKS_ALLOCATED = 'page_owner tracks the page as allocated';
const TRACKS_FREED = 'page_owner tracks the page as freed';
const ALLOC_STACK_MISSING = 'page_owner allocation stack trace missing';
const FREE_STACK_MISSING = 'page_owner free stack trace missing';
const FREE_STACK = 'page last free stack trace:';
const FREE_STACK_PID = 'page last free pid ';
/** What `__dump_page_owner()` prints instead of a record. */
const NO_RECORD = [
  'page_owner info is not present (never set?)',
  'page_owner info is not active (free page?)',
  'There is not page extension available.',
];

enum State {
  header,
  pfn,
  /** Frames, or any trailer line. */
  frames,
  /** After the migrate line: slab, memcg or the end. */
  migrated,
  /** After `Slab cache page`: memcg or the end. */
  slab,
  /** After the memcg line: only the end. */
  charged,
  /** A dropped record's lines, up to its end. */
  discard,
  /** dmesg: the allocation stack. */
  dmesgFrames,
  /** dmesg: the free stack. */
  dmesgFree,
  /** dmesg: after `page_owner free stack trace missing`: the migrate line or the end. */
  dmesgTrailer,
  /** dmesg: after the migrate line. */
  dmesgEnd,
}

interface Building {
  format: PageOwnerFormat;
  line: number;
  order: number;
  gfp: number;
  gfpText?: string;
  pid?: number;
  tgid?: number;
  comm?: string;
  ts?: bigint;
  freeTs?: bigint;
  pfn: number;
  pageType?: string;
  block: number;
  blockType: string;
  fallback?: boolean;
  flags: string;
  frames: PageOwnerFrame[];
  migrateReason?: string;
  slab: boolean;
  memcg?: PageOwnerMemcg;
  allocated?: boolean;
  free?: { pid?: number; tgid?: number; frames: PageOwnerFrame[] };
}

type MutableFrame = { -readonly [K in keyof PageOwnerFrame]: PageOwnerFrame[K] };

// Number scanning, by hand (no regular expression, so every line is read in linear time). Numbers are taken in the
// form the kernel prints them (no leading zeros, lowercase hex), so that every accepted record prints back to the
// same bytes. A reader returns the value, or MALFORMED (no digits, or a leading zero), or TOO_BIG (at or above its
// limit); `scanned` is where its digits ended.
const MALFORMED = -1;
const TOO_BIG = -2;
let scanned = 0;

function decimal(text: string, at: number, limit: number): number {
  let position = at;
  let value = 0;
  for (; position < text.length; position++) {
    const code = text.charCodeAt(position);
    if (code < 48 || code > 57) break;
    value = value * 10 + (code - 48);
  }
  scanned = position;
  const digits = position - at;
  if (digits === 0 || (digits > 1 && text.charCodeAt(at) === 48)) return MALFORMED;
  return digits <= 16 && value < limit ? value : TOO_BIG;
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

function hexadecimal(text: string, at: number, limit: number): number {
  let position = at;
  let value = 0;
  for (; position < text.length; position++) {
    const digit = hexDigit(text.charCodeAt(position));
    if (digit < 0) break;
    value = value * 16 + digit;
  }
  scanned = position;
  const digits = position - at;
  if (digits === 0 || (digits > 1 && text.charCodeAt(at) === 48)) return MALFORMED;
  return digits <= 14 && value < limit ? value : TOO_BIG;
}

/** A `%llu`: its value, or MALFORMED/TOO_BIG (numbers), the digits ending at `scanned`. */
function unsigned64(text: string, at: number): bigint | number {
  const small = decimal(text, at, Number.MAX_SAFE_INTEGER);
  if (small !== TOO_BIG) return small === MALFORMED ? MALFORMED : BigInt(small);
  if (scanned - at > 20) return TOO_BIG;
  const value = BigInt(text.slice(at, scanned));
  return value > U64_MAX ? TOO_BIG : value;
}

/** Why a record is dropped: a field out of range. */
class OutOfRange {
  constructor(readonly expected: string) {}
}

const PID_RANGE = new OutOfRange('a pid below 2^32');
const TGID_RANGE = new OutOfRange('a tgid below 2^32');
const GFP_RANGE = new OutOfRange('a gfp mask of 32 bits');
const TS_RANGE = new OutOfRange('a ts of 64 bits');
const FREE_TS_RANGE = new OutOfRange('a free_ts of 64 bits');
const PFN_RANGE = new OutOfRange('a pfn below 2^52');
const BLOCK_RANGE = new OutOfRange('a pageblock number below 2^52');
const OFFSET_RANGE = new OutOfRange('a stack line whose offset and size are below 2^53');
const FRAMES_RANGE = new OutOfRange(`at most ${MAX_FRAMES} stack lines in a record`);

/** The tail `), ts %llu ns[, free_ts %llu ns]` (`ns` empty for dmesg) ending the line, parsed backwards. */
interface Tail {
  /** Where the `)` that closes the comm is. */
  close: number;
  ts: bigint;
  freeTs: bigint | undefined;
}

/** Digits ending at `end`, scanned backwards: their start. */
function digitsBefore(text: string, end: number, from: number): number {
  let start = end;
  while (start > from) {
    const code = text.charCodeAt(start - 1);
    if (code < 48 || code > 57) break;
    start--;
  }
  return start;
}

/**
 * Reads `<prefix><number><suffix>` that ends at `end`, backwards: the number's value (or MALFORMED/TOO_BIG) and, in
 * `scanned`, where the prefix starts.
 */
function numberBefore(text: string, end: number, from: number, prefix: string, suffix: string): bigint | number {
  if (suffix !== '' && !text.startsWith(suffix, end - suffix.length)) return MALFORMED;
  const digitsEnd = end - suffix.length;
  const start = digitsBefore(text, digitsEnd, from);
  if (start === digitsEnd || start - prefix.length < from || !text.startsWith(prefix, start - prefix.length)) {
    return MALFORMED;
  }
  const value = unsigned64(text, start);
  scanned = start - prefix.length;
  return value;
}

/** `), ts N[ ns][, free_ts N[ ns]]` at the end of the line, the comm's `)` not before `from`. */
function tail(text: string, from: number, ns: string): Tail | OutOfRange | undefined {
  let end = text.length;
  let freeTs: bigint | undefined;
  const last = numberBefore(text, end, from, ', free_ts ', ns);
  if (typeof last === 'bigint' || last === TOO_BIG) {
    if (last === TOO_BIG) return FREE_TS_RANGE;
    freeTs = last as bigint;
    end = scanned;
  }
  const ts = numberBefore(text, end, from, '), ts ', ns);
  if (ts === TOO_BIG) return TS_RANGE;
  if (typeof ts !== 'bigint') return undefined;
  return { close: scanned, ts, freeTs };
}

/**
 * After the gfp text: `, pid %d[, tgid %d][ (%s)], ts %llu[ ns][, free_ts %llu[ ns]]` to the end of the line, into
 * the record. Returns false when the line is not of that form.
 */
function task(record: Building, text: string, at: number, ns: string): boolean | OutOfRange {
  if (!text.startsWith(', pid ', at)) return false;
  const pid = decimal(text, at + 6, U32_LIMIT);
  if (pid === MALFORMED) return false;
  if (pid === TOO_BIG) return PID_RANGE;
  record.pid = pid;
  let position = scanned;
  if (text.startsWith(', tgid ', position)) {
    const tgid = decimal(text, position + 7, U32_LIMIT);
    if (tgid === MALFORMED) return false;
    if (tgid === TOO_BIG) return TGID_RANGE;
    record.tgid = tgid;
    position = scanned;
  }
  if (text.startsWith(' (', position)) {
    const found = tail(text, position + 2, ns);
    if (found === undefined || found instanceof OutOfRange) return found ?? false;
    record.comm = text.slice(position + 2, found.close);
    record.ts = found.ts;
    if (found.freeTs !== undefined) record.freeTs = found.freeTs;
    return true;
  }
  if (record.tgid !== undefined || !text.startsWith(', ts ', position)) return false;
  const ts = unsigned64(text, position + 5);
  if (ts === MALFORMED) return false;
  if (ts === TOO_BIG) return TS_RANGE;
  record.ts = ts as bigint;
  position = scanned;
  if (!text.startsWith(ns, position)) return false;
  position += ns.length;
  if (text.startsWith(', free_ts ', position)) {
    const freeTs = unsigned64(text, position + 10);
    if (freeTs === MALFORMED) return false;
    if (freeTs === TOO_BIG) return FREE_TS_RANGE;
    record.freeTs = freeTs as bigint;
    position = scanned;
    if (!text.startsWith(ns, position)) return false;
    position += ns.length;
  }
  return position === text.length;
}

function newRecord(format: PageOwnerFormat, line: number, order: number, gfp: number): Building {
  return { format, line, order, gfp, pfn: -1, block: -1, blockType: '', flags: '', frames: [], slab: false };
}

/** The order of a header, its digits at `at`. */
function order(text: string, at: number, maxOrder: number): number | OutOfRange {
  const value = decimal(text, at, 1000);
  if (value === TOO_BIG || value > maxOrder) return new OutOfRange(`an order of at most ${maxOrder}`);
  return value;
}

/** `Page allocated via order %u, mask %#x[(%pGg)[<task>]]`: the record, a range error, or undefined. */
function header(text: string, line: number, maxOrder: number): Building | OutOfRange | undefined {
  if (!text.startsWith(HEADER)) return undefined;
  const value = order(text, HEADER.length, maxOrder);
  if (value === MALFORMED) return undefined;
  const orderEnd = scanned;
  if (!text.startsWith(', mask 0x', orderEnd)) return value instanceof OutOfRange ? value : undefined;
  const gfp = hexadecimal(text, orderEnd + 9, U32_LIMIT);
  if (gfp === MALFORMED) return undefined;
  if (value instanceof OutOfRange) return value;
  if (gfp === TOO_BIG) return GFP_RANGE;
  let position = scanned;
  if (position === text.length) return newRecord('v3.19', line, value, gfp);
  if (text.charCodeAt(position) !== 40 /* ( */) return undefined;
  const close = text.indexOf(')', position + 1);
  if (close < 0) return undefined;
  const record = newRecord('v4.x', line, value, gfp);
  record.gfpText = text.slice(position + 1, close);
  position = close + 1;
  if (position === text.length) return record;
  const read = task(record, text, position, ' ns');
  if (read !== true) return read || undefined;
  record.format = 'tv-5.x';
  return record;
}

/**
 * `page [last ]allocated via order %u, migratetype %s, gfp_mask %#x(%pGg)[<task>]` of `__dump_page_owner()`: the
 * record, a range error, or undefined.
 */
function dmesgHeader(text: string, line: number, maxOrder: number): Building | OutOfRange | undefined {
  const prefix = text.startsWith(DMESG_HEADER)
    ? DMESG_HEADER.length
    : text.startsWith(DMESG_LAST_HEADER)
      ? DMESG_LAST_HEADER.length
      : 0;
  if (prefix === 0) return undefined;
  const value = order(text, prefix, maxOrder);
  if (value === MALFORMED || !text.startsWith(', migratetype ', scanned)) return undefined;
  const typeStart = scanned + 14;
  const typeEnd = text.indexOf(', gfp_mask 0x', typeStart);
  if (typeEnd < 0) return undefined;
  const gfp = hexadecimal(text, typeEnd + 13, U32_LIMIT);
  if (gfp === MALFORMED || text.charCodeAt(scanned) !== 40 /* ( */) return undefined;
  const close = text.indexOf(')', scanned + 1);
  if (close < 0) return undefined;
  if (value instanceof OutOfRange) return value;
  if (gfp === TOO_BIG) return GFP_RANGE;
  const record = newRecord('dmesg', line, value, gfp);
  record.gfpText = text.slice(scanned + 1, close);
  record.pageType = text.slice(typeStart, typeEnd);
  if (close + 1 === text.length) return record;
  const read = task(record, text, close + 1, '');
  return read === true ? record : read || undefined;
}

/** `PFN %lu Block %lu type %d <Fallback|8 spaces> Flags <12 columns>` (trailing spaces may be gone) into `record`. */
function pfnV3(record: Building, text: string): boolean | OutOfRange {
  if (!text.startsWith('PFN ')) return false;
  const pfn = decimal(text, 4, PFN_LIMIT);
  if (pfn === MALFORMED || !text.startsWith(' Block ', scanned)) return false;
  const block = decimal(text, scanned + 7, PFN_LIMIT);
  if (block === MALFORMED || !text.startsWith(' type ', scanned)) return false;
  const typeStart = scanned + 6;
  if (decimal(text, typeStart, 1000) < 0) return false;
  const typeEnd = scanned;
  let position = scanned;
  const fallback = text.startsWith(' Fallback', position);
  if (!fallback && !text.startsWith('         ', position)) return false;
  position += 9;
  if (!text.startsWith(' Flags', position)) return false;
  position += 6;
  let flags = '';
  if (position < text.length) {
    if (text.charCodeAt(position) !== 32 || text.length - position - 1 > 12) return false;
    flags = text.slice(position + 1);
  }
  if (pfn === TOO_BIG) return PFN_RANGE;
  if (block === TOO_BIG) return BLOCK_RANGE;
  record.pfn = pfn;
  record.block = block;
  record.blockType = text.slice(typeStart, typeEnd);
  record.fallback = fallback;
  record.flags = flags.padEnd(12, ' ');
  return true;
}

/** `PFN <%lu|0x%lx> type %s Block %lu type %s Flags <rest>` into `record`. */
function pfnV4(record: Building, text: string): boolean | OutOfRange {
  if (!text.startsWith('PFN ')) return false;
  const hex = text.startsWith('0x', 4);
  const pfn = hex ? hexadecimal(text, 6, PFN_LIMIT) : decimal(text, 4, PFN_LIMIT);
  if (pfn === MALFORMED || !text.startsWith(' type ', scanned)) return false;
  const pageTypeStart = scanned + 6;
  const pageTypeEnd = text.indexOf(' ', pageTypeStart);
  if (pageTypeEnd <= pageTypeStart || !text.startsWith(' Block ', pageTypeEnd)) return false;
  const block = decimal(text, pageTypeEnd + 7, PFN_LIMIT);
  if (block === MALFORMED || !text.startsWith(' type ', scanned)) return false;
  const blockTypeStart = scanned + 6;
  const blockTypeEnd = text.indexOf(' ', blockTypeStart);
  if (blockTypeEnd <= blockTypeStart || !text.startsWith(' Flags', blockTypeEnd)) return false;
  let flagsStart = blockTypeEnd + 6;
  if (flagsStart < text.length) {
    if (text.charCodeAt(flagsStart) !== 32) return false;
    flagsStart++;
  }
  if (pfn === TOO_BIG) return PFN_RANGE;
  if (block === TOO_BIG) return BLOCK_RANGE;
  record.pfn = pfn;
  if (hex) record.format = 'v6.18';
  record.pageType = text.slice(pageTypeStart, pageTypeEnd);
  record.block = block;
  record.blockType = text.slice(blockTypeStart, blockTypeEnd);
  record.flags = text.slice(flagsStart);
  return true;
}

/**
 * A stack line: ` [<address>] symbol+0xoff/0xsize [module]`, ` symbol+0xoff/0xsize`, ` 0xaddress`, and in a kernel
 * log also without the leading space (`[<address>] ...`, v4.x's `print_ip_sym` on its own line).
 */
function frame(text: string, dmesg: boolean): MutableFrame | OutOfRange | undefined {
  let position = 0;
  if (text.charCodeAt(0) === 32) position = 1;
  else if (!dmesg || !text.startsWith('[<')) return undefined;
  let address: string | undefined;
  if (text.startsWith('[<', position)) {
    const close = text.indexOf('>] ', position + 2);
    const digits = close - position - 2;
    if (digits !== 8 && digits !== 16) return undefined;
    for (let at = position + 2; at < close; at++) if (hexDigit(text.charCodeAt(at)) < 0) return undefined;
    address = text.slice(position + 2, close);
    position = close + 3;
  }
  const plus = text.indexOf('+', position);
  let result: MutableFrame;
  if (plus < 0) {
    // An address without a symbol: `0x` and its digits.
    if (!text.startsWith('0x', position)) return undefined;
    hexadecimal(text, position + 2, Number.POSITIVE_INFINITY);
    if (scanned !== text.length || scanned === position + 2) return undefined;
    const first = text.charCodeAt(position + 2);
    if (first === 48 && scanned > position + 3) return undefined;
    result = { symbol: text.slice(position) };
  } else {
    if (plus === position) return undefined;
    for (let at = position; at < plus; at++) {
      const code = text.charCodeAt(at);
      if (code === 32 || code === 9 || code === 10 || code === 11 || code === 12 || code === 13) return undefined;
    }
    if (!text.startsWith('0x', plus + 1)) return undefined;
    const offset = hexadecimal(text, plus + 3, Number.MAX_SAFE_INTEGER);
    if (offset === MALFORMED || !text.startsWith('/0x', scanned)) return undefined;
    const size = hexadecimal(text, scanned + 3, Number.MAX_SAFE_INTEGER);
    if (size === MALFORMED) return undefined;
    let module: string | undefined;
    if (scanned !== text.length) {
      if (!text.startsWith(' [', scanned) || text.charCodeAt(text.length - 1) !== 93 /* ] */) return undefined;
      const moduleEnd = text.length - 1;
      if (moduleEnd === scanned + 2 || text.indexOf(']', scanned + 2) !== moduleEnd) return undefined;
      module = text.slice(scanned + 2, moduleEnd);
    }
    if (offset === TOO_BIG || size === TOO_BIG) return OFFSET_RANGE;
    result = { symbol: text.slice(position, plus), offset, size };
    if (module !== undefined) result.module = module;
  }
  if (address !== undefined) result.address = address;
  return result;
}

/** `Charged [(via objcg) ]to [offline ]memcg %s`. */
function charged(text: string): PageOwnerMemcg | undefined {
  if (!text.startsWith('Charged ')) return undefined;
  let position = 8;
  const viaObjcg = text.startsWith('(via objcg) ', position);
  if (viaObjcg) position += 12;
  if (!text.startsWith('to ', position)) return undefined;
  position += 3;
  const offline = text.startsWith('offline ', position);
  if (offline) position += 8;
  if (!text.startsWith('memcg ', position)) return undefined;
  return { viaObjcg, offline, name: text.slice(position + 6) };
}

function isBlank(code: number): boolean {
  return code === 32 || code === 9 || code === 13 || code === 11 || code === 12;
}

/**
 * The text of a line as the parser reads it: without trailing whitespace (a CRLF line ending, spaces a mailer or
 * editor added), without mail quote markers (`> `, `>> `), and without a kernel log's prefix (`<4>`, `[  12.345678]`,
 * `[    T1]`/`[ C0]` with `CONFIG_PRINTK_CALLER`).
 */
function clean(text: string): string {
  let end = text.length;
  while (end > 0 && isBlank(text.charCodeAt(end - 1))) end--;
  let start = 0;
  while (start < end && text.charCodeAt(start) === 62 /* > */) {
    start++;
    if (start < end && text.charCodeAt(start) === 32) start++;
  }
  if (start < end) {
    const code = text.charCodeAt(start);
    if (code === 60 /* < */ || code === 91 /* [ */) start = logPrefixEnd(text, start, end);
  }
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** Past a kernel log prefix at `start`: `<level>`, a `[seconds.micros]` stamp, a `[T123]` caller; else `start`. */
function logPrefixEnd(text: string, start: number, end: number): number {
  let position = start;
  let matched = false;
  if (text.charCodeAt(position) === 60 /* < */) {
    const close = text.indexOf('>', position + 1);
    if (close < position + 2 || close > position + 4) return start;
    for (let at = position + 1; at < close; at++) if (!isDigit(text.charCodeAt(at))) return start;
    position = close + 1;
    matched = true;
  }
  const stamp = bracket(text, position, end, false);
  if (stamp > 0) {
    position = stamp;
    matched = true;
    const caller = bracket(text, position, end, true);
    if (caller > 0) position = caller;
  }
  if (!matched) return start;
  return position < end && text.charCodeAt(position) === 32 ? position + 1 : position;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Past `[ 12.345678]` (or, for a `caller`, `[  T123]`/`[ C0]`) at `at`, or -1. */
function bracket(text: string, at: number, end: number, caller: boolean): number {
  if (at >= end || text.charCodeAt(at) !== 91 /* [ */) return -1;
  let position = at + 1;
  while (position < end && text.charCodeAt(position) === 32) position++;
  if (caller) {
    const code = text.charCodeAt(position);
    if (code !== 84 /* T */ && code !== 67 /* C */) return -1;
    position++;
  }
  const digits = position;
  while (position < end && isDigit(text.charCodeAt(position))) position++;
  if (position === digits) return -1;
  if (!caller) {
    if (text.charCodeAt(position) !== 46 /* . */) return -1;
    const fraction = ++position;
    while (position < end && isDigit(text.charCodeAt(position))) position++;
    if (position === fraction) return -1;
  }
  return position < end && text.charCodeAt(position) === 93 /* ] */ ? position + 1 : -1;
}

/**
 * A reader of the text mm/page_owner.c `print_page_owner()` writes to /sys/kernel/debug/page_owner (any era, v3.19
 * to v6.19) and of the `__dump_page_owner()` lines of a kernel log, as a line-at-a-time state machine: feed it every
 * line (without its `\n`, as from `readline`) with {@link PageOwnerParser.line}, which returns a record when the line
 * completes one, then call {@link PageOwnerParser.end} for the last one. It holds one record at a time, so a dump of
 * any size parses in constant memory. {@link parsePageOwner} and {@link parsePageOwnerStream} wrap it.
 *
 * It reads what page_owner_sort reads, and more: a last record without its empty line, a record without its PFN
 * line, CRLF line endings, trailing whitespace, mail quote markers, kernel log prefixes. A line it cannot place is
 * skipped, and a record with a number out of the kernel's range (order above `maxOrder`, gfp mask over 32 bits,
 * pid/tgid from 2^32, ts/free_ts over 64 bits, pfn/pageblock from 2^52, stack offsets and sizes from 2^53, more than
 * 256 stack lines) is dropped whole; both are counted in {@link PageOwnerParser.skipped} (with `strict`, the first
 * one throws instead). A line longer than {@link PAGE_OWNER_MAX_LINE} throws {@link PageOwnerParseError}.
 */
export class PageOwnerParser {
  readonly file: string;
  /** The format of the first record (`undefined` before it). Later records may differ; each carries its own. */
  format: PageOwnerFormat | undefined;
  /** Records completed so far. */
  records = 0;
  /** Lines seen so far. */
  lines = 0;
  /** What was skipped so far. */
  readonly skipped: PageOwnerSkips;
  readonly #strict: boolean;
  readonly #maxOrder: number;
  readonly #requireRecord: boolean;
  #state = State.header;
  #record: Building | undefined;
  /** The first line of the record being read or dropped. */
  #recordLine = 0;
  /** dmesg: `page_owner tracks the page as ...` on the line before a header. */
  #tracked: boolean | undefined;
  #trackedLine = 0;
  /** dmesg: the pfn of the last `page:` line of `dump_page()`, and its line. */
  #dumpPfn = -1;
  #dumpPfnLine = 0;
  /** The record being dropped is of a kernel log (it ends at its first line that is not a stack line). */
  #discardingDmesg = false;

  constructor(options: ParsePageOwnerOptions = {}) {
    this.file = options.file ?? '<input>';
    this.skipped = options.skipped ?? new PageOwnerSkips(this.file);
    this.skipped.file = this.file;
    this.#strict = options.strict ?? false;
    this.#maxOrder = options.maxOrder ?? 10;
    this.#requireRecord = options.requireRecord ?? false;
  }

  /**
   * Takes the next line (without its `\n`); returns the record it completes, if any. Throws PageOwnerParseError for
   * a line longer than {@link PAGE_OWNER_MAX_LINE}, and in strict mode for a line it would skip.
   */
  line(raw: string): ParsedPageOwnerRecord | undefined {
    const number = ++this.lines;
    if (raw.length > PAGE_OWNER_MAX_LINE) throw lineTooLong(this.file, number, raw.slice(0, SHOWN_CHARACTERS));
    const text = clean(raw);
    switch (this.#state) {
      case State.header:
        this.#header(text, number);
        return undefined;
      case State.discard:
        if (text === '') {
          this.#state = State.header;
          return undefined;
        }
        if (this.#startsRecord(text) || (this.#discardingDmesg && frame(text, true) === undefined)) {
          this.#state = State.header;
          this.#header(text, number);
          return undefined;
        }
        this.skipped.lines++;
        return undefined;
      case State.dmesgFrames:
      case State.dmesgFree:
      case State.dmesgTrailer:
      case State.dmesgEnd:
        return this.#dmesg(text, number);
      default:
        return this.#body(text, number);
    }
  }

  /** The end of the input: returns the last record when no empty line ended it. */
  end(): ParsedPageOwnerRecord | undefined {
    const state = this.#state;
    let last: ParsedPageOwnerRecord | undefined;
    if (state === State.header || state === State.discard) this.#state = State.header;
    else last = this.#complete(this.lines + 1, undefined);
    if (this.#requireRecord && this.records === 0 && !this.skipped.empty) throw this.skipped.error();
    return last;
  }

  /** Whether a line starts a record (ending the one before, whose empty line is missing). */
  #startsRecord(text: string): boolean {
    return text.startsWith(HEADER) || text.startsWith(DMESG_HEADER) || text.startsWith(DMESG_LAST_HEADER);
  }

  #skip(number: number, text: string, expected: string): void {
    if (this.#strict) throw new PageOwnerParseError(this.file, number, text, expected);
    this.skipped.add(number, text, expected);
  }

  /** Drops the record being read (or starting at this line) for a field out of range. */
  #drop(number: number, text: string, range: OutOfRange): void {
    if (this.#strict) throw new PageOwnerParseError(this.file, number, text, range.expected);
    const first = this.#record === undefined ? number : this.#recordLine;
    this.skipped.add(number, text, range.expected, number - first + 1, true);
    this.#discardingDmesg =
      this.#record === undefined ? text.charCodeAt(0) === 112 /* p */ : this.#record.format === 'dmesg';
    this.#record = undefined;
    this.#state = State.discard;
  }

  #header(text: string, number: number): void {
    if (text === '') return;
    const record = text.charCodeAt(0) === 80 /* P */ ? header(text, number, this.#maxOrder) : undefined;
    if (record instanceof OutOfRange) {
      this.#record = undefined;
      this.#drop(number, text, record);
      return;
    }
    if (record !== undefined) {
      this.#record = record;
      this.#recordLine = number;
      this.#state = State.pfn;
      return;
    }
    if (this.#kernelLog(text, number)) return;
    this.#skip(number, text, EXPECT_HEADER);
  }

  /** The lines of a kernel log's `dump_page()` and `__dump_page_owner()` that come before a record, or its header. */
  #kernelLog(text: string, number: number): boolean {
    const code = text.charCodeAt(0);
    if (code === 112 /* p */) {
      if (text === TRACKS_ALLOCATED || text === TRACKS_FREED) {
        this.#tracked = text === TRACKS_ALLOCATED;
        this.#trackedLine = number;
        return true;
      }
      if (text.startsWith('page:')) {
        const at = text.indexOf(' pfn:0x');
        if (at < 0) return false;
        const pfn = hexadecimal(text, at + 7, PFN_LIMIT);
        this.#dumpPfn = pfn;
        this.#dumpPfnLine = number;
        return pfn >= 0;
      }
      const record = dmesgHeader(text, number, this.#maxOrder);
      if (record instanceof OutOfRange) {
        this.#record = undefined;
        this.#drop(number, text, record);
        return true;
      }
      if (record !== undefined) {
        if (this.#trackedLine === number - 1 && this.#tracked !== undefined) record.allocated = this.#tracked;
        if (this.#dumpPfn >= 0 && number - this.#dumpPfnLine <= DUMP_PAGE_REACH) record.pfn = this.#dumpPfn;
        this.#dumpPfn = -1;
        this.#record = record;
        this.#recordLine = number;
        this.#state = State.dmesgFrames;
        return true;
      }
    }
    // `page_owner info is not present (never set?)` and the like: the page of the `page:` line has no record.
    if (!NO_RECORD.includes(text)) return false;
    this.#dumpPfn = -1;
    return true;
  }

  #pfn(record: Building, text: string, number: number): boolean {
    const read = record.format === 'v3.19' ? pfnV3(record, text) : pfnV4(record, text);
    if (read instanceof OutOfRange) {
      this.#drop(number, text, read);
      return true;
    }
    if (read) this.#state = State.frames;
    return read;
  }

  #body(text: string, number: number): ParsedPageOwnerRecord | undefined {
    const record = this.#record!;
    const state = this.#state;
    if (text === '') return this.#complete(number, text);
    const code = text.charCodeAt(0);
    if (code === 32) {
      if (state <= State.frames) {
        const parsed = frame(text, false);
        if (parsed instanceof OutOfRange) {
          this.#drop(number, text, parsed);
          return undefined;
        }
        if (parsed !== undefined) {
          const previous = record.frames[0];
          if (previous === undefined || (previous.address === undefined) === (parsed.address === undefined)) {
            if (record.frames.length === MAX_FRAMES) {
              this.#drop(number, text, FRAMES_RANGE);
              return undefined;
            }
            record.frames.push(parsed);
            this.#state = State.frames;
            return undefined;
          }
          this.#skip(
            number,
            text,
            `a stack line in the form of the record's first one (${previous.address === undefined ? "' symbol+0xoff/0xsize'" : "' [<address>] symbol+0xoff/0xsize'"})`,
          );
          return undefined;
        }
      }
    } else if (code === 80 /* P */) {
      if (state === State.pfn && this.#pfn(record, text, number)) return undefined;
      if (state <= State.frames && text.startsWith(MIGRATED)) {
        record.migrateReason = text.slice(MIGRATED.length);
        this.#state = State.migrated;
        return undefined;
      }
      if (this.#startsRecord(text)) return this.#finishAndStart(text, number);
    } else if (code === 112 /* p */ && this.#startsRecord(text)) {
      return this.#finishAndStart(text, number);
    }
    if (state <= State.migrated && text === SLAB) {
      record.slab = true;
      this.#state = State.slab;
      return undefined;
    }
    if (state <= State.slab) {
      const memcg = charged(text);
      if (memcg !== undefined) {
        record.memcg = memcg;
        this.#state = State.charged;
        return undefined;
      }
    }
    const expected =
      state === State.pfn
        ? record.format === 'v3.19'
          ? EXPECT_PFN_V3
          : EXPECT_PFN
        : state === State.frames
          ? EXPECT_FRAME_OR_END
          : state === State.migrated
            ? EXPECT_AFTER_MIGRATE
            : state === State.slab
              ? EXPECT_AFTER_SLAB
              : EXPECT_END;
    this.#skip(number, text, expected);
    return undefined;
  }

  /** A header where the record's empty line should be: the record ends there and another starts. */
  #finishAndStart(text: string, number: number): ParsedPageOwnerRecord | undefined {
    const finished = this.#complete(number, text);
    this.#header(text, number);
    return finished;
  }

  /**
   * The end of a debugfs record at line `number` (`text` there, undefined at the end of input): the record, or
   * nothing when it is a header alone (no PFN line, stack or trailer: not a record page_owner prints, even without
   * its PFN lines), which is dropped and counted.
   */
  #complete(number: number, text: string | undefined): ParsedPageOwnerRecord | undefined {
    if (this.#state !== State.pfn) return this.#finish();
    const record = this.#record!;
    const expected = `${record.format === 'v3.19' ? EXPECT_PFN_V3 : EXPECT_PFN} (the record starts at line ${record.line})`;
    if (this.#strict) throw new PageOwnerParseError(this.file, number, text, expected);
    this.skipped.add(number, text ?? '', expected, 1);
    this.#record = undefined;
    this.#state = State.header;
    return undefined;
  }

  /** A line after a dmesg header: its stacks and trailers, or the end of the record (the line is then read anew). */
  #dmesg(text: string, number: number): ParsedPageOwnerRecord | undefined {
    const record = this.#record!;
    const state = this.#state;
    if (text === '') return this.#finish();
    if (state === State.dmesgFrames || state === State.dmesgFree) {
      const parsed = frame(text, true);
      if (parsed instanceof OutOfRange) {
        this.#drop(number, text, parsed);
        return undefined;
      }
      if (parsed !== undefined) {
        const frames = state === State.dmesgFree ? record.free!.frames : record.frames;
        if (frames.length === MAX_FRAMES) {
          this.#drop(number, text, FRAMES_RANGE);
          return undefined;
        }
        frames.push(parsed);
        return undefined;
      }
    }
    if (state === State.dmesgFrames) {
      if (text === ALLOC_STACK_MISSING && record.frames.length === 0) return undefined;
      if (text === FREE_STACK_MISSING) {
        this.#state = State.dmesgTrailer;
        return undefined;
      }
      const free = freeStackHeader(text);
      if (free !== undefined) {
        record.free = free;
        this.#state = State.dmesgFree;
        return undefined;
      }
    }
    if (state !== State.dmesgEnd && text.startsWith(DMESG_MIGRATED)) {
      record.migrateReason = text.slice(DMESG_MIGRATED.length);
      this.#state = State.dmesgEnd;
      return undefined;
    }
    const finished = this.#finish();
    this.#header(text, number);
    return finished;
  }

  #finish(): ParsedPageOwnerRecord {
    const record = this.#record!;
    if (record.format === 'v4.x' && record.frames.length > 0 && record.frames[0]!.address === undefined) {
      record.format = 'v5.10';
    }
    this.#record = undefined;
    this.#state = State.header;
    this.records++;
    this.format ??= record.format;
    return record;
  }
}

/** `page last free stack trace:` (v5.4+) or `page last free pid %d tgid %d stack trace:` (v6.x). */
function freeStackHeader(text: string): Building['free'] | undefined {
  if (text === FREE_STACK) return { frames: [] };
  if (!text.startsWith(FREE_STACK_PID)) return undefined;
  const pid = decimal(text, FREE_STACK_PID.length, U32_LIMIT);
  if (pid < 0 || !text.startsWith(' tgid ', scanned)) return undefined;
  const tgid = decimal(text, scanned + 6, U32_LIMIT);
  if (tgid < 0 || scanned !== text.length - 13 || !text.endsWith(' stack trace:')) return undefined;
  return { pid, tgid, frames: [] };
}

/** The error for a line longer than {@link PAGE_OWNER_MAX_LINE}, given (at least) its first 80 characters. */
function lineTooLong(file: string, line: number, head: string): PageOwnerParseError {
  return new PageOwnerParseError(
    file,
    line,
    head.slice(0, SHOWN_CHARACTERS),
    `a line of at most ${PAGE_OWNER_MAX_LINE} characters (page_owner lines are under 1 KiB)`,
    '',
    `more than ${PAGE_OWNER_MAX_LINE}`,
  );
}

/**
 * Parses a page_owner dump given whole or as chunks of text (each chunk may end anywhere, even inside a line),
 * yielding each record as soon as it is complete. Skipped lines are counted in `options.skipped`; throws
 * {@link PageOwnerParseError} for an over-long line (and in strict mode).
 */
export function* parsePageOwner(
  input: string | Iterable<string>,
  options: ParsePageOwnerOptions = {},
): Generator<ParsedPageOwnerRecord, void, undefined> {
  const parser = new PageOwnerParser(options);
  if (typeof input === 'string') {
    yield* linesOf(parser, input, 0, true);
  } else {
    const joiner = new ChunkJoiner(parser);
    for (const chunk of input) yield* joiner.push(chunk);
    yield* joiner.finish();
  }
  const last = parser.end();
  if (last !== undefined) yield last;
}

/**
 * Joins chunks into whole lines for the parser. A line still open is kept, and refused as soon as it passes
 * {@link PAGE_OWNER_MAX_LINE}, so that a file without newlines (`/dev/zero`) fails after 64 KiB, not after memory.
 */
class ChunkJoiner {
  readonly #parser: PageOwnerParser;
  #rest = '';

  constructor(parser: PageOwnerParser) {
    this.#parser = parser;
  }

  *push(chunk: string): Generator<ParsedPageOwnerRecord> {
    if (this.#rest === '') {
      this.#rest = yield* linesOf(this.#parser, chunk, 0, false);
      return;
    }
    const newline = chunk.indexOf('\n');
    if (this.#rest.length + (newline < 0 ? chunk.length : newline) > PAGE_OWNER_MAX_LINE) {
      // Refused before joining: a rope of a hundred megabytes would be copied whole to show 80 characters of it.
      const rest = this.#rest;
      const head = rest.length >= SHOWN_CHARACTERS ? rest : rest + chunk.slice(0, SHOWN_CHARACTERS);
      throw lineTooLong(this.#parser.file, this.#parser.lines + 1, head);
    }
    if (newline < 0) {
      this.#rest += chunk;
      return;
    }
    const line = this.#rest + chunk.slice(0, newline);
    this.#rest = '';
    const record = this.#parser.line(line);
    if (record !== undefined) yield record;
    this.#rest = yield* linesOf(this.#parser, chunk, newline + 1, false);
  }

  /** The end of input: the last line, if it has no newline. */
  *finish(): Generator<ParsedPageOwnerRecord> {
    const rest = this.#rest;
    this.#rest = '';
    if (rest !== '') {
      const record = this.#parser.line(rest);
      if (record !== undefined) yield record;
    }
  }
}

/**
 * Feeds the lines of `text` from `start` to the parser; a last line without `\n` is fed if `final`, else returned
 * (refused if it is already too long).
 */
function* linesOf(
  parser: PageOwnerParser,
  text: string,
  start: number,
  final: boolean,
): Generator<ParsedPageOwnerRecord, string> {
  for (;;) {
    const newline = text.indexOf('\n', start);
    if (newline < 0) break;
    const record = parser.line(text.slice(start, newline));
    if (record !== undefined) yield record;
    start = newline + 1;
  }
  if (text.length - start > PAGE_OWNER_MAX_LINE) {
    throw lineTooLong(parser.file, parser.lines + 1, text.slice(start, start + SHOWN_CHARACTERS));
  }
  if (!final) return start === 0 ? text : text.slice(start);
  if (start < text.length) {
    const record = parser.line(text.slice(start));
    if (record !== undefined) yield record;
  }
  return '';
}

/**
 * Parses a page_owner dump from an async iterable of chunks, such as `fs.createReadStream(path)` (byte chunks are
 * decoded as UTF-8) or the same with an encoding (string chunks), holding one record at a time. Chunks are joined
 * as they come, so lines must keep their newlines; feed lines without them (`readline`) to a
 * {@link PageOwnerParser}. Skipped lines are counted in `options.skipped`; throws {@link PageOwnerParseError} for an
 * over-long line (and in strict mode).
 */
export async function* parsePageOwnerStream(
  input: AsyncIterable<string | Uint8Array>,
  options: ParsePageOwnerOptions = {},
): AsyncGenerator<ParsedPageOwnerRecord, void, undefined> {
  const parser = new PageOwnerParser(options);
  const decoder = new TextDecoder();
  const joiner = new ChunkJoiner(parser);
  for await (const chunk of input) {
    yield* joiner.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  }
  yield* joiner.push(decoder.decode());
  yield* joiner.finish();
  const last = parser.end();
  if (last !== undefined) yield last;
}

/**
 * One stack line as the record's era prints it, with its newline: ` [<%p>] %pS` (v3.19–v4.x
 * `snprint_stack_trace()`, kernel/stacktrace.c) or ` %pS` (`stack_trace_snprint()`, v5+).
 */
export function formatParsedFrame(frame: PageOwnerFrame): string {
  let text = frame.address === undefined ? ` ${frame.symbol}` : ` [<${frame.address}>] ${frame.symbol}`;
  if (frame.offset !== undefined) text += `+0x${frame.offset.toString(16)}/0x${(frame.size ?? 0).toString(16)}`;
  if (frame.module !== undefined) text += ` [${frame.module}]`;
  return `${text}\n`;
}

/** `, pid %d[, tgid %d][ (%s)], ts %llu` of a header. */
function formatTask(record: ParsedPageOwnerRecord, ns: string): string {
  let text = `, pid ${record.pid}`;
  if (record.tgid !== undefined) text += `, tgid ${record.tgid}`;
  if (record.comm !== undefined) text += ` (${record.comm})`;
  text += `, ts ${record.ts ?? 0n}${ns}`;
  if (record.freeTs !== undefined) text += `, free_ts ${record.freeTs}${ns}`;
  return text;
}

/**
 * Prints a parsed record the way `print_page_owner()` (mm/page_owner.c) of its era does, ending with the empty
 * line: the inverse of the parser, so dump → parse → print gives back the same bytes (for a record without its PFN
 * line, without it). A `dmesg` record is printed as `__dump_page_owner()` prints it, without log prefixes.
 */
export function formatParsedRecord(record: ParsedPageOwnerRecord): string {
  if (record.format === 'dmesg') return formatDmesgRecord(record);
  let text = `Page allocated via order ${record.order}, mask 0x${record.gfp.toString(16)}`;
  if (record.gfpText !== undefined) {
    text += `(${record.gfpText})`;
    if (record.pid !== undefined) text += formatTask(record, ' ns');
  }
  text += '\n';
  if (record.pfn < 0) {
    // The PFN line was removed (grep -v ^PFN).
  } else if (record.format === 'v3.19') {
    text += `PFN ${record.pfn} Block ${record.block} type ${record.blockType} ${record.fallback === true ? 'Fallback' : '        '} Flags ${record.flags}\n`;
  } else {
    const pfn = record.format === 'v6.18' ? `0x${record.pfn.toString(16)}` : `${record.pfn}`;
    text += `PFN ${pfn} type ${record.pageType ?? ''} Block ${record.block} type ${record.blockType} Flags ${record.flags}\n`;
  }
  for (const frame of record.frames) text += formatParsedFrame(frame);
  if (record.migrateReason !== undefined) text += `${MIGRATED}${record.migrateReason}\n`;
  if (record.slab) text += `${SLAB}\n`;
  const memcg = record.memcg;
  if (memcg !== undefined) {
    text += `Charged ${memcg.viaObjcg ? '(via objcg) ' : ''}to ${memcg.offline ? 'offline ' : ''}memcg ${memcg.name}\n`;
  }
  return `${text}\n`;
}

/** A `dmesg` record as `__dump_page_owner()` prints it: v5.4+ when it says whether the page is allocated. */
function formatDmesgRecord(record: ParsedPageOwnerRecord): string {
  const v54 = record.allocated !== undefined;
  let text = v54 ? `${record.allocated ? TRACKS_ALLOCATED : TRACKS_FREED}\n` : '';
  text += `${v54 ? DMESG_LAST_HEADER : DMESG_HEADER}${record.order}, migratetype ${record.pageType ?? ''}, gfp_mask 0x${record.gfp.toString(16)}(${record.gfpText ?? ''})`;
  if (record.pid !== undefined) text += formatTask(record, '');
  text += '\n';
  if (v54 && record.frames.length === 0) text += `${ALLOC_STACK_MISSING}\n`;
  for (const frame of record.frames) text += formatParsedFrame(frame);
  const free = record.free;
  if (free !== undefined) {
    text +=
      free.pid === undefined ? `${FREE_STACK}\n` : `${FREE_STACK_PID}${free.pid} tgid ${free.tgid} stack trace:\n`;
    for (const frame of free.frames) text += formatParsedFrame(frame);
  } else if (v54) {
    text += `${FREE_STACK_MISSING}\n`;
  }
  if (record.migrateReason !== undefined) text += `${DMESG_MIGRATED}${record.migrateReason}\n`;
  return text;
}

/**
 * The record formats of /sys/kernel/debug/page_owner that the parser knows, by the kernel that prints them
 * (mm/page_owner.c `print_page_owner`):
 * - `v3.19`: `Page allocated via order %u, mask 0x%x`, then
 *   `PFN %lu Block %lu type %d <Fallback|8 spaces> Flags <12 letters or spaces>`, then ` [<%p>] %pS` frames;
 * - `v4.x` (v4.6 to about v4.13, so v4.7 and v4.8): `... mask %#x(%pGg)`, then
 *   `PFN %lu type %s Block %lu type %s Flags %#lx(%pGp)`, then ` [<%p>] %pS` frames;
 * - `v5.10`: the v4.x header and PFN line, with ` %pS` frames (no address);
 * - `tv-5.x` (about v5.11 to v6.3): the header adds `, pid %d[, tgid %d (%s)], ts %llu ns, free_ts %llu ns`;
 * - `v6.18`: the header has pid, tgid, comm and ts but no free_ts, and the PFN is hex: `PFN 0x%lx`.
 *
 * After the frames every era may print `Page has been migrated, last migrate reason: %s` (v4.6+), and v5.19+
 * `Slab cache page` and `Charged [(via objcg) ]to [offline ]memcg %s`; an empty line ends every record.
 */
export type PageOwnerFormat = 'v3.19' | 'v4.x' | 'v5.10' | 'tv-5.x' | 'v6.18';

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
  /** The offset into the function (absent for an address without a symbol). */
  readonly offset?: number;
  /** The size of the function (absent for an address without a symbol). */
  readonly size?: number;
  /** The module the function is in (` [xfs]`). */
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

/**
 * One record of /sys/kernel/debug/page_owner, as `print_page_owner()` (mm/page_owner.c) printed it. Optional fields
 * are absent when the record's era does not print them. {@link formatParsedRecord} prints it back byte for byte.
 */
export interface ParsedPageOwnerRecord {
  /** The era whose format the record is in. */
  readonly format: PageOwnerFormat;
  /** The 1-based line of the record's header in the input. */
  readonly line: number;
  readonly order: number;
  /** The gfp mask (`%#x`). */
  readonly gfp: number;
  /** `%pGg` of the mask, the text in parentheses (absent in v3.19). */
  readonly gfpText?: string;
  /** tv-5.x and v6.18. */
  readonly pid?: number;
  /** tv-5.x (v6.0+) and v6.18. */
  readonly tgid?: number;
  /** The task's comm, printed with tgid. */
  readonly comm?: string;
  /** Allocation time in ns (`local_clock()`), tv-5.x and v6.18. */
  readonly ts?: bigint;
  /** Time of the last free in ns, tv-5.x only. */
  readonly freeTs?: bigint;
  readonly pfn: number;
  /** The page's migratetype name, from the gfp mask (absent in v3.19). */
  readonly pageType?: string;
  /** `pfn >> pageblock_order`. */
  readonly block: number;
  /** The pageblock's migratetype: its name, or in v3.19 its number. */
  readonly blockType: string;
  /** v3.19: `Fallback` (pageblock and page migratetypes differ) rather than 8 spaces. */
  readonly fallback?: boolean;
  /** Everything after `Flags `: `%#lx(%pGp)` (v4.x, v5.10), `%pGp` (v5.17+), or v3.19's 12 letter columns. */
  readonly flags: string;
  readonly frames: readonly PageOwnerFrame[];
  /** `Page has been migrated, last migrate reason: %s`. */
  readonly migrateReason?: string;
  /** `Slab cache page`. */
  readonly slab: boolean;
  /** `Charged ... memcg NAME`. */
  readonly memcg?: PageOwnerMemcg;
}

/**
 * A line of a page_owner dump that is not what the format allows at that point. The message names the file, the
 * line, the expected form and the line itself: `page_owner:17: expected 'PFN ...' line after the header, got "..."`.
 */
export class PageOwnerParseError extends Error {
  /** The name the caller gave the input (`<input>` by default). */
  readonly file: string;
  /** 1-based; for an early end of input, the line after the last one. */
  readonly line: number;
  /** The offending line, or `undefined` at the end of input. */
  readonly text: string | undefined;
  /** What the format allows there. */
  readonly expected: string;

  constructor(file: string, line: number, text: string | undefined, expected: string) {
    super(`${file}:${line}: expected ${expected}, got ${text === undefined ? 'end of input' : JSON.stringify(text)}`);
    this.name = 'PageOwnerParseError';
    this.file = file;
    this.line = line;
    this.text = text;
    this.expected = expected;
  }
}

/** Options of the page_owner parsers. */
export interface ParsePageOwnerOptions {
  /** The name errors give the input (default `<input>`). */
  readonly file?: string;
}

// Numbers are matched in the form the kernel prints them (no leading zeros, lowercase hex), so that every accepted
// record prints back to the same bytes.
const DEC = '(0|[1-9][0-9]*)';
const HEX = '(0|[1-9a-f][0-9a-f]*)';
const HEADER = new RegExp(
  `^Page allocated via order ${DEC}, mask 0x${HEX}(?:\\(([^)]*)\\)(?:, pid ${DEC}(?:, tgid ${DEC} \\((.*)\\))?, ts ${DEC} ns(?:, free_ts ${DEC} ns)?)?)?$`,
);
const PFN_V3 = new RegExp(`^PFN ${DEC} Block ${DEC} type ${DEC} (Fallback| {8}) Flags (.{12})$`);
const PFN = new RegExp(`^PFN (?:0x${HEX}|${DEC}) type (\\S+) Block ${DEC} type (\\S+) Flags (.*)$`);
const FRAME = new RegExp(
  `^ (?:\\[<([0-9a-f]{16}|[0-9a-f]{8})>\\] )?(?:([^\\s+]+)\\+0x${HEX}/0x${HEX}(?: \\[([^\\]\\s]+)\\])?|(0x${HEX}))$`,
);
const MIGRATED = 'Page has been migrated, last migrate reason: ';
const SLAB = 'Slab cache page';
const CHARGED = /^Charged (\(via objcg\) )?to (offline )?memcg (.*)$/;

const EXPECT_HEADER = "'Page allocated via order N, mask 0xGFP(...)' header";
const EXPECT_PFN = "'PFN ...' line after the header";
const EXPECT_PFN_V3 = "'PFN N Block N type N <Fallback|8 spaces> Flags <12 columns>' line after the v3.19 header";
const EXPECT_FRAME_OR_END =
  "a stack line (' [<address>] symbol+0xoff/0xsize' or ' symbol+0xoff/0xsize [module]'), " +
  "'Page has been migrated, last migrate reason: ...', 'Slab cache page', 'Charged to memcg ...' or the empty line ending the record";
const EXPECT_AFTER_MIGRATE = "'Slab cache page', 'Charged to memcg ...' or the empty line ending the record";
const EXPECT_AFTER_SLAB = "'Charged to memcg ...' or the empty line ending the record";
const EXPECT_END = 'the empty line ending the record';

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
}

/**
 * A reader of the text mm/page_owner.c `print_page_owner()` writes to /sys/kernel/debug/page_owner, as a
 * line-at-a-time state machine: feed it every line (without its newline, as from `readline`) with
 * {@link PageOwnerParser.line}, which returns a record when the line completes one, then call
 * {@link PageOwnerParser.end}. It holds one record at a time, so a dump of any size parses in constant memory.
 * {@link parsePageOwner} and {@link parsePageOwnerStream} wrap it for strings, chunks and streams.
 */
export class PageOwnerParser {
  readonly file: string;
  /** The format of the first record (`undefined` before it). Later records may differ; each carries its own. */
  format: PageOwnerFormat | undefined;
  /** Records completed so far. */
  records = 0;
  /** Lines seen so far. */
  lines = 0;
  #state = State.header;
  #record: Building | undefined;

  constructor(options: ParsePageOwnerOptions = {}) {
    this.file = options.file ?? '<input>';
  }

  /** Takes the next line (without its `\n`); returns the record it completes, if any. Throws PageOwnerParseError. */
  line(text: string): ParsedPageOwnerRecord | undefined {
    const number = ++this.lines;
    switch (this.#state) {
      case State.header:
        this.#header(text, number);
        return undefined;
      case State.pfn:
        this.#pfn(text, number);
        return undefined;
      default:
        return this.#body(text, number);
    }
  }

  /** The end of the input: throws if a record is unfinished. */
  end(): void {
    if (this.#state !== State.header) {
      const record = this.#record!;
      throw new PageOwnerParseError(
        this.file,
        this.lines + 1,
        undefined,
        `${this.#state === State.pfn ? (record.format === 'v3.19' ? EXPECT_PFN_V3 : EXPECT_PFN) : EXPECT_END} (the record starts at line ${record.line})`,
      );
    }
  }

  #header(text: string, number: number): void {
    const match = HEADER.exec(text);
    if (match === null) throw new PageOwnerParseError(this.file, number, text, EXPECT_HEADER);
    const [, order, gfp, gfpText, pid, tgid, comm, ts, freeTs] = match;
    const record: Building = {
      format: gfpText === undefined ? 'v3.19' : pid === undefined ? 'v4.x' : 'tv-5.x',
      line: number,
      order: Number(order),
      gfp: Number.parseInt(gfp!, 16),
      pfn: 0,
      block: 0,
      blockType: '',
      flags: '',
      frames: [],
      slab: false,
    };
    if (gfpText !== undefined) record.gfpText = gfpText;
    if (pid !== undefined) record.pid = Number(pid);
    if (tgid !== undefined) {
      record.tgid = Number(tgid);
      record.comm = comm!;
    }
    if (ts !== undefined) record.ts = BigInt(ts);
    if (freeTs !== undefined) record.freeTs = BigInt(freeTs);
    this.#record = record;
    this.#state = State.pfn;
  }

  #pfn(text: string, number: number): void {
    const record = this.#record!;
    if (record.format === 'v3.19') {
      const match = PFN_V3.exec(text);
      if (match === null) throw new PageOwnerParseError(this.file, number, text, EXPECT_PFN_V3);
      record.pfn = Number(match[1]);
      record.block = Number(match[2]);
      record.blockType = match[3]!;
      record.fallback = match[4] === 'Fallback';
      record.flags = match[5]!;
    } else {
      const match = PFN.exec(text);
      if (match === null) throw new PageOwnerParseError(this.file, number, text, EXPECT_PFN);
      const [, hex, dec, pageType, block, blockType, flags] = match;
      if (hex !== undefined) {
        record.pfn = Number.parseInt(hex, 16);
        record.format = 'v6.18';
      } else {
        record.pfn = Number(dec);
      }
      record.pageType = pageType!;
      record.block = Number(block);
      record.blockType = blockType!;
      record.flags = flags!;
    }
    this.#state = State.frames;
  }

  #body(text: string, number: number): ParsedPageOwnerRecord | undefined {
    const record = this.#record!;
    const state = this.#state;
    if (text === '') return this.#finish();
    if (state === State.frames && text.charCodeAt(0) === 32) {
      const match = FRAME.exec(text);
      if (match !== null) {
        const [, address, symbol, offset, size, module, raw] = match;
        const previous = record.frames[0];
        if (previous !== undefined && (previous.address === undefined) !== (address === undefined)) {
          throw new PageOwnerParseError(
            this.file,
            number,
            text,
            `a stack line in the form of the record's first one (${previous.address === undefined ? "' symbol+0xoff/0xsize'" : "' [<address>] symbol+0xoff/0xsize'"})`,
          );
        }
        const frame: { -readonly [K in keyof PageOwnerFrame]: PageOwnerFrame[K] } =
          raw !== undefined ? { symbol: raw } : { symbol: symbol!, offset: parseHex(offset!), size: parseHex(size!) };
        if (address !== undefined) frame.address = address;
        if (module !== undefined) frame.module = module;
        record.frames.push(frame);
        return undefined;
      }
    }
    if (state <= State.frames && text.startsWith(MIGRATED)) {
      record.migrateReason = text.slice(MIGRATED.length);
      this.#state = State.migrated;
      return undefined;
    }
    if (state <= State.migrated && text === SLAB) {
      record.slab = true;
      this.#state = State.slab;
      return undefined;
    }
    if (state <= State.slab) {
      const match = CHARGED.exec(text);
      if (match !== null) {
        record.memcg = { viaObjcg: match[1] !== undefined, offline: match[2] !== undefined, name: match[3]! };
        this.#state = State.charged;
        return undefined;
      }
    }
    const expected =
      state === State.frames
        ? EXPECT_FRAME_OR_END
        : state === State.migrated
          ? EXPECT_AFTER_MIGRATE
          : state === State.slab
            ? EXPECT_AFTER_SLAB
            : EXPECT_END;
    throw new PageOwnerParseError(this.file, number, text, expected);
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

function parseHex(digits: string): number {
  return Number.parseInt(digits, 16);
}

/**
 * Parses a page_owner dump given whole or as chunks of text (each chunk may end anywhere, even inside a line),
 * yielding each record as soon as its empty line has been read. Throws {@link PageOwnerParseError}.
 */
export function* parsePageOwner(
  input: string | Iterable<string>,
  options: ParsePageOwnerOptions = {},
): Generator<ParsedPageOwnerRecord, void, undefined> {
  const parser = new PageOwnerParser(options);
  if (typeof input === 'string') {
    yield* linesOf(parser, input, true);
  } else {
    const joiner = new ChunkJoiner();
    for (const chunk of input) yield* linesOf(parser, joiner.push(chunk), false);
    const record = joiner.finish(parser);
    if (record !== undefined) yield record;
  }
  parser.end();
}

/** Joins chunks into whole lines: `push` returns the complete lines so far, `finish` parses an unterminated last line. */
class ChunkJoiner {
  #rest = '';

  push(chunk: string): string {
    const text = this.#rest + chunk;
    const last = text.lastIndexOf('\n');
    this.#rest = text.slice(last + 1);
    return last < 0 ? '' : text.slice(0, last + 1);
  }

  finish(parser: PageOwnerParser): ParsedPageOwnerRecord | undefined {
    return this.#rest === '' ? undefined : parser.line(this.#rest);
  }
}

/**
 * Parses a page_owner dump from an async iterable of chunks, such as `fs.createReadStream(path)` (byte chunks are
 * decoded as UTF-8) or the same with an encoding (string chunks), holding one record at a time. Chunks are joined
 * as they come, so lines must keep their newlines; feed lines without them (`readline`) to a
 * {@link PageOwnerParser}. Throws {@link PageOwnerParseError}.
 */
export async function* parsePageOwnerStream(
  input: AsyncIterable<string | Uint8Array>,
  options: ParsePageOwnerOptions = {},
): AsyncGenerator<ParsedPageOwnerRecord, void, undefined> {
  const parser = new PageOwnerParser(options);
  const decoder = new TextDecoder();
  const joiner = new ChunkJoiner();
  for await (const chunk of input) {
    yield* linesOf(
      parser,
      joiner.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })),
      false,
    );
  }
  yield* linesOf(parser, joiner.push(decoder.decode()), false);
  const record = joiner.finish(parser);
  if (record !== undefined) yield record;
  parser.end();
}

/** Feeds the lines of `text` to the parser; a last line without `\n` is fed only if `final`. */
function* linesOf(parser: PageOwnerParser, text: string, final: boolean): Generator<ParsedPageOwnerRecord> {
  let start = 0;
  for (;;) {
    const newline = text.indexOf('\n', start);
    if (newline < 0) break;
    const record = parser.line(text.slice(start, newline));
    if (record !== undefined) yield record;
    start = newline + 1;
  }
  if (final && start < text.length) {
    const record = parser.line(text.slice(start));
    if (record !== undefined) yield record;
  }
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

/**
 * Prints a parsed record the way `print_page_owner()` (mm/page_owner.c) of its era does, ending with the empty
 * line: the inverse of the parser, so dump → parse → print gives back the same bytes.
 */
export function formatParsedRecord(record: ParsedPageOwnerRecord): string {
  let text = `Page allocated via order ${record.order}, mask 0x${record.gfp.toString(16)}`;
  if (record.gfpText !== undefined) {
    text += `(${record.gfpText})`;
    if (record.pid !== undefined) {
      text += `, pid ${record.pid}`;
      if (record.tgid !== undefined) text += `, tgid ${record.tgid} (${record.comm ?? ''})`;
      text += `, ts ${record.ts ?? 0n} ns`;
      if (record.freeTs !== undefined) text += `, free_ts ${record.freeTs} ns`;
    }
  }
  if (record.format === 'v3.19') {
    text += `\nPFN ${record.pfn} Block ${record.block} type ${record.blockType} ${record.fallback === true ? 'Fallback' : '        '} Flags ${record.flags}\n`;
  } else {
    const pfn = record.format === 'v6.18' ? `0x${record.pfn.toString(16)}` : `${record.pfn}`;
    text += `\nPFN ${pfn} type ${record.pageType ?? ''} Block ${record.block} type ${record.blockType} Flags ${record.flags}\n`;
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

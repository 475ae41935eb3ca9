import { glibcQsort } from './glibc-qsort';
import {
  type PageOwnerCullKey,
  type PageOwnerSortOptions,
  type PageOwnerSortOrder,
  type PageOwnerSortVersion,
  parsePageOwnerSortCommandLine,
} from './page-owner-sort-args';
import { PageOwnerSortBlocks } from './page-owner-sort-blocks';
import { commPattern, numberBeforeComma, type PatternMatch, tgidPattern, tsPattern } from './page-owner-sort-patterns';

/** Where the tool's stdout and stderr text goes, as it is printed. */
export interface PageOwnerSortIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** How a run of the tool ended. */
export interface PageOwnerSortResult {
  /** The tool's exit status. */
  readonly exitCode: number;
  /** Blocks stored (`list_size`: after filtering; in v4.x after merging consecutive duplicates). */
  readonly records: number;
  /** Entries after culling, i.e. what the output lists. */
  readonly entries: number;
  /**
   * The output file's content, entry by entry, as byte strings (one char per byte): empty when the tool stops
   * before writing (`max_size too small??`), which leaves the file it opened empty.
   */
  output(): Generator<string, void, undefined>;
}

/** `enum ALLOCATOR_BIT`. */
const ALLOCATOR_CMA = 1 << 1;
const ALLOCATOR_SLAB = 1 << 2;
const ALLOCATOR_VMALLOC = 1 << 3;
const ALLOCATOR_OTHERS = 1 << 4;

/** `BUF_SIZE`: 1 KiB (on the stack) before v4.8, then 128 KiB. */
const BUFFER_SIZE: Readonly<Record<PageOwnerSortVersion, number>> = {
  'v4.7': 1024,
  'v4.8': 128 * 1024,
  'v6.18': 128 * 1024,
};

// The tool's POSIX EREs (REG_EXTENDED | REG_NEWLINE, C locale), found by scanning rather than by regular
// expressions (see page-owner-sort-patterns.ts): JavaScript's backtracking engine takes quadratic time on them.
const LONG_MAX = (1n << 63n) - 1n;
const U64_MAX = (1n << 64n) - 1n;

/** One entry of the tool's `list` (`struct block_list`), merged as the tool's culling merges it. */
interface Entry {
  /**
   * The block, with the ts digits cut out unless sorting by allocation time (v6.18 culling by text, v4.x). In v4.x
   * a slice of the input chunk until {@link PageOwnerSort.write} decides whether to copy it.
   */
  txt: string;
  /** The block after its first line (kept when culling or sorting by it). */
  readonly stacktrace: string;
  readonly pid: number;
  readonly tgid: number;
  readonly comm: string;
  /** `ts_nsec` (kept when sorting by it). */
  readonly ts: bigint;
  readonly allocator: number;
  num: number;
  pageNum: number;
}

/** A copy of `text` that keeps no reference to the chunk it was sliced from (V8 slices share their parent). */
function own(text: string): string {
  return text.length < 13 ? text : ` ${text}`.slice(1);
}

/** A hash of a block's length and of about 32 of its characters, spread over it from its end (v4.x entries). */
function sampledKey(text: string): number {
  const length = text.length;
  const step = (length >>> 5) + 1;
  let hash = length;
  for (let index = length - 1; index >= 0; index -= step) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  return hash;
}

/**
 * {@link sampledKey} mixed with a hash of the 32 characters after the block's first line: a v4.x dump as the kernel
 * writes it has each record's PFN line there, so that blocks of one stack, which share their sampled key, differ in
 * it.
 */
function secondLineKey(text: string, key: number): number {
  const start = text.indexOf('\n') + 1;
  const end = Math.min(text.length, start + 32);
  let hash = key;
  for (let index = start; index < end; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  return hash;
}

/** `strcmp` of two byte strings (only the sign is used). */
function strcmp(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/** `l1->x - l2->x` in C `int` arithmetic. */
function intDifference(left: number, right: number): number {
  return (left - right) | 0;
}

const COMPARE: Readonly<Record<PageOwnerSortOrder, (left: Entry, right: Entry) => number>> = {
  num: (left, right) => intDifference(left.num, right.num),
  page_num: (left, right) => intDifference(left.pageNum, right.pageNum),
  pid: (left, right) => intDifference(left.pid, right.pid),
  tgid: (left, right) => intDifference(left.tgid, right.tgid),
  comm: (left, right) => strcmp(left.comm, right.comm),
  stacktrace: (left, right) => strcmp(left.stacktrace, right.stacktrace),
  // compare_ts never returns 0.
  alloc_ts: (left, right) => (left.ts < right.ts ? -1 : 1),
};

/** The direction `main()` gives each single-letter order (`SORT_ASC` 1, `SORT_DESC` -1). */
const SIGN: Readonly<Record<PageOwnerSortOrder, number>> = {
  num: -1,
  page_num: -1,
  pid: 1,
  tgid: 1,
  comm: 1,
  stacktrace: 1,
  alloc_ts: 1,
};

/**
 * `strtol()` of a captured digit string stored in an `int`, as the tool checks it: the value truncated to 32 bits,
 * or `undefined` when there are no digits or the value overflows a `long` (ERANGE).
 */
function strtolToInt(digits: string): number | undefined {
  if (digits === '') return undefined;
  if (digits.length <= 15) return Number(digits) | 0;
  const significant = withoutLeadingZeros(digits);
  if (significant.length > 19) return undefined; // more than LONG_MAX's 19 digits: no BigInt of a megabyte
  const value = BigInt(significant);
  return value > LONG_MAX ? undefined : Number(BigInt.asIntN(32, value));
}

/** A digit string without its leading zeros (`strtol` and `strtoull` skip them). */
function withoutLeadingZeros(digits: string): string {
  let start = 0;
  while (start < digits.length - 1 && digits.charCodeAt(start) === 48) start++;
  return start === 0 ? digits : digits.slice(start);
}

/**
 * `get_allocator()`: CMA and SLAB from the side buffer (the last PFN line), VMALLOC when `alloc_pages` occurs
 * between the start of the line before the first `__vmalloc_node_range` and that match, OTHERS otherwise.
 * When the match is on the block's first or second line the tool walks off the start of its buffer (undefined
 * behaviour); here the buffer's start bounds the walk.
 */
function allocatorOf(block: string, pfnLine: string): number {
  let allocator = 0;
  if (pfnLine.includes('CMA')) allocator |= ALLOCATOR_CMA;
  if (pfnLine.includes('slab')) allocator |= ALLOCATOR_SLAB;
  const match = block.indexOf('__vmalloc_node_range');
  if (match >= 0) {
    const lineStart = block.lastIndexOf('\n', match);
    const firstLine = lineStart <= 0 ? 0 : block.lastIndexOf('\n', lineStart - 1) + 1;
    const alloc = block.indexOf('alloc_pages', firstLine);
    if (alloc >= 0 && alloc < match) allocator |= ALLOCATOR_VMALLOC;
  }
  return allocator === 0 ? ALLOCATOR_OTHERS : allocator;
}

/** `print_allocator()`. */
function allocatorText(allocator: number): string {
  let text = 'allocated by ';
  if (allocator & ALLOCATOR_CMA) text += 'CMA ';
  if (allocator & ALLOCATOR_SLAB) text += 'SLAB ';
  if (allocator & ALLOCATOR_VMALLOC) text += 'VMALLOC ';
  if (allocator & ALLOCATOR_OTHERS) text += 'OTHERS ';
  return text;
}

/**
 * page_owner_sort (tools/vm/page_owner_sort.c in v4.7/v4.8, tools/mm/page_owner_sort.c in v6.18) as a streaming
 * aggregator that produces the tool's bytes: feed the input with {@link write}, then {@link end} gives the exit
 * status and the output file's content; stdout and stderr text goes to `io` as the tool prints it (`loaded N\r`
 * every 1000 blocks, `loaded N`, `sorting ....`, `culling`, `-d` debug lines, `max_size too small??`).
 *
 * The tool stores every block, sorts them by text (or by the `--cull` keys), merges equal neighbours and sorts the
 * merged list. Grouping equal blocks in a Map as they arrive is the same thing, so memory grows with the number of
 * distinct entries, not with the input (with `-a` the timestamps stay in the text, so nearly every record is its
 * own entry, in the tool as here). glibc's qsort is a stable merge sort ({@link glibcQsort}), which fixes every
 * order the C standard leaves open: a merged entry shows the fields of its first block in input order (its pid,
 * comm, allocator...), and entries that tie in the final order stay in culling order (text order without `--cull`);
 * `-a` puts equal timestamps in reverse, as glibc's merge does with `compare_ts`.
 *
 * v4.x (input with the PFN lines removed, as its documentation says: `grep -v ^PFN`): consecutive identical blocks
 * count as one entry towards `loaded N` and the `max_size` limit (input size / 100; past it the tool prints
 * `max_size too small??` on stdout and exits 1). v6.18: PFN lines feed the allocator classes (side buffer kept
 * across blocks), records are filtered by `--pid/--tgid/--name`, the `ts N ns` digits are cut from the text unless
 * sorting by `-a`, `max_size too small??` goes to stderr and the tool exits 0 with an empty output.
 *
 * Undefined behaviour of the tool is not reproduced: fields longer than its fixed buffers (a comm over 15 bytes,
 * numbers over 24 digits) are taken whole.
 */
export class PageOwnerSort {
  readonly options: PageOwnerSortOptions;
  readonly #io: PageOwnerSortIo;
  readonly #blocks: PageOwnerSortBlocks;
  readonly #maxSize: number;
  /** The entries by their text (v4.x: those whose {@link sampledKey} and {@link secondLineKey} others have). */
  readonly #entries = new Map<string, Entry>();
  /** v4.x: the entries in order of creation, the first of each {@link sampledKey}, and of each {@link secondLineKey}. */
  #list: Entry[] = [];
  readonly #bySampledKey = new Map<number, Entry>();
  readonly #bySecondKey = new Map<number, Entry>();
  #stored = 0;
  #failed = false;
  #ended: PageOwnerSortResult | undefined;
  // v4.x: the previous block and its entry, for the consecutive-duplicate merge.
  #previous: string | undefined;
  #previousEntry: Entry | undefined;
  // v4.x: the entries made from the current chunk that hold a slice of it, and the chunk's length.
  #slicing: Entry[] = [];
  #chunkLength = 0;
  #keptChunk = false;
  // v6.18: the last key looked up and its entry (a key may be a slice: it keeps at most one input chunk alive).
  #lastKey: string | undefined;
  #lastEntry: Entry | undefined;

  /** `inputSize` is the input file's size in bytes (`st_size`), which sets the tool's `max_size`. */
  constructor(options: PageOwnerSortOptions, inputSize: number, io: PageOwnerSortIo) {
    this.options = options;
    this.#io = io;
    this.#maxSize = Math.floor(inputSize / 100);
    const v6 = options.version === 'v6.18';
    this.#blocks = new PageOwnerSortBlocks(BUFFER_SIZE[options.version], v6, (block, pfnLine) =>
      v6 ? this.#addV6(block, pfnLine) : this.#addV4(block),
    );
  }

  /**
   * Takes the next chunk of input as a byte string; returns false once the tool would read no further. v4.x entries
   * keep the text they were made from as a slice of its chunk; when the next chunk comes (or the end), they are
   * copied unless they cover half of their chunk or more, so that a chunk is kept only for entries that make up most
   * of it (a dump that keeps its PFN lines: every block is an entry) and memory still follows the distinct entries.
   */
  write(chunk: string): boolean {
    this.#settleSlices();
    this.#chunkLength = chunk.length;
    return this.#blocks.write(chunk);
  }

  /**
   * How many bytes the next {@link write} should take: 1 MiB while entries keep their chunks (V8 keeps a string of
   * 1 MiB where it was allocated, and would copy a smaller one as it ages), else 64 KiB (a short-lived string of 64
   * KiB reuses memory V8 already has).
   */
  get chunkSize(): number {
    return this.#keptChunk ? 1 << 20 : 1 << 16;
  }

  /** The end of the current chunk for the entries that slice it (see {@link write}). */
  #settleSlices(): void {
    let sliced = 0;
    for (const entry of this.#slicing) sliced += entry.txt.length;
    this.#keptChunk = sliced > 0 && sliced * 2 >= this.#chunkLength;
    if (!this.#keptChunk) for (const entry of this.#slicing) entry.txt = own(entry.txt);
    this.#slicing = [];
  }

  /** The end of input: prints the closing messages and sorts. */
  end(): PageOwnerSortResult {
    if (this.#ended !== undefined) return this.#ended;
    this.#blocks.end();
    this.#settleSlices();
    const records = this.#stored;
    if (this.#failed) {
      this.#ended = {
        exitCode: this.options.version === 'v6.18' ? 0 : 1,
        records,
        entries: 0,
        *output() {},
      };
      return this.#ended;
    }
    const io = this.#io;
    io.stdout(`loaded ${records}\n`);
    io.stdout('sorting ....\n');
    const { options } = this;
    const v6 = options.version === 'v6.18';
    const entries = v6 ? [...this.#entries.values()] : this.#list;
    this.#list = [];
    this.#entries.clear();
    this.#bySampledKey.clear();
    this.#bySecondKey.clear();
    const cull = options.cull;
    // A consistent comparator gives the same order in every stable sort, and Array#sort is stable (ES2019): V8's
    // TimSort takes the runs a dump's order leaves (4x fewer comparisons than glibc's merge sort on a v4.8 dump that
    // keeps its PFN lines). Comparators that may be inconsistent keep glibc's algorithm (see glibcQsort).
    if (!v6 || cull.size === 0) entries.sort((left, right) => strcmp(left.txt, right.txt));
    else glibcQsort(entries, cullComparator(cull));
    io.stdout('culling\n');
    if (v6) {
      const compare = COMPARE[options.order];
      const sign = SIGN[options.order];
      glibcQsort(entries, (left, right) => Math.imul(sign, compare(left, right)));
    } else if (entries.every((entry) => entry.num >= 0)) {
      // Counts that have not wrapped: their differences do not overflow an int, so the comparator is consistent.
      entries.sort((left, right) => right.num - left.num);
    } else {
      glibcQsort(entries, (left, right) => intDifference(right.num, left.num));
    }
    const format = v6 ? entryFormatter(options) : (entry: Entry) => `${entry.num} times:\n${entry.txt}\n`;
    this.#ended = {
      exitCode: 0,
      records,
      entries: entries.length,
      *output() {
        for (const entry of entries) yield format(entry);
      },
    };
    return this.#ended;
  }

  /** v4.x `add_list()`. */
  #addV4(block: string): boolean {
    if (this.#previousEntry !== undefined && block === this.#previous) {
      this.#previousEntry.num = (this.#previousEntry.num + 1) | 0;
      return true;
    }
    if (this.#stored === this.#maxSize) {
      this.#io.stdout('max_size too small??\n');
      this.#failed = true;
      return false;
    }
    // Looked up by a key of some of its characters, then compared whole (V8 would hash every character of a string
    // key, and most blocks are entries seen before). A block whose key an entry of another text has is looked up by
    // a second key, and only when an entry of another text has that too, by its whole text (copied first, so that
    // the map hashes one string for the lookup and the insert).
    const key = sampledKey(block);
    const first = this.#bySampledKey.get(key);
    let entry = first !== undefined && first.txt === block ? first : undefined;
    if (entry === undefined) {
      const secondKey = first === undefined ? 0 : secondLineKey(block, key);
      const second = first === undefined ? undefined : this.#bySecondKey.get(secondKey);
      if (second !== undefined && second.txt === block) entry = second;
      else {
        // A text looked up whole is copied now: the whole-text map keeps it as its key.
        const sliced = second === undefined;
        const txt = sliced ? block : own(block);
        entry = sliced ? undefined : this.#entries.get(txt);
        if (entry === undefined) {
          entry = { txt, stacktrace: '', pid: 0, tgid: 0, comm: '', ts: 0n, allocator: 0, num: 0, pageNum: 0 };
          if (first === undefined) this.#bySampledKey.set(key, entry);
          else if (sliced) this.#bySecondKey.set(secondKey, entry);
          else this.#entries.set(txt, entry);
          this.#list.push(entry);
          if (sliced) this.#slicing.push(entry);
        }
      }
    }
    entry.num = (entry.num + 1) | 0;
    // The block as read, not the entry's copy: a repeat handed over as the same string then compares at once.
    this.#previous = block;
    this.#previousEntry = entry;
    this.#progress();
    return true;
  }

  /** v6.18 `add_list()`, with `is_need()` and the field getters in the tool's call order (for `-d`). */
  #addV6(block: string, pfnLine: string): boolean {
    if (this.#stored === this.#maxSize) {
      this.#io.stderr('max_size too small??\n');
      this.#failed = true;
      return false;
    }
    const { options } = this;
    const debug = options.debug;
    const fields = new BlockFields(block, debug ? this.#io : undefined);
    if (options.pids !== undefined && !options.pids.includes(fields.pid())) return true;
    if (options.tgids !== undefined && !options.tgids.includes(fields.tgid())) return true;
    if (debug || options.names !== undefined) {
      const filterComm = fields.comm();
      if (options.names !== undefined && !options.names.includes(filterComm)) return true;
    }
    // add_list() reads every field. With -d each read prints the tool's messages, so they are all read here, in
    // its order; without, a field is read only where it is used: in the culling key, or by a new entry (a block
    // merged into an existing entry adds only its page count).
    const cull = options.cull;
    const keepTs = options.order === 'alloc_ts';
    let pid = debug || cull.has('pid') ? fields.pid() : undefined;
    let tgid = debug || cull.has('tgid') ? fields.tgid() : undefined;
    let comm = debug || cull.has('comm') ? fields.comm() : undefined;
    const txt = keepTs ? block : fields.withoutTs();
    const pageNum = fields.pageNum();
    let ts = debug ? fields.ts(keepTs) : undefined;
    let allocator = cull.has('allocator') ? allocatorOf(block, pfnLine) : undefined;
    const key =
      cull.size === 0
        ? txt
        : `${cull.has('stacktrace') ? stacktraceOf(txt) : ''}\0${cull.has('pid') ? pid : ''}\0${cull.has('tgid') ? tgid : ''}\0${cull.has('comm') ? comm : ''}\0${cull.has('allocator') ? allocator : ''}`;
    // Neighbouring records most often share their entry: comparing with the last key is cheaper than hashing it.
    const entry = key === this.#lastKey ? this.#lastEntry : this.#entries.get(key);
    if (entry !== undefined) {
      entry.num = (entry.num + 1) | 0;
      entry.pageNum = (entry.pageNum + pageNum) | 0;
      this.#lastKey = key;
      this.#lastEntry = entry;
    } else {
      pid ??= fields.pid();
      tgid ??= fields.tgid();
      comm ??= fields.comm();
      ts ??= fields.ts(keepTs);
      allocator ??= allocatorOf(block, pfnLine);
      const ownTxt = cull.size === 0 ? own(txt) : '';
      const keepStack = cull.size === 0 || cull.has('stacktrace') || options.order === 'stacktrace';
      const stacktrace = cull.size === 0 ? stacktraceOf(ownTxt) : keepStack ? own(stacktraceOf(txt)) : '';
      const ownKey = cull.size === 0 ? ownTxt : own(key);
      const created: Entry = { txt: ownTxt, stacktrace, pid, tgid, comm: own(comm), ts, allocator, num: 1, pageNum };
      this.#entries.set(ownKey, created);
      this.#lastKey = ownKey;
      this.#lastEntry = created;
    }
    this.#progress();
    return true;
  }

  #progress(): void {
    this.#stored++;
    if (this.#stored % 1000 === 0) this.#io.stdout(`loaded ${this.#stored}\r`);
  }
}

/** `strchr(txt, '\n') ?: ""`, past the newline. */
function stacktraceOf(txt: string): string {
  const newline = txt.indexOf('\n');
  return newline < 0 ? '' : txt.slice(newline + 1);
}

/** `compare_cull_condition()` with culling on: the first difference among the culled keys, in the tool's order. */
function cullComparator(cull: ReadonlySet<PageOwnerCullKey>): (left: Entry, right: Entry) => number {
  const comparators: ((left: Entry, right: Entry) => number)[] = [];
  if (cull.has('stacktrace')) comparators.push(COMPARE.stacktrace);
  if (cull.has('pid')) comparators.push(COMPARE.pid);
  if (cull.has('tgid')) comparators.push(COMPARE.tgid);
  if (cull.has('comm')) comparators.push(COMPARE.comm);
  if (cull.has('allocator')) comparators.push((left, right) => intDifference(left.allocator, right.allocator));
  return (left, right) => {
    for (const compare of comparators) {
      const result = compare(left, right);
      if (result !== 0) return result;
    }
    return 0;
  };
}

/** The v6.18 output of one entry, with or without culling. */
function entryFormatter(options: PageOwnerSortOptions): (entry: Entry) => string {
  const cull = options.cull;
  if (cull.size === 0) {
    return (entry) => `${entry.num} times, ${entry.pageNum} pages, ${allocatorText(entry.allocator)}:\n${entry.txt}\n`;
  }
  const pid = cull.has('pid') || options.pids !== undefined;
  const tgid = cull.has('tgid') || options.tgids !== undefined;
  const comm = cull.has('comm') || options.names !== undefined;
  const allocator = cull.has('allocator');
  const stacktrace = cull.has('stacktrace');
  return (entry) => {
    let text = `${entry.num} times, ${entry.pageNum} pages`;
    if (pid) text += `, PID ${entry.pid}`;
    if (tgid) text += `, TGID ${entry.tgid}`;
    if (comm) text += `, task_comm_name: ${entry.comm}`;
    if (allocator) text += `, ${allocatorText(entry.allocator)}`;
    if (stacktrace) text += `:\n${entry.stacktrace}`;
    return `${text}\n`;
  };
}

/**
 * The fields the v6.18 tool extracts from one block, each regex run once; every getter call prints the debug
 * messages the tool's getter prints (`-d`), since the tool calls some of them twice.
 */
class BlockFields {
  readonly #block: string;
  readonly #debug: PageOwnerSortIo | undefined;
  #pid: PatternMatch | null | undefined;
  #tgid: PatternMatch | null | undefined;
  #comm: PatternMatch | null | undefined;
  #ts: PatternMatch | null | undefined;

  constructor(block: string, debug: PageOwnerSortIo | undefined) {
    this.#block = block;
    this.#debug = debug;
  }

  /** `search_pattern()`: the captured text, or `undefined` (printing `no matching pattern in <buf>`). */
  #search(match: PatternMatch | null): string | undefined {
    if (match === null) {
      this.#debug?.stderr(`no matching pattern in ${this.#block}\n\n`);
      return undefined;
    }
    return this.#block.slice(match.start, match.end);
  }

  #complain(what: string): void {
    this.#debug?.stderr(`${what} in follow buf:\n${this.#block}\n\n`);
  }

  /** `get_pid()`: -1 when missing or invalid. */
  pid(): number {
    this.#pid ??= numberBeforeComma(this.#block, 'pid');
    const value = strtolToInt(this.#search(this.#pid) ?? '');
    if (value === undefined) {
      this.#complain('wrong/invalid pid');
      return -1;
    }
    return value;
  }

  /** `get_tgid()`: -1 when missing or invalid. */
  tgid(): number {
    this.#tgid ??= tgidPattern(this.#block);
    const value = strtolToInt(this.#search(this.#tgid) ?? '');
    if (value === undefined) {
      this.#complain('wrong/invalid tgid');
      return -1;
    }
    return value;
  }

  /** `get_comm()`: the text in the parentheses after tgid, or empty. */
  comm(): string {
    this.#comm ??= commPattern(this.#block);
    return this.#search(this.#comm) ?? '';
  }

  /** `get_page_num()`: `1 << order` in C int arithmetic, or 0. */
  pageNum(): number {
    const value = strtolToInt(this.#search(numberBeforeComma(this.#block, 'order')) ?? '');
    if (value === undefined || value > 64) {
      this.#complain('wrong order');
      return 0;
    }
    return 1 << value;
  }

  /** `get_ts_nsec()`: u64, `(u64)-1` when missing or invalid; 0 unless `parse` (only `-a` needs the value). */
  ts(parse: boolean): bigint {
    this.#ts ??= tsPattern(this.#block);
    const digits = this.#search(this.#ts) ?? '';
    if (digits === '') {
      this.#complain('wrong ts_nsec');
      return U64_MAX;
    }
    if (!parse && this.#debug === undefined) return 0n;
    const significant = withoutLeadingZeros(digits);
    const value = significant.length > 20 ? U64_MAX + 1n : BigInt(significant);
    if (value > U64_MAX) {
      this.#complain('wrong ts_nsec');
      return U64_MAX;
    }
    return parse ? value : 0n;
  }

  /** `remove_pattern(&ts_nsec_pattern, ...)`: the block with the first ts match's digits cut out. */
  withoutTs(): string {
    this.#ts ??= tsPattern(this.#block);
    const match = this.#ts;
    if (match === null || match.start === match.end) return this.#block;
    return this.#block.slice(0, match.start) + this.#block.slice(match.end);
  }
}

/** Everything a run printed, with its output, for {@link sortPageOwner}. */
export interface PageOwnerSortRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The output file's content as a byte string, or `undefined` when the tool did not get to open it. */
  readonly output: string | undefined;
}

/**
 * Runs page_owner_sort on an input held in memory: `argv` is the tool's command line without the program name
 * (its two file operands are required but only name the files; the input is `input`, a byte string). For tests
 * and small inputs; the CLI streams files through {@link PageOwnerSort}.
 */
export function sortPageOwner(version: PageOwnerSortVersion, argv: readonly string[], input: string): PageOwnerSortRun {
  const commandLine = parsePageOwnerSortCommandLine(version, argv);
  if (!commandLine.ok) {
    return {
      exitCode: commandLine.exitCode,
      stdout: commandLine.stdout,
      stderr: commandLine.stderr,
      output: undefined,
    };
  }
  let stdout = '';
  let stderr = '';
  const sorter = new PageOwnerSort(commandLine.options, input.length, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  sorter.write(input);
  const result = sorter.end();
  return { exitCode: result.exitCode, stdout, stderr, output: [...result.output()].join('') };
}

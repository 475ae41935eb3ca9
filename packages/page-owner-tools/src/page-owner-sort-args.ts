import { GnuGetopt, type LongOption } from './glibc-getopt-long';
import { strerror } from './strerror';

/**
 * Which page_owner_sort to reproduce: `v4.7` (tools/vm/page_owner_sort.c as in v3.19–v4.7, a 1 KiB block buffer),
 * `v4.8` (the same tool with the 128 KiB buffer from the stackdepot series) or `v6.18` (tools/mm/page_owner_sort.c,
 * with options, filters, culling and allocator classes).
 */
export type PageOwnerSortVersion = 'v4.7' | 'v4.8' | 'v6.18';

/** The page_owner_sort versions, oldest first. */
export const pageOwnerSortVersions: readonly PageOwnerSortVersion[] = ['v4.7', 'v4.8', 'v6.18'];

/**
 * The v6.18 sort orders, one per single-letter option (`compare_flag`): `num` is `-t` and the default; `alloc_ts`
 * `-a`; `page_num` `-m`; `pid` `-p`; `tgid` `-P`; `comm` `-n`; `stacktrace` `-s`.
 */
export type PageOwnerSortOrder = 'num' | 'alloc_ts' | 'page_num' | 'pid' | 'tgid' | 'comm' | 'stacktrace';

/** The v6.18 `--cull` keys (`CULL_*`). */
export type PageOwnerCullKey = 'pid' | 'tgid' | 'comm' | 'stacktrace' | 'allocator';

/** A page_owner_sort command line, parsed. */
export interface PageOwnerSortOptions {
  readonly version: PageOwnerSortVersion;
  readonly input: string;
  readonly output: string;
  /** v6.18: the final order (the v4.x tool always sorts by times, descending). */
  readonly order: PageOwnerSortOrder;
  /** v6.18: the `--cull` keys; empty for no culling. */
  readonly cull: ReadonlySet<PageOwnerCullKey>;
  /** v6.18 `--pid` list: only records whose pid is listed are kept. */
  readonly pids?: readonly number[];
  /** v6.18 `--tgid` list. */
  readonly tgids?: readonly number[];
  /** v6.18 `--name` list (task command names). */
  readonly names?: readonly string[];
  /** v6.18 `-d`: debug messages on stderr. */
  readonly debug: boolean;
}

/** How a tool run ends before reading any input: what it printed and its exit status. */
export interface PageOwnerSortExit {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The outcome of parsing a command line: options to run with, or the tool's exit. */
export type PageOwnerSortCommandLine =
  | { readonly ok: true; readonly options: PageOwnerSortOptions }
  | ({ readonly ok: false } & PageOwnerSortExit);

/** v6.18 `usage()`, printed on stdout (the source's "the woke" corruption in some copies is not the real text). */
export const PAGE_OWNER_SORT_USAGE =
  'Usage: ./page_owner_sort [OPTIONS] <input> <output>\n' +
  '-a\t\t\tSort by memory allocation time.\n' +
  '-m\t\t\tSort by total memory.\n' +
  '-n\t\t\tSort by task command name.\n' +
  '-p\t\t\tSort by pid.\n' +
  '-P\t\t\tSort by tgid.\n' +
  '-s\t\t\tSort by the stacktrace.\n' +
  '-t\t\t\tSort by number of times record is seen (default).\n\n' +
  '--pid <pidlist>\t\tSelect by pid. This selects the information of\n' +
  '\t\t\tblocks whose process ID numbers appear in <pidlist>.\n' +
  '--tgid <tgidlist>\tSelect by tgid. This selects the information of\n' +
  '\t\t\tblocks whose Thread Group ID numbers appear in <tgidlist>.\n' +
  '--name <cmdlist>\tSelect by command name. This selects the information\n' +
  '\t\t\tof blocks whose command name appears in <cmdlist>.\n' +
  '--cull <rules>\t\tCull by user-defined rules. <rules> is a single\n' +
  '\t\t\targument in the form of a comma-separated list with some\n' +
  '\t\t\tcommon fields predefined (pid, tgid, comm, stacktrace, allocator)\n' +
  '--sort <order>\t\tSpecify sort order as: [+|-]key[,[+|-]key[,...]]\n';

/** The v3.19–v4.x usage line, printed on stdout. */
export const PAGE_OWNER_SORT_USAGE_V4 = 'Usage: ./program <input> <output>\n';

/** The usage text a version prints. */
export function pageOwnerSortUsage(version: PageOwnerSortVersion): string {
  return version === 'v6.18' ? PAGE_OWNER_SORT_USAGE : PAGE_OWNER_SORT_USAGE_V4;
}

const LONG_OPTIONS: readonly LongOption[] = [
  { name: 'pid', hasArgument: true, value: 1 },
  { name: 'tgid', hasArgument: true, value: 2 },
  { name: 'name', hasArgument: true, value: 3 },
  { name: 'cull', hasArgument: true, value: 4 },
  { name: 'sort', hasArgument: true, value: 5 },
];

/** `compare_flag` bits of the single-letter options, in `enum COMP_FLAG` order. */
const ORDER_BITS: Readonly<Record<string, [number, PageOwnerSortOrder]>> = {
  a: [1 << 0, 'alloc_ts'],
  m: [1 << 1, 'page_num'],
  p: [1 << 2, 'pid'],
  s: [1 << 3, 'stacktrace'],
  t: [1 << 4, 'num'],
  P: [1 << 5, 'tgid'],
  n: [1 << 6, 'comm'],
};

/** `get_arg_type()`: the key names `--cull` and `--sort` understand. */
const ARG_TYPES: Readonly<Record<string, string>> = {
  pid: 'pid',
  p: 'pid',
  tgid: 'tgid',
  tg: 'tgid',
  name: 'comm',
  n: 'comm',
  stacktrace: 'stacktrace',
  st: 'stacktrace',
  txt: 'txt',
  T: 'txt',
  alloc_ts: 'alloc_ts',
  at: 'alloc_ts',
  allocator: 'allocator',
  ator: 'allocator',
};

/**
 * `explode(',', str)`: splits on every comma, keeping empty fields, and a trailing comma gives an empty last field.
 */
function explode(text: string): string[] {
  return text.split(',');
}

const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);

/**
 * `strtol(text, &end, 10)` checked as page_owner_sort checks it (`errno`, no digits, trailing text), then stored in
 * an `int`: the number, truncated to 32 bits, or `undefined`.
 */
export function strtolInt(text: string): number | undefined {
  const match = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(text);
  if (match === null) return undefined;
  const value = BigInt(`${match[1] === '-' ? '-' : ''}${match[2]}`);
  if (value > LONG_MAX || value < LONG_MIN) return undefined;
  return Number(BigInt.asIntN(32, value));
}

/** `parse_nums_list()`: a comma list of ints, or `undefined` if any field is not one. */
function parseNumbers(text: string): number[] | undefined {
  const numbers: number[] = [];
  for (const field of explode(text)) {
    const value = strtolInt(field);
    if (value === undefined) return undefined;
    numbers.push(value);
  }
  return numbers;
}

/**
 * Parses a page_owner_sort command line (`argv` without the program name) the way the tool's `main()` does, up to
 * opening the files. v6.18: GNU getopt_long with `admnpstP` and `--pid --tgid --name --cull --sort` (see
 * {@link GnuGetopt}); an invalid option prints getopt's message and the usage (exit 1); a bad `--pid`/`--tgid`
 * list or `--cull`/`--sort` key prints the tool's message (exit 1); fewer than two operands, or two different
 * single-letter orders, print the usage (exit 1). `--sort` is checked but has no effect: the tool overwrites its
 * comparator with the single-letter order (default `-t`). v4.x: the first two arguments are the files, whatever they
 * look like; fewer prints the usage and `perror("open: ")` with errno 0.
 *
 * `program` is `argv[0]`, used only in getopt's messages.
 */
export function parsePageOwnerSortCommandLine(
  version: PageOwnerSortVersion,
  argv: readonly string[],
  program = './page_owner_sort',
): PageOwnerSortCommandLine {
  if (version !== 'v6.18') {
    if (argv.length < 2)
      return { ok: false, exitCode: 1, stdout: PAGE_OWNER_SORT_USAGE_V4, stderr: 'open: : Success\n' };
    return {
      ok: true,
      options: { version, input: argv[0]!, output: argv[1]!, order: 'num', cull: new Set(), debug: false },
    };
  }
  const usage = (stderr = ''): PageOwnerSortCommandLine => ({
    ok: false,
    exitCode: 1,
    stdout: PAGE_OWNER_SORT_USAGE,
    stderr,
  });
  const fail = (stderr: string): PageOwnerSortCommandLine => ({ ok: false, exitCode: 1, stdout: '', stderr });
  const getopt = new GnuGetopt(argv, 'admnpstP', LONG_OPTIONS, program);
  let compareFlag = 0;
  let debug = false;
  const cull = new Set<PageOwnerCullKey>();
  let pids: number[] | undefined;
  let tgids: number[] | undefined;
  let names: string[] | undefined;
  for (let result = getopt.next(); result !== undefined; result = getopt.next()) {
    if (result.kind === 'error') return usage(result.message);
    const { option, argument = '' } = result;
    if (option === 'd') {
      debug = true;
    } else if (typeof option === 'string') {
      compareFlag |= ORDER_BITS[option]![0];
    } else if (option === 1) {
      pids = parseNumbers(argument);
      if (pids === undefined) return fail(`wrong/invalid pid in from the command line:${argument}\n`);
    } else if (option === 2) {
      tgids = parseNumbers(argument);
      if (tgids === undefined) return fail(`wrong/invalid tgid in from the command line:${argument}\n`);
    } else if (option === 3) {
      names = explode(argument);
    } else if (option === 4) {
      for (const key of explode(argument)) {
        const type = ARG_TYPES[key];
        if (type === undefined || type === 'txt' || type === 'alloc_ts') {
          return fail(`wrong argument after --cull option:${argument}\n`);
        }
        cull.add(type as PageOwnerCullKey);
      }
    } else {
      for (const key of explode(argument)) {
        const name = key.startsWith('-') || key.startsWith('+') ? key.slice(1) : key;
        if (ARG_TYPES[name] === undefined) return fail(`wrong argument after --sort option:${argument}\n`);
      }
    }
  }
  const operands = getopt.operands;
  if (operands.length < 2) return usage();
  let order: PageOwnerSortOrder = 'num';
  if (compareFlag !== 0) {
    const single = Object.values(ORDER_BITS).find(([bit]) => bit === compareFlag);
    if (single === undefined) return usage();
    order = single[1];
  }
  const options: PageOwnerSortOptions = {
    version,
    input: operands[0]!,
    output: operands[1]!,
    order,
    cull,
    debug,
    ...(pids !== undefined ? { pids } : {}),
    ...(tgids !== undefined ? { tgids } : {}),
    ...(names !== undefined ? { names } : {}),
  };
  return { ok: true, options };
}

/**
 * What the tool prints when `fopen` of the input or the output fails: the usage on stdout, then
 * `perror("open: ")` on stderr with the errno of the last failing fopen (`errno` is its code, such as `ENOENT`),
 * and exit 1.
 */
export function pageOwnerSortOpenFailure(version: PageOwnerSortVersion, errno: string): PageOwnerSortExit {
  return { exitCode: 1, stdout: pageOwnerSortUsage(version), stderr: `open: : ${strerror(errno) ?? errno}\n` };
}

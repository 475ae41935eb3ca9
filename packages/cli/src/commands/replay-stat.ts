import {
  PERF_KMEM_ALLOC_FUNCTIONS,
  type PerfKmemPageReportOptions,
  type PerfKmemPageSortKey,
  parsePerfKmemPageSort,
} from '@mm/workloads';
import { UsageError } from '../cli-io';

/** What `mmsim replay --stat` prints, read from its command line as perf kmem reads its own. */
export interface ReplayStatOptions {
  readonly report: PerfKmemPageReportOptions;
  readonly live: boolean;
  readonly allocFunctions: RegExp;
}

/** The value of an option at `argv[index]` (`-s X`, `-sX`, `--sort X`, `--sort=X`), and how many tokens it took. */
function optionValue(
  argv: readonly string[],
  index: number,
  short: string,
  long: string,
): [string, number] | undefined {
  const token = argv[index]!;
  if (token === short || token === long) return [argv[index + 1] ?? '', 2];
  if (token.startsWith(`${long}=`)) return [token.slice(long.length + 1), 1];
  if (token.startsWith(short) && token.length > short.length && !token.startsWith('--')) {
    return [token.slice(short.length), 1];
  }
  return undefined;
}

/**
 * The `perf kmem stat --page` options of a replay's command line: `--alloc`, `--caller`, `--live`, and `-s`/`--sort`
 * and `-l`/`--lines`, which apply, as perf's do (tools/perf/builtin-kmem.c `parse_sort_opt`, `parse_line_opt`), to
 * whichever of `--alloc` and `--caller` came last before them (`--alloc` when neither did).
 */
export function replayStatOptions(
  argv: readonly string[],
  flags: {
    readonly alloc?: boolean | undefined;
    readonly caller?: boolean | undefined;
    readonly live?: boolean | undefined;
    readonly kernelMap?: string;
    readonly allocFunctions?: string;
  },
  env: Readonly<Record<string, string | undefined>>,
): ReplayStatOptions {
  let last: 'alloc' | 'caller' = 'alloc';
  let allocSort: PerfKmemPageSortKey[] | undefined;
  let callerSort: PerfKmemPageSortKey[] | undefined;
  let allocLines: number | undefined;
  let callerLines: number | undefined;
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index]!;
    if (token === '--') break;
    if (token === '--alloc') last = 'alloc';
    else if (token === '--caller') last = 'caller';
    const sort = optionValue(argv, index, '-s', '--sort');
    if (sort !== undefined) {
      let keys: PerfKmemPageSortKey[];
      try {
        keys = parsePerfKmemPageSort(sort[0]);
      } catch (error) {
        throw new UsageError(
          `mmsim replay: ${(error as Error).message} (keys: page, callsite, hit, bytes, order, migtype, gfp)`,
        );
      }
      if (last === 'caller') callerSort = keys;
      else allocSort = keys;
      index += sort[1] - 1;
      continue;
    }
    const lines = optionValue(argv, index, '-l', '--lines');
    if (lines !== undefined) {
      const count = Number(lines[0]);
      if (!Number.isInteger(count) || count < 0) {
        throw new UsageError(`mmsim replay: --lines must be a whole number of rows, not '${lines[0]}'`);
      }
      if (last === 'caller') callerLines = count;
      else allocLines = count;
      index += lines[1] - 1;
    }
  }
  let kernelMapStart: bigint | undefined;
  if (flags.kernelMap !== undefined) {
    if (!/^(0x)?[0-9a-f]{1,16}$/i.test(flags.kernelMap)) {
      throw new UsageError(
        `mmsim replay: --kernel-map is the kernel map's start in hex (0xffffffff81000000), not '${flags.kernelMap}'`,
      );
    }
    kernelMapStart = BigInt(flags.kernelMap.startsWith('0x') ? flags.kernelMap : `0x${flags.kernelMap}`);
  }
  let allocFunctions = PERF_KMEM_ALLOC_FUNCTIONS;
  if (flags.allocFunctions !== undefined) {
    try {
      allocFunctions = new RegExp(flags.allocFunctions);
    } catch (error) {
      throw new UsageError(`mmsim replay: --alloc-functions: ${(error as Error).message}`);
    }
  }
  return {
    live: flags.live === true,
    allocFunctions,
    report: {
      ...(flags.alloc ? { alloc: true } : {}),
      ...(flags.caller ? { caller: true } : {}),
      ...(allocSort !== undefined ? { allocSort } : {}),
      ...(callerSort !== undefined ? { callerSort } : {}),
      ...(allocLines !== undefined ? { allocLines } : {}),
      ...(callerLines !== undefined ? { callerLines } : {}),
      thousandsSeparator: localeThousandsSeparator(env),
      ...(kernelMapStart !== undefined ? { kernelMapStart } : {}),
    },
  };
}

/**
 * What perf's `%'d` groups thousands with: perf calls `setlocale(LC_ALL, "")`, so the locale of `LC_ALL`, else
 * `LC_NUMERIC`, else `LANG`; none (or `C`, `POSIX`) groups nothing.
 */
export function localeThousandsSeparator(env: Readonly<Record<string, string | undefined>>): string {
  const locale = env.LC_ALL || env.LC_NUMERIC || env.LANG || 'C';
  const name = locale.split(/[.@]/)[0]!;
  if (name === 'C' || name === 'POSIX' || name === '') return '';
  try {
    const parts = new Intl.NumberFormat(name.replace('_', '-')).formatToParts(1234567);
    return parts.find((part) => part.type === 'group')?.value ?? '';
  } catch {
    return '';
  }
}

import { type KernelParam, kstrtobool } from '@mm/hooks';

/** The state `sysctl.vm.mem_profiling=` and the sysctl set (lib/alloc_tag.c of v6.18). */
export interface MemProfilingConfig {
  /** `mem_profiling_support` (alloc_tag.c:21-25): page_ext (or page flags) are set up, /proc/allocinfo exists. */
  support: boolean;
  /** `mem_alloc_profiling_key` (alloc_tag.c:34-36): allocations are being counted. */
  enabled: boolean;
  /** `mem_profiling_compressed` (alloc_tag.c:38): tag references live in page->flags. */
  compressed: boolean;
  /** Every `sysctl.vm.mem_profiling` of the command line, its value or undefined, for `do_sysctl_args()`. */
  readonly sysctlArgs: (string | undefined)[];
}

/** The parameter's name: an early param that is also a sysctl's command-line form. */
export const MEM_PROFILING_PARAM = 'sysctl.vm.mem_profiling';

/**
 * `setup_early_mem_profiling()` (lib/alloc_tag.c:705-749, `early_param("sysctl.vm.mem_profiling", ...)` at 750):
 * - `never` (any value starting so): not supported, off: `Memory allocation profiling is disabled!`;
 * - a kstrtobool value (`0`, `1`, `y`, `n`, `on`, `off`, ...), optionally followed by `,compressed`: supported, on
 *   or off, with or without compression: `Memory allocation profiling is enabled with|without compression and is
 *   turned on|off!`;
 * - no value, an empty one, anything else (`1,foo`, `maybe`): -EINVAL, which `do_early_param()` reports as
 *   `Malformed early option 'sysctl.vm.mem_profiling'`, nothing changed.
 * Each occurrence is also kept for `do_sysctl_args()`, which writes it to /proc/sys/vm/mem_profiling at the end of
 * boot (see {@link sysctlArgLine}).
 */
export function memProfilingParam(config: MemProfilingConfig): KernelParam {
  return {
    name: MEM_PROFILING_PARAM,
    early: true,
    description:
      'sysctl.vm.mem_profiling={0|1|never}[,compressed]: memory allocation profiling, /proc/allocinfo (v6.18)',
    setup(value, context) {
      config.sysctlArgs.push(value);
      const result = parseMemProfiling(value);
      if (result === undefined) {
        context.log(`Malformed early option '${MEM_PROFILING_PARAM}'`);
        return;
      }
      if (result.never) {
        config.support = false;
        context.log('Memory allocation profiling is disabled!');
      } else {
        config.support = true;
        context.log(
          `Memory allocation profiling is enabled ${result.compressed ? 'with' : 'without'} compression and is turned ${result.enable ? 'on' : 'off'}!`,
        );
      }
      config.enabled = result.enable;
      config.compressed = result.compressed;
    },
  };
}

/** What `setup_early_mem_profiling()` makes of a value; undefined for -EINVAL. */
export function parseMemProfiling(
  value: string | undefined,
): { never: boolean; enable: boolean; compressed: boolean } | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.startsWith('never')) return { never: true, enable: false, compressed: false };
  // strsep(&str, ","): the token before the first comma, and the rest after it, if there was a comma.
  const comma = value.indexOf(',');
  const token = comma < 0 ? value : value.slice(0, comma);
  const enable = kstrtobool(token);
  if (enable === undefined) return undefined;
  if (comma >= 0 && value.slice(comma + 1) !== 'compressed') return undefined;
  return { never: false, enable, compressed: comma >= 0 };
}

/** errno values the sysctl returns. */
export const EACCES = 13;
export const EINVAL = 22;

/** `isspace()` of lib/ctype.c for the characters a sysctl write may hold. */
function isSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\v' || char === '\f' || char === '\r';
}

/** `TMPBUFLEN` of kernel/sysctl.c: a number and what follows it must fit in 21 characters. */
const TMPBUFLEN = 22;

/**
 * A write of `text` to an `int` sysctl with `proc_dointvec_minmax()` between 0 and 1 (what `proc_do_static_key()`
 * does, kernel/sysctl.c:1427-1452, through `__do_proc_dointvec()` and `proc_get_long()`): leading white space, an
 * optional `-`, a number in C syntax (`strtoul` base 0), then white space or the end; the value 0 or 1. Returns the
 * value and the bytes the write consumed, or undefined for -EINVAL.
 */
export function parseStaticKeyWrite(text: string): { value: 0 | 1; written: number } | undefined {
  let at = 0;
  while (at < text.length && isSpace(text[at])) at++;
  if (at === text.length) return undefined;
  const start = at;
  let negative = false;
  if (text[at] === '-' && text.length - at > 1) {
    negative = true;
    at++;
  }
  const digits = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(text.slice(at));
  if (digits === null) return undefined;
  at += digits[1]!.length;
  if (at - start >= TMPBUFLEN - 1) return undefined;
  if (at < text.length && !(text[at] === ' ' || text[at] === '\t' || text[at] === '\n')) return undefined;
  const parsed = Number.parseInt(digits[1]!, /^0[xX]/.test(digits[1]!) ? 16 : /^0[0-7]/.test(digits[1]!) ? 8 : 10);
  // do_proc_dointvec_minmax_conv(): a negative value or one outside [0, 1] is -EINVAL.
  if ((negative && parsed !== 0) || parsed > 1) return undefined;
  while (at < text.length && isSpace(text[at])) at++;
  return { value: parsed as 0 | 1, written: at };
}

/**
 * `do_sysctl_args()` → `process_sysctl_arg()` (fs/proc/proc_sysctl.c) for one `sysctl.vm.mem_profiling` of the
 * command line: what it prints (undefined for a write that worked), given how the write went. `result` is the
 * sysctl write's return: the bytes written, or a negative errno; `'open'` is -EACCES from opening the read-only
 * file (`mode 0444` when profiling is not supported). A missing or empty value is `parse_args()`'s complaint.
 */
export function sysctlArgLine(value: string | undefined, result: number | 'open'): string | undefined {
  const param = 'vm.mem_profiling';
  if (value === undefined || value === '') {
    return `Setting sysctl args: \`${value ?? ''}' invalid for parameter \`${MEM_PROFILING_PARAM}'`;
  }
  if (result === 'open') return `Failed to set sysctl parameter '${param}=${value}': permission denied (read-only?)`;
  if (result === -EINVAL) return `Failed to set sysctl parameter '${param}=${value}': invalid value`;
  if (result < 0) return `Error ${result} writing to proc file to set sysctl parameter '${param}=${value}'`;
  if (result !== value.length) {
    // The kernel's format has no closing quote.
    return `Wrote only ${result} bytes of ${value.length} writing to proc file sys/vm/mem_profiling to set sysctl parameter '${param}=${value}`;
  }
  return undefined;
}

import { strerror } from '@mm/page-owner-tools';
import { type CliError, ExitCode, type UsageError } from './cli-io';
import { type InterruptedError, signalExitCode } from './signals';

/** What `main` prints for an error a command threw, and the exit code. */
export interface ErrorReport {
  readonly message: string;
  readonly exitCode: number;
}

/** Node.js's own codes for file operations, which have no errno and so no `strerror()` text. */
const nodeReasons: Readonly<Record<string, string>> = {
  ERR_FS_FILE_TOO_LARGE: 'File too large to read whole (2 GiB or more)',
  ERR_STRING_TOO_LONG: 'File too large to read as one string',
};

/** `path: reason` of a Node.js file error (`ENOSPC: no space left on device, write` and its stack, otherwise). */
function fileErrorMessage(error: NodeJS.ErrnoException): string {
  const code = error.code ?? '';
  const reason = strerror(code) ?? nodeReasons[code] ?? error.message.replace(/^[A-Z_]+: /, '').split(', ')[0];
  return error.path !== undefined
    ? `${error.path}: ${reason}`
    : `${reason}${error.syscall ? ` (${error.syscall})` : ''}`;
}

function isFileError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return error instanceof Error && typeof code === 'string' && (code.startsWith('E') || code.startsWith('ERR_FS'));
}

/**
 * `error`, given `path` if it is a file error without one: a read's error (EISDIR for a directory, EIO) has no path,
 * unlike the open's, and would print as `Is a directory (read)`.
 */
export function withPath(error: unknown, path: string): unknown {
  if (isFileError(error) && error.path === undefined) error.path = path;
  return error;
}

/** What was thrown, as one line: `Name: message` for an error, else its text (`null`, a string, an object). */
export function errorText(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`.split('\n')[0]!;
    return String(error).split('\n')[0]!;
  } catch {
    return Object.prototype.toString.call(error);
  }
}

/** The stacks of an error and of its causes, for `--debug`. */
function stacks(error: unknown): string {
  let text = '';
  for (let cause = error, depth = 0; cause instanceof Error && depth < 8; cause = cause.cause, depth++) {
    text += `\n${depth === 0 ? '' : 'Caused by: '}${cause.stack ?? cause.message}`;
  }
  if (!(error instanceof Error)) text = `\n(thrown: ${errorText(error)})`;
  return text;
}

/** The CLI's own errors, by name. */
interface CliErrors {
  readonly UsageError: UsageError;
  readonly CliError: CliError;
  readonly InterruptedError: InterruptedError;
}

/**
 * Whether `error` is the CLI's error `name`, told by name: the executable and the quick commands are bundles of
 * their own (see tsup.config.ts), each with its own copy of the classes.
 */
function isNamed<Name extends keyof CliErrors>(error: unknown, name: Name): error is CliErrors[Name] {
  return error instanceof Error && error.name === name;
}

/**
 * The errors the readers of mmsim's inputs throw for a malformed file, each naming the file and line (a trace, a
 * kallsyms, a page_owner dump, a run's directory). Told by name, as the kernel's errors are.
 */
const INPUT_ERRORS: ReadonlySet<string> = new Set([
  'TraceFormatError',
  'KallsymsFormatError',
  'PageOwnerParseError',
  'ReportSourceError',
]);

/**
 * How `mmsim <command>` reports `error`: bad usage (an option, a kernel parameter, a machine that cannot be
 * simulated) exits 2 with the usage hint; a file that cannot be read or written or is malformed, a use of memory
 * above 8 TiB (@mm/physmem's PerPageWindowError), or a {@link CliError}, is one line and exit 1; a signal at a
 * checkpoint exits 128 + its number; anything else is a fault of mmsim's own, one line and exit 1, with the stack
 * only under `--debug`. Never throws, whatever was thrown (`null`, a string, an object without a message).
 */
export function describeError(command: string, error: unknown, debug: boolean): ErrorReport {
  const stack = debug ? stacks(error) : '';
  if (isNamed(error, 'UsageError')) {
    return { message: `${error.message}\nRun 'mmsim ${command} --help' for usage.${stack}`, exitCode: ExitCode.usage };
  }
  // @mm/kernel's KernelParamError and MachineConfigError, told by name as the input errors are: reporting an error
  // loads none of the simulator's packages.
  if (error instanceof Error && (error.name === 'KernelParamError' || error.name === 'MachineConfigError')) {
    return {
      message: `mmsim ${command}: ${error.message}\nRun 'mmsim ${command} --help' for usage.${stack}`,
      exitCode: ExitCode.usage,
    };
  }
  if (isNamed(error, 'InterruptedError')) {
    return {
      message: `mmsim ${command}: ${error.message}: files are whole or absent (an output directory interrupted before it was complete is left as it was)`,
      exitCode: signalExitCode(error.signal),
    };
  }
  if (error instanceof Error && INPUT_ERRORS.has(error.name)) {
    return { message: `mmsim ${command}: ${error.message.split('\n')[0]}${stack}`, exitCode: ExitCode.failure };
  }
  // @mm/physmem's PerPageWindowError: the machine reached memory above 8 TiB, which boots but cannot be used.
  if (error instanceof Error && error.name === 'PerPageWindowError') {
    return { message: `mmsim ${command}: ${error.message}${stack}`, exitCode: ExitCode.failure };
  }
  if (isNamed(error, 'CliError')) return { message: `mmsim ${command}: ${error.message}${stack}`, exitCode: 1 };
  if (isFileError(error)) return { message: `mmsim ${command}: ${fileErrorMessage(error)}${stack}`, exitCode: 1 };
  const text = errorText(error);
  const hint = debug ? '' : ' (run with --debug for the stack)';
  return { message: `mmsim ${command}: internal error: ${text}${hint}${stack}`, exitCode: ExitCode.failure };
}

/** Where a command writes: standard output and error, and whether stdout is a terminal. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly isTTY: boolean;
  /** The environment the command sees (the locale of perf-style number grouping); default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The process's own streams. */
export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stdout.isTTY === true,
  env: process.env,
};

/** Exit codes shared by every command: 0 success, 1 failure, 2 bad usage (a signal gives 128 + its number). */
export const ExitCode = { success: 0, failure: 1, usage: 2 } as const;

/** A value as a command's `--json` prints it: indented, one object, a newline at the end. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Bad usage: unknown options, malformed values. Reported with the command's usage hint, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A failure the user can act on (an input that cannot be read, an output that cannot be written), reported as one
 * line naming the command, exit code 1, never with a stack.
 */
export class CliError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliError';
  }
}

/**
 * A {@link CliIo} that keeps what a command writes in memory (tests, embedding `main` in another program), with an
 * environment of its own (default: empty, the C locale).
 */
export function memoryIo(
  isTTY = false,
  env: Readonly<Record<string, string | undefined>> = {},
): CliIo & { readonly out: () => string; readonly err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    isTTY,
    env,
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

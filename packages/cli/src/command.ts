import type { CliIo } from './cli-io';

/** One `mmsim` subcommand. */
export interface Command {
  readonly name: string;
  /** One line for `mmsim --help`. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  /** Runs with the arguments after the command name; returns the exit code. */
  run(argv: readonly string[], io: CliIo): Promise<number> | number;
}

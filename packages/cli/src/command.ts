import type { CliIo } from './cli-io';
import { ExitCode, UsageError } from './cli-io';
import { type OptionTable, type ParsedOptions, parseOptions } from './parse-options';

/** One `mmsim` subcommand. */
export interface Command {
  readonly name: string;
  /** The full `--help` text. */
  readonly help: string;
  /** Runs with the arguments after the command name; returns the exit code. */
  run(argv: readonly string[], io: CliIo): Promise<number> | number;
}

/** What a command defined with {@link defineCommand} is given: its options, its operands, where to write. */
export interface CommandContext<T extends OptionTable> {
  readonly values: ParsedOptions<T>['values'];
  readonly positionals: readonly string[];
  readonly io: CliIo;
  /** The arguments as given (for options whose order matters). */
  readonly argv: readonly string[];
}

/** A command's specification: its options (`util.parseArgs` table, `--help` added) and operands. */
export interface CommandSpec<T extends OptionTable> {
  readonly name: string;
  readonly help: string;
  readonly options: T;
  /**
   * The operands it takes: how many (exactly, or from `min` to `max`) and how to say what they are when the count is
   * wrong (`expected one trace file`). None by default.
   */
  readonly operands?: { readonly min: number; readonly max: number; readonly expected: string };
  run(context: CommandContext<T>): Promise<number> | number;
}

/**
 * A command from its specification, with what every command does the same way: options parsed strictly (an unknown
 * option or a missing value is bad usage, exit 2), `-h`/`--help` printing the help on stdout, the operands counted.
 * Errors it throws are reported by `main` (see `describeError`).
 */
export function defineCommand<const T extends OptionTable>(spec: CommandSpec<T>): Command {
  return {
    name: spec.name,
    help: spec.help,
    run(argv, io) {
      const { values, positionals } = parseOptions(spec.name, argv, spec.options);
      if ((values as { readonly help?: boolean }).help) {
        io.stdout(spec.help);
        return ExitCode.success;
      }
      const operands = spec.operands;
      if (operands === undefined && positionals.length > 0) {
        throw new UsageError(`mmsim ${spec.name}: unexpected argument '${positionals[0]}'`);
      }
      if (operands !== undefined && (positionals.length < operands.min || positionals.length > operands.max)) {
        throw new UsageError(`mmsim ${spec.name}: ${operands.expected}`);
      }
      return spec.run({ values, positionals, io, argv });
    },
  };
}

import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type ProfileName, profileNames } from '@mm/physmem';
import { UsageError } from './cli-io';

/** A `util.parseArgs` option table. */
export type OptionTable = NonNullable<ParseArgsConfig['options']>;

/** What {@link parseOptions} returns for an option table `T`. */
export type ParsedOptions<T extends OptionTable> = ReturnType<
  typeof parseArgs<{
    args: string[];
    options: T & { help: { type: 'boolean'; short: 'h' } };
    strict: true;
    allowPositionals: true;
  }>
>;

/**
 * `util.parseArgs` in strict mode, with its errors turned into {@link UsageError}s that name the command.
 * `--help` is always accepted.
 */
export function parseOptions<const T extends OptionTable>(
  command: string,
  argv: readonly string[],
  options: T,
): ParsedOptions<T> {
  try {
    return parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError(`mmsim ${command}: ${(error as Error).message}`);
  }
}

/** Reads a positive integer option, or throws a UsageError naming it. */
export function integerOption(
  command: string,
  name: string,
  value: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new UsageError(`mmsim ${command}: --${name} must be an integer from ${min} to ${max}, not '${value}'`);
  }
  return parsed;
}

/** Reads an option that must be one of `choices`. */
export function choiceOption<const C extends string>(
  command: string,
  name: string,
  value: string | undefined,
  choices: readonly C[],
): C | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`mmsim ${command}: --${name} must be one of ${choices.join(', ')}, not '${value}'`);
  }
  return value as C;
}

/** Reads `--profile`: one of the kernels mmsim models, v6.18 when absent. */
export function profileOption(command: string, value: string | undefined): ProfileName {
  return choiceOption(command, 'profile', value, profileNames) ?? 'v6.18';
}

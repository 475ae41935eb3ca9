import type { KernelParam } from '@mm/hooks';
import { type CommandLineArgument, parameterNamesMatch, splitCommandLine } from './command-line';

/** What parsing the command line found. */
export interface ParamsResult {
  /** Arguments some package owns, in command line order. */
  readonly recognised: readonly CommandLineArgument[];
  /** Arguments nobody owns: the kernel passes them to init (v6.18 reports them). */
  readonly unknown: readonly CommandLineArgument[];
  readonly initArguments: readonly string[];
}

/**
 * Parses `cmdline` against the parameters of every package, as `parse_early_param()` then `parse_args()` do:
 * early parameters first, then the rest, each in command line order. A malformed value throws the owning
 * parameter's `KernelParamError`; lines a parameter prints go to `log`.
 */
export function parseKernelParams(
  cmdline: string,
  params: readonly KernelParam[],
  profile: string,
  log: (line: string) => void,
): ParamsResult {
  const { arguments: words, initArguments } = splitCommandLine(cmdline);
  const owner = (argument: CommandLineArgument) =>
    params.find((param) => parameterNamesMatch(param.name, argument.name));
  for (const early of [true, false]) {
    for (const argument of words) {
      const param = owner(argument);
      if (param === undefined || param.early !== early) continue;
      param.setup(argument.value, { profile, log });
    }
  }
  return {
    recognised: words.filter((argument) => owner(argument) !== undefined),
    unknown: words.filter((argument) => owner(argument) === undefined),
    initArguments,
  };
}

/**
 * v6.18 `print_unknown_bootoptions()`: the line naming parameters passed to init, with words without a value
 * (argv) before `name=value` words (envp); nothing for `BOOT_IMAGE=` and `kexec*`, or when there are none.
 * Names with a dot are module parameters and are not passed.
 */
export function unknownParamsLine(unknown: readonly CommandLineArgument[]): string | undefined {
  const passed = unknown.filter(
    (argument) => !argument.name.includes('.') && argument.name !== 'BOOT_IMAGE' && !argument.name.startsWith('kexec'),
  );
  const argv = passed.filter((argument) => argument.value === undefined).map((argument) => argument.name);
  const envp = passed
    .filter((argument) => argument.value !== undefined)
    .map((argument) => `${argument.name}=${argument.value}`);
  const words = [...argv, ...envp];
  if (words.length === 0) return undefined;
  return `Unknown kernel command line parameters "${words.join(' ')}", will be passed to user space.`;
}

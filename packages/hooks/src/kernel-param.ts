import { kstrtobool } from './kstrtobool';

/**
 * A kernel command-line parameter, owned by the package that uses it (as the kernel keeps `early_param()` and
 * `__setup()` next to the code they configure). `@mm/kernel` collects the parameters of every package and parses
 * the command line against them.
 */
export interface KernelParam {
  /** The name before `=`, e.g. `page_owner`. */
  readonly name: string;
  /** `early_param()` (parsed first, by `parse_early_param`) or `__setup()` (parsed with the rest). */
  readonly early: boolean;
  /** One line for `--help` listings: the accepted values and what they do. */
  readonly description: string;
  /**
   * Applies the value (undefined when the parameter has no `=`). Throws {@link KernelParamError} when the value is
   * malformed; logs through `context` what the kernel would print for values it tolerates.
   */
  setup(value: string | undefined, context: ParamContext): void;
}

/** What a parameter's `setup` may use while the command line is parsed. */
export interface ParamContext {
  /** The kernel profile being booted (`v4.7`, `v4.8`, `v6.18`): parsing rules differ between eras. */
  readonly profile: string;
  /** Appends a line to the boot log, as `pr_info`/`pr_err` would. */
  log(line: string): void;
}

/** A malformed command-line parameter: names the parameter, the value and what was expected. */
export class KernelParamError extends Error {
  readonly param: string;
  readonly value: string | undefined;

  constructor(param: string, value: string | undefined, expected: string) {
    super(
      value === undefined
        ? `kernel parameter '${param}' needs a value: expected ${expected}`
        : `kernel parameter '${param}=${value}' is malformed: expected ${expected}`,
    );
    this.name = 'KernelParamError';
    this.param = param;
    this.value = value;
  }
}

/**
 * An `early_param()` whose value is a kstrtobool boolean (`name=on|off|1|0|y|n`): a bare `name`, or a value kstrtobool
 * cannot read, returns -EINVAL, and `do_early_param()` prints `Malformed early option 'name'`; the setting stays.
 */
export function kstrtoboolParam(name: string, description: string, set: (value: boolean) => void): KernelParam {
  return {
    name,
    early: true,
    description,
    setup(value, context) {
      const parsed = kstrtobool(value);
      if (parsed === undefined) context.log(`Malformed early option '${name}'`);
      else set(parsed);
    },
  };
}

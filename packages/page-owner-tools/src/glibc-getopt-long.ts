/** One entry of getopt_long's `struct option` table. */
export interface LongOption {
  readonly name: string;
  readonly hasArgument: boolean;
  /** What the option returns (getopt_long's `val`). */
  readonly value: number | string;
}

/** One result of {@link GnuGetopt.next}: an option with its argument, or an error getopt has printed. */
export type GetoptResult =
  | { readonly kind: 'option'; readonly option: number | string; readonly argument?: string }
  | { readonly kind: 'error'; readonly message: string };

/**
 * `getopt_long()` as glibc implements it (posix/getopt.c, glibc 2.26+ messages), for C tools whose command line
 * mmsim reproduces: options are returned in command-line order, operands are permuted behind them (GNU's default
 * PERMUTE ordering; `POSIXLY_CORRECT` is not consulted), `--` ends the options, short options cluster (`-am`),
 * long options take `--name=value` or `--name value` and may be abbreviated to any unambiguous prefix. An error
 * is returned as the message glibc prints to stderr (where the tool then sees `'?'`).
 *
 * Only what the mmsim tools use is modelled: short options without arguments or with a required one (`x:`), long
 * options without or with a required argument; `opterr` is 1 and `longindex`/`flag` are not used.
 */
export class GnuGetopt {
  readonly #argv: readonly string[];
  readonly #program: string;
  readonly #short: Map<string, boolean>;
  readonly #long: readonly LongOption[];
  readonly #operands: string[] = [];
  #index = 0;
  /** The rest of a short-option cluster being scanned. */
  #cluster = '';

  /** `argv` without the program name; `program` is `argv[0]`, as the messages print it. */
  constructor(argv: readonly string[], shortOptions: string, longOptions: readonly LongOption[], program: string) {
    this.#argv = argv;
    this.#program = program;
    this.#long = longOptions;
    this.#short = new Map();
    for (let index = 0; index < shortOptions.length; index++) {
      const letter = shortOptions[index]!;
      const takesArgument = shortOptions[index + 1] === ':';
      this.#short.set(letter, takesArgument);
      if (takesArgument) index++;
    }
  }

  /** The operands (non-option arguments) in order; complete once {@link next} has returned `undefined`. */
  get operands(): readonly string[] {
    return this.#operands;
  }

  /** The next option or error, or `undefined` when the options are exhausted (getopt's -1). */
  next(): GetoptResult | undefined {
    if (this.#cluster !== '') return this.#shortOption();
    const argv = this.#argv;
    while (this.#index < argv.length) {
      const argument = argv[this.#index]!;
      if (argument === '--') {
        this.#operands.push(...argv.slice(this.#index + 1));
        this.#index = argv.length;
        return undefined;
      }
      if (argument.length < 2 || argument[0] !== '-') {
        this.#operands.push(argument);
        this.#index++;
        continue;
      }
      this.#index++;
      if (argument[1] === '-') return this.#longOption(argument.slice(2));
      this.#cluster = argument.slice(1);
      return this.#shortOption();
    }
    return undefined;
  }

  #shortOption(): GetoptResult {
    const letter = this.#cluster[0]!;
    this.#cluster = this.#cluster.slice(1);
    const takesArgument = this.#short.get(letter);
    if (takesArgument === undefined || letter === ':' || letter === ';') {
      return { kind: 'error', message: `${this.#program}: invalid option -- '${letter}'\n` };
    }
    if (!takesArgument) return { kind: 'option', option: letter };
    if (this.#cluster !== '') {
      const argument = this.#cluster;
      this.#cluster = '';
      return { kind: 'option', option: letter, argument };
    }
    if (this.#index >= this.#argv.length) {
      return { kind: 'error', message: `${this.#program}: option requires an argument -- '${letter}'\n` };
    }
    return { kind: 'option', option: letter, argument: this.#argv[this.#index++]! };
  }

  #longOption(text: string): GetoptResult {
    const equals = text.indexOf('=');
    const name = equals < 0 ? text : text.slice(0, equals);
    let found = this.#long.find((option) => option.name === name);
    if (found === undefined) {
      const candidates = this.#long.filter((option) => option.name.startsWith(name));
      const first = candidates[0];
      if (first === undefined) {
        return { kind: 'error', message: `${this.#program}: unrecognized option '--${text}'\n` };
      }
      // Abbreviations of options that behave alike are not ambiguous; glibc lists the first and those that differ.
      const differing = candidates.filter(
        (option) => option.hasArgument !== first.hasArgument || option.value !== first.value,
      );
      if (differing.length > 0) {
        const possibilities = [first, ...differing].map((option) => ` '--${option.name}'`).join('');
        return {
          kind: 'error',
          message: `${this.#program}: option '--${text}' is ambiguous; possibilities:${possibilities}\n`,
        };
      }
      found = first;
    }
    if (equals >= 0) {
      if (!found.hasArgument) {
        return { kind: 'error', message: `${this.#program}: option '--${found.name}' doesn't allow an argument\n` };
      }
      return { kind: 'option', option: found.value, argument: text.slice(equals + 1) };
    }
    if (!found.hasArgument) return { kind: 'option', option: found.value };
    if (this.#index >= this.#argv.length) {
      return { kind: 'error', message: `${this.#program}: option '--${found.name}' requires an argument\n` };
    }
    return { kind: 'option', option: found.value, argument: this.#argv[this.#index++]! };
  }
}

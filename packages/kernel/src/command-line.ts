/** One `name[=value]` word of a kernel command line. */
export interface CommandLineArgument {
  readonly name: string;
  readonly value: string | undefined;
}

/** A command line split the way `parse_args()` sees it. */
export interface ParsedCommandLine {
  readonly arguments: readonly CommandLineArgument[];
  /** Words after `--`, which the kernel hands to init untouched. */
  readonly initArguments: readonly string[];
}

/**
 * Splits a kernel command line like `next_arg()` (lib/cmdline.c... kernel/params.c): words are separated by
 * whitespace, double quotes group a value with spaces (`acpi_osi="Linux x"` or `"name=a b"`) and are removed, and
 * a word `--` ends the kernel's part.
 */
export function splitCommandLine(cmdline: string): ParsedCommandLine {
  const words: string[] = [];
  let current = '';
  let quoted = false;
  let inWord = false;
  for (const character of cmdline) {
    if (character === '"') {
      quoted = !quoted;
      inWord = true;
      continue;
    }
    if (!quoted && /\s/.test(character)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
      continue;
    }
    current += character;
    inWord = true;
  }
  if (quoted) throw new SyntaxError(`kernel command line has an unbalanced double quote: ${cmdline}`);
  if (inWord) words.push(current);
  const end = words.indexOf('--');
  const kernelWords = end < 0 ? words : words.slice(0, end);
  return {
    arguments: kernelWords.map((word) => {
      const equals = word.indexOf('=');
      return equals < 0
        ? { name: word, value: undefined }
        : { name: word.slice(0, equals), value: word.slice(equals + 1) };
    }),
    initArguments: end < 0 ? [] : words.slice(end + 1),
  };
}

/** `parameq()`: parameter names match with `-` and `_` treated as the same character. */
export function parameterNamesMatch(a: string, b: string): boolean {
  return a.replaceAll('-', '_') === b.replaceAll('-', '_');
}

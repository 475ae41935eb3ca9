/** One entry of a kernel flag-name table: every bit of `mask` must be set for `name` to print. */
export interface FlagName {
  readonly mask: number;
  readonly name: string;
}

/**
 * `format_flags()` (lib/vsprintf.c): walks the ordered name table; each entry whose whole mask is still contained
 * in the remaining flags prints its name and removes its bits, followed by `|` if bits remain. Leftover unnamed
 * bits print as `0x` hex. A value of 0 prints nothing. Masks and flags are at most 32 bits wide.
 */
export function formatFlags(flags: number, names: readonly FlagName[]): string {
  let remaining = flags >>> 0;
  let text = '';
  for (let index = 0; remaining !== 0 && index < names.length; index++) {
    const { mask, name } = names[index]!;
    if ((remaining & mask) >>> 0 !== mask) continue;
    text += name;
    remaining = (remaining & ~mask) >>> 0;
    if (remaining !== 0) text += '|';
  }
  if (remaining !== 0) text += `0x${remaining.toString(16)}`;
  return text;
}

import { CODETAG_FLAG_INACCURATE, type Codetag, codetagToText } from './codetag';

/**
 * `print_allocinfo_header()` (lib/alloc_tag.c:81-86 of v6.18): the format's version, 2.0 since v6.18 (the
 * `accurate:no` pair), and the column line.
 */
export const ALLOCINFO_HEADER = 'allocinfo - version: 2.0\n#     <size>  <calls> <tag info>\n';

/**
 * `alloc_tag_to_text()` (lib/alloc_tag.c:88-100): `%12lli %8llu `, the tag as `codetag_to_text()` prints it,
 * ` accurate:no` for an inaccurate tag, then a space and the newline (every line ends in `' \n'`). The bytes are
 * signed (`s64`), the calls unsigned (`u64`): a negative count would print as 2^64 minus it.
 */
export function allocinfoLine(ct: Codetag, bytes: number, calls: number): string {
  const callText = calls >= 0 ? `${calls}` : (2n ** 64n + BigInt(calls)).toString();
  const inaccurate = (ct.flags & CODETAG_FLAG_INACCURATE) !== 0 ? ' accurate:no' : '';
  return `${`${bytes}`.padStart(12)} ${callText.padStart(8)} ${codetagToText(ct)}${inaccurate} \n`;
}

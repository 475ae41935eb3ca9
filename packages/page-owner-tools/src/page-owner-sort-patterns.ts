/**
 * The regular expressions of page_owner_sort v6.18 (tools/mm/page_owner_sort.c, POSIX EREs compiled with
 * REG_EXTENDED | REG_NEWLINE in the C locale), found by scanning in linear time. Written as JavaScript regular
 * expressions they backtrack quadratically (a 120 KB block took 41 s): `\s*[0-9]*\s*` splits a run of spaces in
 * quadratically many ways before failing, and `\(([^\n]*)\)` rescans its line from every `tgid (`.
 *
 * Each function returns the span of the pattern's capture in the leftmost match, or null: what `regexec()` gives,
 * since at the leftmost position where a pattern matches every way of matching captures the same digits (the
 * whitespace runs cannot trade characters with them), and the greedy comm capture ends at the last `),<spaces>ts`
 * of its line, as the longest match does. `\s` is `[[:space:]]`, which REG_NEWLINE leaves matching newlines; `.`
 * and `[^\n]` do not match one.
 */

/** The span of a capture: `[start, end)` in the block. */
export interface PatternMatch {
  readonly start: number;
  readonly end: number;
}

/** `[[:space:]]` in the C locale. */
function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function spacesEnd(text: string, at: number): number {
  while (at < text.length && isSpace(text.charCodeAt(at))) at++;
  return at;
}

function digitsEnd(text: string, at: number): number {
  while (at < text.length && isDigit(text.charCodeAt(at))) at++;
  return at;
}

/** `<keyword>\s*([0-9]*),`: `order\s*([0-9]*),` (`get_page_num`) and `pid\s*([0-9]*),` (`get_pid`). */
export function numberBeforeComma(text: string, keyword: string): PatternMatch | null {
  for (let at = text.indexOf(keyword); at >= 0; at = text.indexOf(keyword, at + 1)) {
    const start = spacesEnd(text, at + keyword.length);
    const end = digitsEnd(text, start);
    if (text.charCodeAt(end) === 44 /* , */) return { start, end };
  }
  return null;
}

/**
 * `tgid\s*([0-9]*) ` (`get_tgid`): the digits when a space follows them, else (the space taken from the run before
 * them) an empty capture when that run holds a space.
 */
export function tgidPattern(text: string): PatternMatch | null {
  for (let at = text.indexOf('tgid'); at >= 0; at = text.indexOf('tgid', at + 1)) {
    const spaces = at + 4;
    const start = spacesEnd(text, spaces);
    const end = digitsEnd(text, start);
    if (end > start && text.charCodeAt(end) === 32) return { start, end };
    for (let space = start - 1; space >= spaces; space--) {
      if (text.charCodeAt(space) === 32) return { start: space, end: space };
    }
  }
  return null;
}

/** `ts\s*([0-9]*)\s*ns` (`get_ts_nsec`, and the `remove_pattern` that cuts the digits out). */
export function tsPattern(text: string): PatternMatch | null {
  for (let at = text.indexOf('ts'); at >= 0; at = text.indexOf('ts', at + 1)) {
    const start = spacesEnd(text, at + 2);
    const end = digitsEnd(text, start);
    if (text.startsWith('ns', spacesEnd(text, end))) return { start, end };
  }
  return null;
}

/**
 * `tgid\s*[0-9]*\s*\(([^\n]*)\),\s*ts` (`get_comm`): after the `(`, up to the last `)` of the line that `,`,
 * spaces (newlines too) and `ts` follow. The last such `)` of a line is found once, however many `tgid (` it has.
 */
export function commPattern(text: string): PatternMatch | null {
  let lineEnd = -1;
  let lastClose = -1;
  for (let at = text.indexOf('tgid'); at >= 0; at = text.indexOf('tgid', at + 1)) {
    // `\s*[0-9]*\s*` then `(`: the run of spaces and digits after `tgid` must be spaces, digits, spaces.
    let open = spacesEnd(text, at + 4);
    open = spacesEnd(text, digitsEnd(text, open));
    if (text.charCodeAt(open) !== 40 /* ( */) continue;
    const start = open + 1;
    if (start > lineEnd) {
      const newline = text.indexOf('\n', start);
      lineEnd = newline < 0 ? text.length : newline;
      lastClose = lastCommClose(text, text.lastIndexOf('\n', start - 1) + 1, lineEnd);
    }
    if (lastClose >= start) return { start, end: lastClose };
  }
  return null;
}

/** The last `)` in `[from, end)` followed by `,`, spaces and `ts`, or -1. */
function lastCommClose(text: string, from: number, end: number): number {
  for (let close = text.lastIndexOf(')', end - 1); close >= from; close = text.lastIndexOf(')', close - 1)) {
    if (text.charCodeAt(close + 1) === 44 /* , */ && text.startsWith('ts', spacesEnd(text, close + 2))) return close;
    if (close === 0) break;
  }
  return -1;
}

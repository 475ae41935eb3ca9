import fc from 'fast-check';

/**
 * Mutations of trace text for the fuzz tests: tokens of the ftrace and perf script formats and of the edges of
 * their numbers inserted or written over the text, ranges deleted or repeated, lines swapped, long runs of one token
 * (long lines, long numbers). Applied to windows of real traces, they make the inputs a reader meets at its worst.
 */

/** Pieces of the formats, and of the edges of their numbers. */
export const TRACE_TOKENS: readonly string[] = [
  '0',
  '9',
  'f',
  'x',
  '0x',
  ' ',
  '   ',
  '\t',
  ':',
  ': ',
  '-',
  '/',
  '[',
  ']',
  '(',
  ')',
  '=',
  '+0x',
  '+0x-1',
  '|',
  '.',
  '\n',
  '\r',
  '\r\n',
  '#',
  'kmem:',
  'mm_page_alloc',
  'mm_page_free',
  'mm_page_free_batched',
  'mm_page_alloc: ',
  ' pfn=',
  ' order=',
  ' page=',
  ' gfp_flags=',
  ' migratetype=',
  '(null)',
  '(nil)',
  '0x0',
  'ffffffffffffffff',
  '18446744073709551615',
  '-1',
  '4294967296',
  '0x100000000',
  '9007199254740993',
  '4503599627370496',
  '1e308',
  '9'.repeat(400),
  'f'.repeat(400),
  '([kernel.kallsyms])',
  '([unknown])',
  '([xfs])',
  '[unknown]',
  '€',
  '\u0000',
  '\tffffffff8163993b __alloc_frozen_pages_noprof+0x26b ([kernel.kallsyms])',
  'ffffffff8163993b',
  'GFP_KERNEL|0xffffffffff',
  'GFP_KERNEL|__GFP_BOGUS',
];

/** One mutation: where (a fraction of the text), how far, what, with which token, how many times. */
export interface TraceMutation {
  readonly at: number;
  readonly length: number;
  readonly kind: 'insert' | 'replace' | 'delete' | 'duplicate' | 'swap-lines' | 'repeat';
  readonly token: string;
  readonly times: number;
}

/** Mutations with `tokens` (default {@link TRACE_TOKENS}) and some arbitrary text. */
export function traceMutation(tokens: readonly string[] = TRACE_TOKENS): fc.Arbitrary<TraceMutation> {
  return fc.record({
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.nat(200),
    kind: fc.constantFrom('insert', 'replace', 'delete', 'duplicate', 'swap-lines', 'repeat'),
    token: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...tokens) },
      { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
    ),
    // Up to just past the readers' 64 KiB line bound.
    times: fc.integer({ min: 2, max: 70_000 }),
  });
}

/** The text after one mutation. */
export function mutateTrace(text: string, edit: TraceMutation): string {
  const at = Math.floor(edit.at * text.length);
  const end = Math.min(text.length, at + edit.length);
  switch (edit.kind) {
    case 'insert':
      return text.slice(0, at) + edit.token + text.slice(at);
    case 'replace':
      return text.slice(0, at) + edit.token + text.slice(at + edit.token.length);
    case 'delete':
      return text.slice(0, at) + text.slice(end);
    case 'duplicate':
      return text.slice(0, end) + text.slice(at, end) + text.slice(end);
    case 'repeat':
      // About `times` characters of one token.
      return text.slice(0, at) + edit.token.repeat(Math.ceil(edit.times / (edit.token.length || 1))) + text.slice(at);
    case 'swap-lines': {
      const lines = text.split('\n');
      const first = Math.floor(edit.at * lines.length);
      const second = (first + edit.length) % lines.length;
      [lines[first], lines[second]] = [lines[second]!, lines[first]!];
      return lines.join('\n');
    }
  }
}

/** The path of the first number in `value` (objects, arrays, maps, sets) that is NaN or infinite, or undefined. */
export function nonFinite(value: unknown, path = '$', seen = new Set<unknown>()): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path} = ${value}`;
  if (value === null || typeof value !== 'object' || seen.has(value)) return undefined;
  seen.add(value);
  const entries =
    value instanceof Map ? [...value.entries()] : value instanceof Set ? [...value].entries() : Object.entries(value);
  for (const [key, item] of entries) {
    const found = nonFinite(item, `${path}.${String(key)}`, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

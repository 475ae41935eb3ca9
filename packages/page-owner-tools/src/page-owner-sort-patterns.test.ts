import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortPageOwner } from './page-owner-sort';
import { commPattern, numberBeforeComma, type PatternMatch, tgidPattern, tsPattern } from './page-owner-sort-patterns';

/** The timeout of the tests of hostile input: far above their linear cost, far below a quadratic one's. */
const HANG = 10_000;

// The tool's patterns as JavaScript regular expressions, the way page-owner-sort.ts ran them before: the oracle
// for the scanners on inputs short enough for their backtracking.
const WS = '[ \\t\\n\\v\\f\\r]';
const ORACLES = {
  order: new RegExp(`order${WS}*([0-9]*),`, 'd'),
  pid: new RegExp(`pid${WS}*([0-9]*),`, 'd'),
  tgid: new RegExp(`tgid${WS}*([0-9]*) `, 'd'),
  comm: new RegExp(`tgid${WS}*[0-9]*${WS}*\\(([^\\n]*)\\),${WS}*ts`, 'd'),
  ts: new RegExp(`ts${WS}*([0-9]*)${WS}*ns`, 'd'),
};
const SCANNERS: Record<keyof typeof ORACLES, (text: string) => PatternMatch | null> = {
  order: (text) => numberBeforeComma(text, 'order'),
  pid: (text) => numberBeforeComma(text, 'pid'),
  tgid: tgidPattern,
  comm: commPattern,
  ts: tsPattern,
};

function oracle(pattern: RegExp, text: string): PatternMatch | null {
  const span = pattern.exec(text)?.indices?.[1];
  return span === undefined ? null : { start: span[0], end: span[1] };
}

// Strings made of the pieces the patterns care about, so that near-misses are frequent.
const piece = fc.constantFrom(
  'order',
  'pid',
  'tgid',
  'ts',
  'ns',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r',
  '\v',
  '(',
  ')',
  '),',
  ',',
  '0',
  '7',
  '42',
  'x',
  't',
  's',
  'n',
  'g',
  'd',
  'tgid 5 (',
  '), ts 12 ns',
);
const block = fc.array(piece, { maxLength: 24 }).map((pieces) => pieces.join(''));

describe('page_owner_sort patterns', () => {
  it.each(Object.keys(ORACLES) as (keyof typeof ORACLES)[])('finds what the regular expression %s finds', (name) => {
    fc.assert(
      fc.property(block, (text) => {
        expect(SCANNERS[name](text)).toEqual(oracle(ORACLES[name], text));
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['a v6.18 header', 'Page allocated via order 2, mask 0xcc0(GFP_KERNEL), pid 12, tgid 7 (a (b), ts c), ts 99 ns\n'],
    ['a comm on a later line', 'tgid 1 (x\n), ts 1 ns\ntgid 2 (y), ts 3 ns\n'],
    ['a ts after newlines', 'tgid 1 (x),\n\n ts'],
    ['a tgid without digits', 'tgid  \t (a), ts'],
  ])('agrees with the regular expressions on %s', (_what, text) => {
    for (const name of Object.keys(ORACLES) as (keyof typeof ORACLES)[]) {
      expect(SCANNERS[name](text), name).toEqual(oracle(ORACLES[name], text));
    }
  });

  // What each scanner finds (only tgid's ' ' after its optional digits can match), as the regular expressions would
  // if they were quick enough on these inputs.
  it.each([
    ['spaces after ts', `ts${' '.repeat(200_000)}`, null],
    ['tgid ( over and over', 'tgid ('.repeat(40_000), { start: 4, end: 4 }],
    ['tgid 1 ( over and over', 'tgid 1 ('.repeat(30_000), { start: 5, end: 6 }],
    ['spaces after tgid', `tgid${' '.repeat(200_000)}(`, { start: 200_003, end: 200_003 }],
    ['digits after pid', `pid ${'9'.repeat(200_000)}`, null],
  ])(
    'scan in linear time: %s',
    (_what, text, tgid) => {
      expect(Object.values(SCANNERS).map((scan) => scan(text))).toEqual([null, null, tgid, null, null]);
    },
    // Milliseconds when linear; a backtracking or quadratic scan of these inputs takes minutes.
    HANG,
  );
});

describe('page_owner_sort on hostile input', () => {
  /** A block of one line of `size` characters made of `unit`, ended by an empty line. */
  const longBlocks = (unit: string, size: number, blocks: number) =>
    `${unit.repeat(Math.ceil(size / unit.length)).slice(0, size)}\n\n`.repeat(blocks);

  it.each([
    ['a 1 MB single line', `ts${' '.repeat(1 << 20)}`],
    ['1 MB of 127 KB blocks of spaces after ts', longBlocks(`ts${' '.repeat(127 * 1024)}`, 127 * 1024, 8)],
    ['1 MB of 127 KB blocks of spaces after tgid', longBlocks(`tgid${'\t'.repeat(127 * 1024)}`, 127 * 1024, 8)],
    ['1 MB of 127 KB blocks of tgid (', longBlocks('tgid (', 127 * 1024, 8)],
    [
      '1 MB of 127 KB blocks of huge numbers',
      longBlocks(`order ${'9'.repeat(5000)}, pid 1, ts ${'8'.repeat(9000)} ns`, 127 * 1024, 8),
    ],
  ])(
    'sorts %s in linear time, with every option that reads the fields',
    (_what, input) => {
      for (const argv of [[], ['-a'], ['-d'], ['--cull', 'pid,tgid,name,st,ator'], ['-m'], ['-n'], ['-s']]) {
        expect(sortPageOwner('v6.18', [...argv, 'in', 'out'], input).exitCode, argv.join(' ')).toBe(0);
      }
    },
    HANG,
  );

  it('takes a pid of a megabyte of digits as the tool does (overflow: -1), without building a BigInt of it', () => {
    const input = `Page allocated via order 0, mask 0x0(), pid ${'0'.repeat(1000)}${'9'.repeat(100_000)}, tgid 5 (sh), ts 1 ns\n x+0x1/0x2\n\n`;
    const run = sortPageOwner('v6.18', ['--cull', 'pid', 'in', 'out'], input);
    expect(run.output).toBe('1 times, 1 pages, PID -1\n');
    const zeros = `Page allocated via order 0, mask 0x0(), pid ${'0'.repeat(100_000)}7, tgid 5 (sh), ts 1 ns\n x+0x1/0x2\n\n`;
    expect(sortPageOwner('v6.18', ['--cull', 'pid', 'in', 'out'], zeros).output).toBe('1 times, 1 pages, PID 7\n');
  });
});

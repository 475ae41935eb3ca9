import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PageOwnerSort, sortPageOwner } from './page-owner-sort';
import {
  PAGE_OWNER_SORT_USAGE,
  type PageOwnerSortVersion,
  pageOwnerSortOpenFailure,
  parsePageOwnerSortCommandLine,
} from './page-owner-sort-args';
import { PageOwnerSortBlocks } from './page-owner-sort-blocks';

const fixtures = new URL('./__fixtures__/sort/', import.meta.url);

interface GoldenCase {
  version: PageOwnerSortVersion;
  argv: string[];
  input: string;
  exitCode: number;
}

/** A fixture file as a byte string, or '' if it does not exist. */
function fixture(path: string): string {
  const url = new URL(path, fixtures);
  return existsSync(url) ? readFileSync(url, 'latin1') : '';
}

// Each case directory holds case.json (tool version, options before the two file operands, input file, exit
// status) and the expected output file, stdout and stderr: what the kernel's own page_owner_sort.c of that version,
// built with gcc on glibc 2.36, writes (sort/PROVENANCE.md names the sources and how each case was reproduced).
const cases = readdirSync(fixtures, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'inputs')
  .map((entry) => entry.name)
  .sort();

describe('page_owner_sort goldens', () => {
  it('has the cases', () => {
    expect(cases.length).toBeGreaterThan(25);
  });

  it.each(cases)('%s', (name) => {
    const golden = JSON.parse(fixture(`${name}/case.json`)) as GoldenCase;
    const run = sortPageOwner(golden.version, [...golden.argv, 'input', 'output'], fixture(`inputs/${golden.input}`));
    expect(run.stdout).toBe(fixture(`${name}/stdout.txt`));
    expect(run.stderr).toBe(fixture(`${name}/stderr.txt`));
    expect(run.output).toBe(fixture(`${name}/output.txt`));
    expect(run.exitCode).toBe(golden.exitCode);
  });
});

/** A streaming sorter for `argv` (operands included) of an input of `inputSize` bytes; its stdout goes to `stdout`. */
function newSorter(
  version: PageOwnerSortVersion,
  argv: readonly string[],
  inputSize: number,
  stdout: (text: string) => void = () => {},
): PageOwnerSort {
  const commandLine = parsePageOwnerSortCommandLine(version, argv);
  if (!commandLine.ok) throw new Error('bad command line');
  return new PageOwnerSort(commandLine.options, inputSize, { stdout, stderr: () => {} });
}

describe('PageOwnerSort', () => {
  it('gives the same bytes whatever the chunk boundaries', () => {
    const input = fixture('inputs/v618-basic.txt');
    for (const argv of [[], ['--cull', 'st,ator'], ['-a']]) {
      const whole = sortPageOwner('v6.18', [...argv, 'in', 'out'], input);
      for (const size of [1, 5, 64]) {
        let stdout = '';
        const sorter = newSorter('v6.18', [...argv, 'in', 'out'], input.length, (text) => {
          stdout += text;
        });
        for (let start = 0; start < input.length; start += size) sorter.write(input.slice(start, start + size));
        const result = sorter.end();
        expect([...result.output()].join('')).toBe(whole.output);
        expect(stdout).toBe(whole.stdout);
      }
    }
  });

  it('v4.x gives the same bytes whatever the chunk boundaries, and asks for large chunks while every block is new', () => {
    const record = (index: number, pfn: boolean) =>
      `Page allocated via order 0, mask 0x24200ca()\n${pfn ? `PFN ${index} type Movable\n` : ''} [<ffffffff81168000>] f${index % 3}+0x1/0x2\n${' '.repeat(300)}\n\n`;
    // 2000 records with their PFN lines (all distinct), then 2000 without (three blocks over and over), each long
    // enough for the tool's max_size (the input's size / 100).
    const input = [true, false].map((pfn) => Array.from({ length: 2000 }, (_, index) => record(index, pfn)).join(''));
    const whole = sortPageOwner('v4.8', ['in', 'out'], input.join(''));
    const sizes: number[] = [];
    const sorter = newSorter('v4.8', ['in', 'out'], input.join('').length);
    for (const part of input) {
      for (let start = 0; start < part.length; start += 8192) {
        sorter.write(part.slice(start, start + 8192));
        sizes.push(sorter.chunkSize);
      }
    }
    expect([...sorter.end().output()].join('')).toBe(whole.output);
    // (A chunk is judged when the next one comes.)
    expect(sizes.slice(0, 10)).toEqual([1 << 16, ...Array(9).fill(1 << 20)]);
    expect(sizes.slice(-5)).toEqual(Array(5).fill(1 << 16));
  });

  it('prints "loaded N\\r" every 1000 blocks, and counts only distinct neighbours in v4.x', () => {
    const input = Array.from(
      { length: 2500 },
      (_, index) => `block ${Math.floor(index / 2)} ${'.'.repeat(100)}\n\n`,
    ).join('');
    const v6 = sortPageOwner('v6.18', ['in', 'out'], input);
    expect(v6.stdout).toBe('loaded 1000\rloaded 2000\rloaded 2500\nsorting ....\nculling\n');
    const v4 = sortPageOwner('v4.8', ['in', 'out'], input);
    expect(v4.stdout).toBe('loaded 1000\rloaded 1250\nsorting ....\nculling\n');
    const dots = '.'.repeat(100);
    expect(
      v4.output!.startsWith(`2 times:\nblock 0 ${dots}\n\n2 times:\nblock 1 ${dots}\n\n2 times:\nblock 10 ${dots}\n\n`),
    ).toBe(true);
  });

  it('v4.x sums blocks that differ only where few characters are looked at first', () => {
    // 1000-byte blocks, the second differing from the first in one character near its start, then the first again
    // with a third block between: looked up by a sample of their characters, they must still count apart.
    const text = (first: string) => `${first}${'.'.repeat(998)}\n`;
    const [a, b, c] = [text('aa'), text('ab'), text('cc')];
    const input = [a, b, c, a, b, b, a].map((block) => `${block}\n`).join('');
    const run = sortPageOwner('v4.8', ['in', 'out'], input);
    expect(run.stdout).toBe('loaded 6\nsorting ....\nculling\n');
    expect(run.output).toBe(`3 times:\n${a}\n3 times:\n${b}\n1 times:\n${c}\n`);
  });

  it('v4.x sums blocks that share both keys they are looked up by', () => {
    // 1000-byte blocks, whose sample of characters is every 32nd from the end (positions 7 mod 32). b differs from a
    // at the start of its second line, where a dump as the kernel writes it has the PFN; d differs from b in its
    // first line only. All three share the sample, b and d also the second line's start: d is looked up whole.
    const a = `aa\n${'z'.repeat(996)}\n`;
    const b = `${a.slice(0, 4)}y${a.slice(5)}`;
    const d = `ab${b.slice(2)}`;
    const run = sortPageOwner('v4.8', ['in', 'out'], [a, b, d, a, d, b, d, a].map((block) => `${block}\n`).join(''));
    expect(run.stdout).toBe('loaded 8\nsorting ....\nculling\n');
    expect(run.output).toBe(`3 times:\n${a}\n3 times:\n${d}\n2 times:\n${b}\n`);
  });

  it("v4.x gives what the tool's own steps give, whatever the blocks and chunk boundaries", () => {
    // The v4.8 tool's main() written out as C runs it on the blocks read_block() gives (PageOwnerSortBlocks, which
    // its own tests hold to the C loop): add_list() merges a block into the one before only, the list is sorted by
    // strcmp with glibc's stable merge sort, equal neighbours are merged into the first, then the list is sorted
    // by count. The blocks are made to share what the sorter looks them up by: 700 bytes or more, so that its sample
    // of characters (every 22nd or so) mostly misses the order digit of the first line and the PFN digits of the
    // second, and the same second line under another first line.
    const reference = (input: string): string => {
      const list: { txt: string; num: number }[] = [];
      const reader = new PageOwnerSortBlocks(128 * 1024, false, (block) => {
        const last = list.at(-1);
        if (last?.txt === block) last.num++;
        else list.push({ txt: block, num: 1 });
        return true;
      });
      reader.write(input);
      reader.end();
      const byText = list
        .map((entry, index) => ({ ...entry, index }))
        .sort((left, right) => (left.txt < right.txt ? -1 : left.txt > right.txt ? 1 : left.index - right.index));
      const culled: { txt: string; num: number }[] = [];
      for (const entry of byText) {
        const last = culled.at(-1);
        if (last?.txt === entry.txt) last.num += entry.num;
        else culled.push({ txt: entry.txt, num: entry.num });
      }
      const byCount = culled.map((entry, index) => ({ ...entry, index }));
      byCount.sort((left, right) => right.num - left.num || left.index - right.index);
      return byCount.map((entry) => `${entry.num} times:\n${entry.txt}\n`).join('');
    };
    const block = fc
      .tuple(fc.nat(1), fc.option(fc.nat(3)), fc.nat(2), fc.nat(1))
      .map(
        ([order, pfn, stack, filler]) =>
          `Page allocated via order ${order}, mask 0x24200ca()\n${pfn === null ? '' : `PFN ${pfn} type Movable\n`}` +
          ` [<ffffffff81168000>] f${stack}+0x1/0x2\n${' '.repeat(600 + filler)}\n\n`,
      );
    fc.assert(
      fc.property(fc.array(block, { maxLength: 80 }), fc.array(fc.nat(), { maxLength: 8 }), (blocks, cuts) => {
        const input = blocks.join('');
        const sorter = newSorter('v4.8', ['in', 'out'], input.length);
        const offsets = [...new Set(cuts.map((cut) => cut % (input.length + 1)))].sort((a, b) => a - b);
        for (const [index, from] of [0, ...offsets].entries()) sorter.write(input.slice(from, offsets[index]));
        expect([...sorter.end().output()].join('')).toBe(reference(input));
      }),
      { numRuns: 500 },
    );
  });

  it('holds one entry per distinct block however many blocks there are', () => {
    const record = (index: number) =>
      `Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 1, tgid 1 (sh), ts ${index} ns\n stack_${index % 3}+0x1/0x2\n\n`;
    const sorter = newSorter('v6.18', ['in', 'out'], 1e9);
    for (let index = 0; index < 30_000; index++) sorter.write(record(index));
    const result = sorter.end();
    expect(result.records).toBe(30_000);
    expect(result.entries).toBe(3);
    expect([...result.output()][0]).toBe(
      '10000 times, 10000 pages, allocated by OTHERS :\nPage allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 1, tgid 1 (sh), ts  ns\n stack_0+0x1/0x2\n\n',
    );
  });

  it.each(['v4.8', 'v6.18'] as const)('%s stops reading at a block that fills its 128 KiB buffer', (version) => {
    const first = 'Page allocated via order 0, mask 0x0()\n a+0x1/0x2\n';
    // 131071 bytes of block are one too many: read_block needs 2 bytes of room to read the empty line.
    const huge = ` ${'x'.repeat(131069)}\n`;
    const after = 'Page allocated via order 1, mask 0x0()\n b+0x1/0x2\n';
    const stopped = sortPageOwner(version, ['in', 'out'], `${first}\n${huge}\n${after}\n`);
    expect(stopped.stdout).toBe('loaded 1\nsorting ....\nculling\n');
    expect(stopped.output).toBe(
      version === 'v4.8' ? `1 times:\n${first}\n` : `1 times, 1 pages, allocated by OTHERS :\n${first}\n`,
    );
    const fits = sortPageOwner(version, ['in', 'out'], `${first}\n${huge.slice(1)}\n${after}\n`);
    expect(fits.stdout).toBe('loaded 3\nsorting ....\nculling\n');
  });

  it('drops a last block with no empty line after it, and a last line with no newline', () => {
    const run = sortPageOwner('v4.8', ['in', 'out'], `${'a\n\n'.repeat(3)}b\nc`.padEnd(400, ' '));
    expect(run.output).toBe('3 times:\na\n\n');
  });
});

describe('page_owner_sort command line', () => {
  const usage = (stderr = '') => ({ ok: false, exitCode: 1, stdout: PAGE_OWNER_SORT_USAGE, stderr });
  const message = (stderr: string) => ({ ok: false, exitCode: 1, stdout: '', stderr });

  it.each([
    [[], usage()],
    [['in'], usage()],
    [['-a', '-m', 'in', 'out'], usage()],
    [['-t', '-n', 'in', 'out'], usage()],
    [['-x', 'in', 'out'], usage("./page_owner_sort: invalid option -- 'x'\n")],
    [['-ah', 'in', 'out'], usage("./page_owner_sort: invalid option -- 'h'\n")],
    [['--help'], usage("./page_owner_sort: unrecognized option '--help'\n")],
    [['--bogus=1', 'in', 'out'], usage("./page_owner_sort: unrecognized option '--bogus=1'\n")],
    [['in', 'out', '--pid'], usage("./page_owner_sort: option '--pid' requires an argument\n")],
    [['--cu'], usage("./page_owner_sort: option '--cull' requires an argument\n")],
    [
      ['--=x'],
      usage(
        "./page_owner_sort: option '--=x' is ambiguous; possibilities: '--pid' '--tgid' '--name' '--cull' '--sort'\n",
      ),
    ],
    [['--pid', '1,x', 'in', 'out'], message('wrong/invalid pid in from the command line:1,x\n')],
    [['--pid', '1,', 'in', 'out'], message('wrong/invalid pid in from the command line:1,\n')],
    [['--tgid=', 'in', 'out'], message('wrong/invalid tgid in from the command line:\n')],
    [['--cull', 'pid,comm', 'in', 'out'], message('wrong argument after --cull option:pid,comm\n')],
    [['--cull', 'at', 'in', 'out'], message('wrong argument after --cull option:at\n')],
    [['--sort', 'pid,-', 'in', 'out'], message('wrong argument after --sort option:pid,-\n')],
    [['-x', '--pid', 'z'], usage("./page_owner_sort: invalid option -- 'x'\n")],
    [['--pid', 'z', '-x'], message('wrong/invalid pid in from the command line:z\n')],
  ])('v6.18 %j exits 1 as the tool does', (argv, expected) => {
    expect(parsePageOwnerSortCommandLine('v6.18', argv)).toEqual(expected);
  });

  it('accepts options after the operands, clusters, abbreviations and repeats of one order', () => {
    const parsed = parsePageOwnerSortCommandLine('v6.18', [
      'in',
      '-dm',
      '--cu=st,p',
      '--pi',
      ' +5,-1,4294967297',
      'out',
      '-m',
      '--na=sh,',
      'extra',
    ]);
    expect(parsed).toEqual({
      ok: true,
      options: {
        version: 'v6.18',
        input: 'in',
        output: 'out',
        order: 'page_num',
        cull: new Set(['stacktrace', 'pid']),
        debug: true,
        pids: [5, -1, 1],
        names: ['sh', ''],
      },
    });
  });

  it('ends the options at --', () => {
    const parsed = parsePageOwnerSortCommandLine('v6.18', ['--', '-m', 'out']);
    expect(parsed.ok && parsed.options.input).toBe('-m');
  });

  it('v4.x takes the first two arguments as the files whatever they are, and needs two', () => {
    const parsed = parsePageOwnerSortCommandLine('v4.8', ['-m', 'in', 'out']);
    expect(parsed.ok && [parsed.options.input, parsed.options.output]).toEqual(['-m', 'in']);
    expect(parsePageOwnerSortCommandLine('v4.7', ['in'])).toEqual({
      ok: false,
      exitCode: 1,
      stdout: 'Usage: ./program <input> <output>\n',
      stderr: 'open: : Success\n',
    });
  });

  it('names the program as given in getopt messages', () => {
    const parsed = parsePageOwnerSortCommandLine('v6.18', ['-q'], 'mmsim sort');
    expect(!parsed.ok && parsed.stderr).toBe("mmsim sort: invalid option -- 'q'\n");
  });

  it('prints the usage and perror("open: ") when a file cannot be opened', () => {
    expect(pageOwnerSortOpenFailure('v6.18', 'ENOENT')).toEqual({
      exitCode: 1,
      stdout: PAGE_OWNER_SORT_USAGE,
      stderr: 'open: : No such file or directory\n',
    });
    expect(pageOwnerSortOpenFailure('v4.8', 'EISDIR')).toEqual({
      exitCode: 1,
      stdout: 'Usage: ./program <input> <output>\n',
      stderr: 'open: : Is a directory\n',
    });
  });
});

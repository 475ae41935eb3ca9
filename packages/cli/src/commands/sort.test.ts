import { createReadStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dumpPageOwner, pageOwner } from '@mm/page-owner';
import { formatParsedRecord, parsePageOwner, parsePageOwnerStream } from '@mm/page-owner-tools';
import type { ProfileName } from '@mm/physmem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../cli-io';
import { main } from '../main';
import { runWorkload } from '../run-workload';

let directory: string;
const dumps = new Map<ProfileName, string>();

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'mmsim-sort-'));
  for (const profile of ['v4.7', 'v4.8', 'v6.18'] as const) {
    const { kernel } = runWorkload({
      memory: '256M',
      cmdline: 'page_owner=on',
      profile,
      workload: 'kernel-build',
      seed: 1,
      cpus: 2,
    });
    const records: string[] = [];
    dumpPageOwner(kernel.feature(pageOwner)!, (record) => records.push(record));
    dumps.set(profile, records.join(''));
  }
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** Writes a file in the test directory and returns its path. */
function file(name: string, content: string): string {
  const path = join(directory, name);
  writeFileSync(path, content, 'latin1');
  return path;
}

async function sort(...argv: string[]) {
  const io = memoryIo();
  const code = await main(['sort', ...argv], io);
  return { code, stdout: io.out(), stderr: io.err() };
}

const record = (pid: number, comm: string, ts: number, frame: string) =>
  `Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid ${pid}, tgid ${pid} (${comm}), ts ${ts} ns\n` +
  `PFN 0x${(ts * 16).toString(16)} type Unmovable Block 0 type Unmovable Flags 0x0(zone=1)\n` +
  ` post_alloc_hook+0x177/0x1a0\n ${frame}\n\n`;

// Three records of one stack from sh and one of another from cc1: by hand, '3 times' for sh's, then cc1's.
const small =
  record(1, 'sh', 100, 'copy_process+0x1/0x2') +
  record(1, 'sh', 200, 'copy_process+0x1/0x2') +
  record(7, 'cc1', 300, 'do_anonymous_page+0x9/0x10') +
  record(1, 'sh', 400, 'copy_process+0x1/0x2');
const shText =
  'Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 1, tgid 1 (sh), ts  ns\n post_alloc_hook+0x177/0x1a0\n copy_process+0x1/0x2\n';
const ccText =
  'Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 7, tgid 7 (cc1), ts  ns\n post_alloc_hook+0x177/0x1a0\n do_anonymous_page+0x9/0x10\n';

describe('page_owner dumps of mmsim run', () => {
  it.each(['v4.7', 'v4.8', 'v6.18'] as const)('%s: dump → parse → print gives the same bytes', (profile) => {
    const dump = dumps.get(profile)!;
    const records = [...parsePageOwner(dump, { file: 'page_owner' })];
    expect(records.length).toBeGreaterThan(1000);
    expect(records[0]!.format).toBe(profile === 'v6.18' ? 'v6.18' : 'v4.x');
    expect(records.map((parsed) => formatParsedRecord(parsed)).join('')).toBe(dump);
  });

  it('parses a dump streamed from a file', async () => {
    const dump = dumps.get('v6.18')!;
    const path = file('page_owner', dump);
    const printed: string[] = [];
    for await (const parsed of parsePageOwnerStream(createReadStream(path, { highWaterMark: 16384 }))) {
      printed.push(formatParsedRecord(parsed));
    }
    expect(printed.join('')).toBe(dump);
  });
});

describe('mmsim sort', () => {
  it('sorts a small dump as page_owner_sort v6.18 does', async () => {
    const output = join(directory, 'small.sorted');
    const run = await sort(file('small', small), output);
    expect(run).toEqual({ code: 0, stdout: 'loaded 4\nsorting ....\nculling\n', stderr: '' });
    expect(readFileSync(output, 'latin1')).toBe(
      `3 times, 3 pages, allocated by OTHERS :\n${shText}\n1 times, 1 pages, allocated by OTHERS :\n${ccText}\n`,
    );
  });

  it('prints a JSON summary instead of the tool lines on stdout with --json', async () => {
    const output = join(directory, 'small.json-sorted');
    const input = file('small', small);
    const run = await sort('--json', input, output);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const bytes = readFileSync(output, 'latin1').length;
    expect(JSON.parse(run.stdout)).toEqual({
      input,
      output,
      profile: 'v6.18',
      exitCode: 0,
      records: 4,
      entries: 2,
      bytes,
    });
  });

  it('prints its own help, with mmsim options, on stderr when given nothing', async () => {
    const run = await sort();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--profile NAME');
    expect(run.stderr).toContain('--json');
  });

  it('passes the tool options, also after the files', async () => {
    const output = join(directory, 'small.culled');
    const run = await sort(file('small', small), output, '--cull', 'pid', '-p');
    expect(run.code).toBe(0);
    expect(readFileSync(output, 'latin1')).toBe('3 times, 3 pages, PID 1\n1 times, 1 pages, PID 7\n');
  });

  it('runs the v4.8 tool with --profile, on the dump without its PFN lines', async () => {
    const input = file('small.nopfn', small.replace(/^PFN.*\n/gm, ''));
    const output = join(directory, 'small.v48');
    const run = await sort('--profile', 'v4.8', input, output);
    expect(run).toEqual({ code: 0, stdout: 'loaded 4\nsorting ....\nculling\n', stderr: '' });
    // Every record keeps its timestamp here, so all four are distinct and come out in text order.
    const text = readFileSync(output, 'latin1');
    expect(text.split('1 times:\n')).toHaveLength(5);
    expect(
      text.startsWith('1 times:\nPage allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 1, tgid 1 (sh), ts 100 ns\n'),
    ).toBe(true);
  });

  it.each(['v6.18', 'v4.8'] as const)('aggregates a whole %s dump of mmsim run', async (profile) => {
    const dump = dumps.get(profile)!;
    const records = dump.split('\n\n').length - 1;
    const input = file(`dump-${profile}`, profile === 'v6.18' ? dump : dump.replace(/^PFN.*\n/gm, ''));
    const output = join(directory, `dump-${profile}.sorted`);
    const run = await sort('--profile', profile, input, output);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^(loaded \d+000\r)*loaded \d+\nsorting \.\.\.\.\nculling\n$/);
    const text = readFileSync(output, 'latin1');
    const counts = [...text.matchAll(/^(\d+) times/gm)].map((match) => Number(match[1]));
    // Nothing is lost or counted twice, and the most frequent records come first.
    expect(counts.reduce((a, b) => a + b, 0)).toBe(records);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    if (profile === 'v6.18') {
      expect(text).not.toMatch(/ts \d+ ns/);
      expect(run.stdout).toContain(`loaded ${records}\n`);
    }
  });

  it('replaces the output atomically and leaves no temporary file', async () => {
    const output = file('existing.out', 'old content\n');
    expect((await sort(file('small', small), output)).code).toBe(0);
    expect(readFileSync(output, 'latin1')).toContain('3 times, 3 pages');
    expect(readdirSync(directory).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('prints --help and exits 0', async () => {
    const run = await sort('--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: mmsim sort [--profile v4.7|v4.8|v6.18] [OPTIONS] <input> <output>');
    expect(run.stdout).toContain('1 for bad usage');
  });

  it('exits 1 with the tool usage for bad tool options, and names mmsim sort in getopt messages', async () => {
    const run = await sort('-Q', 'in', 'out');
    expect(run.code).toBe(1);
    expect(run.stdout.startsWith('Usage: ./page_owner_sort [OPTIONS] <input> <output>\n-a\t\t\tSort by')).toBe(true);
    expect(run.stderr).toBe("mmsim sort: invalid option -- 'Q'\n");
    const two = await sort('-a', '-s', 'in', 'out');
    expect(two.code).toBe(1);
    expect(two.stderr).toBe('');
    const pid = await sort('--pid', 'one', 'in', 'out');
    expect(pid).toEqual({ code: 1, stdout: '', stderr: 'wrong/invalid pid in from the command line:one\n' });
  });

  it('exits 1 for a bad --profile', async () => {
    expect(await sort('--profile', 'v5.10', 'in', 'out')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        "mmsim sort: --profile must be one of v4.7, v4.8, v6.18, not 'v5.10'\nRun 'mmsim sort --help' for usage.\n",
    });
    expect((await sort('--profile')).stderr).toContain('mmsim sort: --profile needs a value');
  });

  it('prints the usage and perror("open: ") when a file cannot be opened, and leaves the output alone', async () => {
    const output = file('kept.out', 'kept\n');
    const missing = await sort(join(directory, 'missing'), output);
    expect(missing.code).toBe(1);
    expect(missing.stdout.startsWith('Usage: ./page_owner_sort')).toBe(true);
    expect(missing.stderr).toBe('open: : No such file or directory\n');
    expect(readFileSync(output, 'latin1')).toBe('kept\n');
    const input = file('small', small);
    expect((await sort(input, join(directory, 'no', 'such', 'dir'))).stderr).toBe(
      'open: : No such file or directory\n',
    );
    mkdirSync(join(directory, 'a-directory'), { recursive: true });
    expect((await sort(input, join(directory, 'a-directory'))).stderr).toBe('open: : Is a directory\n');
    const old = await sort('--profile', 'v4.8', join(directory, 'missing'), output);
    expect(old).toEqual({
      code: 1,
      stdout: 'Usage: ./program <input> <output>\n',
      stderr: 'open: : No such file or directory\n',
    });
  });

  it('v4.x with fewer than two files prints its usage and perror with errno 0', async () => {
    expect(await sort('--profile=v4.7', 'only-one')).toEqual({
      code: 1,
      stdout: 'Usage: ./program <input> <output>\n',
      stderr: 'open: : Success\n',
    });
  });

  it('writes an empty output at "max_size too small??": exit 0 in v6.18, 1 in v4.8', async () => {
    // 250 bytes allow 2 records; the third stops the tool.
    const input = file('tiny', 'a\n\nb\n\nc\n\n'.padEnd(250, ' '));
    const output = join(directory, 'tiny.out');
    expect(await sort(input, output)).toEqual({ code: 0, stdout: '', stderr: 'max_size too small??\n' });
    expect(readFileSync(output, 'latin1')).toBe('');
    writeFileSync(output, 'previous');
    expect(await sort('--profile', 'v4.8', input, output)).toEqual({
      code: 1,
      stdout: 'max_size too small??\n',
      stderr: '',
    });
    expect(readFileSync(output, 'latin1')).toBe('');
  });

  it('reads a directory as an empty input, as fopen and fgets make the tool do', async () => {
    const output = join(directory, 'from-directory.out');
    mkdirSync(join(directory, 'input-directory'), { recursive: true });
    expect(await sort(join(directory, 'input-directory'), output)).toEqual({
      code: 0,
      stdout: 'loaded 0\nsorting ....\nculling\n',
      stderr: '',
    });
    expect(readFileSync(output, 'latin1')).toBe('');
  });
});

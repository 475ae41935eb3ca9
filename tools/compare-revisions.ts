/**
 * Times an mmsim command on two revisions side by side: the working tree and another revision (default `HEAD~1`),
 * checked out once into a git worktree under the system's temporary directory and installed offline from the pnpm
 * store. Each round runs the command once on each side, alternating which goes first, in fresh Node.js processes; the
 * report gives the median CPU time (user + system of the child, which the machine's other load disturbs less than
 * wall time) and the median of `milliseconds` the command reports in its `--json` output when there is one (the
 * simulation alone, without start-up), and the ratios new/old. Only the ratio measured in one run means anything on
 * these machines.
 *
 *   node --import tsx tools/compare-revisions.ts [--ref REV] [--rounds N] -- run --mem 4G --workload kernel-build
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('../', import.meta.url).pathname;
const separator = process.argv.indexOf('--');
const { values } = parseArgs({
  args: process.argv.slice(2, separator < 0 ? undefined : separator),
  options: { ref: { type: 'string', default: 'HEAD~1' }, rounds: { type: 'string', default: '5' } },
});
const command = [...(separator < 0 ? ['run', '--mem', '4G'] : process.argv.slice(separator + 1)), '--json'];
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1)
  throw new Error(`--rounds must be a positive integer, not ${values.rounds}`);

const mmsim = ['--conditions=@mm/source', '--import', 'tsx', 'packages/cli/src/bin.ts'];
const output = join(mkdtempSync(join(tmpdir(), 'mmsim-compare-')), 'output.json');
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
const sha = git('rev-parse', '--short', values.ref!);
const old = join(tmpdir(), `mmsim-${sha}`);
if (!existsSync(old)) {
  git('worktree', 'add', '--detach', old, sha);
  execFileSync('pnpm', ['install', '--frozen-lockfile', '--offline'], { cwd: old, stdio: 'ignore' });
}

/**
 * One run of the command in `directory`: the CPU seconds of its process (bash's `times`, the children's user and
 * system time) and the milliseconds it reports in its JSON output, if any.
 */
function runOnce(directory: string): { cpu: number; reported: number | undefined } {
  const child = spawnSync(
    'bash',
    [
      '-c',
      '"$@" > "$MMSIM_OUTPUT"; status=$?; times >&2; exit $status',
      'compare',
      process.execPath,
      ...mmsim,
      ...command,
    ],
    { cwd: directory, encoding: 'utf8', env: { ...process.env, MMSIM_OUTPUT: output } },
  );
  if (child.status !== 0) throw new Error(`mmsim failed in ${directory}:\n${child.stderr}`);
  // times: the shell's own user and system time, then its children's.
  const children = child.stderr.trim().split('\n').at(-1)!.split(/\s+/).map(minutesSeconds);
  let reported: number | undefined;
  try {
    const parsed = JSON.parse(readFileSync(output, 'utf8')) as { milliseconds?: unknown };
    if (typeof parsed.milliseconds === 'number') reported = parsed.milliseconds;
  } catch {}
  return { cpu: children[0]! + children[1]!, reported };
}

/** Seconds of a `times` figure such as `0m1.234s`. */
function minutesSeconds(text: string): number {
  const match = /^(\d+)m([\d.]+)s$/.exec(text);
  if (match === null) throw new Error(`not a time of bash's times: ${text}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
const sides = {
  new: { cpu: [] as number[], reported: [] as number[] },
  old: { cpu: [] as number[], reported: [] as number[] },
};
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const);
  for (const side of order) {
    const result = runOnce(side === 'new' ? root : old);
    sides[side].cpu.push(result.cpu);
    if (result.reported !== undefined) sides[side].reported.push(result.reported);
  }
}
console.log(`mmsim ${command.join(' ')}: ${rounds} rounds, old = ${values.ref} (${sha}), new = the working tree`);
console.log(
  `  CPU s (median): old ${median(sides.old.cpu).toFixed(2)}, new ${median(sides.new.cpu).toFixed(2)}, new/old ${(median(sides.new.cpu) / median(sides.old.cpu)).toFixed(3)}`,
);
if (sides.old.reported.length === rounds && sides.new.reported.length === rounds) {
  console.log(
    `  reported ms (median): old ${median(sides.old.reported).toFixed(0)}, new ${median(sides.new.reported).toFixed(0)}, new/old ${(median(sides.new.reported) / median(sides.old.reported)).toFixed(3)}`,
  );
}

/**
 * `pnpm bench`: builds the packages, runs every package's `vitest bench` in one run, and prints one table. With
 * `--write` it also puts each package's rows into its README between `<!-- bench:start -->` and
 * `<!-- bench:end -->`. Extra arguments are passed to vitest as filters (`pnpm bench packages/buddy`).
 *
 * A group name may say how much work one run does, `(100k ops)`, `(1M events)`, `(56178 records)`: the table then shows
 * that work per second. A group whose name gives its input in bytes, `(2950410 bytes)`, and whose first row is its
 * control (the same run without the input's work) shows, for every other row, its marginal rate: the bytes over
 * the time the row takes beyond the control. Within a group every row is also given as a ratio to the group's
 * first row, measured side by side in the same run (the machines are noisy; ratios are what to compare).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';

interface Benchmark {
  name: string;
  hz: number;
  mean: number;
  rme: number;
}
interface Group {
  fullName: string;
  benchmarks: Benchmark[];
}
interface Results {
  files: { filepath: string; groups: Group[] }[];
}

const root = new URL('../', import.meta.url);
const args = process.argv.slice(2);
const write = args.includes('--write');
const skipBuild = args.includes('--no-build');
const filters = args.filter((arg) => !arg.startsWith('--'));
const output = '.tmp/bench-results.json';

const run = (command: string, commandArgs: string[]) =>
  execFileSync(command, commandArgs, {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });

mkdirSync(new URL('.tmp', root), { recursive: true });
if (!skipBuild) run('pnpm', ['run', 'build']);
run('pnpm', [
  'exec',
  'vitest',
  'bench',
  '--run',
  '--config',
  'vitest.bench.config.ts',
  '--outputJson',
  output,
  ...filters,
]);
const results = JSON.parse(readFileSync(new URL(output, root), 'utf8')) as Results;

/**
 * A row's work per second: runs, the group's work unit times runs, or (a group sized in bytes, after its control
 * row) the marginal MiB/s over the control.
 */
function perSecondCell(
  benchmark: Benchmark,
  control: Benchmark | undefined,
  amount: { count: number; unit: string } | undefined,
): string {
  if (amount === undefined) return `${rate(benchmark.hz)} runs`;
  if (amount.unit !== 'bytes') return `${rate(benchmark.hz * amount.count)} ${amount.unit}`;
  if (control === undefined || benchmark === control || benchmark.mean <= control.mean)
    return `${rate(benchmark.hz)} runs`;
  return `${(((amount.count / (benchmark.mean - control.mean)) * 1e3) / 2 ** 20).toFixed(1)} MiB marginal`;
}

function work(groupName: string): { count: number; unit: string } | undefined {
  const match = /\((\d+(?:\.\d+)?)([kM]?) (ops|events|calls|records|pages|bytes)\)/.exec(groupName);
  if (match === null) return undefined;
  const scale = match[2] === 'k' ? 1e3 : match[2] === 'M' ? 1e6 : 1;
  return { count: Number(match[1]) * scale, unit: match[3]! };
}

function rate(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k`;
  return value.toFixed(1);
}

function duration(milliseconds: number): string {
  if (milliseconds >= 1000) return `${(milliseconds / 1000).toFixed(2)} s`;
  if (milliseconds >= 1) return `${milliseconds.toFixed(2)} ms`;
  return `${(milliseconds * 1000).toFixed(1)} µs`;
}

const header = ['| benchmark | per second | mean | ± | vs first of group |', '|---|---:|---:|---:|---:|'];
const all = ['| package | benchmark | per second | mean | ± | vs first of group |', '|---|---|---:|---:|---:|---:|'];
// Groups of one package with the same name are one group, even from different files (a comparison whose sides
// must not share a process runs as two files: see packages/page-owner/bench/page-owner-off-vs-on.ts), in path order.
const groups = new Map<string, Map<string, Benchmark[]>>();
for (const file of [...results.files].sort((a, b) => a.filepath.localeCompare(b.filepath))) {
  const pkg = relative(new URL(root).pathname, file.filepath).split('/')[1]!;
  const byName = groups.get(pkg) ?? new Map<string, Benchmark[]>();
  for (const group of file.groups) {
    const groupName = group.fullName.split(' > ').slice(1).join(' > ');
    byName.set(groupName, [...(byName.get(groupName) ?? []), ...group.benchmarks]);
  }
  groups.set(pkg, byName);
}
const tables = new Map<string, string[]>();
for (const [pkg, byName] of groups) {
  const rows = [...header];
  for (const [groupName, benchmarks] of byName) {
    const amount = work(groupName);
    const first = benchmarks[0];
    for (const benchmark of benchmarks) {
      const perSecond = perSecondCell(benchmark, first, amount);
      const ratio = first === undefined || benchmark === first ? '1.00' : (benchmark.hz / first.hz).toFixed(2);
      const name = `${groupName}: ${benchmark.name}`.replaceAll('|', '\\|');
      const row = `${name} | ${perSecond} | ${duration(benchmark.mean)} | ${benchmark.rme.toFixed(1)}% | ${ratio} |`;
      rows.push(`| ${row}`);
      all.push(`| @mm/${pkg} | ${row}`);
    }
  }
  tables.set(pkg, rows);
}

process.stdout.write(`\n${all.join('\n')}\n`);
const written: string[] = [];
for (const [pkg, rows] of tables) {
  if (!write) continue;
  const readme = new URL(`packages/${pkg}/README.md`, root);
  const text = readFileSync(readme, 'utf8');
  const updated = text.replace(
    /<!-- bench:start -->[\s\S]*<!-- bench:end -->/,
    `<!-- bench:start -->\n${rows.join('\n')}\n<!-- bench:end -->`,
  );
  writeFileSync(`${readme.pathname}.tmp`, updated);
  renameSync(`${readme.pathname}.tmp`, readme);
  written.push(readme.pathname);
}
// The allocator's control: @mm/buddy against a plain buddy allocator, in interleaved rounds of a process per
// measurement (a script, not a vitest bench: the two sides alternate within each round). Run when no filter leaves
// the buddy package out.
if (filters.length === 0 || filters.some((filter) => filter.includes('buddy'))) {
  const comparison = execFileSync('pnpm', ['exec', 'tsx', 'packages/buddy/bench/plain-buddy-comparison.ts'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(`\n${comparison}`);
  if (write) {
    const readme = new URL('packages/buddy/README.md', root);
    const text = readFileSync(readme, 'utf8').replace(
      /<!-- baseline:start -->[\s\S]*<!-- baseline:end -->/,
      `<!-- baseline:start -->\n${comparison.trimEnd()}\n<!-- baseline:end -->`,
    );
    writeFileSync(`${readme.pathname}.tmp`, text);
    renameSync(`${readme.pathname}.tmp`, readme);
    if (!written.includes(readme.pathname)) written.push(readme.pathname);
  }
}
// Let the formatter align the tables, so that `pnpm lint` stays clean.
if (written.length > 0) run('pnpm', ['exec', 'biome', 'format', '--write', ...written]);

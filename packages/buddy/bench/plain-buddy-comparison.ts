/**
 * `@mm/buddy` against the plain buddy allocator of `plain-buddy.ts` on 2^20 pages (4 GiB), on five workloads drawn
 * from one seeded xorshift32, with the plain allocator behind a per-CPU list (`per-cpu-plain-buddy.ts`: what a
 * per-CPU list doing v6.18's least work a page buys it) beside them. Each round runs every workload on the three
 * allocators, one after the other, each in a process of its own (as a simulated machine runs in a process of its
 * own): the process warms its code up on three allocators (`warmedUp()`), then times the workload on a fresh one
 * (set-up untimed), in CPU time (user + system). Prints, per workload, the median rate of each allocator over the
 * rounds, the median, min and max of the per-round ratios `@mm/buddy` / plain (above 1 is faster) with the ratio it
 * is to reach, and the median per-round ratio of the per-CPU list one to the plain one.
 *
 * One process per measurement, because in a process that makes and drops many machines the optimised code of the
 * allocator holds the dead machines' objects, is thrown away when the garbage collector takes them ("weak
 * objects" deoptimisations), and after enough of that V8 stops optimising it: the rates then depend on when the
 * collector happens to run, not on the allocator.
 *
 * Run it built, as users get the package: `pnpm bench` runs it after the vitest benchmarks (or, once built,
 * `pnpm exec tsx packages/buddy/bench/plain-buddy-comparison.ts [--rounds N]`).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Allocator, sides, type Workload, warmedUp, workloads } from './plain-buddy-workloads';

function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** The rate (operations per CPU second) of one workload on one allocator, after its warm-up (see {@link warmedUp}). */
function measure(workload: Workload, create: () => Allocator, seed: number): number {
  const { allocator, live, random } = warmedUp(workload, create, seed);
  const start = cpuSeconds();
  const operations = workload.run(allocator, live, random);
  return operations / (cpuSeconds() - start);
}

/** {@link measure} in a process of its own: this script, run with `--measure WORKLOAD SIDE SEED`. */
function measureInChild(workload: number, side: number, seed: number): number {
  const output = execFileSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--measure', `${workload}`, `${side}`, `${seed}`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const rate = Number(output.trim());
  if (!(rate > 0)) throw new Error(`plain-buddy-comparison: a measurement printed '${output.trim()}'`);
  return rate;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const rate = (value: number) => (value >= 1e6 ? `${(value / 1e6).toFixed(2)} M` : `${(value / 1e3).toFixed(0)} k`);

/**
 * Runs the comparison; returns the rows: the workload, each allocator's median rate, the median, min and max of
 * `@mm/buddy`'s per-round ratios to the plain allocator with its target, and the median of the per-CPU list one's.
 */
function comparePlainBuddy(rounds: number, seed = 1) {
  const rates = workloads.map(() => sides.map(() => [] as number[]));
  for (let round = 0; round < rounds; round++) {
    workloads.forEach((_, index) => {
      sides.forEach((_side, sideIndex) => {
        rates[index]![sideIndex]!.push(measureInChild(index, sideIndex, seed));
      });
    });
  }
  return workloads.map((workload, index) => {
    const [plain, mm, perCpu] = rates[index]! as [number[], number[], number[]];
    const toPlain = (values: number[]) => values.map((value, round) => value / plain[round]!);
    const ratios = toPlain(mm);
    return {
      workload: workload.name,
      unit: workload.unit,
      plain: median(plain),
      mm: median(mm),
      ratio: median(ratios),
      target: workload.target,
      min: Math.min(...ratios),
      max: Math.max(...ratios),
      perCpu: median(perCpu),
      perCpuRatio: median(toPlain(perCpu)),
    };
  });
}

const measureArgument = process.argv.indexOf('--measure');
if (measureArgument > 0) {
  const [workload, side, seed] = process.argv.slice(measureArgument + 1).map(Number);
  process.stdout.write(`${measure(workloads[workload!]!, sides[side!]!.create, seed!)}\n`);
} else {
  const roundsArgument = process.argv.indexOf('--rounds');
  const rounds = roundsArgument > 0 ? Number(process.argv[roundsArgument + 1]) : 5;
  const rows = comparePlainBuddy(rounds);
  const lines = [
    `| workload (order 0 unless said; 2^20 pages; median of ${rounds} interleaved rounds, a process each, CPU time) | plain JS buddy | @mm/buddy | ratio | target | min-max | plain + per-CPU list | its ratio |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.workload}, ${row.unit}/s | ${rate(row.plain)} | ${rate(row.mm)} | ${row.ratio.toFixed(2)} | ${row.target.toFixed(1)} | ${row.min.toFixed(2)}-${row.max.toFixed(2)} | ${rate(row.perCpu)} | ${row.perCpuRatio.toFixed(2)} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

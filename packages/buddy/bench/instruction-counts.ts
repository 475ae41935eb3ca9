/**
 * The plain-buddy comparison counted in instructions rather than CPU time: each workload of
 * `plain-buddy-workloads.ts` on each allocator, run under valgrind's callgrind, which counts the instructions each
 * thread executes. A count does not depend on what else the machine runs, so a change of a few percent shows where
 * CPU time (±20% between identical rounds on a shared machine) hides it.
 *
 * One measurement is two processes, each warming up on three allocators and preparing a fourth (`warmedUp()`); only
 * the first then runs the workload on it. Their difference is one warm run, divided by its operations. V8 runs
 * `--predictable`: it compiles and collects garbage on the main thread, at the same points in every run, so the
 * warm-up optimises the same code in both. The plain allocator and `@mm/buddy` then repeat within 5% (the plain one
 * mostly to the instruction; the per-CPU list one's steady state does not, 385-463 in three runs); without it, two
 * builds of the same code differed by up to 20% an operation, as V8 inlined differently.
 *
 * Needs valgrind (Debian: `apt-get install valgrind`); not part of `pnpm bench`. Run it built:
 * `pnpm exec tsx packages/buddy/bench/instruction-counts.ts [workload number...]` (numbers as in the comparison's
 * table, from 0). Takes about 40 s a workload and allocator.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sides, warmedUp, workloads } from './plain-buddy-workloads';

/** `--run WORKLOAD SIDE TIMED`: the warm-up, then the prepared workload, run when TIMED is 1; prints its operations. */
function runInChild(workloadIndex: number, sideIndex: number, timed: boolean): void {
  const workload = workloads[workloadIndex]!;
  const { allocator, live, random } = warmedUp(workload, sides[sideIndex]!.create, 1);
  process.stdout.write(`${timed ? workload.run(allocator, live, random) : 0}\n`);
}

/**
 * Instructions the main thread executes running this script in `--run` mode under callgrind, and the operations it
 * printed. Only the main thread counts: the loader's worker thread (tsx) and V8's helper threads run a varying
 * number of instructions of their own (the whole process's count moved by 10% between identical runs, the main
 * thread's by 0.2%).
 */
function countInstructions(workloadIndex: number, sideIndex: number, timed: boolean) {
  const directory = mkdtempSync(join(tmpdir(), 'instruction-counts-'));
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--separate-threads=yes',
      `--callgrind-out-file=${join(directory, 'callgrind.out')}`,
      process.execPath,
      ...process.execArgv,
      '--predictable',
      fileURLToPath(import.meta.url),
      '--run',
      `${workloadIndex}`,
      `${sideIndex}`,
      timed ? '1' : '0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise<{ instructions: number; operations: number }>((resolve, reject) => {
    child.on('close', (code) => {
      try {
        // Thread 1, the main thread, is the file ending in -01.
        const mainThread = readdirSync(directory).find((name) => name.endsWith('-01'));
        const summary =
          mainThread === undefined ? null : /^summary: (\d+)$/m.exec(readFileSync(join(directory, mainThread), 'utf8'));
        if (code !== 0 || summary === null) {
          const tail = stderr.split('\n').slice(-8).join('\n');
          throw new Error(`instruction-counts: valgrind exited ${code} without a main thread's count:\n${tail}`);
        }
        resolve({ instructions: Number(summary[1]), operations: Number(stdout.trim()) });
      } catch (error) {
        reject(error);
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    });
  });
}

/** Instructions a warm run of the workload costs per operation on one side (the two processes run at once). */
async function instructionsPerOperation(workloadIndex: number, sideIndex: number): Promise<number> {
  const [timed, untimed] = await Promise.all([
    countInstructions(workloadIndex, sideIndex, true),
    countInstructions(workloadIndex, sideIndex, false),
  ]);
  return (timed.instructions - untimed.instructions) / timed.operations;
}

const runArgument = process.argv.indexOf('--run');
if (runArgument > 0) {
  const [workload, side, timed] = process.argv.slice(runArgument + 1).map(Number);
  runInChild(workload!, side!, timed === 1);
} else if (spawnSync('valgrind', ['--version']).error !== undefined) {
  process.stderr.write('instruction-counts: needs valgrind on the PATH (Debian: apt-get install valgrind)\n');
  process.exitCode = 1;
} else {
  const chosen = process.argv.slice(2).map(Number);
  const indexes = chosen.length > 0 ? chosen : workloads.map((_, index) => index);
  const lines = [
    '| workload (2^20 pages; instructions per operation of a warm run, main thread, under callgrind) | plain JS buddy | @mm/buddy | ratio | plain + per-CPU list | its ratio |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const index of indexes) {
    const workload = workloads[index];
    if (workload === undefined) throw new RangeError(`instruction-counts: no workload ${index}`);
    const counts: number[] = [];
    for (let side = 0; side < sides.length; side++) counts.push(await instructionsPerOperation(index, side));
    const [plain, mm, perCpu] = counts as [number, number, number];
    lines.push(
      `| ${workload.name} | ${plain.toFixed(0)} | ${mm.toFixed(0)} | ${(plain / mm).toFixed(2)} | ${perCpu.toFixed(0)} | ${(plain / perCpu).toFixed(2)} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

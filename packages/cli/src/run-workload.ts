import { boot, type Kernel } from '@mm/kernel';
import type { ProfileName } from '@mm/physmem';
import { builtinWorkloads, Simulation } from '@mm/workloads';
import { UsageError } from './cli-io';

/** The result of a run: the booted kernel after the workload, with timings. */
export interface RunResult {
  readonly kernel: Kernel;
  readonly workload: string;
  readonly seed: number;
  readonly milliseconds: number;
  readonly failedAllocations: number;
  /** The workload's own counters (`debug_pagealloc.injected`, ...). */
  readonly counters: ReadonlyMap<string, number>;
}

/** Boots and runs a workload (shared by `mmsim run` and others). */
export function runWorkload(options: {
  memory: string;
  cmdline: string;
  profile: ProfileName;
  workload: string;
  seed: number;
  cpus: number;
  depotFailureRate?: number;
}): RunResult {
  const started = performance.now();
  const make = builtinWorkloads[options.workload];
  if (make === undefined) throw new UsageError(`mmsim run: unknown workload '${options.workload}'`);
  const kernel = boot({
    memory: options.memory,
    cmdline: options.cmdline,
    profile: options.profile,
    cpus: options.cpus,
    ...(options.depotFailureRate !== undefined ? { depotFailureRate: options.depotFailureRate } : {}),
  });
  const sim = new Simulation(kernel, { seed: options.seed });
  make().run(sim);
  return {
    kernel,
    workload: options.workload,
    seed: options.seed,
    milliseconds: performance.now() - started,
    failedAllocations: sim.failures,
    counters: sim.counters,
  };
}

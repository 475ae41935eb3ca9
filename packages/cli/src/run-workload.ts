import { totalmem } from 'node:os';
import { allFeatures } from '@mm/defaults';
import { boot, type Kernel } from '@mm/kernel';
import { PER_PAGE_PFNS, type ProfileName } from '@mm/physmem';
import { builtinWorkloads, Simulation, type Workload } from '@mm/workloads';
import { CliError, UsageError } from './cli-io';
import { errorText } from './describe-error';

/** The result of a run: the booted kernel after the workload, with timings. */
export interface RunResult {
  readonly kernel: Kernel;
  readonly workload: string;
  readonly seed: number;
  readonly milliseconds: number;
  /** The workload's own counters (`debug_pagealloc.injected`, ...). */
  readonly counters: ReadonlyMap<string, number>;
  /** The stack depot and free memory over the run: after boot, at each half percent of progress, and at the end. */
  readonly timeline: readonly TimelineSample[];
}

/**
 * One point of a run's timeline: simulated nanoseconds since boot, free pages, and what the features sample (the
 * stack depot's `stacks` and `depotBytes`).
 */
export type TimelineSample = { readonly ns: number; readonly freePages: number } & Readonly<Record<string, number>>;

/** Samples free memory and the features of a running kernel. */
export function sampleTimeline(kernel: Kernel): TimelineSample {
  return { ns: kernel.memory.clock.ns, ...kernel.sample(), freePages: kernel.buddy.nrFreePages() };
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
  /** A workload of the user's own (`--workload ./mine.ts`), instead of a built-in one by name. */
  make?: () => Workload;
  /** Told the fraction done now and then. */
  progress?: (fraction: number) => void;
  /**
   * Points of the run (fractions done, ascending, 0 < f <= 1) at which `checkpoint` is called with the kernel as it
   * is then: the first time the workload reports that much progress, and at the end for points not yet reached.
   */
  checkpoints?: readonly number[];
  checkpoint?: (fraction: number, kernel: Kernel) => void;
}): RunResult {
  const started = performance.now();
  const make = options.make ?? builtinWorkloads[options.workload];
  if (make === undefined) throw new UsageError(`mmsim run: unknown workload '${options.workload}'`);
  const kernel = boot({
    memory: options.memory,
    cmdline: options.cmdline,
    profile: options.profile,
    cpus: options.cpus,
    features: allFeatures(options.depotFailureRate !== undefined ? { depotFailureRate: options.depotFailureRate } : {}),

    hostMemoryLimit: totalmem(),
    // A workload uses pages and the output walks every one: the machine must end within the per-page window.
    maxPfn: PER_PAGE_PFNS,
  });
  const sim = new Simulation(kernel, { seed: options.seed });
  const timeline = [sampleTimeline(kernel)];
  let sampled = 0;
  const checkpoints = options.checkpoints ?? [];
  let next = 0;
  const reach = (fraction: number) => {
    while (next < checkpoints.length && checkpoints[next]! <= fraction)
      options.checkpoint?.(checkpoints[next++]!, kernel);
  };
  make().run(sim, (fraction) => {
    const step = Math.floor(fraction * 200);
    if (step > sampled) {
      sampled = step;
      timeline.push(sampleTimeline(kernel));
    }
    reach(fraction);
    options.progress?.(fraction);
  });
  reach(1);
  timeline.push(sampleTimeline(kernel));
  return {
    kernel,
    workload: options.workload,
    seed: options.seed,
    milliseconds: performance.now() - started,
    counters: sim.counters,
    timeline,
  };
}

/**
 * A user's workload module (`--workload ./mine.ts`): its default export, or its `workload` export, is a
 * {@link Workload} or a function returning one. TypeScript modules load when mmsim runs through tsx (`pnpm mmsim`).
 */
export async function loadWorkloadModule(path: string): Promise<() => Workload> {
  const { pathToFileURL } = await import('node:url');
  const { resolve } = await import('node:path');
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(resolve(path)).href);
  } catch (error) {
    throw new UsageError(`mmsim run: cannot load workload module '${path}': ${errorText(error)}`);
  }
  const exported = module.default ?? module.workload;
  const isWorkload = (value: unknown): value is Workload =>
    typeof value === 'object' && value !== null && typeof (value as Workload).run === 'function';
  // The module's failures are the user's to fix: one line naming the module (the stack under --debug).
  const guarded = (workload: Workload): Workload => ({
    name: workload.name,
    description: workload.description,
    run(sim, progress) {
      try {
        workload.run(sim, progress);
      } catch (error) {
        throw new CliError(`workload module '${path}' failed: ${errorText(error)}`, { cause: error });
      }
    },
  });
  if (isWorkload(exported)) return () => guarded(exported);
  if (typeof exported === 'function') {
    return () => {
      let made: unknown;
      try {
        made = (exported as () => unknown)();
      } catch (error) {
        throw new CliError(`workload module '${path}' failed: ${errorText(error)}`, { cause: error });
      }
      if (!isWorkload(made))
        throw new UsageError(`mmsim run: '${path}' did not make a workload (an object with run())`);
      return guarded(made);
    };
  }
  throw new UsageError(
    `mmsim run: '${path}' exports no workload: export default { name, description, run(sim) { ... } } (see @mm/workloads)`,
  );
}

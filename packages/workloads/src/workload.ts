import type { Simulation } from './simulation';

/** A workload: something simulated processes do to the machine after boot. */
export interface Workload {
  readonly name: string;
  /** One line for `mmsim run --help`. */
  readonly description: string;
  /** Runs the workload; `progress` gets the fraction done (0..1) now and then. */
  run(sim: Simulation, progress?: (fraction: number) => void): void;
}

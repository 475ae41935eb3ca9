/**
 * `current` and `smp_processor_id()`: the task the simulated kernel code runs for and the CPU it runs on.
 * Workloads switch it; boot runs as pid 0, `swapper/0`.
 */
export interface CurrentTask {
  pid: number;
  tgid: number;
  /** `task->comm`: at most 15 characters, as `get_task_comm()` keeps them. */
  comm: string;
  cpu: number;
}

/** The boot task. */
export function bootTask(): CurrentTask {
  return { pid: 0, tgid: 0, comm: 'swapper/0', cpu: 0 };
}

import { MEMCG_ROOT } from './memory-cgroups';

/**
 * `current` and `smp_processor_id()`: the task the simulated kernel code runs for and the CPU it runs on.
 * Workloads switch it; boot runs as pid 0, `swapper` until `sched_init()` names it `swapper/0`. Every change of the task (pid, tgid or comm) bumps
 * `switches`, so that code which remembers something per task (page_owner's last context) checks one number.
 */
export class CurrentTask {
  // Fields the hot paths read start with a value of their kind (an empty array, 0, a blank object), never undefined
  // (a boolean gains nothing): see "Fast listeners" in docs/guide/writing-a-client.md (such a field costs a check at
  // every use).
  #pid = 0;
  #tgid = 0;
  #comm = '';
  cpu = 0;
  /**
   * The task's memory cgroup (`mem_cgroup_from_task()`): what its user pages are charged to ({@link MemoryCgroups}
   * ids; the root for kernel threads and tasks in no other cgroup).
   */
  memcg = MEMCG_ROOT;
  /** Changes of pid, tgid or comm so far. */
  switches = 0;

  constructor(pid: number, tgid: number, comm: string, cpu: number) {
    this.#pid = pid;
    this.#tgid = tgid;
    this.#comm = comm;
    this.cpu = cpu;
  }

  get pid(): number {
    return this.#pid;
  }

  set pid(pid: number) {
    if (pid !== this.#pid) this.switches++;
    this.#pid = pid;
  }

  get tgid(): number {
    return this.#tgid;
  }

  set tgid(tgid: number) {
    if (tgid !== this.#tgid) this.switches++;
    this.#tgid = tgid;
  }

  /** `task->comm`: at most 15 characters, as `get_task_comm()` keeps them. */
  get comm(): string {
    return this.#comm;
  }

  set comm(comm: string) {
    if (comm !== this.#comm) this.switches++;
    this.#comm = comm;
  }

  /**
   * Runs `body` as `task` (a context switch to it and back, even on a throw); the CPU changes too if `task` says
   * which.
   */
  runAs<T>(
    task: {
      readonly pid: number;
      readonly tgid: number;
      readonly comm: string;
      readonly cpu?: number;
      readonly memcg?: number;
    },
    body: () => T,
  ): T {
    const saved = { pid: this.#pid, tgid: this.#tgid, comm: this.#comm, cpu: this.cpu, memcg: this.memcg };
    this.memcg = task.memcg ?? MEMCG_ROOT;
    this.pid = task.pid;
    this.tgid = task.tgid;
    this.comm = task.comm;
    if (task.cpu !== undefined) this.cpu = task.cpu;
    try {
      return body();
    } finally {
      this.pid = saved.pid;
      this.tgid = saved.tgid;
      this.comm = saved.comm;
      this.cpu = saved.cpu;
      this.memcg = saved.memcg;
    }
  }
}

/** The boot task: `init_task` (include/linux/init_task.h: `.comm = INIT_TASK_COMM`, `"swapper"`), pid 0, CPU 0. */
export function bootTask(): CurrentTask {
  return new CurrentTask(0, 0, 'swapper', 0);
}

import type { BuddyAllocator } from '@mm/buddy';
import type { HookBus } from '@mm/hooks';
import type { PhysicalMemory } from '@mm/physmem';
import type { Vm, VmTask } from '@mm/vm';

/** Counters of migrations (`/proc/vmstat` names). */
export interface MigrationStats {
  /** `pgmigrate_success` */
  pgmigrate_success: number;
  /** `pgmigrate_fail` */
  pgmigrate_fail: number;
}

/**
 * `migrate_pages()` (mm/migrate.c) for order-0 user pages: for each page, a target (from the caller, as compaction
 * gives its isolated free pages, or `alloc_migration_target()`: GFP_HIGHUSER_MOVABLE), the vm moves contents,
 * flags and every mapping, the `migrate_copy` hook lets page_owner copy its record (and store the reason) and
 * page_idle its flags, and the old page is freed. Pages the vm does not manage (kernel pages, free pages) fail.
 */
export class Migration {
  readonly memory: PhysicalMemory;
  readonly stats: MigrationStats = { pgmigrate_success: 0, pgmigrate_fail: 0 };
  readonly #buddy: BuddyAllocator;
  readonly #hooks: HookBus;
  readonly #vm: Vm;

  constructor(deps: { memory: PhysicalMemory; buddy: BuddyAllocator; hooks: HookBus; vm: Vm }) {
    this.memory = deps.memory;
    this.#buddy = deps.buddy;
    this.#hooks = deps.hooks;
    this.#vm = deps.vm;
  }

  /** The number of a migrate reason by its name in this profile (`compaction`, `memory_hotplug`, ...). */
  reason(name: string): number {
    const reason = this.memory.profile.migrateReasonNames.indexOf(name);
    if (reason < 0) {
      throw new RangeError(
        `no migrate reason '${name}' in ${this.memory.profile.name} (${this.memory.profile.migrateReasonNames.join(', ')})`,
      );
    }
    return reason;
  }

  /**
   * Migrates each page to a target from `target` (default: a new GFP_HIGHUSER_MOVABLE page) for `reason` (an
   * `MR_*` number). Returns how many moved; stops early when no target is left.
   */
  migratePages(pfns: readonly number[], reason: number, target?: () => number): number {
    let migrated = 0;
    const gfp = this.memory.profile.gfp.flags.GFP_HIGHUSER_MOVABLE;
    for (const pfn of pfns) {
      if (!this.#vm.isMovable(pfn)) {
        this.stats.pgmigrate_fail++;
        continue;
      }
      const to = target === undefined ? this.#buddy.allocPages(gfp, 0) : target();
      if (to < 0) break;
      this.migrateOne(pfn, to, reason);
      migrated++;
    }
    return migrated;
  }

  /**
   * `migrate_pages(2)` / `move_pages(2)` (and cpuset moves): every page present in `task`'s page tables that is not
   * on `node` moves to a page there (`MR_SYSCALL`, `syscall_or_cpuset`). Returns the pages moved.
   */
  migrateTask(task: VmTask, node: number): number {
    return this.#migrateTo(task, node, this.reason('syscall_or_cpuset'));
  }

  /**
   * NUMA balancing (`migrate_misplaced_folio()`): the task runs on `cpu`; the pages it maps on another node than that
   * CPU's move to it (`numa_misplaced`). The hinting faults that find them are not simulated: every mapped page is
   * considered touched. Returns the pages moved.
   */
  numaBalance(task: VmTask, cpu: number): number {
    return this.#migrateTo(task, this.#buddy.nodeOfCpu(cpu), this.reason('numa_misplaced'));
  }

  #migrateTo(task: VmTask, node: number, reason: number): number {
    const { memory } = this;
    const cpu = Array.from({ length: memory.cpus }, (_, index) => index).find(
      (index) => this.#buddy.nodeOfCpu(index) === node,
    );
    if (cpu === undefined) throw new RangeError(`no CPU on node ${node}`);
    const pfns: number[] = [];
    for (const vma of task.mm.vmas) {
      for (const entry of vma.pte) if (entry !== 0 && memory.nodeOf(entry - 1) !== node) pfns.push(entry - 1);
    }
    const gfp = memory.profile.gfp.flags.GFP_HIGHUSER_MOVABLE;
    // Allocating from a CPU of the node takes its memory first (the node's zonelist).
    return memory.current.runAs({ ...task, cpu }, () =>
      this.migratePages([...new Set(pfns)], reason, () => {
        const target = this.#buddy.allocPages(gfp, 0);
        if (target >= 0 && memory.nodeOf(target) !== node) {
          this.#buddy.freePages(target, 0);
          return -1;
        }
        return target;
      }),
    );
  }

  /** Moves one movable page to `to` (an order-0 page just allocated for it) and frees the old one. */
  migrateOne(from: number, to: number, reason: number): void {
    this.#vm.movePage(from, to);
    this.#hooks.migrate_copy.call(from, to, 0, reason);
    this.#buddy.freePages(from, 0);
    this.stats.pgmigrate_success++;
  }
}

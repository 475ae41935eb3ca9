import { type BuddyAllocator, type BuddyZone, formatBuddyinfo, formatPagetypeinfo } from '@mm/buddy';
import type { HookBus } from '@mm/hooks';
import type { KernelProfile, PhysicalMemory } from '@mm/physmem';
import type { BootAllocation } from './boot-allocations';
import type { CommandLineArgument } from './command-line';

/** An extra table of /proc/pagetypeinfo contributed by a client (page_owner's mixed blocks). */
export interface PagetypeinfoContribution {
  readonly title: string;
  readonly counts: (zone: BuddyZone) => readonly number[];
}

/** What `boot()` returns: the running simulated kernel and its views. */
export class Kernel {
  readonly profile: KernelProfile;
  readonly memory: PhysicalMemory;
  readonly hooks: HookBus;
  readonly buddy: BuddyAllocator;
  /** The command line as given. */
  readonly cmdline: string;
  /** Parameters some package owns. */
  readonly parameters: readonly CommandLineArgument[];
  /** Parameters nobody owns (passed to init, as the kernel does). */
  readonly unknownParameters: readonly CommandLineArgument[];
  /** Blocks the kernel allocated during boot and holds. */
  readonly bootAllocations: readonly BootAllocation[];
  /** Host milliseconds the boot took. */
  readonly bootMilliseconds: number;
  readonly #pagetypeinfo: PagetypeinfoContribution[] = [];

  constructor(init: {
    memory: PhysicalMemory;
    hooks: HookBus;
    buddy: BuddyAllocator;
    cmdline: string;
    parameters: readonly CommandLineArgument[];
    unknownParameters: readonly CommandLineArgument[];
    bootAllocations: readonly BootAllocation[];
    bootMilliseconds: number;
  }) {
    this.memory = init.memory;
    this.profile = init.memory.profile;
    this.hooks = init.hooks;
    this.buddy = init.buddy;
    this.cmdline = init.cmdline;
    this.parameters = init.parameters;
    this.unknownParameters = init.unknownParameters;
    this.bootAllocations = init.bootAllocations;
    this.bootMilliseconds = init.bootMilliseconds;
  }

  /** The kernel log (`dmesg`). */
  dmesg(): string {
    return this.memory.log.text();
  }

  /** `/proc/buddyinfo`. */
  buddyinfo(): string {
    return formatBuddyinfo(this.buddy);
  }

  /** `/proc/pagetypeinfo`, with the tables clients contribute. */
  pagetypeinfo(): string {
    return formatPagetypeinfo(this.buddy, this.#pagetypeinfo);
  }

  /** Adds a table to /proc/pagetypeinfo (page_owner's `Number of mixed blocks`). */
  addPagetypeinfoSection(section: PagetypeinfoContribution): void {
    this.#pagetypeinfo.push(section);
  }

  /** Host bytes of the simulation's per-page state: physmem's struct pages plus the allocator's arrays. */
  hostBytes(): number {
    return this.memory.hostBytes() + this.buddy.hostBytes();
  }
}

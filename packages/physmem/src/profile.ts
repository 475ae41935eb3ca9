import { type ArchSpec, architectures, type ZoneType } from './arch';
import { type GfpTable, gfpV48, gfpV618 } from './gfp';
import { type PageFlagTable, pageFlagsV48, pageFlagsV618 } from './page-flags';
import { layoutI386, layoutX8664V4, layoutX8664V6, type PageFlagsLayout } from './page-flags-layout';

/** Kernel versions mmsim can boot. v4.7 shares v4.8's tables and differs in page_owner (inline stacks). */
export type ProfileName = 'v4.7' | 'v4.8' | 'v6.18';

/** The profile names, oldest first. */
export const profileNames: readonly ProfileName[] = ['v4.7', 'v4.8', 'v6.18'];

/** Sizes of the kernel image as `mem_init_print_info()` reports them, in KiB. */
export interface KernelImage {
  readonly codeKiB: number;
  readonly rwdataKiB: number;
  readonly rodataKiB: number;
  readonly initKiB: number;
  readonly bssKiB: number;
}

/**
 * Everything about a kernel version (and architecture) that changes what the simulation does or prints: data, not
 * code paths. Packages above physmem keep their own per-version tables keyed by {@link KernelProfile.name}.
 */
export interface KernelProfile {
  readonly name: ProfileName;
  /** `v4` for v4.7 and v4.8, `v6` for v6.18: the era decides most formats. */
  readonly era: 'v4' | 'v6';
  /** `uname -r`-like release, for the boot log. */
  readonly release: string;
  readonly arch: ArchSpec;
  /**
   * `enum zone_type` of this kernel on this architecture: the architecture's zones, plus an always-empty
   * ZONE_DEVICE on v6.18 x86_64 (CONFIG_ZONE_DEVICE, which is why its page->flags zone field has 3 bits and
   * /proc/zoneinfo shows five protection values).
   */
  readonly zoneTypes: readonly ZoneType[];
  readonly gfp: GfpTable;
  readonly pageFlags: PageFlagTable;
  readonly pageFlagsLayout: PageFlagsLayout;
  /** Highest order kept on per-CPU lists: 0 in v4.8; PAGE_ALLOC_COSTLY_ORDER (3) in v6.18, plus pageblock order for THP. */
  readonly pcpMaxOrder: number;
  /** v6.18 also keeps pageblock_order (THP) blocks on per-CPU lists. */
  readonly pcpThpOrder: boolean;
  /** `calculate_min_free_kbytes()` upper clamp: 65536 in v4.8, 262144 in v6.18. */
  readonly minFreeKbytesMax: number;
  /** `migrate_reason_names[]` by MR_* value. */
  readonly migrateReasonNames: readonly string[];
  readonly kernelImage: KernelImage;
}

const v4Reasons = [
  'compaction',
  'memory_failure',
  'memory_hotplug',
  'syscall_or_cpuset',
  'mempolicy_mbind',
  'numa_misplaced',
  'cma',
];
/** v6.18 renamed `cma` to `contig_range` and added three reasons. */
const v6Reasons = [...v4Reasons.slice(0, 6), 'contig_range', 'longterm_pin', 'demotion', 'damon'];

function withoutIdleFlags(table: PageFlagTable): PageFlagTable {
  // 32-bit kernels have no room for PG_young/PG_idle: they live in page_ext (mm/page_idle.c).
  const names = table.names.filter(({ name }) => name !== 'young' && name !== 'idle');
  return { bit: { ...table.bit, young: -1, idle: -1 }, count: table.count - 2, names };
}

const profiles = new Map<string, KernelProfile>();

/**
 * The profile of a kernel version for an architecture. Built once per process and shared by every machine that
 * asks for it (it is read-only): the code that reads a profile stays optimised for the next machine, where a fresh
 * copy of the object would throw it away.
 */
export function getProfile(name: ProfileName, archName: ArchSpec['name'] = 'x86_64'): KernelProfile {
  const key = `${name} ${archName}`;
  let profile = profiles.get(key);
  if (profile === undefined) {
    profile = buildProfile(name, archName);
    profiles.set(key, profile);
  }
  return profile;
}

function buildProfile(name: ProfileName, archName: ArchSpec['name']): KernelProfile {
  const arch = architectures[archName];
  if (arch === undefined) throw new Error(`unknown architecture '${archName}' (expected x86_64 or i386)`);
  const v6 = name === 'v6.18';
  const pageFlags = v6 ? pageFlagsV618 : pageFlagsV48;
  return {
    name,
    era: v6 ? 'v6' : 'v4',
    release: { 'v4.7': '4.7.10', 'v4.8': '4.8.15', 'v6.18': '6.18.2' }[name],
    arch,
    zoneTypes:
      v6 && arch.name === 'x86_64'
        ? [...arch.zoneTypes, { index: arch.zoneTypes.length, name: 'Device', endPfn: 0 }]
        : arch.zoneTypes,
    gfp: v6 ? gfpV618 : gfpV48,
    pageFlags: arch.bitsPerLong === 64 ? pageFlags : withoutIdleFlags(pageFlags),
    pageFlagsLayout: arch.bitsPerLong === 32 ? layoutI386 : v6 ? layoutX8664V6 : layoutX8664V4,
    pcpMaxOrder: v6 ? 3 : 0,
    pcpThpOrder: v6,
    minFreeKbytesMax: v6 ? 262144 : 65536,
    migrateReasonNames: v6 ? v6Reasons : v4Reasons,
    kernelImage: v6
      ? { codeKiB: 14336, rwdataKiB: 4096, rodataKiB: 5120, initKiB: 3072, bssKiB: 4096 }
      : { codeKiB: 8432, rwdataKiB: 1452, rodataKiB: 3612, initKiB: 1484, bssKiB: 1396 },
  };
}

/** Checks a user-supplied profile name. */
export function isProfileName(name: string): name is ProfileName {
  return (profileNames as readonly string[]).includes(name);
}

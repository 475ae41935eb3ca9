import type { KernelProfile } from '@mm/physmem';

/**
 * A task's state letter (`task_state_array[]`, fs/proc/array.c). `P` (parked) and `I` (idle) exist from v4.14;
 * v4.8 reports a parked task as `S (sleeping)` and an idle one (TASK_UNINTERRUPTIBLE | TASK_NOLOAD) as
 * `D (disk sleep)`.
 */
export type TaskStateLetter = 'R' | 'S' | 'D' | 'T' | 't' | 'X' | 'Z' | 'P' | 'I';

const stateNames: Record<TaskStateLetter, string> = {
  R: 'R (running)',
  S: 'S (sleeping)',
  D: 'D (disk sleep)',
  T: 'T (stopped)',
  t: 't (tracing stop)',
  X: 'X (dead)',
  Z: 'Z (zombie)',
  P: 'P (parked)',
  I: 'I (idle)',
};

/**
 * The memory lines of `task_mem()` (fs/proc/task_mmu.c), in KiB, under the names the file prints. The kernel derives
 * some from others; the formatter does the same: VmRSS is RssAnon + RssFile + RssShmem, VmPeak is at least
 * VmSize and VmHWM at least VmRSS (`hiwater_vm`/`hiwater_rss` are only updated when the figure drops).
 */
export interface ProcStatusMemory {
  readonly VmPeak: number;
  readonly VmSize: number;
  readonly VmLck: number;
  readonly VmPin: number;
  readonly VmHWM: number;
  /** Optional; when given it must equal RssAnon + RssFile + RssShmem. */
  readonly VmRSS?: number;
  readonly RssAnon: number;
  readonly RssFile: number;
  readonly RssShmem: number;
  readonly VmData: number;
  readonly VmStk: number;
  readonly VmExe: number;
  readonly VmLib: number;
  readonly VmPTE: number;
  /** v4.8 only: the PMD tables (`mm_nr_pmds()` pages). Default 12: three tables, as for a process whose text,
   * libraries and stack lie in three different GiB of its address space. */
  readonly VmPMD?: number;
  readonly VmSwap: number;
  /** `mm->hugetlb_usage` (`hugetlb_report_usage()`). Default 0. */
  readonly HugetlbPages?: number;
}

/** Signal sets as 64-bit masks, bit n − 1 for signal n (`render_sigset_t()`). Each defaults to empty. */
export interface ProcStatusSignals {
  readonly pending: bigint;
  readonly sharedPending: bigint;
  readonly blocked: bigint;
  readonly ignored: bigint;
  readonly caught: bigint;
}

/** Capability sets as masks, bit n for capability n (`render_cap_t()`). */
export interface ProcStatusCapabilities {
  readonly inheritable: bigint;
  readonly permitted: bigint;
  readonly effective: bigint;
  readonly bounding: bigint;
  readonly ambient: bigint;
}

/** Everything /proc/PID/status shows of a task. Only pid, ppid, comm and cpus are required. */
export interface ProcStatusInput {
  readonly pid: number;
  /** Default: pid (a thread group leader). */
  readonly tgid?: number;
  readonly ppid: number;
  /** `task->comm`, cut to 15 characters as `set_task_comm()` stores it. */
  readonly comm: string;
  /** Default `S`. */
  readonly state?: TaskStateLetter;
  /** Real, effective, saved and filesystem uid alike. Default 0 (root). */
  readonly uid?: number;
  /** Likewise for the gids. Default 0. */
  readonly gid?: number;
  /** Supplementary groups. Default none. */
  readonly groups?: readonly number[];
  /** Default 0o022. */
  readonly umask?: number;
  /** `files_fdtable()->max_fds`. Default 64 (`NR_OPEN_DEFAULT`, the table before it first grows). */
  readonly fdSize?: number;
  /** Default 0: not traced. */
  readonly tracerPid?: number;
  /** `task_numa_group_id()`. Default 0. */
  readonly ngid?: number;
  /** Process group (NSpgid). Default: tgid. */
  readonly pgid?: number;
  /** Session (NSsid). Default: tgid. */
  readonly sid?: number;
  /** `get_nr_threads()`. Default 1. */
  readonly threads?: number;
  /** `nr_cpu_ids`: the width of the `Cpus_allowed` bitmap. */
  readonly cpus: number;
  /** Default: every CPU. */
  readonly cpusAllowed?: readonly number[];
  /** Online nodes, all allowed (`Mems_allowed`, printed over MAX_NUMNODES = 1024 bits). Default 1. */
  readonly nodes?: number;
  /** The task's mm; without one (a kernel thread) the memory lines, and v6.18's CoreDumping, THP_enabled and
   * untag_mask, are left out. */
  readonly memory?: ProcStatusMemory;
  /** v6.18 `Kthread:` (PF_KTHREAD). Default false. */
  readonly kernelThread?: boolean;
  readonly signals?: Partial<ProcStatusSignals>;
  /** `SigQ`: signals queued for the user, and RLIMIT_SIGPENDING. Default 0 of 15625: kernel/fork.c `fork_init()`
   * sets the limit to max_threads / 2, that is the pages free at boot / 64 on x86_64 (16 KiB stacks), and a 4 GiB
   * machine has about 1,000,000 pages free then. */
  readonly signalQueue?: { readonly queued: number; readonly limit: number };
  /** Default: root's sets (all of the era's capabilities permitted, effective and bounding; none inheritable or
   * ambient): CAP_LAST_CAP is 37 (CAP_AUDIT_READ) in v4.8, 40 (CAP_CHECKPOINT_RESTORE) in v6.18. */
  readonly capabilities?: Partial<ProcStatusCapabilities>;
  /** v6.18 `NoNewPrivs`. Default false. */
  readonly noNewPrivs?: boolean;
  /** `p->seccomp.mode`: 0 off, 1 strict, 2 filter. Default 0. */
  readonly seccompMode?: number;
  /** v6.18 `Seccomp_filters`. Default 0. */
  readonly seccompFilters?: number;
  /** v6.18 `Speculation_Store_Bypass` text. Default `vulnerable` (the captured 6.18.44 machine's). */
  readonly speculationStoreBypass?: string;
  /** v6.18 `SpeculationIndirectBranch` text. Default `always enabled` (the captured machine's). */
  readonly speculationIndirectBranch?: string;
  /** v6.18 `CoreDumping`. Default false. */
  readonly coreDumping?: boolean;
  /** v6.18 `THP_enabled` (CONFIG_TRANSPARENT_HUGEPAGE and not MMF_DISABLE_THP_COMPLETELY). Default true. */
  readonly thpEnabled?: boolean;
  /** v6.18 `mm_untag_mask()`. Default all ones (no address tagging). */
  readonly untagMask?: bigint;
  /** `nvcsw`. Default 0. */
  readonly voluntaryContextSwitches?: number;
  /** `nivcsw`. Default 0. */
  readonly nonvoluntaryContextSwitches?: number;
}

/** `CONFIG_NODES_SHIFT` 10 in both eras' distribution configurations (and on the captured machine). */
const MAX_NUMNODES = 1024;

/** `%*pb` (lib/vsprintf.c `bitmap_string()`): 32-bit hex chunks, most significant first, the first one only as wide
 * as its bits need. */
function bitmapString(bits: number, isSet: (bit: number) => boolean): string {
  const chunks: string[] = [];
  let chunkBits = bits % 32 === 0 ? 32 : bits % 32;
  for (let start = Math.ceil(bits / 32) * 32 - 32; start >= 0; start -= 32) {
    let value = 0;
    for (let bit = 0; bit < chunkBits; bit++) if (isSet(start + bit)) value += 2 ** bit;
    chunks.push(value.toString(16).padStart(Math.ceil(chunkBits / 4), '0'));
    chunkBits = 32;
  }
  return chunks.join(',');
}

/** `%*pbl` (lib/vsprintf.c `bitmap_list_string()`): ranges such as `0-3,5`. */
function bitmapList(members: readonly number[]): string {
  const sorted = [...new Set(members)].sort((left, right) => left - right);
  const ranges: string[] = [];
  for (let index = 0; index < sorted.length; ) {
    let end = index;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end]! + 1) end++;
    ranges.push(end === index ? `${sorted[index]}` : `${sorted[index]}-${sorted[end]}`);
    index = end + 1;
  }
  return ranges.join(',');
}

/** `string_escape_str(..., ESCAPE_SPACE | ESCAPE_SPECIAL, "\n\\")`: only newlines and backslashes are escaped. */
function escapeName(comm: string): string {
  return comm.slice(0, 15).replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** `seq_put_decimal_ull_width(..., 8)` / `%8lu` then ` kB`. */
function kb(label: string, value: number): string {
  return `${label}:\t${String(value).padStart(8)} kB\n`;
}

const hex16 = (mask: bigint) => mask.toString(16).padStart(16, '0');

/** The memory lines: v4.8 `task_mem()` (VmPMD after VmPTE), v6.18 `task_mem()`, then `hugetlb_report_usage()`. */
function taskMem(v6: boolean, memory: ProcStatusMemory): string {
  const rss = memory.RssAnon + memory.RssFile + memory.RssShmem;
  if (memory.VmRSS !== undefined && memory.VmRSS !== rss) {
    throw new Error(
      `VmRSS ${memory.VmRSS} kB is not RssAnon + RssFile + RssShmem (${rss} kB): task_mem() prints their sum`,
    );
  }
  let text =
    kb('VmPeak', Math.max(memory.VmPeak, memory.VmSize)) +
    kb('VmSize', memory.VmSize) +
    kb('VmLck', memory.VmLck) +
    kb('VmPin', memory.VmPin) +
    kb('VmHWM', Math.max(memory.VmHWM, rss)) +
    kb('VmRSS', rss) +
    kb('RssAnon', memory.RssAnon) +
    kb('RssFile', memory.RssFile) +
    kb('RssShmem', memory.RssShmem) +
    kb('VmData', memory.VmData) +
    kb('VmStk', memory.VmStk) +
    kb('VmExe', memory.VmExe) +
    kb('VmLib', memory.VmLib) +
    kb('VmPTE', memory.VmPTE);
  if (!v6) text += kb('VmPMD', memory.VmPMD ?? 12);
  return text + kb('VmSwap', memory.VmSwap) + kb('HugetlbPages', memory.HugetlbPages ?? 0);
}

/**
 * `/proc/PID/status` (fs/proc/array.c `proc_pid_status()`): `task_name()`, `task_state()`, `task_mem()`
 * (fs/proc/task_mmu.c), `task_sig()`, `task_cap()`, `task_seccomp()`, `task_cpus_allowed()`,
 * `cpuset_task_status_allowed()` and `task_context_switch_counts()`, tab-separated as the kernel prints them.
 *
 * v6.18 adds `Kthread:` after the namespace ids, `CoreDumping:`, `THP_enabled:` and `untag_mask:` after the memory
 * lines, `NoNewPrivs:`, `Seccomp_filters:` and the two `Speculation` lines, prints `Groups:` with a trailing space
 * even when empty, and drops v4.8's `VmPMD:`. Configuration: CONFIG_PID_NS (the NS* lines, one level),
 * CONFIG_SECCOMP and SECCOMP_FILTER, CONFIG_CPUSETS, CONFIG_NODES_SHIFT 10 (Mems_allowed has 1024 bits) in both
 * eras; v6.18 without X86_USER_SHADOW_STACK (no `x86_Thread_features:`), as the captured 6.18.44 machine.
 */
export function formatProcStatus(profile: KernelProfile, input: ProcStatusInput): string {
  const v6 = profile.era === 'v6';
  const tgid = input.tgid ?? input.pid;
  const uid = input.uid ?? 0;
  const gid = input.gid ?? 0;
  const groups = input.groups ?? [];
  let state = input.state ?? 'S';
  if (!v6 && state === 'P') state = 'S';
  if (!v6 && state === 'I') state = 'D';
  const umask = input.umask ?? 0o022;

  let text = `Name:\t${escapeName(input.comm)}\n`;
  text += `Umask:\t${`0${umask.toString(8)}`.padStart(4, '0')}\n`;
  text += `State:\t${stateNames[state]}\n`;
  text += `Tgid:\t${tgid}\nNgid:\t${input.ngid ?? 0}\nPid:\t${input.pid}\nPPid:\t${input.ppid}\n`;
  text += `TracerPid:\t${input.tracerPid ?? 0}\n`;
  text += `Uid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t${gid}\t${gid}\t${gid}\t${gid}\n`;
  text += `FDSize:\t${input.fdSize ?? 64}\n`;
  // v4.8 prints "%d " per group; v6.18 separates them by spaces and then adds the same trailing space anyway.
  text += v6 ? `Groups:\t${groups.join(' ')} \n` : `Groups:\t${groups.map((group) => `${group} `).join('')}\n`;
  text += `NStgid:\t${tgid}\nNSpid:\t${input.pid}\nNSpgid:\t${input.pgid ?? tgid}\nNSsid:\t${input.sid ?? tgid}\n`;
  if (v6) text += `Kthread:\t${input.kernelThread ? 1 : 0}\n`;

  if (input.memory !== undefined) {
    text += taskMem(v6, input.memory);
    if (v6) {
      text += `CoreDumping:\t${input.coreDumping ? 1 : 0}\n`;
      text += `THP_enabled:\t${(input.thpEnabled ?? true) ? 1 : 0}\n`;
      const untagMask = input.untagMask ?? 0xffffffffffffffffn;
      text += `untag_mask:\t${untagMask === 0n ? '0' : `0x${untagMask.toString(16)}`}\n`;
    }
  }

  const signals = input.signals ?? {};
  const queue = input.signalQueue ?? { queued: 0, limit: 15625 };
  text += `Threads:\t${input.threads ?? 1}\nSigQ:\t${queue.queued}/${queue.limit}\n`;
  text += `SigPnd:\t${hex16(signals.pending ?? 0n)}\nShdPnd:\t${hex16(signals.sharedPending ?? 0n)}\n`;
  text += `SigBlk:\t${hex16(signals.blocked ?? 0n)}\nSigIgn:\t${hex16(signals.ignored ?? 0n)}\n`;
  text += `SigCgt:\t${hex16(signals.caught ?? 0n)}\n`;

  const all = (1n << (v6 ? 41n : 38n)) - 1n;
  const capabilities = input.capabilities ?? {};
  text += `CapInh:\t${hex16(capabilities.inheritable ?? 0n)}\nCapPrm:\t${hex16(capabilities.permitted ?? all)}\n`;
  text += `CapEff:\t${hex16(capabilities.effective ?? all)}\nCapBnd:\t${hex16(capabilities.bounding ?? all)}\n`;
  text += `CapAmb:\t${hex16(capabilities.ambient ?? 0n)}\n`;

  if (v6) text += `NoNewPrivs:\t${input.noNewPrivs ? 1 : 0}\n`;
  text += `Seccomp:\t${input.seccompMode ?? 0}\n`;
  if (v6) {
    text += `Seccomp_filters:\t${input.seccompFilters ?? 0}\n`;
    text += `Speculation_Store_Bypass:\t${input.speculationStoreBypass ?? 'vulnerable'}\n`;
    text += `SpeculationIndirectBranch:\t${input.speculationIndirectBranch ?? 'always enabled'}\n`;
  }

  const cpusAllowed = input.cpusAllowed ?? Array.from({ length: input.cpus }, (_, cpu) => cpu);
  const cpuSet = new Set(cpusAllowed);
  text += `Cpus_allowed:\t${bitmapString(input.cpus, (cpu) => cpuSet.has(cpu))}\n`;
  text += `Cpus_allowed_list:\t${bitmapList(cpusAllowed)}\n`;
  const nodes = input.nodes ?? 1;
  text += `Mems_allowed:\t${bitmapString(MAX_NUMNODES, (node) => node < nodes)}\n`;
  text += `Mems_allowed_list:\t${bitmapList(Array.from({ length: nodes }, (_, node) => node))}\n`;
  text += `voluntary_ctxt_switches:\t${input.voluntaryContextSwitches ?? 0}\n`;
  text += `nonvoluntary_ctxt_switches:\t${input.nonvoluntaryContextSwitches ?? 0}\n`;
  return text;
}

import { readFileSync } from 'node:fs';
import { getProfile } from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import { formatProcStatus, type ProcStatusInput, type ProcStatusMemory, type TaskStateLetter } from './proc-status';

const fixtures = new URL('./__fixtures__/proc/', import.meta.url);
const v48 = getProfile('v4.8');
const v618 = getProfile('v6.18');

/** A real /proc/PID/status read back into the formatter's input (one CPU mask and node mask, no thread ids). */
function parseStatus(text: string): ProcStatusInput {
  const fields = new Map(
    text
      .trimEnd()
      .split('\n')
      .map((line) => {
        const tab = line.indexOf(':\t');
        return [line.slice(0, tab), line.slice(tab + 2)] as const;
      }),
  );
  const field = (name: string) => fields.get(name)!;
  const number = (name: string) => Number.parseInt(field(name), 10);
  const mask = (name: string) => BigInt(`0x${field(name)}`);
  const memoryNames = [
    'VmPeak',
    'VmSize',
    'VmLck',
    'VmPin',
    'VmHWM',
    'VmRSS',
    'RssAnon',
    'RssFile',
    'RssShmem',
    'VmData',
    'VmStk',
    'VmExe',
    'VmLib',
    'VmPTE',
    'VmSwap',
    'HugetlbPages',
  ] as const;
  const memory = Object.fromEntries(memoryNames.map((name) => [name, number(name)])) as unknown as ProcStatusMemory;
  const [queued, limit] = field('SigQ').split('/').map(Number) as [number, number];
  const cpusAllowed = field('Cpus_allowed_list')
    .split(',')
    .flatMap((range) => {
      const [first, last] = range.split('-').map(Number) as [number, number?];
      return Array.from({ length: (last ?? first) - first + 1 }, (_, offset) => first + offset);
    });
  const groups = field('Groups').trim();
  return {
    pid: number('Pid'),
    tgid: number('Tgid'),
    ppid: number('PPid'),
    comm: field('Name'),
    state: field('State')[0] as TaskStateLetter,
    uid: number('Uid'),
    gid: number('Gid'),
    groups: groups === '' ? [] : groups.split(' ').map(Number),
    umask: Number.parseInt(field('Umask'), 8),
    fdSize: number('FDSize'),
    tracerPid: number('TracerPid'),
    ngid: number('Ngid'),
    pgid: number('NSpgid'),
    sid: number('NSsid'),
    threads: number('Threads'),
    // Two CPUs on the captured machine: `Cpus_allowed` is `nr_cpu_ids` bits wide.
    cpus: 2,
    cpusAllowed,
    nodes: 1,
    memory,
    kernelThread: field('Kthread') === '1',
    signals: {
      pending: mask('SigPnd'),
      sharedPending: mask('ShdPnd'),
      blocked: mask('SigBlk'),
      ignored: mask('SigIgn'),
      caught: mask('SigCgt'),
    },
    signalQueue: { queued, limit },
    capabilities: {
      inheritable: mask('CapInh'),
      permitted: mask('CapPrm'),
      effective: mask('CapEff'),
      bounding: mask('CapBnd'),
      ambient: mask('CapAmb'),
    },
    noNewPrivs: field('NoNewPrivs') === '1',
    seccompMode: number('Seccomp'),
    seccompFilters: number('Seccomp_filters'),
    speculationStoreBypass: field('Speculation_Store_Bypass'),
    speculationIndirectBranch: field('SpeculationIndirectBranch'),
    coreDumping: field('CoreDumping') === '1',
    thpEnabled: field('THP_enabled') === '1',
    untagMask: BigInt(field('untag_mask')),
    voluntaryContextSwitches: number('voluntary_ctxt_switches'),
    nonvoluntaryContextSwitches: number('nonvoluntary_ctxt_switches'),
  };
}

describe('formatProcStatus v6.18', () => {
  it.each([
    ['`cat /proc/self/status`', 'status-cat-6.18.txt'],
    ['a multi-threaded node process with signal handlers', 'status-node-6.18.txt'],
  ])('reproduces %s of the real 6.18.44 machine byte for byte', (_, name) => {
    const real = readFileSync(new URL(name, fixtures), 'utf8');
    expect(formatProcStatus(v618, parseStatus(real))).toBe(real);
  });

  it('prints root’s capabilities, one node of 1024 and the era’s defaults when not told otherwise', () => {
    const text = formatProcStatus(v618, { pid: 42, ppid: 1, comm: 'hog', cpus: 4 });
    expect(text).toContain('\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n');
    expect(text).toContain('\nCpus_allowed:\tf\nCpus_allowed_list:\t0-3\n');
    expect(text).toContain(`\nMems_allowed:\t${'00000000,'.repeat(31)}00000001\nMems_allowed_list:\t0\n`);
    expect(text).toContain(
      '\nGroups:\t \nNStgid:\t42\nNSpid:\t42\nNSpgid:\t42\nNSsid:\t42\nKthread:\t0\nThreads:\t1\n',
    );
  });

  it('leaves the memory lines out for a task without an mm', () => {
    const text = formatProcStatus(v618, { pid: 2, ppid: 0, comm: 'kthreadd', cpus: 2, kernelThread: true });
    expect(text).toContain('Kthread:\t1\nThreads:\t1\n');
    expect(text).not.toContain('VmRSS');
    expect(text).not.toContain('THP_enabled');
  });

  it('prints wide CPU masks in 32-bit chunks, the first as wide as its bits, and lists ranges', () => {
    const text = formatProcStatus(v618, { pid: 1, ppid: 0, comm: 'init', cpus: 40, cpusAllowed: [0, 1, 2, 5, 33, 39] });
    expect(text).toContain('\nCpus_allowed:\t82,00000027\nCpus_allowed_list:\t0-2,5,33,39\n');
  });

  it('escapes newlines and backslashes in the name and cuts it to 15 characters', () => {
    expect(formatProcStatus(v618, { pid: 1, ppid: 0, comm: 'a\\b\nc', cpus: 1 })).toMatch(/^Name:\ta\\\\b\\nc\n/);
    expect(formatProcStatus(v618, { pid: 1, ppid: 0, comm: 'abcdefghijklmnopq', cpus: 1 })).toMatch(
      /^Name:\tabcdefghijklmno\n/,
    );
  });

  it('refuses a VmRSS that is not the sum of the Rss lines', () => {
    const memory: ProcStatusMemory = {
      VmPeak: 100,
      VmSize: 100,
      VmLck: 0,
      VmPin: 0,
      VmHWM: 0,
      VmRSS: 12,
      RssAnon: 4,
      RssFile: 4,
      RssShmem: 0,
      VmData: 0,
      VmStk: 0,
      VmExe: 0,
      VmLib: 0,
      VmPTE: 0,
      VmSwap: 0,
    };
    expect(() => formatProcStatus(v618, { pid: 1, ppid: 0, comm: 'x', cpus: 1, memory })).toThrow(
      'VmRSS 12 kB is not RssAnon + RssFile + RssShmem (8 kB): task_mem() prints their sum',
    );
  });
});

describe('formatProcStatus v4.8', () => {
  it('prints the v4.8 lines (fs/proc/array.c proc_pid_status(), fs/proc/task_mmu.c task_mem())', () => {
    const text = formatProcStatus(v48, {
      pid: 1234,
      ppid: 1000,
      comm: 'kernel-build',
      state: 'R',
      uid: 1000,
      gid: 100,
      groups: [100, 27],
      threads: 3,
      cpus: 4,
      nodes: 2,
      pgid: 1200,
      sid: 900,
      memory: {
        VmPeak: 20000,
        VmSize: 20480,
        VmLck: 0,
        VmPin: 0,
        VmHWM: 5000,
        RssAnon: 4000,
        RssFile: 1500,
        RssShmem: 100,
        VmData: 9000,
        VmStk: 132,
        VmExe: 800,
        VmLib: 2100,
        VmPTE: 60,
        VmSwap: 0,
      },
      signals: { blocked: 1n << 16n, caught: (1n << 16n) | (1n << 1n) },
      signalQueue: { queued: 1, limit: 31457 },
      voluntaryContextSwitches: 5,
      nonvoluntaryContextSwitches: 2,
    });
    const expected = [
      'Name:\tkernel-build\n', // task_name() lines 92-108: "Name:\t", escaped comm, '\n'
      'Umask:\t0022\n', // task_state() line 181: "Umask:\t%#04o\n"
      'State:\tR (running)\n', // lines 189-209: one seq_printf
      'Tgid:\t1234\n',
      'Ngid:\t0\n',
      'Pid:\t1234\n',
      'PPid:\t1000\n',
      'TracerPid:\t0\n',
      'Uid:\t1000\t1000\t1000\t1000\n',
      'Gid:\t100\t100\t100\t100\n',
      'FDSize:\t64\n',
      'Groups:\t100 27 \n', // lines 212-215: "%d " per group (nothing when there are none)
      'NStgid:\t1234\n', // lines 217-233 (CONFIG_PID_NS): one namespace level
      'NSpid:\t1234\n',
      'NSpgid:\t1200\n',
      'NSsid:\t900\n',
      'VmPeak:\t   20480 kB\n', // task_mem() lines 24-84: hiwater_vm = max(hiwater_vm, total_vm)
      'VmSize:\t   20480 kB\n',
      'VmLck:\t       0 kB\n',
      'VmPin:\t       0 kB\n',
      'VmHWM:\t    5600 kB\n', // hiwater_rss = max(hiwater_rss, anon + file + shmem)
      'VmRSS:\t    5600 kB\n',
      'RssAnon:\t    4000 kB\n',
      'RssFile:\t    1500 kB\n',
      'RssShmem:\t     100 kB\n',
      'VmData:\t    9000 kB\n',
      'VmStk:\t     132 kB\n',
      'VmExe:\t     800 kB\n',
      'VmLib:\t    2100 kB\n',
      'VmPTE:\t      60 kB\n',
      'VmPMD:\t      12 kB\n',
      'VmSwap:\t       0 kB\n',
      'HugetlbPages:\t       0 kB\n', // mm/hugetlb.c hugetlb_report_usage() lines 3017-3021
      'Threads:\t3\n', // task_sig() lines 275-311
      'SigQ:\t1/31457\n',
      'SigPnd:\t0000000000000000\n', // render_sigset_t() lines 238-258: _NSIG / 4 hex digits
      'ShdPnd:\t0000000000000000\n',
      'SigBlk:\t0000000000010000\n',
      'SigIgn:\t0000000000000000\n',
      'SigCgt:\t0000000000010002\n',
      'CapInh:\t0000000000000000\n', // task_cap() lines 326-346, render_cap_t(): two "%08x" words
      'CapPrm:\t0000003fffffffff\n', // CAP_LAST_CAP = CAP_AUDIT_READ = 37
      'CapEff:\t0000003fffffffff\n',
      'CapBnd:\t0000003fffffffff\n',
      'CapAmb:\t0000000000000000\n',
      'Seccomp:\t0\n', // task_seccomp() lines 348-353
      'Cpus_allowed:\tf\n', // task_cpus_allowed() lines 364-370: "%*pb", "%*pbl" over nr_cpu_ids
      'Cpus_allowed_list:\t0-3\n',
      `Mems_allowed:\t${'00000000,'.repeat(31)}00000003\n`, // kernel/cpuset.c cpuset_task_status_allowed()
      'Mems_allowed_list:\t0-1\n',
      'voluntary_ctxt_switches:\t5\n', // task_context_switch_counts() lines 355-362
      'nonvoluntary_ctxt_switches:\t2\n',
    ].join('');
    expect(text).toBe(expected);
    expect(formatProcStatus(getProfile('v4.7'), { pid: 1, ppid: 0, comm: 'x', cpus: 1 })).toBe(
      formatProcStatus(v48, { pid: 1, ppid: 0, comm: 'x', cpus: 1 }),
    );
  });

  it('prints no trailing space after an empty Groups: and reports parked and idle tasks as v4.8 did', () => {
    const status = (state: TaskStateLetter) => formatProcStatus(v48, { pid: 7, ppid: 2, comm: 'k', cpus: 1, state });
    expect(status('S')).toContain('\nGroups:\t\nNStgid:\t7\n');
    expect(status('P')).toContain('\nState:\tS (sleeping)\n');
    expect(status('I')).toContain('\nState:\tD (disk sleep)\n');
    expect(formatProcStatus(v618, { pid: 7, ppid: 2, comm: 'k', cpus: 1, state: 'I' })).toContain(
      '\nState:\tI (idle)\n',
    );
  });
});

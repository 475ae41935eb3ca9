import { totalmem } from 'node:os';
import { allFeatures } from '@mm/defaults';
import { boot, type Kernel } from '@mm/kernel';
import { idlePfns, markIdle, pageIdle, presentPfns } from '@mm/page-idle';
import { PAGE_SIZE, PER_PAGE_PFNS, type ProfileName, profileNames } from '@mm/physmem';
import { formatMaps, readPagemap, type VmTask } from '@mm/vm';
import { Simulation, WssWorkload } from '@mm/workloads';
import { CliError, ExitCode, formatJson } from '../cli-io';
import { type Command, defineCommand } from '../command';
import { checkOutputDirectory, OutputDirectory, writeKernelFiles } from '../output-directory';
import { choiceOption, integerOption, profileOption } from '../parse-options';
import { formatTable } from '../text-table';

const help = `Usage: mmsim idle [options]

Estimates the working set of each process of the built-in wss workload with idle page tracking, following the
kernel's documented procedure through the files only: read /proc/PID/maps and /proc/PID/pagemap to find the pfns
of each process's pages, set their bits in /sys/kernel/mm/page_idle/bitmap, let the workload run, read the bits
back and count the pages still idle. The working set is mapped minus idle. "touched" is the workload's own count
of the pages anyone touched since the bits were set: the two agree exactly, as a simulation has no races.

Options:
  --mem SIZE          RAM (default 1G)
  --profile NAME      ${profileNames.join(', ')} (default v6.18)
  --arch NAME         x86_64 or i386 (i386 keeps the idle flags in page_ext; default x86_64)
  --cmdline "..."     kernel command line (default "")
  --ticks N           ticks the workload runs between setting and reading the bits (default 10)
  --seed N            seed of the workload (default 1)
  --out DIR           also write the machine's files as they are at the end, as mmsim run --out does:
                      proc/PID/maps, proc/PID/pagemap (with pagemap.index.txt), proc/kpageflags,
                      proc/kpagecount, sys/kernel/mm/page_idle/bitmap, ... and dmesg
  --json              print { "processes": [ { pid, comm, mappedPages, idlePages, touchedPages } ] }
  -h, --help          show this help

Exit codes: 0 success, 1 failure, 2 bad usage.
`;

/** One process's estimate. */
export interface IdleEstimate {
  readonly pid: number;
  readonly comm: string;
  readonly mappedPages: number;
  readonly idlePages: number;
  /** Ground truth: the process's pages anyone touched since the bits were set. */
  readonly touchedPages: number;
}

/** The pfns of a task's pages, found as a tool finds them: the ranges of /proc/PID/maps, read from pagemap. */
export function taskPfns(kernel: Kernel, task: VmTask): number[] {
  const pfns: number[] = [];
  for (const match of formatMaps(task).matchAll(/^([0-9a-f]+)-([0-9a-f]+) /gm)) {
    const start = Number.parseInt(match[1]!, 16);
    const end = Number.parseInt(match[2]!, 16);
    const entries = readPagemap(kernel.vm, task, (start / PAGE_SIZE) * 8, ((end - start) / PAGE_SIZE) * 8);
    if ('errno' in entries) throw new Error(`pagemap read of ${match[1]}-${match[2]}: ${entries.errno}`);
    pfns.push(...presentPfns(entries));
  }
  return [...new Set(pfns)];
}

/**
 * Boots a machine, runs the wss workload's processes, and estimates each one's working set through the pagemap and
 * page_idle bitmap files, with `ticks` ticks between setting and reading the bits.
 */
export function estimateWorkingSets(options: {
  memory: string;
  profile: ProfileName;
  arch: 'x86_64' | 'i386';
  cmdline: string;
  ticks: number;
  seed: number;
}): { kernel: Kernel; workload: WssWorkload; processes: IdleEstimate[] } {
  const kernel = boot({
    memory: options.memory,
    profile: options.profile,
    arch: options.arch,
    cmdline: options.cmdline,
    features: allFeatures(),
    hostMemoryLimit: totalmem(),
    // A workload uses pages and the output walks every one: the machine must end within the per-page window.
    maxPfn: PER_PAGE_PFNS,
  });
  const idle = kernel.feature(pageIdle);
  if (idle === undefined) throw new CliError('this kernel has no idle page tracking');
  new Simulation(kernel, { seed: options.seed });
  const workload = new WssWorkload(kernel, undefined, options.seed);
  const failed = workload.populate();
  if (failed > 0)
    throw new CliError(`the workload could not map ${failed} pages: give the machine more memory (--mem)`);
  const bitmap = idle.bitmapFile();
  const pfns = workload.processes.map((process) => taskPfns(kernel, process.task));
  for (const list of pfns) markIdle(bitmap, list);
  workload.resetTouched();
  for (let tick = 0; tick < options.ticks; tick++) workload.tick();
  const processes = workload.processes.map((process, index) => ({
    pid: process.task.pid,
    comm: process.task.comm,
    mappedPages: pfns[index]!.length,
    idlePages: idlePfns(bitmap, pfns[index]!).length,
    touchedPages: workload.touchedPages(process),
  }));
  return { kernel, workload, processes };
}

/** The estimates as a table. */
export function formatIdleTable(processes: readonly IdleEstimate[]): string {
  const header = ['pid', 'comm', 'mapped', 'idle', 'wss', 'wss MiB', 'touched'];
  const rows = processes.map((process) => [
    `${process.pid}`,
    process.comm,
    `${process.mappedPages}`,
    `${process.idlePages}`,
    `${process.mappedPages - process.idlePages}`,
    ((process.mappedPages - process.idlePages) / 256).toFixed(1),
    `${process.touchedPages}`,
  ]);
  return `${formatTable([header, ...rows], [1]).join('\n')}\n`;
}

export const idleCommand: Command = defineCommand({
  name: 'idle',
  help,
  options: {
    mem: { type: 'string' },
    profile: { type: 'string' },
    arch: { type: 'string' },
    cmdline: { type: 'string' },
    ticks: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, io }) {
    const profile = profileOption('idle', values.profile);
    const arch = choiceOption('idle', 'arch', values.arch, ['x86_64', 'i386']) ?? 'x86_64';
    const ticks = integerOption('idle', 'ticks', values.ticks, 0, 1_000_000) ?? 10;
    const seed = integerOption('idle', 'seed', values.seed, 0, 2 ** 31 - 1) ?? 1;
    if (values.out !== undefined) checkOutputDirectory(values.out);
    const result = estimateWorkingSets({
      memory: values.mem ?? '1G',
      profile,
      arch,
      cmdline: values.cmdline ?? '',
      ticks,
      seed,
    });
    if (values.out !== undefined) {
      const { kernel } = result;
      await OutputDirectory.write(values.out, (out) => writeKernelFiles(out, kernel));
    }
    if (values.json) {
      io.stdout(formatJson({ processes: result.processes }));
      return ExitCode.success;
    }
    io.stdout(
      `Working sets after ${ticks} ticks (idle page tracking, ${profile} ${arch}, ${values.mem ?? '1G'}; pages of 4 KiB):\n`,
    );
    io.stdout(formatIdleTable(result.processes));
    return ExitCode.success;
  },
});

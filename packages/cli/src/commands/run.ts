import { parseMemorySize } from '@mm/kernel';
import { formatSize, PAGE_SIZE, profileNames } from '@mm/physmem';
import { builtinWorkloads } from '@mm/workloads';
import { type CliIo, ExitCode, formatJson, UsageError } from '../cli-io';
import { type Command, defineCommand } from '../command';
import { checkOutputDirectory, OutputDirectory, writeKernelFiles } from '../output-directory';
import { choiceOption, integerOption, profileOption } from '../parse-options';
import { loadWorkloadModule, type RunResult, runWorkload } from '../run-workload';
import { pageExtClientRows } from './layouts';

const help = `Usage: mmsim run [options]

Boots a simulated machine, runs a workload, prints a summary, and (with --out) writes the files a real machine
would show: dmesg, /proc/buddyinfo, /proc/pagetypeinfo, /proc/kpageflags, /proc/kpagecount, /proc/PID/maps and
pagemap of the workload's processes, /sys/kernel/debug/page_owner and (v6.18) page_owner_stacks/show_stacks,
/sys/kernel/mm/page_idle/bitmap, /sys/kernel/debug/extfrag/unusable_index and extfrag_index.

Workloads: kernel-build (modules, make -j), hog (memory until none is left), leak (a driver keeping one page in eight: dump twice, mmsim diff), wss (services touching a hot fraction of their memory; see also
mmsim idle), uaf (buggy drivers: try --cmdline "debug_pagealloc=on page_owner=on" or "page_poison=on"),
fragment (fragments memory, then compacts it: an order-9 allocation before and after), boot (nothing).

Options:
  --mem SIZE          RAM (default 4G)
  --cmdline "..."     kernel command line (default "page_owner=on")
  --profile NAME      ${profileNames.join(', ')} (default v6.18)
  --workload NAME     ${Object.keys(builtinWorkloads).join(', ')} (default kernel-build), or a module of
                      your own: ./mine.ts exporting { name, description, run(sim, progress) } (a Workload
                      of @mm/workloads: spawn tasks, alloc/free through kernel paths, fault, step time)
  --seed N            seed of the workload's random choices (default 1)
  --cpus N            CPUs (default 2)
  --out DIR           write the output directory
  --report            also write DIR/report.html, the visual report of the output (see mmsim report)
  --dump-at LIST      also dump /sys/kernel/debug/page_owner at these points of the workload, as percentages
                      done (--dump-at 50%,100%), to DIR/dumps/page_owner-50% ...: what a leak hunt diffs
                      (mmsim diff DIR/dumps/page_owner-50% DIR/dumps/page_owner-100%); needs page_owner=on
  --json              print one JSON object instead of text
  --quiet             no progress bar (there is none either when stderr is not a terminal)
  -h, --help          show this help

The output directory is written whole or not at all: files go to a hidden directory beside DIR, which replaces
DIR (an earlier output of mmsim, or nothing) when complete. DIR must be new, empty or such an output.

Exit codes: 0 success, 1 failure, 2 bad usage, 130 interrupted (Ctrl-C while writing --out: DIR is left as it was).
`;

/** A progress bar on stderr, redrawn when the percentage changes; `done()` clears it. */
function progressBar(io: CliIo, label: string): { update: (fraction: number) => void; done: () => void } {
  let shown = -1;
  return {
    update(fraction) {
      const percent = Math.min(100, Math.floor(fraction * 100));
      if (percent === shown) return;
      shown = percent;
      const filled = Math.round(percent / 5);
      io.stderr(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ${`${percent}`.padStart(3)}%`);
    },
    done() {
      if (shown >= 0) io.stderr(`\r${' '.repeat(label.length + 28)}\r`);
    },
  };
}

/**
 * The summary of a run (`--json`, `summary.json`): the machine and the workload, page_ext, then each feature's
 * fields in boot order, and the timeline. `lines` is the text summary's part of the features, `facts` what the
 * report lists of them. A v6.18 machine with page_ext also gets `pageExtClients`: what its page_ext would be with
 * every combination of clients (see `mmsim layouts`).
 */
export function runSummary(result: RunResult) {
  const { kernel } = result;
  const { memory, buddy, pageExt } = kernel;
  const parts = kernel.summaries({ counters: result.counters });
  return {
    summary: {
      profile: kernel.profile.name,
      memoryBytes: memory.presentPages * 4096,
      totalPages: memory.presentPages,
      cmdline: kernel.cmdline,
      workload: result.workload,
      seed: result.seed,
      features: kernel.featureNames,
      // MemFree (NR_FREE_PAGES): the buddy free lists, as /proc/buddyinfo and kpageflags' BUDDY count them. Pages
      // on the per-CPU lists are the kernel's `free_pcp`, not in MemFree.
      freePages: buddy.nrFreePages(),
      freePcpPages: buddy.pcpFreePages(),
      // Every allocation that found no page, the workload's and the kernel's (faults, page cache), and the OOM
      // killer's kills.
      failedAllocations: buddy.stats.allocFailures,
      oomKills: kernel.vm.oomKiller.kills,
      pageExt: pageExt === undefined ? null : { entryBytes: pageExt.entryBytes, bytes: pageExt.totalBytes },
      pageExtClients:
        pageExt !== undefined && kernel.profile.name === 'v6.18'
          ? pageExtClientRows(pageExt.totalBytes / pageExt.entryBytes)
          : null,
      ...Object.assign({}, ...parts.map((part) => part.fields ?? {})),
      facts: parts.flatMap((part) => part.facts ?? []),
      hostBytesPerPage: kernel.hostBytes() / memory.presentPages,
      milliseconds: result.milliseconds,
      /** Free pages and the features' samples (the depot's stacks and bytes) over simulated time. */
      timeline: result.timeline,
    },
    lines: parts.flatMap((part) => part.lines ?? []),
  };
}

/**
 * Writes the output directory of a run, whole or not at all (see {@link OutputDirectory}): `cmdline`, every file
 * the kernel shows (its /proc files, then each feature's), `dmesg`, `summary.json`, the `dumps` taken during the
 * run, and with `report` the HTML
 * report of them. Ctrl-C or SIGTERM lets the current file finish, leaves `directory` as it was and throws
 * `InterruptedError`. Returns the files written.
 */
export function writeOutput(
  result: RunResult,
  directory: string,
  options: {
    readonly report?: boolean;
    /** page_owner dumps taken during the run (`--dump-at`), written to `dumps/page_owner-N%`. */
    readonly dumps?: readonly { readonly percent: number; readonly chunks: readonly (string | Uint8Array)[] }[];
  } = {},
): Promise<readonly string[]> {
  const { kernel } = result;
  return OutputDirectory.write(directory, async (out) => {
    await out.write('cmdline', `${kernel.cmdline}\n`);
    await writeKernelFiles(out, kernel);
    await out.write('summary.json', formatJson(runSummary(result).summary));
    for (const dump of options.dumps ?? []) {
      await out.write(`dumps/page_owner-${dump.percent}%`, (write) => {
        for (const chunk of dump.chunks) write(chunk);
      });
    }
    if (options.report) {
      // The report's renderer (and its browser bundle) loads only when a report is asked for.
      const { buildReport } = await import('./report');
      await out.write('report.html', buildReport(out.stage).html);
    }
  });
}

/**
 * A report reads /proc/kpageflags and /proc/kpagecount whole (8 bytes a pfn): refused before the run when they would
 * be larger than it reads, counting the PCI hole's 1 GiB of pfns above 4 GiB.
 */
async function checkReportSize(memory: string): Promise<void> {
  const { MAX_REPORT_BINARY_BYTES } = await import('@mm/report');
  const pfns = parseMemorySize(memory) / PAGE_SIZE + 2 ** 18;
  if (pfns * 8 > MAX_REPORT_BINARY_BYTES) {
    throw new UsageError(
      `mmsim run: --report reads /proc/kpageflags whole, ${formatSize(MAX_REPORT_BINARY_BYTES)} at most: ${memory} of RAM makes it ${formatSize(pfns * 8)}; run without --report`,
    );
  }
}

/** Where the page_owner dump is, in the kernel's files and in an output directory. */
const PAGE_OWNER_PATH = 'sys/kernel/debug/page_owner';

/** `--dump-at 25%,50,100%`: percentages from above 0 to 100, ascending, without repeats. */
function dumpPoints(value: string | undefined): number[] {
  if (value === undefined) return [];
  const points = value.split(',').map((text) => {
    const percent = Number(text.trim().replace(/%$/, ''));
    if (text.trim() === '' || !Number.isFinite(percent) || percent <= 0 || percent > 100) {
      throw new UsageError(`mmsim run: --dump-at takes percentages above 0 and up to 100 (50%,100%), not '${text}'`);
    }
    return percent;
  });
  return [...new Set(points)].sort((a, b) => a - b);
}

export const runCommand: Command = defineCommand({
  name: 'run',
  help,
  options: {
    quiet: { type: 'boolean' },
    mem: { type: 'string' },
    cmdline: { type: 'string' },
    profile: { type: 'string' },
    workload: { type: 'string' },
    seed: { type: 'string' },
    cpus: { type: 'string' },
    out: { type: 'string' },
    report: { type: 'boolean' },
    'dump-at': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, io }) {
    const dumpAt = dumpPoints(values['dump-at']);
    if (dumpAt.length > 0 && values.out === undefined) {
      throw new UsageError('mmsim run: --dump-at writes DIR/dumps/page_owner-N%: give --out DIR');
    }
    if (values.report && values.out === undefined) {
      throw new UsageError('mmsim run: --report writes DIR/report.html of the output directory: give --out DIR');
    }
    const profile = profileOption('run', values.profile);
    const ownModule = values.workload !== undefined && /^(\.{0,2}\/|.*\.(ts|js|mjs)$)/.test(values.workload);
    const workload = ownModule
      ? values.workload!
      : (choiceOption('run', 'workload', values.workload, Object.keys(builtinWorkloads) as string[]) ?? 'kernel-build');
    const make = ownModule ? await loadWorkloadModule(workload) : undefined;
    if (values.out !== undefined) checkOutputDirectory(values.out);
    if (values.report) await checkReportSize(values.mem ?? '4G');
    const bar = io.isTTY && !values.quiet ? progressBar(io, `mmsim run: ${workload}`) : undefined;
    const dumps: { percent: number; chunks: (string | Uint8Array)[] }[] = [];
    let result: RunResult;
    try {
      result = runWorkload({
        ...(make !== undefined ? { make } : {}),
        ...(bar !== undefined ? { progress: bar.update } : {}),
        memory: values.mem ?? '4G',
        cmdline: values.cmdline ?? 'page_owner=on',
        profile,
        workload,
        seed: integerOption('run', 'seed', values.seed, 0, 2 ** 31 - 1) ?? 1,
        cpus: integerOption('run', 'cpus', values.cpus, 1, 256) ?? 2,
        checkpoints: dumpAt.map((percent) => percent / 100),
        checkpoint(fraction, kernel) {
          const file = kernel.files().find((candidate) => candidate.path === PAGE_OWNER_PATH);
          if (file === undefined)
            throw new UsageError('mmsim run: --dump-at dumps page_owner: boot with page_owner=on');
          const chunks: (string | Uint8Array)[] = [];
          file.read((chunk) => chunks.push(chunk));
          dumps.push({ percent: Math.round(fraction * 1e4) / 100, chunks });
        },
      });
    } finally {
      bar?.done();
    }
    const written =
      values.out === undefined ? [] : await writeOutput(result, values.out, { report: values.report === true, dumps });
    const { summary, lines: featureLines } = runSummary(result);
    if (values.json) {
      io.stdout(formatJson({ ...summary, files: written }));
      return ExitCode.success;
    }
    const lines = [
      `mmsim run: ${summary.workload} on ${values.mem ?? '4G'} (${summary.profile}), ${summary.milliseconds.toFixed(0)} ms`,
      `  cmdline: ${summary.cmdline}`,
      `  pages: ${summary.totalPages} present, ${summary.freePages} free (MemFree), ${summary.freePcpPages} on per-CPU lists (free_pcp), ${summary.failedAllocations} failed allocations, ${summary.oomKills} OOM kills`,
    ];
    if (summary.pageExt !== null) {
      lines.push(
        `  page_ext: ${summary.pageExt.bytes} bytes (${formatSize(summary.pageExt.bytes)}), ${summary.pageExt.entryBytes} bytes per page`,
      );
    }
    lines.push(...featureLines);
    if (written.length > 0) lines.push(`  wrote ${written.length} files to ${values.out}: ${written.join(', ')}`);
    io.stdout(`${lines.join('\n')}\n`);
    return ExitCode.success;
  },
});

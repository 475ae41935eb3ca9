import { join } from 'node:path';
import { type Kernel, KernelParamError } from '@mm/kernel';
import { formatExtfragIndex, formatUnusableIndex } from '@mm/migrate';
import {
  dumpPageOwner,
  forEachPageOwnerRecord,
  formatShowStacks,
  mixedBlockCounts,
  RecordFormatter,
} from '@mm/page-owner';
import { formatSize, isProfileName, type ProfileName, profileNames } from '@mm/physmem';
import { builtinWorkloads, CompactionCounters, INJECTED_COUNTER } from '@mm/workloads';
import { type CliIo, ExitCode, UsageError } from '../cli-io';
import type { Command } from '../command';
import { OutputDirectory, withSignalsDeferred } from '../output-directory';
import { choiceOption, integerOption, parseOptions } from '../parse-options';
import { loadWorkloadModule, type RunResult, runWorkload } from '../run-workload';
import { writeUserSpaceFiles } from '../user-space-files';
import { staticLayoutRows } from './layouts';
import { writeReport } from './report';

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
  --json              print one JSON object instead of text
  --quiet             no progress bar (there is none either when stderr is not a terminal)
  -h, --help          show this help

Exit codes: 0 success, 1 failure, 2 bad usage, 130 interrupted while writing --out (every file written is whole).
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

/** Pages and records per allocation stack, from the page_owner records, largest first. */
export function topStacks(
  kernel: Kernel,
  limit: number,
): { handle: number; pages: number; records: number; stack: string }[] {
  const owner = kernel.pageOwner;
  if (owner === undefined || !owner.inited) return [];
  const formatter = new RecordFormatter(owner);
  const byHandle = new Map<number, { pages: number; records: number }>();
  forEachPageOwnerRecord(owner, (_pfn, handle, order) => {
    const entry = byHandle.get(handle) ?? { pages: 0, records: 0 };
    entry.pages += 1 << order;
    entry.records++;
    byHandle.set(handle, entry);
  });
  return [...byHandle]
    .sort((a, b) => b[1].pages - a[1].pages)
    .slice(0, limit)
    .map(([handle, entry]) => ({ handle, ...entry, stack: formatter.stack(handle) }));
}

/** The summary object of a run (`--json`, `summary.json`). */
export function runSummary(result: RunResult) {
  const { kernel } = result;
  const { memory, buddy, pageOwner, pageExt } = kernel;
  const depot = pageOwner?.depot;
  const mixed =
    pageOwner?.inited === true
      ? buddy.zones
          .filter((zone) => zone.zone.populated)
          .reduce((sum, zone) => sum + mixedBlockCounts(pageOwner, zone).reduce((a, b) => a + b, 0), 0)
      : 0;
  return {
    profile: kernel.profile.name,
    memoryBytes: memory.presentPages * 4096,
    totalPages: memory.presentPages,
    cmdline: kernel.cmdline,
    workload: result.workload,
    seed: result.seed,
    freePages: buddy.totalFreePages(),
    failedAllocations: result.failedAllocations,
    pageExt: pageExt === undefined ? null : { entryBytes: pageExt.entryBytes, bytes: pageExt.totalBytes },
    // v4.7 has no stack depot: its stacks live inline in page_ext.
    stackDepot:
      depot === undefined || pageOwner?.inited !== true || pageOwner.era.inline
        ? null
        : {
            pools: depot.stats.pools,
            pages: depot.stats.pages,
            stacks: depot.stats.stacks,
            bytes: depot.stats.bytes,
            failures: depot.stats.failures,
          },
    pageOwner:
      pageOwner?.inited !== true
        ? null
        : {
            earlyPages: [...pageOwner.earlyPages.values()].reduce((a, b) => a + b, 0),
            hostBytesPerPage: kernel.pageOwnerHostBytes() / memory.presentPages,
          },
    mixedBlocks: mixed,
    /** The fragment workload's order-9 allocation before and after compaction, and the pages compaction moved. */
    compaction: result.counters.has(CompactionCounters.order9Before)
      ? {
          order9Before: result.counters.get(CompactionCounters.order9Before) === 1,
          order9After: result.counters.get(CompactionCounters.order9After) === 1,
          migratedPages: result.counters.get(CompactionCounters.migratedPages) ?? 0,
        }
      : null,
    /** What debug_pagealloc caught: oopses on unmapped pages and poison reports, against what the workload injected. */
    debugPagealloc:
      kernel.debugPagealloc?.active !== true
        ? null
        : {
            injected: result.counters.get(INJECTED_COUNTER) ?? 0,
            caught: kernel.debugPagealloc.stats.faults + kernel.debugPagealloc.stats.corruptions,
            faults: kernel.debugPagealloc.stats.faults,
            corruptions: kernel.debugPagealloc.stats.corruptions,
            unmappedPages: kernel.debugPagealloc.stats.unmappedPages,
            poisonedPages: kernel.debugPagealloc.stats.poisonedPages,
          },
    /** The seed's table for this machine: what page_owner's page_ext costs under each layout (x86_64 sizes). */
    layouts: pageExt === undefined ? null : staticLayoutRows(pageExt.totalBytes / pageExt.entryBytes),
    hostBytesPerPage: kernel.hostBytes() / memory.presentPages,
    milliseconds: result.milliseconds,
    /** The depot's stacks and bytes, and free pages, over simulated time (what `mmsim report` charts). */
    timeline: result.timeline,
  };
}

/** Writes the output directory of a run. */
export function writeOutput(result: RunResult, directory: string): string[] {
  const { kernel } = result;
  const out = new OutputDirectory(directory);
  out.write('cmdline', `${kernel.cmdline}\n`);
  out.write('proc/buddyinfo', kernel.buddyinfo());
  out.write('proc/pagetypeinfo', kernel.pagetypeinfo());
  const owner = kernel.pageOwner;
  if (owner?.inited === true) {
    out.write('sys/kernel/debug/page_owner', (write) => {
      dumpPageOwner(owner, write);
    });
    if (owner.era.name === 'v6.18') {
      out.write('sys/kernel/debug/page_owner_stacks/show_stacks', formatShowStacks(owner));
      out.write('sys/kernel/debug/page_owner_stacks/count_threshold', `${owner.countThreshold}`);
    }
  }
  writeUserSpaceFiles(out, kernel);
  out.write('sys/kernel/debug/extfrag/unusable_index', formatUnusableIndex(kernel.buddy));
  out.write('sys/kernel/debug/extfrag/extfrag_index', formatExtfragIndex(kernel.buddy));
  out.write('dmesg', kernel.dmesg());
  out.write('summary.json', `${JSON.stringify(runSummary(result), null, 2)}\n`);
  return out.written;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'boot, run a workload, summarise, and write the files a real machine would show',
  help,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions('run', argv, {
      quiet: { type: 'boolean' },
      mem: { type: 'string' },
      cmdline: { type: 'string' },
      profile: { type: 'string' },
      workload: { type: 'string' },
      seed: { type: 'string' },
      cpus: { type: 'string' },
      out: { type: 'string' },
      report: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (values.help) {
      io.stdout(help);
      return ExitCode.success;
    }
    if (positionals.length > 0) throw new UsageError(`mmsim run: unexpected argument '${positionals[0]}'`);
    if (values.report && values.out === undefined) {
      throw new UsageError('mmsim run: --report writes DIR/report.html of the output directory: give --out DIR');
    }
    if (values.profile !== undefined && !isProfileName(values.profile)) {
      throw new UsageError(`mmsim run: --profile must be one of ${profileNames.join(', ')}, not '${values.profile}'`);
    }
    const ownModule = values.workload !== undefined && /^(\.{0,2}\/|.*\.(ts|js|mjs)$)/.test(values.workload);
    const workload = ownModule
      ? values.workload!
      : (choiceOption('run', 'workload', values.workload, Object.keys(builtinWorkloads) as string[]) ?? 'kernel-build');
    const make = ownModule ? await loadWorkloadModule(workload) : undefined;
    const bar = io.isTTY && !values.quiet ? progressBar(io, `mmsim run: ${workload}`) : undefined;
    let result: RunResult;
    try {
      result = runWorkload({
        ...(make !== undefined ? { make } : {}),
        ...(bar !== undefined ? { progress: bar.update } : {}),
        memory: values.mem ?? '4G',
        cmdline: values.cmdline ?? 'page_owner=on',
        profile: (values.profile as ProfileName | undefined) ?? 'v6.18',
        workload,
        seed: integerOption('run', 'seed', values.seed, 0, 2 ** 31 - 1) ?? 1,
        cpus: integerOption('run', 'cpus', values.cpus, 1, 256) ?? 2,
      });
    } catch (error) {
      if (error instanceof KernelParamError || error instanceof RangeError || error instanceof SyntaxError) {
        throw new UsageError(`mmsim run: ${error.message}`);
      }
      throw error;
    } finally {
      bar?.done();
    }
    let written: string[] = [];
    const outDirectory = values.out;
    if (outDirectory !== undefined) {
      const interrupted = withSignalsDeferred(() => {
        written = writeOutput(result, outDirectory);
        if (values.report) {
          writeReport(outDirectory, join(outDirectory, 'report.html'));
          written.push('report.html');
        }
      });
      if (interrupted) {
        io.stderr(`mmsim run: interrupted; the ${written.length} files in ${outDirectory} are whole\n`);
        return 130;
      }
    }
    const summary = runSummary(result);
    if (values.json) {
      io.stdout(`${JSON.stringify({ ...summary, files: written }, null, 2)}\n`);
      return ExitCode.success;
    }
    const lines = [
      `mmsim run: ${summary.workload} on ${values.mem ?? '4G'} (${summary.profile}), ${summary.milliseconds.toFixed(0)} ms`,
      `  cmdline: ${summary.cmdline}`,
      `  pages: ${summary.totalPages} present, ${summary.freePages} free, ${summary.failedAllocations} failed allocations`,
    ];
    if (summary.pageExt !== null) {
      lines.push(
        `  page_ext: ${summary.pageExt.bytes} bytes (${formatSize(summary.pageExt.bytes)}), ${summary.pageExt.entryBytes} bytes per page`,
      );
    }
    if (summary.stackDepot !== null) {
      lines.push(
        `  stackdepot: ${summary.stackDepot.stacks} stacks in ${summary.stackDepot.pools} pools, ${summary.stackDepot.pages} pages (${summary.stackDepot.pages * 4} KiB)`,
      );
    }
    if (summary.layouts !== null) {
      const layouts = summary.layouts.map((row) => `${row.profile} ${formatSize(row.staticBytes)}`).join(', ');
      lines.push(`  page_ext for page_owner under each layout: ${layouts} (mmsim layouts)`);
    }
    if (summary.pageOwner !== null) {
      lines.push(`  mixed pageblocks: ${summary.mixedBlocks}`);
      lines.push('  top allocation stacks by pages:');
      for (const stack of topStacks(result.kernel, 3)) {
        lines.push(`    ${stack.pages} pages in ${stack.records} records:`);
        lines.push(
          ...stack.stack
            .trimEnd()
            .split('\n')
            .map((line) => `     ${line}`),
        );
      }
    }
    if (summary.compaction !== null) {
      const { order9Before, order9After, migratedPages } = summary.compaction;
      lines.push(
        `  compaction: an order-9 allocation ${order9Before ? 'succeeded' : 'failed'} before, ${order9After ? 'succeeded' : 'failed'} after; ${migratedPages} pages migrated`,
      );
    }
    if (summary.debugPagealloc !== null) {
      const caught = summary.debugPagealloc;
      lines.push(
        `  debug_pagealloc: caught ${caught.caught} (${caught.faults} oopses on freed pages, ${caught.corruptions} poison reports) of ${caught.injected} injected bugs; reports in dmesg`,
      );
    }
    if (written.length > 0) lines.push(`  wrote ${written.length} files to ${values.out}: ${written.join(', ')}`);
    io.stdout(`${lines.join('\n')}\n`);
    return ExitCode.success;
  },
};

import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { allFeatures } from '@mm/defaults';
import { boot, KernelParamError } from '@mm/kernel';
import { isProfileName, type ProfileName, profileNames } from '@mm/physmem';
import { replayedEvents, replayTrace, traceMaxPfn } from '@mm/workloads';
import { type CliIo, ExitCode, UsageError } from '../cli-io';
import type { Command } from '../command';
import { parseOptions } from '../parse-options';
import { sampleTimeline } from '../run-workload';
import { writeReport } from './report';
import { writeOutput } from './run';

const help = `Usage: mmsim replay [options] <trace>

Replays a real kernel trace through the simulator: ftrace text (/sys/kernel/tracing/trace with the kmem events)
or perf script output of kmem:mm_page_alloc and kmem:mm_page_free with call chains (perf record -g), detected
line by line. Each mm_page_alloc allocates its pfn and order with its gfp flags; with perf call chains, page_owner
records the real kernel's allocation stacks. mm_page_free and mm_page_free_batched free what the replay allocated.
${replayedEvents.join(', ')} are counted; other lines are counted as unknown, not fatal; a known event without
its fields is reported with its line number. The trace is streamed (read twice to size the machine).

Options:
  --mem SIZE          RAM (default: enough for the trace's highest pfn, at least 1G)
  --profile NAME      ${profileNames.join(', ')} (default v6.18)
  --cmdline "..."     kernel command line (default "page_owner=on")
  --out DIR           write the output directory of the machine after the replay (as mmsim run)
  --report            also write DIR/report.html, the visual report of the output (see mmsim report)
  --json              print { events: { name: count }, unknownLines, malformedLines, ... }
  -h, --help          show this help

Exit codes: 0 success, 1 failure (unreadable trace), 2 bad usage.
`;

/** The trace's text in chunks, as read. */
function chunks(path: string): AsyncIterable<string> {
  return createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
}

export const replayCommand: Command = {
  name: 'replay',
  summary: 'replay a real ftrace or perf script trace of page allocations through the simulator',
  help,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions('replay', argv, {
      mem: { type: 'string' },
      profile: { type: 'string' },
      cmdline: { type: 'string' },
      out: { type: 'string' },
      report: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (values.help) {
      io.stdout(help);
      return ExitCode.success;
    }
    if (positionals.length !== 1) throw new UsageError('mmsim replay: expected one trace file');
    if (values.report && values.out === undefined) {
      throw new UsageError('mmsim replay: --report writes DIR/report.html of the output directory: give --out DIR');
    }
    const profile = values.profile ?? 'v6.18';
    if (!isProfileName(profile)) {
      throw new UsageError(`mmsim replay: --profile must be one of ${profileNames.join(', ')}, not '${profile}'`);
    }
    const file = positionals[0]!;
    let memory = values.mem;
    try {
      if (memory === undefined) {
        const maxPfn = await traceMaxPfn(chunks(file));
        memory = `${Math.max(1, Math.ceil((maxPfn * 4096) / 2 ** 30) + 1)}G`;
      }
    } catch (error) {
      io.stderr(`mmsim replay: ${(error as Error).message}\n`);
      return ExitCode.failure;
    }
    let kernel: ReturnType<typeof boot>;
    try {
      kernel = boot({
        memory,
        profile: profile as ProfileName,
        cmdline: values.cmdline ?? 'page_owner=on',
        features: allFeatures(),
      });
    } catch (error) {
      if (error instanceof KernelParamError || error instanceof RangeError) {
        throw new UsageError(`mmsim replay: ${error.message}`);
      }
      throw error;
    }
    let result: Awaited<ReturnType<typeof replayTrace>>;
    try {
      result = await replayTrace(kernel, chunks(file), file);
    } catch (error) {
      io.stderr(`mmsim replay: ${(error as Error).message}\n`);
      return ExitCode.failure;
    }
    for (const message of result.errors) io.stderr(`mmsim replay: ${message}\n`);
    const written =
      values.out === undefined
        ? []
        : writeOutput(
            {
              kernel,
              workload: `replay ${file}`,
              seed: 0,
              milliseconds: 0,
              failedAllocations: 0,
              counters: new Map(),
              timeline: [sampleTimeline(kernel)],
            },
            values.out,
          );
    if (values.report && values.out !== undefined) {
      writeReport(values.out, join(values.out, 'report.html'));
      written.push('report.html');
    }
    if (values.json) {
      const { errors: _errors, ...summary } = result;
      io.stdout(`${JSON.stringify({ memory, ...summary, files: written }, null, 2)}\n`);
      return ExitCode.success;
    }
    const events = Object.entries(result.events)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ');
    const summary = [
      `mmsim replay: ${file} on ${memory} (${profile})`,
      `  events: ${events || 'none'}`,
      `  replayed ${result.allocations} allocations and ${result.frees} frees; skipped ${result.skippedAllocations} allocations (pages not free in the simulation) and ${result.skippedFrees} frees (pages allocated before the trace)`,
      `  ${result.unknownLines} unknown lines, ${result.malformedLines} malformed`,
      ...(written.length > 0 ? [`  wrote ${written.length} files to ${values.out}`] : []),
    ];
    io.stdout(`${summary.join('\n')}\n`);
    return ExitCode.success;
  },
};

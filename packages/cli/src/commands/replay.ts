import { readFileSync } from 'node:fs';
import { allFeatures } from '@mm/defaults';
import { formatSize, getProfile, profileNames } from '@mm/physmem';
import {
  formatPerfKmemPageStat,
  PERF_KMEM_ALLOC_FUNCTIONS,
  PerfKmemPageStat,
  parseKallsyms,
  perfKmemPageStatJson,
  REPLAY_MEMORY_CAP,
  type ReplayResult,
  readTraceText,
  replayedEvents,
  replayTrace,
  type TraceEvent,
  TraceRangeError,
  TraceReader,
  traceField,
} from '@mm/workloads';
import { ExitCode, formatJson, UsageError } from '../cli-io';
import { type Command, defineCommand } from '../command';
import { withPath } from '../describe-error';
import { checkOutputDirectory } from '../output-directory';
import { profileOption } from '../parse-options';
import { sampleTimeline } from '../run-workload';
import { type ReplayStatOptions, replayStatOptions } from './replay-stat';
import { writeOutput } from './run';

/**
 * page_owner's stack depth for a replay: the most a build allows (PAGE_OWNER_STACK_DEPTH, and the depot's
 * CONFIG_STACKDEPOT_MAX_FRAMES, up to 256), so that the allocator's own frames and every frame of a perf call chain
 * (127 at most by default, kernel.perf_event_max_stack) fit.
 */
const REPLAY_STACK_DEPTH = 256;

/** The text of perf's default allocator pattern, for the help. */
const PERF_ALLOC_FUNCTIONS_TEXT = PERF_KMEM_ALLOC_FUNCTIONS.source;

const help = `Usage: mmsim replay [options] <trace>

Replays a real kernel trace through the simulator, so that page_owner shows what the traced machine's would have:
ftrace text (/sys/kernel/tracing/trace with the kmem page events) or perf script output of kmem:mm_page_alloc and
kmem:mm_page_free with call chains (perf record -g), of any kernel version (pfn=%lu and pfn=0x%lx, with or without
the tgid and CPU columns), detected line by line. Each mm_page_alloc allocates its pfn and order with its gfp flags,
as the trace's task, at the trace's time, with the whole kernel call chain below the allocator's own frames; each
mm_page_free frees what it freed. A page allocated again without a traced free frees its earlier owner first;
frees of pages allocated before the trace began, failed allocations and pages the simulated machine does not have
are counted. ${replayedEvents.join(', ')} are counted; other lines are counted as unknown; a known event without its
fields is reported with its line number. A file without a single event line (a page_owner dump, a log) is refused,
exit 1, with its first line. The trace is read twice: first for its symbols, pages and size.

Frame sizes (sym+0xoff/0xsize) come from --kallsyms when given, else from mmsim's model of the kernel text when
every offset seen fits, else from the largest offset the trace shows for the symbol; --json counts the frames of
each source.

Options:
  --mem SIZE          RAM (default: 1G more than the trace's highest page, up to ${REPLAY_MEMORY_CAP / 2 ** 40}T)
  --kallsyms FILE     /proc/kallsyms of the traced machine (read as root): the frames' real sizes
  --profile NAME      the kernel whose files to show: ${profileNames.join(', ')} (default v6.18)
  --cmdline "..."     kernel command line (default "page_owner=on")
  --depth N           page_owner's stack depth, PAGE_OWNER_STACK_DEPTH (default ${REPLAY_STACK_DEPTH}: every chain perf
                      records is kept whole; 16 shows what the traced kernel's page_owner kept; v4.7 keeps 8)
  --out DIR           write the output directory of the machine after the replay (as mmsim run)
  --report            also write DIR/report.html, the visual report of the output (see mmsim report)
  --json              print the replay's counts (with --stat, perf kmem's numbers) as one JSON object

perf kmem --page stat of the trace (tools/perf/builtin-kmem.c), in perf's layout, from the same events:
  --stat              print perf kmem's statistics of the trace instead of the replay's summary; alone, the
                      trace is read once and nothing is simulated; with --out, after replaying it
  --alloc             the per-page table          --caller            the per-callsite table
  --live              pages still allocated at the end of the trace (the per-page table lists them, frees come
                      out of the per-callsite rows)
  -s, --sort KEYS     page, callsite, hit, bytes, order, migtype, gfp (default bytes,hit)
  -l, --lines N       at most N rows, then '...'
                      -s and -l apply to whichever of --alloc and --caller came before them, as in perf
  --alloc-functions RE the allocator's own functions the callsite skips (default perf's
                      ${PERF_ALLOC_FUNCTIONS_TEXT}; on 6.18 every callsite is then __alloc_frozen_pages_noprof,
                      as perf shows it: give e.g. '^(__alloc|alloc_pages|folio_alloc)' to see the callers)
  --kernel-map START  print callsites as perf kmem does, as hex of address + START (the kernel map's start,
                      perf script --show-mmap-events), rather than by name
  Differences from perf: callsites are named (perf prints them as hex, see --kernel-map); gfp masks are read from
  their names; ftrace text has no call chains, so callsites are [unknown]; where perf stops with "error during
  process events" (a free at another order than its allocation) the statistics go on and --json counts it in stops.
  Thousands are grouped by the locale (LC_ALL, LC_NUMERIC, LANG) as perf's %' groups them.
  -h, --help          show this help

Exit codes: 0 success, 1 failure (an unreadable trace or kallsyms file), 2 bad usage (including a trace beyond
the largest machine a replay builds).
`;

/**
 * perf kmem's statistics of a trace, made on its first page event: the trace's era (pfn=%lu or pfn=0x%lx) decides
 * whose gfp names it prints.
 */
function statCollector(options: ReplayStatOptions): { add: (event: TraceEvent) => void; stat: () => PerfKmemPageStat } {
  let stat: PerfKmemPageStat | undefined;
  return {
    add(event) {
      if (stat === undefined) {
        const pfn = traceField(event, 'pfn');
        if (pfn === undefined) return;
        stat = new PerfKmemPageStat({
          profile: getProfile(pfn.startsWith('0x') ? 'v6.18' : 'v4.8'),
          live: options.live,
          allocFunctions: options.allocFunctions,
        });
      }
      stat.add(event);
    },
    stat: () => stat ?? new PerfKmemPageStat({ live: options.live, allocFunctions: options.allocFunctions }),
  };
}

/** The text of a kallsyms file; an error names it. */
function readKallsyms(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw withPath(error, path);
  }
}

/** Reads a trace once, for perf kmem's statistics alone. */
async function statOnly(file: string, add: (event: TraceEvent) => void): Promise<void> {
  const reader = new TraceReader({ file });
  for await (const chunk of readTraceText(file)) for (const event of reader.push(chunk)) add(event);
  for (const event of reader.end()) add(event);
}

const group = (value: number) => value.toLocaleString('en-US');

/**
 * The text summary of a replay: what was replayed, the share of the trace that was unpaired and what it means,
 * and where the frames' sizes came from.
 */
export function formatReplaySummary(file: string, profile: string, result: ReplayResult): string[] {
  const events = Object.entries(result.events)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  const pageEvents = (result.events.mm_page_alloc ?? 0) + (result.events.mm_page_free ?? 0);
  const unpaired = result.missedFrees + result.unknownFrees;
  const share = pageEvents === 0 ? 0 : (unpaired / pageEvents) * 100;
  const frames = result.frames;
  const totalFrames = frames.kallsyms + frames.modelled + frames.derived + frames.unresolved;
  const lines = [
    `mmsim replay: ${file} on ${formatSize(result.memoryBytes)} (${profile}), ${result.formats.join(', ')}`,
    `  events: ${events || 'none'}`,
    `  replayed ${group(result.allocations)} allocations and ${group(result.frees)} frees; ${group(result.failedAllocations)} failed allocations in the trace`,
    unpaired === 0
      ? '  unpaired: none: every free the trace shows is of a page it allocated, and no page was allocated twice'
      : `  unpaired: ${share.toFixed(1)}% of the page events (${group(result.missedFrees)} allocations of pages whose free the trace missed, their earlier owner freed first; ${group(result.unknownFrees)} frees of pages allocated before the trace): the trace began mid-run or follows some tasks only, so pages held since before it are missing from the dump`,
  ];
  if (result.partialFrees > 0) lines.push(`  ${group(result.partialFrees)} blocks split to free part of them`);
  if (result.unplaceable > 0) {
    lines.push(
      `  ${group(result.unplaceable)} allocations not replayed: the simulated machine has no free page there (its own reserved memory, or a hole)`,
    );
  }
  if (result.ownAllocations > 0) {
    lines.push(
      `  ${group(result.ownAllocations)} allocations of the simulated machine's own (its stack depot's pools, with page_owner's dummy stack and the task of the event that needed them)`,
    );
  }
  if (totalFrames > 0) {
    lines.push(
      `  frames: ${group(totalFrames)} kernel frames; sizes from kallsyms ${group(frames.kallsyms)}, the model ${group(frames.modelled)}, the trace's largest offsets ${group(frames.derived)}; unresolved ${group(frames.unresolved)}`,
    );
  }
  lines.push(`  ${group(result.unknownLines)} unknown lines, ${group(result.malformedLines)} malformed`);
  return lines;
}

export const replayCommand: Command = defineCommand({
  name: 'replay',
  help,
  options: {
    mem: { type: 'string' },
    profile: { type: 'string' },
    cmdline: { type: 'string' },
    kallsyms: { type: 'string' },
    depth: { type: 'string' },
    stat: { type: 'boolean' },
    alloc: { type: 'boolean' },
    caller: { type: 'boolean' },
    live: { type: 'boolean' },
    sort: { type: 'string', short: 's' },
    lines: { type: 'string', short: 'l' },
    'alloc-functions': { type: 'string' },
    'kernel-map': { type: 'string' },
    out: { type: 'string' },
    report: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  operands: { min: 1, max: 1, expected: 'expected one trace file' },
  async run({ values, positionals, io, argv }) {
    if (values.report && values.out === undefined) {
      throw new UsageError('mmsim replay: --report writes DIR/report.html of the output directory: give --out DIR');
    }
    const profile = profileOption('replay', values.profile);
    const statFlags = ['alloc', 'caller', 'live', 'sort', 'lines', 'alloc-functions', 'kernel-map'] as const;
    const withoutStat = statFlags.find((name) => values[name] !== undefined);
    if (!values.stat && withoutStat !== undefined) {
      throw new UsageError(`mmsim replay: --${withoutStat} is an option of perf kmem's statistics: add --stat`);
    }
    const statOptions = values.stat
      ? replayStatOptions(
          argv,
          {
            alloc: values.alloc,
            caller: values.caller,
            live: values.live,
            ...(values['kernel-map'] !== undefined ? { kernelMap: values['kernel-map'] } : {}),
            ...(values['alloc-functions'] !== undefined ? { allocFunctions: values['alloc-functions'] } : {}),
          },
          io.env ?? process.env,
        )
      : undefined;
    const collector = statOptions === undefined ? undefined : statCollector(statOptions);
    if (values.out !== undefined) checkOutputDirectory(values.out);
    const printStat = (replay: Omit<ReplayResult, 'errors'> | undefined, files: readonly string[]): number => {
      const stat = collector!.stat();
      if (values.json) {
        const json = perfKmemPageStatJson(stat, statOptions!.report);
        io.stdout(formatJson(replay === undefined ? json : { ...json, replay: { ...replay, files } }));
      } else io.stdout(formatPerfKmemPageStat(stat, statOptions!.report));
      return ExitCode.success;
    };
    if (collector !== undefined && values.out === undefined) {
      await statOnly(positionals[0]!, collector.add);
      return printStat(undefined, []);
    }
    const depth = values.depth === undefined ? REPLAY_STACK_DEPTH : Number(values.depth);
    if (!Number.isInteger(depth) || depth < 1 || depth > 256) {
      throw new UsageError(`mmsim replay: --depth must be 1 to 256 frames, not '${values.depth}'`);
    }
    const file = positionals[0]!;
    let kallsyms: ReturnType<typeof parseKallsyms> | undefined;
    let replayed: Awaited<ReturnType<typeof replayTrace>>;
    try {
      if (values.kallsyms !== undefined) kallsyms = parseKallsyms(readKallsyms(values.kallsyms), values.kallsyms);
      replayed = await replayTrace({
        open: () => readTraceText(file),
        file,
        profile,
        cmdline: values.cmdline ?? 'page_owner=on',
        ...(values.mem !== undefined ? { memory: values.mem } : {}),
        ...(kallsyms !== undefined ? { kallsyms } : {}),
        // v4.7's page_owner keeps its 8 entries inline in page_ext.
        features: allFeatures(profile === 'v4.7' ? {} : { stackDepth: depth }),
        ...(collector !== undefined ? { observe: collector.add } : {}),
      });
    } catch (error) {
      if (error instanceof TraceRangeError) throw new UsageError(`mmsim replay: ${error.message}`);
      throw error;
    }
    const { kernel, result } = replayed;
    for (const message of result.errors) io.stderr(`mmsim replay: ${message}\n`);
    const written =
      values.out === undefined
        ? []
        : await writeOutput(
            {
              kernel,
              workload: `replay ${file}`,
              seed: 0,
              milliseconds: 0,
              counters: new Map(),
              timeline: [sampleTimeline(kernel)],
            },
            values.out,
            { report: values.report === true },
          );
    const { errors: _errors, ...summary } = result;
    if (collector !== undefined) return printStat(summary, written);
    if (values.json) {
      io.stdout(formatJson({ ...summary, files: written }));
      return ExitCode.success;
    }
    const lines = formatReplaySummary(file, profile, result);
    if (written.length > 0) lines.push(`  wrote ${written.length} files to ${values.out}`);
    io.stdout(`${lines.join('\n')}\n`);
    return ExitCode.success;
  },
});

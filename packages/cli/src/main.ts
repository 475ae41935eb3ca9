import { type CliIo, ExitCode } from './cli-io';
import type { Command } from './command';

/** A subcommand as `mmsim --help` lists it; its module (and what it imports) loads only when it runs. */
export interface CommandEntry {
  readonly name: string;
  /** One line for `mmsim --help`. */
  readonly summary: string;
  load(): Promise<Command>;
}

/** Every subcommand, in `--help` order. */
export const commands: readonly CommandEntry[] = [
  {
    name: 'run',
    summary: 'boot, run a workload, summarise, and write the files a real machine would show',
    load: async () => (await import('./commands/run')).runCommand,
  },
  {
    name: 'boot',
    summary: 'boot a simulated machine; print its boot log and /proc/buddyinfo',
    load: async () => (await import('./commands/boot')).bootCommand,
  },
  {
    name: 'layouts',
    summary: "page_owner's page_ext memory under the v3.19, v4.7, v4.8 and v6.18 layouts for a machine",
    load: async () => (await import('./commands/layouts')).layoutsCommand,
  },
  {
    name: 'sort',
    summary: "sort a page_owner dump as the kernel's page_owner_sort does (v6.18, or v4.7/v4.8 with --profile)",
    load: async () => (await import('./commands/sort')).sortCommand,
  },
  {
    name: 'idle',
    summary: "estimate each process's working set with idle page tracking (pagemap + page_idle bitmap)",
    load: async () => (await import('./commands/idle')).idleCommand,
  },
  {
    name: 'diff',
    summary: 'compare two page_owner dumps stack by stack: which stacks hold more pages (a leak)',
    load: async () => (await import('./commands/diff')).diffCommand,
  },
  {
    name: 'replay',
    summary: 'replay a real ftrace or perf script trace of page allocations through the simulator',
    load: async () => (await import('./commands/replay')).replayCommand,
  },
  {
    name: 'report',
    summary: "write a self-contained HTML report (memory map, stacks flame graph, charts) of a run's output or a dump",
    load: async () => (await import('./commands/report')).reportCommand,
  },
];

const VERSION = '0.0.0';

function usage(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return `Usage: mmsim <command> [options]

mmsim simulates the Linux kernel's physical memory, buddy allocator and per-page debugging features
(page_ext, stackdepot, page_owner, page_idle, debug_pagealloc) on a machine of any size.

Commands:
${commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

Run 'mmsim <command> --help' for a command's options. '--debug' anywhere prints the stack of an error.
`;
}

/**
 * Runs `mmsim` with `argv` (without the node and script paths) and returns the exit code: 0 success, 1 failure,
 * 2 bad usage, 130 interrupted. Errors are printed to `io.stderr` as one line (with the stack under `--debug`),
 * never thrown.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const debug = argv.includes('--debug');
  const [name, ...rest] = debug ? argv.filter((argument) => argument !== '--debug') : argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(usage());
    return name === undefined ? ExitCode.usage : ExitCode.success;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`mmsim ${VERSION}\n`);
    return ExitCode.success;
  }
  const entry = commands.find((candidate) => candidate.name === name);
  if (entry === undefined) {
    io.stderr(`mmsim: unknown command '${name}'. Run 'mmsim --help' for the list.\n`);
    return ExitCode.usage;
  }
  try {
    const command = await entry.load();
    return await command.run(rest, io);
  } catch (error) {
    // The reporter loads only when something went wrong: `mmsim --help` stays as quick as Node.js itself.
    const { describeError } = await import('./describe-error');
    const report = describeError(entry.name, error, debug);
    io.stderr(`${report.message}\n`);
    return report.exitCode;
  }
}

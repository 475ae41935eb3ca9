import { type CliIo, ExitCode, UsageError } from './cli-io';
import type { Command } from './command';
import { bootCommand } from './commands/boot';
import { diffCommand } from './commands/diff';
import { idleCommand } from './commands/idle';
import { layoutsCommand } from './commands/layouts';
import { replayCommand } from './commands/replay';
import { reportCommand } from './commands/report';
import { runCommand } from './commands/run';
import { sortCommand } from './commands/sort';

/** Every subcommand, in `--help` order. */
export const commands: readonly Command[] = [
  runCommand,
  bootCommand,
  layoutsCommand,
  sortCommand,
  idleCommand,
  diffCommand,
  replayCommand,
  reportCommand,
];

const VERSION = '0.0.0';

function usage(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return `Usage: mmsim <command> [options]

mmsim simulates the Linux kernel's physical memory, buddy allocator and per-page debugging features
(page_ext, stackdepot, page_owner, page_idle, debug_pagealloc) on a machine of any size.

Commands:
${commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

Run 'mmsim <command> --help' for a command's options.
`;
}

/**
 * Runs `mmsim` with `argv` (without the node and script paths) and returns the exit code: 0 success, 1 failure,
 * 2 bad usage. Errors are printed to `io.stderr`, never thrown.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(usage());
    return name === undefined ? ExitCode.usage : ExitCode.success;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`mmsim ${VERSION}\n`);
    return ExitCode.success;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) {
    io.stderr(`mmsim: unknown command '${name}'. Run 'mmsim --help' for the list.\n`);
    return ExitCode.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${error.message}\nRun 'mmsim ${command.name} --help' for usage.\n`);
      return ExitCode.usage;
    }
    io.stderr(`mmsim ${command.name}: ${(error as Error).stack ?? String(error)}\n`);
    return ExitCode.failure;
  }
}

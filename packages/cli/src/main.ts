import { type CliIo, ExitCode } from './cli-io';
import type { Command } from './command';
import { bootCommand } from './commands/boot';
import { diffCommand } from './commands/diff';
import { idleCommand } from './commands/idle';
import { layoutsCommand } from './commands/layouts';
import { replayCommand } from './commands/replay';
import { reportCommand } from './commands/report';
import { runCommand } from './commands/run';
import { sortCommand } from './commands/sort';
import { describeError } from './describe-error';

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
  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) {
    io.stderr(`mmsim: unknown command '${name}'. Run 'mmsim --help' for the list.\n`);
    return ExitCode.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    const report = describeError(command.name, error, debug);
    io.stderr(`${report.message}\n`);
    return report.exitCode;
  }
}

import { createReadStream } from 'node:fs';
import { diffPageOwner, PageOwnerParseError, type StackGrowth } from '@mm/page-owner-tools';
import { type CliIo, ExitCode, UsageError } from '../cli-io';
import type { Command } from '../command';
import { integerOption, parseOptions } from '../parse-options';

const help = `Usage: mmsim diff [options] <before> <after>

Compares two page_owner dumps (/sys/kernel/debug/page_owner of any era, from mmsim or a real kernel) stack by
stack: the pages each allocation stack holds in each, the stacks that grew most first. Take two dumps an interval
apart: a stack that keeps growing is a leak. The dumps are streamed; memory holds one entry per distinct stack.

Options:
  --top N             show the N stacks that grew most (default 5; 0 for all that grew)
  --json              print { "stacks": [ { stack, before: { pages, records }, after: {...}, growth } ] }
  -h, --help          show this help

Exit codes: 0 success, 1 failure (unreadable or malformed dump, with file and line), 2 bad usage.
`;

/** The stacks that grew, as text. */
export function formatGrowth(stacks: readonly StackGrowth[]): string {
  if (stacks.length === 0) return 'No stack holds more pages in the second dump.\n';
  let text = '';
  for (const entry of stacks) {
    const records = entry.after.records - entry.before.records;
    text += `+${entry.growth} pages (${entry.before.pages} -> ${entry.after.pages}), ${records >= 0 ? '+' : ''}${records} records:\n`;
    text += `${entry.stack
      .split('\n')
      .map((line) => ` ${line}`)
      .join('\n')}\n\n`;
  }
  return text;
}

/** The chunks of a file, opened only when the first is asked for (so that the second dump's errors wait their turn). */
async function* lazyRead(path: string): AsyncGenerator<string | Uint8Array> {
  yield* createReadStream(path);
}

export const diffCommand: Command = {
  name: 'diff',
  help,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions('diff', argv, {
      top: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.help) {
      io.stdout(help);
      return ExitCode.success;
    }
    if (positionals.length !== 2) throw new UsageError('mmsim diff: expected two dumps: <before> <after>');
    const top = integerOption('diff', 'top', values.top, 0, 1_000_000) ?? 5;
    const [before, after] = positionals as [string, string];
    let stacks: StackGrowth[];
    const skipped: string[] = [];
    try {
      stacks = await diffPageOwner(lazyRead(before), lazyRead(after), {
        before,
        after,
        onSkipped: (lines) => skipped.push(lines.summary()),
      });
    } catch (error) {
      const message = error instanceof PageOwnerParseError ? error.message : (error as Error).message;
      io.stderr(`mmsim diff: ${message}\n`);
      return ExitCode.failure;
    }
    if (skipped.length > 0) io.stderr(`mmsim diff: warning: ${skipped.join('; and ')}\n`);
    const grown = stacks.filter((entry) => entry.growth > 0);
    const shown = top === 0 ? grown : grown.slice(0, top);
    if (values.json) {
      io.stdout(`${JSON.stringify({ stacks: shown }, null, 2)}\n`);
      return ExitCode.success;
    }
    io.stdout(
      `Stacks holding more pages in ${after} than in ${before} (${grown.length} grew):\n\n${formatGrowth(shown)}`,
    );
    return ExitCode.success;
  },
};

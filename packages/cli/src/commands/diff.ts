import { createReadStream } from 'node:fs';
import { diffPageOwner, type StackGrowth } from '@mm/page-owner-tools';
import { ExitCode, formatJson } from '../cli-io';
import { type Command, defineCommand } from '../command';
import { withPath } from '../describe-error';
import { integerOption } from '../parse-options';

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
  try {
    yield* createReadStream(path);
  } catch (error) {
    throw withPath(error, path);
  }
}

export const diffCommand: Command = defineCommand({
  name: 'diff',
  help,
  options: {
    top: { type: 'string' },
    json: { type: 'boolean' },
  },
  operands: { min: 2, max: 2, expected: 'expected two dumps: <before> <after>' },
  async run({ values, positionals, io }) {
    const top = integerOption('diff', 'top', values.top, 0, 1_000_000) ?? 5;
    const [before, after] = positionals as [string, string];
    const skipped: string[] = [];
    const stacks = await diffPageOwner(lazyRead(before), lazyRead(after), {
      before,
      after,
      onSkipped: (lines) => skipped.push(lines.summary()),
    });
    if (skipped.length > 0) io.stderr(`mmsim diff: warning: ${skipped.join('; and ')}\n`);
    const grown = stacks.filter((entry) => entry.growth > 0);
    const shown = top === 0 ? grown : grown.slice(0, top);
    if (values.json) {
      io.stdout(formatJson({ stacks: shown }));
      return ExitCode.success;
    }
    io.stdout(
      `Stacks holding more pages in ${after} than in ${before} (${grown.length} grew):\n\n${formatGrowth(shown)}`,
    );
    return ExitCode.success;
  },
});

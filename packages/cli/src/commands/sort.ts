import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import {
  PageOwnerSort,
  type PageOwnerSortVersion,
  pageOwnerSortOpenFailure,
  pageOwnerSortVersions,
  parsePageOwnerSortCommandLine,
} from '@mm/page-owner-tools';
import { type CliIo, formatJson } from '../cli-io';
import type { Command } from '../command';
import { withSignalsDeferred } from '../signals';
import { AtomicFile } from '../write-file-atomic';

const help = `Usage: mmsim sort [--profile v4.7|v4.8|v6.18] [OPTIONS] <input> <output>

Sorts a page_owner dump (/sys/kernel/debug/page_owner, such as the one 'mmsim run --out DIR' writes) as the
kernel's page_owner_sort does, byte for byte: the same output file, the same lines on stdout and stderr, the same
exit status. It streams the input, so memory grows with the number of distinct entries, not with the dump.

mmsim's own options come first; everything after them is the tool's command line:
  --profile NAME    which page_owner_sort to run:
                      v6.18  tools/mm/page_owner_sort.c (default): the options below; give it the dump as it is
                      v4.8   tools/vm/page_owner_sort.c: no options, just <input> <output>; as its documentation
                             says, remove the PFN lines first: grep -v ^PFN page_owner > page_owner.txt
                      v4.7   the same tool with its older 1 KiB block buffer
  --json            print { "input", "output", "profile", "exitCode", "records", "entries", "bytes" } on
                    stdout instead of the tool's own lines there ('loaded', 'sorting', 'culling')
  -h, --help        show this help (also on stderr, with exit status 1, when no argument is given)

page_owner_sort v6.18 options (GNU getopt: they may also follow the files; '--' ends them):
  -a                sort by allocation time (keeps the 'ts N ns' digits, which are cut from the records otherwise)
  -m                sort by total pages, most first
  -n                sort by task command name
  -p                sort by pid
  -P                sort by tgid
  -s                sort by stack trace
  -t                sort by times seen, most first (the default)
  -d                debug messages on stderr
  --pid LIST        keep only the records of these pids (comma-separated)
  --tgid LIST       keep only the records of these tgids
  --name LIST       keep only the records of these task command names
  --cull KEYS       merge records by pid/p, tgid/tg, name/n, stacktrace/st, allocator/ator (comma-separated)
  --sort ORDER      [+|-]key,... is checked but, as in the kernel's tool, has no effect
  Only one of -a -m -n -p -P -s -t may be given. Bad usage prints the tool's own usage text.

Output: '<n> times, <pages> pages, allocated by <CMA |SLAB |VMALLOC |OTHERS >:' and the record (v6.18), one
line per culled entry with --cull, '<n> times:' and the record (v4.x). On stdout: 'loaded <n>', 'sorting ....',
'culling'.

Exit codes are the tool's: 0 success, and also (v6.18) when it stops at 'max_size too small??' (input size / 100
records), leaving an empty output; 1 for bad usage (not mmsim's usual 2), a file that cannot be opened, or (v4.x)
'max_size too small??'.

Where mmsim differs from the C tool: the output file is written to a temporary name in its directory and renamed
into place, and it is not created or truncated when the input cannot be opened (the tool opens both files before
checking either), and given the same file as input and output it sorts it (the tool truncates its input before
reading it); getopt's messages name 'mmsim sort'. Ties are broken as glibc's qsort (a stable merge sort)
breaks them, so the results match the tool built against glibc.
`;

/** Reads the leading mmsim options; the rest is the tool's command line. */
function splitArguments(
  argv: readonly string[],
): { help: true } | { error: string } | { profile: PageOwnerSortVersion; json: boolean; rest: readonly string[] } {
  let profile: string = 'v6.18';
  let json = false;
  let index = 0;
  for (; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '-h' || argument === '--help') return { help: true };
    if (argument === '--json') {
      json = true;
    } else if (argument === '--profile') {
      const value = argv[index + 1];
      if (value === undefined) return { error: 'mmsim sort: --profile needs a value' };
      profile = value;
      index++;
    } else if (argument.startsWith('--profile=')) {
      profile = argument.slice('--profile='.length);
    } else {
      break;
    }
  }
  if (!(pageOwnerSortVersions as readonly string[]).includes(profile)) {
    return { error: `mmsim sort: --profile must be one of ${pageOwnerSortVersions.join(', ')}, not '${profile}'` };
  }
  return { profile: profile as PageOwnerSortVersion, json, rest: argv.slice(index) };
}

/** Opens a file for reading as `fopen(path, "r")` would, returning the fd or the errno code. */
function openInput(path: string): { fd: number } | { errno: string } {
  try {
    return { fd: openSync(path, 'r') };
  } catch (error) {
    return { errno: (error as NodeJS.ErrnoException).code ?? 'EIO' };
  }
}

/**
 * `mmsim sort`: the kernel's page_owner_sort (tools/vm/page_owner_sort.c for v4.7/v4.8, tools/mm/page_owner_sort.c
 * for v6.18) over files, streaming the input through {@link PageOwnerSort} and writing the output atomically.
 */
export const sortCommand: Command = {
  name: 'sort',
  help,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    if (argv.length === 0) {
      io.stderr(help);
      return 1;
    }
    const split = splitArguments(argv);
    if ('help' in split) {
      io.stdout(help);
      return 0;
    }
    if ('error' in split) {
      io.stderr(`${split.error}\nRun 'mmsim sort --help' for usage.\n`);
      return 1;
    }
    const { profile } = split;
    const commandLine = parsePageOwnerSortCommandLine(profile, split.rest, 'mmsim sort');
    if (!commandLine.ok) {
      io.stdout(commandLine.stdout);
      io.stderr(commandLine.stderr);
      return commandLine.exitCode;
    }
    const { options } = commandLine;
    const input = openInput(options.input);
    let output: AtomicFile | undefined;
    let outputErrno: string | undefined;
    try {
      output = AtomicFile.open(options.output);
    } catch (error) {
      outputErrno = (error as NodeJS.ErrnoException).code ?? 'EIO';
    }
    if ('errno' in input || output === undefined) {
      if ('fd' in input) closeSync(input.fd);
      output?.abort();
      const failure = pageOwnerSortOpenFailure(profile, outputErrno ?? ('errno' in input ? input.errno : 'EIO'));
      io.stdout(failure.stdout);
      io.stderr(failure.stderr);
      return failure.exitCode;
    }
    try {
      // Ctrl-C or SIGTERM stops between chunks: the output's temporary file is removed, the old output kept.
      return await withSignalsDeferred(async (checkpoint) => {
        const stats = fstatSync(input.fd);
        // With --json the tool's stdout lines give way to one JSON object; its stderr is unchanged.
        const toolIo = split.json ? { ...io, stdout: () => {} } : io;
        const sorter = new PageOwnerSort(options, stats.size, toolIo);
        // fopen() of a directory succeeds and its reads fail: the tool then sees an empty input.
        if (!stats.isDirectory()) {
          // Chunks of the size the sorter asks for (see PageOwnerSort.chunkSize).
          const buffer = Buffer.allocUnsafe(1 << 20);
          for (;;) {
            const bytes = readSync(input.fd, buffer, 0, Math.min(sorter.chunkSize, buffer.length), null);
            if (bytes === 0 || !sorter.write(buffer.toString('latin1', 0, bytes))) break;
            await checkpoint();
          }
        }
        const result = sorter.end();
        let chunks = 0;
        let bytes = 0;
        for (const chunk of result.output()) {
          output.write(chunk, 'latin1');
          bytes += chunk.length;
          if (++chunks % 4096 === 0) await checkpoint();
        }
        await checkpoint();
        output.commit();
        if (split.json) {
          const { exitCode, records, entries } = result;
          const summary = { input: options.input, output: options.output, profile, exitCode, records, entries, bytes };
          io.stdout(formatJson(summary));
        }
        return result.exitCode;
      });
    } catch (error) {
      output.abort();
      throw error;
    } finally {
      closeSync(input.fd);
    }
  },
};

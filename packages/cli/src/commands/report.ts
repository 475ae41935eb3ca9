import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readReportSource, renderReport } from '@mm/report';
import { ExitCode, formatJson } from '../cli-io';
import { type Command, defineCommand } from '../command';
import { checkWritableLocation } from '../output-checks';
import { withSignalsDeferred } from '../signals';
import { writeFileAtomic } from '../write-file-atomic';

const help = `Usage: mmsim report [options] <run-directory | page_owner-dump>

Writes one self-contained HTML file (no network requests; open it from disk) of a run's output directory
(mmsim run --out DIR) or of a page_owner dump from a real kernel (cat /sys/kernel/debug/page_owner, any era):
the physical memory map (a cell per pageblock, zooming to pages; coloured by migratetype, allocation stack or
idleness; mixed pageblocks marked; hover for the pfn, order, gfp and stack), a flame graph of allocation stacks
weighted by pages (click a frame to filter the map to its pages), the stack depot's growth over the run, page_ext
memory per layout, mixed pageblocks per zone and the idle working set.

Options:
  -o, --out FILE      where to write (default: DIR/report.html for a directory, DUMP.html for a dump)
  --json              print { "out", "bytes", "pages", "records", "stacks", "format" } instead of text
  -h, --help          show this help

Exit codes: 0 success, 1 failure (unreadable input, or a malformed dump with its file and line), 2 bad usage.
`;

/** What a report shows: its size in bytes, pages, page_owner records, stacks and the dump's format. */
export interface ReportFacts {
  readonly bytes: number;
  readonly pages: number;
  readonly records: number;
  readonly stacks: number;
  readonly format: string | null;
}

/**
 * Builds the report of `source` (a run's directory or a dump): the HTML, what it shows, and what the dump's reader
 * skipped (one line), if anything.
 */
export function buildReport(source: string): {
  readonly html: string;
  readonly facts: ReportFacts;
  readonly skipped: string | undefined;
} {
  const data = readReportSource(source);
  const html = renderReport(data);
  return {
    html,
    skipped: data.skipped?.summary,
    facts: {
      bytes: Buffer.byteLength(html),
      pages: data.pages,
      records: data.records.count,
      stacks: data.stacks.length,
      format: data.format,
    },
  };
}

/** The default place of a report: inside a run's directory, or beside a dump. */
export function defaultReportPath(source: string): string {
  return existsSync(source) && statSync(source).isDirectory() ? join(source, 'report.html') : `${source}.html`;
}

export const reportCommand: Command = defineCommand({
  name: 'report',
  help,
  options: {
    out: { type: 'string', short: 'o' },
    json: { type: 'boolean' },
  },
  operands: { min: 1, max: 1, expected: 'expected one run directory (mmsim run --out DIR) or page_owner dump' },
  async run({ values, positionals, io }) {
    const source = positionals[0]!;
    const out = values.out ?? defaultReportPath(source);
    checkWritableLocation(out, 'output file');
    const written = await withSignalsDeferred(async (checkpoint) => {
      const { html, facts, skipped } = buildReport(source);
      if (skipped !== undefined) io.stderr(`mmsim report: warning: ${skipped}\n`);
      await checkpoint();
      writeFileAtomic(out, html);
      return facts;
    });
    io.stdout(
      values.json
        ? formatJson({ out, ...written })
        : `mmsim report: wrote ${out} (${(written.bytes / 1024).toFixed(0)} KiB): ${written.pages} pages, ${written.records} page_owner records, ${written.stacks} stacks\n`,
    );
    return ExitCode.success;
  },
});

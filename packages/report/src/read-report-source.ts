import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PageOwnerSkips, type ParsedPageOwnerRecord, parsePageOwner } from '@mm/page-owner-tools';
import { PER_PAGE_PFNS } from '@mm/physmem';
import { collectReport, type ReportInput } from './collect-report';
import type { ReportData } from './report-data';
import { formatMemory, type RunSummaryFields } from './run-summary-fields';

/** A report's input that cannot be read: the message names the path and what was expected. */
export class ReportSourceError extends Error {
  override readonly name = 'ReportSourceError';
}

/**
 * The end of the pfns a report maps: 2^31, 8 TiB of 4 KiB pages, the most a machine of `mmsim run` has (mmsim keeps
 * no per-page state above: @mm/physmem's `PER_PAGE_PFNS`). A page_owner record, a zone of /proc/zoneinfo or a
 * per-pfn file beyond it is an error.
 */
export const MAX_REPORT_PFNS = PER_PAGE_PFNS;

/**
 * The largest per-pfn binary file a report reads (/proc/kpageflags, /proc/kpagecount, the idle bitmap): 4 GiB, the
 * largest buffer Node.js makes (`buffer.constants.MAX_LENGTH`), kpageflags of 2^29 pfns (2 TiB of RAM less the PCI
 * hole). Each must be whole u64 entries.
 */
export const MAX_REPORT_BINARY_BYTES = 2 ** 32;

/** The largest text file a report reads whole (/proc/zoneinfo, summary.json): 64 MiB, far above either's size. */
const MAX_TEXT_BYTES = 64 * 2 ** 20;
/** The longest line of /proc/zoneinfo: its lines are short (the longest, `protection:`, a few hundred bytes). */
const MAX_ZONEINFO_LINE = 1 << 16;

/**
 * The text of a file in 64 KiB chunks (UTF-8), so that a dump of any size is parsed holding one chunk at a time. Small
 * chunks stay in V8's young generation; a string of 1 MiB gets pages of its own from the OS each time.
 */
function* textChunks(path: string): Generator<string> {
  const descriptor = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 16);
    const decoder = new TextDecoder();
    for (;;) {
      const read = readSync(descriptor, buffer, 0, buffer.length, null);
      if (read === 0) break;
      yield decoder.decode(buffer.subarray(0, read), { stream: true });
    }
    const rest = decoder.decode();
    if (rest !== '') yield rest;
  } catch (error) {
    throw withPath(error, path);
  } finally {
    closeSync(descriptor);
  }
}

/** A read's error (EISDIR for a directory, EIO) has no path, unlike the open's: it gets the file's. */
function withPath(error: unknown, path: string): unknown {
  const errno = error as NodeJS.ErrnoException;
  if (error instanceof Error && typeof errno.code === 'string' && errno.path === undefined) errno.path = path;
  return error;
}

/** The files of a run's output directory (`mmsim run --out DIR`) a report reads. */
export const RUN_FILES = {
  pageOwner: 'sys/kernel/debug/page_owner',
  kpageflags: 'proc/kpageflags',
  kpagecount: 'proc/kpagecount',
  idleBitmap: 'sys/kernel/mm/page_idle/bitmap',
  zoneinfo: 'proc/zoneinfo',
  summary: 'summary.json',
} as const;

/** The bytes of a file of at most `max` bytes, read whole; a larger one is a {@link ReportSourceError}. */
function readBounded(path: string, max: number, what: string): Uint8Array {
  const descriptor = openSync(path, 'r');
  try {
    const size = fstatSync(descriptor).size;
    if (size > max) {
      throw new ReportSourceError(`${path}: ${size} bytes, more than the ${max} bytes a report reads of ${what}`);
    }
    const bytes = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const read = readSync(descriptor, bytes, at, Math.min(size - at, 1 << 30), null);
      if (read === 0) break;
      at += read;
    }
    return at === size ? bytes : bytes.subarray(0, at);
  } catch (error) {
    throw withPath(error, path);
  } finally {
    closeSync(descriptor);
  }
}

/** A per-pfn file of u64 entries (kpageflags, kpagecount, the idle bitmap's words), checked whole and bounded. */
function readEntries(path: string, what: string): Uint8Array {
  const bytes = readBounded(path, MAX_REPORT_BINARY_BYTES, what);
  if (bytes.length % 8 !== 0) {
    throw new ReportSourceError(
      `${path}: expected ${what} (little-endian u64 entries), found ${bytes.length} bytes, not a whole number of entries`,
    );
  }
  return bytes;
}

/** A text file of at most 64 MiB, as UTF-8. */
function readText(path: string, what: string): string {
  return new TextDecoder().decode(readBounded(path, MAX_TEXT_BYTES, what));
}

/** A number of summary.json: finite (JSON reads 1e400 as Infinity), and not negative where a count or size. */
const isCount = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/**
 * What is wrong with the fields of summary.json a report shows (their types: numbers finite and not negative,
 * strings), or undefined. Unknown fields are left alone: the file may come from a newer mmsim.
 */
function summaryProblem(summary: Record<string, unknown>): string | undefined {
  for (const key of ['profile', 'cmdline', 'workload'] as const) {
    if (summary[key] !== undefined && typeof summary[key] !== 'string') return `${key} is not a string`;
  }
  for (const key of [
    'memoryBytes',
    'totalPages',
    'seed',
    'freePages',
    'freePcpPages',
    'failedAllocations',
    'oomKills',
  ] as const) {
    if (summary[key] !== undefined && !isCount(summary[key])) return `${key} is not a number of 0 or more`;
  }
  const objectOf = (key: string, fields: readonly string[]): string | undefined => {
    const value = summary[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) return `${key} is not an object`;
    const missing = fields.find((field) => !isCount((value as Record<string, unknown>)[field]));
    return missing === undefined ? undefined : `${key}.${missing} is not a number of 0 or more`;
  };
  const object = objectOf('pageExt', ['entryBytes', 'bytes']) ?? objectOf('stackDepot', ['stacks', 'bytes', 'pages']);
  if (object !== undefined) return object;
  const { layouts, timeline, facts } = summary;
  if (facts !== undefined && !Array.isArray(facts)) return 'facts is not an array';
  if (layouts !== undefined && layouts !== null) {
    if (!Array.isArray(layouts)) return 'layouts is not an array';
    const bad = layouts.findIndex(
      (row: unknown) =>
        typeof row !== 'object' ||
        row === null ||
        typeof (row as Record<string, unknown>).profile !== 'string' ||
        !isCount((row as Record<string, unknown>).staticBytes),
    );
    if (bad >= 0) return `layouts[${bad}] is not { profile, staticBytes }`;
  }
  if (timeline !== undefined) {
    if (!Array.isArray(timeline)) return 'timeline is not an array';
    const bad = timeline.findIndex((sample: unknown) => {
      if (typeof sample !== 'object' || sample === null) return true;
      const { ns, stacks, depotBytes } = sample as Record<string, unknown>;
      return (
        !isCount(ns) || (stacks !== undefined && !isCount(stacks)) || (depotBytes !== undefined && !isCount(depotBytes))
      );
    });
    if (bad >= 0) return `timeline[${bad}] is not { ns, stacks?, depotBytes? } of numbers of 0 or more`;
  }
  return undefined;
}

function readSummary(path: string): RunSummaryFields {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readText(path, "mmsim's summary.json"));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
  } catch (error) {
    if (error instanceof ReportSourceError) throw error;
    throw new ReportSourceError(`${path}: expected mmsim's summary.json (a JSON object): ${(error as Error).message}`);
  }
  const problem = summaryProblem(parsed as Record<string, unknown>);
  if (problem !== undefined) throw new ReportSourceError(`${path}: expected mmsim's summary.json: ${problem}`);
  return parsed as RunSummaryFields;
}

/**
 * /proc/zoneinfo's text, checked as a report reads it: lines of at most 64 KiB, node numbers below 1024, and each
 * zone's `spanned` pages and `start_pfn:` whole numbers whose zone ends below {@link MAX_REPORT_PFNS}; the error
 * names the line.
 */
function readZoneinfo(path: string): string {
  const text = readText(path, '/proc/zoneinfo');
  let spanned = 0;
  let start = 0;
  for (let line = 1; start < text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end - start > MAX_ZONEINFO_LINE) {
      throw new ReportSourceError(
        `${path}:${line}: a line of more than ${MAX_ZONEINFO_LINE} characters: not /proc/zoneinfo`,
      );
    }
    const content = text.slice(start, end).trim();
    start = end + 1;
    const node = /^Node (\d+), zone/.exec(content);
    // MAX_NUMNODES is 1 << NODES_SHIFT, NODES_SHIFT at most 10.
    if (node !== null && (node[1]!.length > 4 || Number(node[1]) >= 1024)) {
      throw new ReportSourceError(`${path}:${line}: expected /proc/zoneinfo's node number (below 1024)`);
    }
    for (const key of ['spanned', 'start_pfn:']) {
      if (
        !content.startsWith(key) ||
        (content.charCodeAt(key.length) !== 0x20 && content.charCodeAt(key.length) !== 0x09)
      ) {
        continue;
      }
      const digits = content.slice(key.length).trim();
      const value = /^\d{1,16}$/.test(digits) ? Number(digits) : -1;
      if (value < 0) {
        throw new ReportSourceError(`${path}:${line}: expected /proc/zoneinfo's ${key} as a number of pages`);
      }
      if (key === 'spanned') spanned = value;
      else if (value + spanned > MAX_REPORT_PFNS) {
        throw new ReportSourceError(
          `${path}:${line}: a zone of pfns 0x${value.toString(16)} to 0x${(value + spanned).toString(16)} ends ` +
            `beyond the 8 TiB of memory a report maps (pfns below 0x${MAX_REPORT_PFNS.toString(16)})`,
        );
      }
    }
  }
  return text;
}

/** The records of a page_owner dump, each checked to lie below {@link MAX_REPORT_PFNS} (the error names its line). */
function* boundedRecords(records: Iterable<ParsedPageOwnerRecord>, path: string): Generator<ParsedPageOwnerRecord> {
  for (const record of records) {
    const { pfn, order } = record;
    if (!Number.isInteger(order) || order < 0 || order > 10 || (pfn >= 0 && pfn + 2 ** order > MAX_REPORT_PFNS)) {
      throw new ReportSourceError(
        `${path}:${record.line}: a record of pfn 0x${pfn.toString(16)} order ${order} lies beyond the 8 TiB of ` +
          `memory a report maps (pfns below 0x${MAX_REPORT_PFNS.toString(16)}, orders to 10)`,
      );
    }
    yield record;
  }
}

/**
 * The records of a page_owner dump, streamed, with what the parser skipped (lines it cannot read, records with a
 * field out of the kernel's range). When the whole file is read and nothing in it is a record but lines were
 * skipped, it throws the `PageOwnerParseError` of its first skipped line. A run's dump (`bounded`) is also checked
 * against {@link MAX_REPORT_PFNS}; a real machine's dump may hold any pfn below 2^52 (the map covers what it lists).
 */
function dumpRecords(
  path: string,
  bounded: boolean,
): { records: Iterable<ParsedPageOwnerRecord>; skipped: PageOwnerSkips } {
  const skipped = new PageOwnerSkips(path);
  const parsed = parsePageOwner(textChunks(path), { file: path, skipped, requireRecord: true });
  return { records: bounded ? boundedRecords(parsed, path) : parsed, skipped };
}

/** The input of a run's output directory: whichever of its files exist. */
function runDirectoryInput(directory: string): ReportInput {
  const present = Object.fromEntries(
    Object.entries(RUN_FILES)
      .map(([key, file]) => [key, join(directory, file)] as const)
      .filter(([, path]) => existsSync(path)),
  ) as Partial<Record<keyof typeof RUN_FILES, string>>;
  if (present.pageOwner === undefined && present.kpageflags === undefined) {
    throw new ReportSourceError(
      `${directory}: expected a run's output directory (mmsim run --out DIR) with ${RUN_FILES.pageOwner} or ${RUN_FILES.kpageflags}, found neither`,
    );
  }
  const summary = present.summary === undefined ? undefined : readSummary(present.summary);
  const title =
    summary?.workload === undefined
      ? basename(directory)
      : `${summary.workload} on ${formatMemory(summary.memoryBytes ?? 0)} (${summary.profile ?? '?'})`;
  return {
    title,
    sources: Object.values(present),
    ...(present.pageOwner !== undefined ? dumpRecords(present.pageOwner, true) : {}),
    ...(present.kpageflags !== undefined ? { kpageflags: readEntries(present.kpageflags, '/proc/kpageflags') } : {}),
    ...(present.kpagecount !== undefined ? { kpagecount: readEntries(present.kpagecount, '/proc/kpagecount') } : {}),
    ...(present.idleBitmap !== undefined
      ? { idleBitmap: readEntries(present.idleBitmap, '/sys/kernel/mm/page_idle/bitmap') }
      : {}),
    ...(present.zoneinfo !== undefined ? { zoneinfo: readZoneinfo(present.zoneinfo) } : {}),
    ...(summary !== undefined ? { summary } : {}),
  };
}

/**
 * Reads what a report is of: a run's output directory, or a page_owner dump (`cat /sys/kernel/debug/page_owner`,
 * any era from v3.19, or a kernel log with `__dump_page_owner()` reports). Every input is bounded: per-pfn files of
 * whole u64 entries up to 2 GiB, text files up to 64 MiB, a run's pfns below {@link MAX_REPORT_PFNS}, a dump's below
 * 2^52 (memory follows what it lists, not its largest pfn), dump lines up to 64 KiB, summary.json's fields of their
 * types (no NaN or Infinity reaches the report). Lines of a dump the parser cannot read are skipped and counted
 * (`data.skipped`). Throws {@link ReportSourceError}, or `PageOwnerParseError` naming the line (a line over 64 KiB,
 * or a dump of which nothing reads as a record).
 */
export function readReportSource(path: string): ReportData {
  if (!existsSync(path)) throw new ReportSourceError(`${path}: no such file or directory`);
  if (statSync(path).isDirectory()) return collectReport(runDirectoryInput(path));
  const data = collectReport({ title: basename(path), sources: [path], ...dumpRecords(path, false) });
  if (data.records.count === 0) {
    throw new ReportSourceError(
      `${path}: expected a page_owner dump ('Page allocated via order ...' records), found none`,
    );
  }
  return data;
}

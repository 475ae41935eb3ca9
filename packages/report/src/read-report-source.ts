import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parsePageOwner } from '@mm/page-owner-tools';
import { collectReport, type ReportInput } from './collect-report';
import type { ReportData } from './report-data';
import { formatMemory, type RunSummaryFields } from './run-summary-fields';

/** A report's input that cannot be read: the message names the path and what was expected. */
export class ReportSourceError extends Error {
  override readonly name = 'ReportSourceError';
}

/** The text of a file in 1 MiB chunks (UTF-8), so that a dump of any size is parsed holding one chunk at a time. */
function* textChunks(path: string): Generator<string> {
  const descriptor = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    const decoder = new TextDecoder();
    for (;;) {
      const read = readSync(descriptor, buffer, 0, buffer.length, null);
      if (read === 0) break;
      yield decoder.decode(buffer.subarray(0, read), { stream: true });
    }
    const rest = decoder.decode();
    if (rest !== '') yield rest;
  } finally {
    closeSync(descriptor);
  }
}

/** The files of a run's output directory (`mmsim run --out DIR`) a report reads. */
const RUN_FILES = {
  pageOwner: 'sys/kernel/debug/page_owner',
  kpageflags: 'proc/kpageflags',
  kpagecount: 'proc/kpagecount',
  idleBitmap: 'sys/kernel/mm/page_idle/bitmap',
  zoneinfo: 'proc/zoneinfo',
  summary: 'summary.json',
} as const;

function readSummary(path: string): RunSummaryFields {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as RunSummaryFields;
  } catch (error) {
    throw new ReportSourceError(`${path}: expected mmsim's summary.json (a JSON object): ${(error as Error).message}`);
  }
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
  const binary = (path: string | undefined) => (path === undefined ? undefined : new Uint8Array(readFileSync(path)));
  return {
    title,
    sources: Object.values(present),
    ...(present.pageOwner !== undefined
      ? { records: parsePageOwner(textChunks(present.pageOwner), { file: present.pageOwner }) }
      : {}),
    ...(present.kpageflags !== undefined ? { kpageflags: binary(present.kpageflags)! } : {}),
    ...(present.kpagecount !== undefined ? { kpagecount: binary(present.kpagecount)! } : {}),
    ...(present.idleBitmap !== undefined ? { idleBitmap: binary(present.idleBitmap)! } : {}),
    ...(present.zoneinfo !== undefined ? { zoneinfo: readFileSync(present.zoneinfo, 'utf8') } : {}),
    ...(summary !== undefined ? { summary } : {}),
  };
}

/**
 * Reads what a report is of: a run's output directory, or a page_owner dump (`cat /sys/kernel/debug/page_owner`)
 * of any supported kernel format. Throws {@link ReportSourceError}, or `PageOwnerParseError` naming the line.
 */
export function readReportSource(path: string): ReportData {
  if (!existsSync(path)) throw new ReportSourceError(`${path}: no such file or directory`);
  if (statSync(path).isDirectory()) return collectReport(runDirectoryInput(path));
  const data = collectReport({
    title: basename(path),
    sources: [path],
    records: parsePageOwner(textChunks(path), { file: path }),
  });
  if (data.records.count === 0) {
    throw new ReportSourceError(
      `${path}: expected a page_owner dump ('Page allocated via order ...' records), found none`,
    );
  }
  return data;
}

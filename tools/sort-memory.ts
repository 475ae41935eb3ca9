/**
 * Shows that `mmsim sort` (the streaming page_owner_sort in @mm/page-owner) needs memory for the distinct entries it
 * aggregates, not for the dump: it writes v6.18 page_owner dumps of 100,000 and 1,000,000 records over the same 500
 * stacks to temporary files (streamed, never held in memory), sorts each in a fresh Node.js process reading 1 MiB
 * chunks, and prints records, file size, distinct entries, time and the peak growth of the JS heap and of the RSS
 * over the process's state before sorting (sampled after every chunk and after the sort), and the heap the sorted
 * entries still hold once garbage is collected.
 *
 *   node --conditions=@mm/source --import tsx tools/sort-memory.ts [records...]
 */
import { execFileSync } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PageOwnerSort, parsePageOwnerSortCommandLine } from '../packages/page-owner-tools/src/index.ts';
import { syntheticPageOwnerRecord } from './synthetic-page-owner-record.ts';

/** Writes a dump of `records` records to `path`, a thousand records at a time. */
function writeDump(path: string, records: number): void {
  const fd = openSync(path, 'w');
  try {
    for (let start = 0; start < records; start += 1000) {
      let batch = '';
      for (let index = start; index < Math.min(records, start + 1000); index++)
        batch += syntheticPageOwnerRecord(index, 'v6.18');
      writeSync(fd, batch);
    }
  } finally {
    closeSync(fd);
  }
}

interface Measurement {
  records: number;
  bytes: number;
  entries: number;
  outputBytes: number;
  seconds: number;
  peakHeapGrowth: number;
  peakRssGrowth: number;
  retainedHeap: number;
}

/** Sorts `path` as `mmsim sort` does (without writing the output) and measures it; runs in a child process. */
function measure(path: string): Measurement {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const commandLine = parsePageOwnerSortCommandLine('v6.18', [path, '/dev/null']);
  if (!commandLine.ok) throw new Error(commandLine.stderr);
  const fd = openSync(path, 'r');
  const { size } = fstatSync(fd);
  const buffer = Buffer.allocUnsafe(1 << 20);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage.rss();
  let peakHeap = heapBefore;
  let peakRss = rssBefore;
  const sample = () => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  };
  const started = performance.now();
  const sorter = new PageOwnerSort(commandLine.options, size, { stdout: () => {}, stderr: () => {} });
  for (;;) {
    const bytes = readSync(fd, buffer, 0, buffer.length, null);
    if (bytes === 0 || !sorter.write(buffer.toString('latin1', 0, bytes))) break;
    sample();
  }
  closeSync(fd);
  const result = sorter.end();
  let outputBytes = 0;
  for (const chunk of result.output()) outputBytes += chunk.length;
  sample();
  const seconds = (performance.now() - started) / 1000;
  // What the sorted entries hold once the garbage of reading is collected (the result is still referenced).
  gc();
  const retainedHeap = process.memoryUsage().heapUsed - heapBefore;
  return {
    records: result.records,
    bytes: size,
    entries: result.entries,
    outputBytes,
    seconds,
    peakHeapGrowth: peakHeap - heapBefore,
    peakRssGrowth: peakRss - rssBefore,
    retainedHeap: result.entries > 0 ? retainedHeap : 0,
  };
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

const args = process.argv.slice(2);
if (args[0] === '--measure') {
  process.stdout.write(JSON.stringify(measure(args[1]!)));
} else {
  const sizes = args.length > 0 ? args.map(Number) : [100_000, 1_000_000];
  const directory = mkdtempSync(join(tmpdir(), 'mmsim-sort-memory-'));
  try {
    const rows: string[][] = [
      [
        'records',
        'file size',
        'distinct entries',
        'output',
        'seconds',
        'records/s',
        'peak heap growth',
        'peak RSS growth',
        'heap held by the entries',
      ],
    ];
    for (const records of sizes) {
      const path = join(directory, `page_owner-${records}`);
      writeDump(path, records);
      const script = new URL(import.meta.url).pathname;
      const child = execFileSync(process.execPath, [...process.execArgv, script, '--measure', path], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      rmSync(path);
      const result = JSON.parse(child) as Measurement;
      rows.push([
        `${result.records}`,
        mib(result.bytes),
        `${result.entries}`,
        mib(result.outputBytes),
        result.seconds.toFixed(2),
        `${Math.round(result.records / result.seconds)}`,
        mib(result.peakHeapGrowth),
        mib(result.peakRssGrowth),
        mib(result.retainedHeap),
      ]);
    }
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
    for (const row of rows) console.log(row.map((cell, column) => cell.padStart(widths[column]!)).join('  '));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

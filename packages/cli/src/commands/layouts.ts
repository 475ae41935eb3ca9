import { allFeatures } from '@mm/defaults';
import { boot, type Kernel } from '@mm/kernel';
import { type LayoutRow, pageOwner, pageOwnerLayoutRows } from '@mm/page-owner';
import { builtinWorkloads } from '@mm/workloads';
import { ExitCode, formatJson } from '../cli-io';
import { type Command, defineCommand } from '../command';
import { choiceOption, integerOption } from '../parse-options';
import { runWorkload } from '../run-workload';
import { formatTable } from '../text-table';

const help = `Usage: mmsim layouts [options]

The page_ext memory page_owner costs on this machine under each layout the kernel has had: v3.19 (104 bytes a
page: 8 inline frames and a struct stack_trace), v4.7 (88: 8 inline frames), v4.8 (24: a stackdepot handle) and
v6.18 (72: 8 bytes of flags and the 64-byte struct page_owner). Static bytes are what the kernel allocates at boot
(the "allocated N bytes of page_ext" line). The stack depot's hash table is shown apart: v4.8's static 2^20
pointers (8 MiB of BSS), v6.18's table from alloc_large_system_hash() at boot. With --workload, the workload also
runs under v4.8 and v6.18 and the stack depot's pool pages are added as dynamic bytes, with the total and the
v4.7 → v4.8 reduction, counted as the stackdepot commit counted it (page_ext and pools) and with the hash table.

Options:
  --mem SIZE          RAM (default 4G)
  --workload NAME     ${Object.keys(builtinWorkloads).join(', ')}
  --seed N            seed of the workload's random choices (default 1)
  --cpus N            CPUs (default 2)
  --json              print one JSON object instead of text
  -h, --help          show this help

Exit codes: 0 success, 1 failure, 2 bad usage.
`;

/** The comparison for one machine: `mmsim layouts --json`. */
export interface LayoutComparison {
  readonly layouts: readonly (LayoutRow & { readonly hashBytes: number })[];
  /**
   * How much less v4.8 spends than v4.7 in percent, counted as the stackdepot commit's message counts (page_ext and
   * the depot's pools: its 72%), with a workload.
   */
  readonly reductionPercent?: number;
  /** The same with the depot's hash table too (v4.8: 2^20 buckets, 8 MiB of BSS), with a workload. */
  readonly reductionWithHashPercent?: number;
  /**
   * v6.18's page_ext for each combination of the clients mmsim has (each alone, each beside page_owner, all of them):
   * the entry its clients' structs make, and what that costs this machine at boot.
   */
  readonly clients: readonly ClientsRow[];
}

/** page_ext for one combination of clients (v6.18, x86_64). */
export interface ClientsRow {
  /** The features turned on (`page_owner,alloc_tag`). */
  readonly clients: string;
  /** The command line that turns them on. */
  readonly cmdline: string;
  /** The page_ext entry: the clients' structs and the flags word if one of them uses it (0: no page_ext). */
  readonly bytesPerPage: number;
  /** page_ext allocated at boot on this machine. */
  readonly staticBytes: number;
}

/**
 * The combinations of page_ext clients to compare, as the features of {@link allFeatures} that can be turned on
 * (`Feature.enable`): each alone, each beside page_owner, and all together.
 */
function clientCombinations(): { names: string[]; cmdline: string }[] {
  const features = allFeatures().filter((feature) => feature.enable !== undefined);
  const owner = features.find((feature) => feature.name === 'page_owner');
  const combinations = features.map((feature) => [feature]);
  if (owner !== undefined) {
    for (const feature of features) if (feature !== owner) combinations.push([owner, feature]);
  }
  if (features.length > 2) combinations.push(features);
  return combinations.map((list) => ({
    names: list.map((feature) => feature.name),
    cmdline: list.map((feature) => feature.enable).join(' '),
  }));
}

/** Each combination's entry, booted once per process (the features and their structs do not change). */
let clientEntries: Omit<ClientsRow, 'staticBytes'>[] | undefined;

/**
 * Each combination's v6.18 page_ext for a machine of `entries` page_ext entries: the entry from a boot of the
 * smallest machine (its size does not depend on the machine's), times the entries.
 */
export function pageExtClientRows(entries: number): ClientsRow[] {
  clientEntries ??= clientCombinations().map(({ names, cmdline }) => {
    const kernel = boot({ memory: '64M', profile: 'v6.18', cmdline, features: allFeatures() });
    return { clients: names.join(','), cmdline, bytesPerPage: kernel.pageExt?.entryBytes ?? 0 };
  });
  return clientEntries.map((row) => ({ ...row, staticBytes: row.bytesPerPage * entries }));
}

/** `stack_table` of each layout with a stack depot: v4.8's static 2^20 pointers, v6.18's boot-time table. */
function hashTableBytes(profile: string, kernels: Readonly<Record<string, Kernel>>): number {
  return kernels[profile]?.feature(pageOwner)?.depot.hashTableBytes ?? 0;
}

/**
 * Computes the comparison of page_ext layouts from v3.19 to v6.18 for a machine: boots it with page_owner on to
 * count its page_ext entries (one per page of every present section on SPARSEMEM, of every node's span on FLATMEM),
 * and with a workload runs it under v4.8 and v6.18 to add the pool pages each depot holds afterwards.
 */
export function compareLayouts(options: {
  memory: string;
  workload?: string;
  seed?: number;
  cpus?: number;
}): LayoutComparison {
  const cpus = options.cpus ?? 2;
  const { workload } = options;
  const runOn = (profile: 'v4.8' | 'v6.18'): Kernel =>
    workload === undefined
      ? boot({ memory: options.memory, profile, cmdline: 'page_owner=on', cpus, features: allFeatures() })
      : runWorkload({
          memory: options.memory,
          cmdline: 'page_owner=on',
          profile,
          workload,
          seed: options.seed ?? 1,
          cpus,
        }).kernel;
  const kernels: Record<string, Kernel> = { 'v4.8': runOn('v4.8'), 'v6.18': runOn('v6.18') };
  const v48 = kernels['v4.8']!;
  const v618 = kernels['v6.18']!.pageExt!;
  const clients = pageExtClientRows(v618.totalBytes / v618.entryBytes);
  const rows = pageOwnerLayoutRows(v48.pageExt!.totalBytes / v48.pageExt!.entryBytes).map((row) => ({
    ...row,
    hashBytes: hashTableBytes(row.profile, kernels),
  }));
  if (workload === undefined) return { layouts: rows, clients };
  const layouts = rows.map((row) => {
    const dynamicBytes = (kernels[row.profile]?.feature(pageOwner)?.depot.stats.pages ?? 0) * 4096;
    return { ...row, dynamicBytes, totalBytes: row.staticBytes + dynamicBytes };
  });
  const inline = layouts[1]!;
  const depot = layouts[2]!;
  const percent = (before: number, after: number) => Math.round(((before - after) / before) * 1000) / 10;
  return {
    layouts,
    clients,
    reductionPercent: percent(inline.totalBytes, depot.totalBytes),
    reductionWithHashPercent: percent(inline.totalBytes, depot.totalBytes + depot.hashBytes),
  };
}

const group = (value: number) => value.toLocaleString('en-US');

/** The comparison as a text table. */
export function formatLayouts(comparison: LayoutComparison): string {
  const dynamic = comparison.reductionPercent !== undefined;
  const header = [
    'layout',
    'bytes/page',
    'static bytes',
    ...(dynamic ? ['dynamic bytes', 'total bytes'] : []),
    'depot hash table',
  ];
  const rows = comparison.layouts.map((row) => [
    row.profile,
    `${row.bytesPerPage}`,
    group(row.staticBytes),
    ...(dynamic ? [group(row.dynamicBytes!), group(row.totalBytes!)] : []),
    group(row.hashBytes),
  ]);
  const lines = formatTable([header, ...rows], [0]);
  if (dynamic) {
    lines.push(
      `v4.7 → v4.8: ${comparison.reductionPercent!.toFixed(1)}% less memory counting page_ext and the depot's pools, as the stackdepot commit's message does (its 72%)`,
      `             ${comparison.reductionWithHashPercent!.toFixed(1)}% less with the depot's hash table too (v4.8: 2^20 pointers, 8 MiB of BSS)`,
    );
  }
  const clientsHeader = ['v6.18 clients', 'bytes/page', 'static bytes', 'command line'];
  const clientsCells = comparison.clients.map((row) => [
    row.clients,
    `${row.bytesPerPage}`,
    group(row.staticBytes),
    row.cmdline,
  ]);
  lines.push('', ...formatTable([clientsHeader, ...clientsCells], [0, 3]));
  return `${lines.join('\n')}\n`;
}

export const layoutsCommand: Command = defineCommand({
  name: 'layouts',
  help,
  options: {
    mem: { type: 'string' },
    workload: { type: 'string' },
    seed: { type: 'string' },
    cpus: { type: 'string' },
    json: { type: 'boolean' },
  },
  run({ values, io }) {
    const workload = choiceOption('layouts', 'workload', values.workload, Object.keys(builtinWorkloads));
    const comparison = compareLayouts({
      memory: values.mem ?? '4G',
      ...(workload !== undefined ? { workload } : {}),
      seed: integerOption('layouts', 'seed', values.seed, 0, 2 ** 31 - 1) ?? 1,
      cpus: integerOption('layouts', 'cpus', values.cpus, 1, 256) ?? 2,
    });
    if (values.json) {
      io.stdout(formatJson(comparison));
      return ExitCode.success;
    }
    io.stdout(`page_ext memory with page_owner=on, ${values.mem ?? '4G'} of RAM:\n${formatLayouts(comparison)}`);
    return ExitCode.success;
  },
});

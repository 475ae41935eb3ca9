import { totalmem } from 'node:os';
import { allFeatures } from '@mm/defaults';
import { boot, type Kernel } from '@mm/kernel';
import { formatSize, profileNames } from '@mm/physmem';
import { ExitCode, formatJson } from '../cli-io';
import { type Command, defineCommand } from '../command';
import { choiceOption, integerOption, profileOption } from '../parse-options';

const help = `Usage: mmsim boot [options]

Boots a simulated machine and prints its boot log (dmesg) and /proc/buddyinfo.

Options:
  --mem SIZE          RAM of the machine, e.g. 512M, 4G, 1T (default 4G); up to 32767G, and above 8 TiB
                      memory is counted but cannot be allocated (no per-page state is kept there)
  --cmdline "..."     kernel command line, e.g. "mem=2G movablecore=1G"
  --profile NAME      kernel version: ${profileNames.join(', ')} (default v6.18)
  --arch NAME         x86_64 or i386 (default x86_64)
  --model NAME        sparsemem or flatmem (default sparsemem)
  --layout NAME       pc (BIOS map with the PCI hole) or flat (default pc)
  --nodes N           NUMA nodes (default 1)
  --cpus N            CPUs, for the per-CPU page lists (default 2)
  --json              print one JSON object instead of text
  -h, --help          show this help

Exit codes: 0 success, 1 failure, 2 bad usage (including a malformed kernel parameter).
`;

/** Sections present, as compact ranges: `0-23, 32-39`. */
function sectionRanges(kernel: Kernel): string {
  const present = kernel.memory.sections.flatMap((section, nr) => (section === undefined ? [] : [nr]));
  const ranges: string[] = [];
  for (let index = 0; index < present.length; ) {
    let end = index;
    while (end + 1 < present.length && present[end + 1] === present[end]! + 1) end++;
    ranges.push(end === index ? `${present[index]}` : `${present[index]}-${present[end]}`);
    index = end + 1;
  }
  return ranges.join(', ');
}

/** The `--json` object of `mmsim boot`. */
export function bootSummary(kernel: Kernel) {
  const { memory, buddy, profile } = kernel;
  const zones = memory.zones.filter((zone) => zone.populated);
  const hostBytes = kernel.hostBytes();
  const slots = memory.sections.filter(Boolean).length * memory.pagesPerSection;
  return {
    profile: profile.name,
    arch: profile.arch.name,
    model: memory.model,
    cmdline: kernel.cmdline,
    memoryBytes: memory.presentPages * 4096,
    totalPages: memory.presentPages,
    managedPages: memory.zones.reduce((sum, zone) => sum + zone.managedPages, 0),
    reservedPages: memory.zones.reduce((sum, zone) => sum + zone.presentPages - zone.managedPages, 0),
    freePages: buddy.totalFreePages(),
    bootAllocatedPages: kernel.bootAllocations.reduce((sum, block) => sum + (1 << block.order), 0),
    managedPagesByZone: Object.fromEntries(
      zones.map((zone) => [`Node ${zone.node}, zone ${zone.name}`, zone.managedPages]),
    ),
    zones: zones.map((zone) => {
      const state = buddy.zones[zone.id]!;
      return {
        node: zone.node,
        zone: zone.name,
        startPfn: zone.startPfn,
        spannedPages: zone.spannedPages,
        presentPages: zone.presentPages,
        managedPages: zone.managedPages,
        freePages: state.freePages + state.pcpPages,
        watermark: { ...state.watermark },
        lowmemReserve: state.lowmemReserve,
      };
    }),
    nodes: memory.nodes.map((node) => ({
      node: node.id,
      startPfn: node.startPfn,
      endPfn: node.endPfn,
      presentPages: node.presentPages,
    })),
    sections: {
      present: memory.sections.filter(Boolean).length,
      pagesPerSection: memory.pagesPerSection,
      ranges: sectionRanges(kernel),
    },
    maxPfn: memory.maxPfn,
    minFreeKbytes: buddy.minFreeKbytes,
    unknownParameters: kernel.unknownParameters.map((argument) =>
      argument.value === undefined ? argument.name : `${argument.name}=${argument.value}`,
    ),
    buddyinfo: kernel.buddyinfo(),
    hostBytes,
    hostBytesPerPage: hostBytes / memory.presentPages,
    hostBytesPerStructPage: (hostBytes - buddy.hostBytes()) / slots,
    bootMilliseconds: kernel.bootMilliseconds,
  };
}

export const bootCommand: Command = defineCommand({
  name: 'boot',
  help,
  options: {
    mem: { type: 'string' },
    cmdline: { type: 'string' },
    profile: { type: 'string' },
    arch: { type: 'string' },
    model: { type: 'string' },
    layout: { type: 'string' },
    nodes: { type: 'string' },
    cpus: { type: 'string' },
    json: { type: 'boolean' },
  },
  run({ values, io }) {
    const kernel = boot({
      memory: values.mem ?? '4G',
      cmdline: values.cmdline ?? '',
      profile: profileOption('boot', values.profile),
      arch: choiceOption('boot', 'arch', values.arch, ['x86_64', 'i386']) ?? 'x86_64',
      model: choiceOption('boot', 'model', values.model, ['sparsemem', 'flatmem']) ?? 'sparsemem',
      layout: choiceOption('boot', 'layout', values.layout, ['pc', 'flat']) ?? 'pc',
      nodes: integerOption('boot', 'nodes', values.nodes, 1, 64) ?? 1,
      cpus: integerOption('boot', 'cpus', values.cpus, 1, 256) ?? 2,
      features: allFeatures(),
      hostMemoryLimit: totalmem(),
    });
    if (values.json) {
      io.stdout(formatJson(bootSummary(kernel)));
      return ExitCode.success;
    }
    const summary = bootSummary(kernel);
    io.stdout(kernel.dmesg());
    io.stdout(`\n/proc/buddyinfo:\n${kernel.buddyinfo()}`);
    const model = kernel.memory.model === 'sparsemem' ? 'SPARSEMEM' : 'FLATMEM';
    io.stdout(
      `\nmmsim: ${values.mem ?? '4G'} machine, ${summary.totalPages} pages present, ${model} with ` +
        `${summary.sections.present} sections of ${formatSize(summary.sections.pagesPerSection * 4096)} (${summary.sections.ranges})\n` +
        `mmsim: ${summary.freePages} pages free, ${summary.bootAllocatedPages} allocated at boot, ${summary.reservedPages} reserved\n` +
        `mmsim: host memory ${summary.hostBytesPerPage.toFixed(3)} bytes per page, booted in ${summary.bootMilliseconds.toFixed(0)} ms\n`,
    );
    return ExitCode.success;
  },
});

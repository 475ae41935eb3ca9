import { readFileSync } from 'node:fs';
import { getProfile, type KernelProfile, VmCountersBuilder } from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import { formatMeminfo, type MeminfoInputs, type MeminfoZone, meminfoZoneTotals } from './proc-meminfo';
import { vmstatItems } from './proc-vmstat';

const fixtures = new URL('./__fixtures__/proc/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, fixtures), 'utf8');

const v48 = getProfile('v4.8');
const v618 = getProfile('v6.18');

/** Counters holding a /proc/vmstat's values: zone and NUMA items in zone 0, node items in node 0. */
function countersFromVmstat(profile: KernelProfile, text: string): VmCountersBuilder {
  const items = vmstatItems(profile);
  const counters = new VmCountersBuilder(1, 1);
  for (const line of text.trimEnd().split('\n')) {
    const [name, value] = line.split(' ') as [string, string];
    if (items.zone.includes(name) || items.numa.includes(name)) counters.addZone(0, name, Number(value));
    else if (items.node.includes(name)) counters.addNode(0, name, Number(value));
    else if (items.events.includes(name)) counters.addEvent(name, Number(value));
  }
  return counters;
}

/** What meminfo needs of each zone of a real /proc/zoneinfo. */
function zonesFromZoneinfo(text: string): MeminfoZone[] {
  return text.split(/^(?=Node \d+, zone)/m).map((block) => {
    const number = (name: string) => Number(new RegExp(`\\n\\s+${name}\\s+(\\d+)\\n`).exec(block)![1]);
    return {
      name: /^Node \d+, zone\s+(\S+)/.exec(block)![1]!,
      managed: number('managed'),
      watermark: { low: number('low'), high: number('high') },
      lowmemReserve: /protection: \((.*)\)/.exec(block)![1]!.split(', ').map(Number),
    };
  });
}

/** The value of each line of a /proc/meminfo, by label (kB, or a count for HugePages_*). */
function meminfoValues(text: string): Map<string, number> {
  return new Map(
    text
      .trimEnd()
      .split('\n')
      .map((line) => {
        const match = /^([^:]+):\s+(\d+)/.exec(line)!;
        return [match[1]!, Number(match[2])];
      }),
  );
}

describe('formatMeminfo v6.18', () => {
  it('reproduces the real 6.18.44 /proc/meminfo byte for byte', () => {
    // vmstat-6.18.txt, zoneinfo-6.18.txt and meminfo-6.18.txt were read one right after the other (PROVENANCE.md).
    const real = read('meminfo-6.18.txt');
    const file = meminfoValues(real);
    const counters = countersFromVmstat(v618, read('vmstat-6.18.txt'));
    const zones = zonesFromZoneinfo(read('zoneinfo-6.18.txt'));
    const totals = meminfoZoneTotals(zones, counters);
    const totalRamPages = file.get('MemTotal')! / 4;

    // That machine's kernel (6.18.44-fc) hands its memory to the zones at run time: the Normal zone's managed pages
    // grow (393216 in samples/zoneinfo-6.18.txt, more here), and it counts the memory not yet handed over in
    // totalram (MemTotal) and as free (MemFree, and so MemAvailable). Stock 6.18.2 has totalram = Σ managed and
    // MemFree = nr_free_pages (mm/show_mem.c si_meminfo(), lines 75-83). So MemTotal is an input here, and the test
    // adds the memory not yet handed over to nr_free_pages; with that, every line computed from counters matches.
    const notYetManaged = totalRamPages - totals.totalRamPages;
    expect(notYetManaged).toBeGreaterThan(0);
    expect(file.get('MemFree')! / 4).toBe((counters.zones[0]!.get('nr_free_pages') ?? 0) + notYetManaged);
    counters.addZone(0, 'nr_free_pages', notYetManaged);

    // The lines no counter holds come from the file: Buffers (nr_blockdev_pages()), swap and zswap, Committed_AS
    // (vm_committed_as), VmallocUsed (vmalloc_nr_pages()), Percpu (pcpu_nr_pages()), the huge page pool and the
    // direct map. VmallocTotal and Hugepagesize are the defaults.
    const inputs: MeminfoInputs = {
      totalRamPages,
      totalReservePages: totals.totalReservePages,
      lowWatermarkPages: totals.lowWatermarkPages,
      bufferPages: file.get('Buffers')! / 4,
      swapTotalPages: file.get('SwapTotal')! / 4,
      swapFreePages: file.get('SwapFree')! / 4,
      zswapPages: file.get('Zswap')! / 4,
      zswappedPages: file.get('Zswapped')! / 4,
      committedPages: file.get('Committed_AS')! / 4,
      vmallocPages: file.get('VmallocUsed')! / 4,
      percpuPages: file.get('Percpu')! / 4,
      hugePages: {
        total: file.get('HugePages_Total')!,
        free: file.get('HugePages_Free')!,
        reserved: file.get('HugePages_Rsvd')!,
        surplus: file.get('HugePages_Surp')!,
      },
      hugetlbTotalKb: file.get('Hugetlb')!,
      directMap: { pages4k: file.get('DirectMap4k')! / 4, pages2m: file.get('DirectMap2M')! / 2048 },
    };
    expect(formatMeminfo(v618, counters, inputs)).toBe(real);
  });

  it('adds nr_kernel_misc_reclaimable to KReclaimable and to MemAvailable’s reclaimable part', () => {
    const counters = new VmCountersBuilder(1, 1);
    counters.addZone(0, 'nr_free_pages', 10000);
    counters.addNode(0, 'nr_slab_reclaimable', 1000);
    counters.addNode(0, 'nr_kernel_misc_reclaimable', 200);
    const inputs = { totalRamPages: 20000, totalReservePages: 500, lowWatermarkPages: 100 };
    const values = meminfoValues(formatMeminfo(v618, counters, inputs));
    expect(values.get('KReclaimable')).toBe(1200 * 4);
    // 10000 - 500 + 0 (page cache) + (1200 - min(600, 100))
    expect(values.get('MemAvailable')).toBe((10000 - 500 + 1100) * 4);
  });
});

describe('formatMeminfo v4.8', () => {
  /** The v4.8 configuration (see formatMeminfo): x86_64, MMU, MEMORY_FAILURE, TRANSPARENT_HUGEPAGE. */
  const config = new Set(['CONFIG_X86_64', 'CONFIG_MMU', 'CONFIG_MEMORY_FAILURE', 'CONFIG_TRANSPARENT_HUGEPAGE']);

  /** `#if`/`#ifdef` kept-lines of a C excerpt for `config` (directives dropped; unknown identifiers are 0). */
  function preprocess(source: string): string[] {
    const kept: string[] = [];
    const stack: { active: boolean; taken: boolean }[] = [];
    // Only `#ifdef X`, `#ifndef X` and `#if defined(X) || defined(Y)` occur in the excerpts.
    const condition = (expression: string) =>
      expression.split('||').some((part) => config.has(/CONFIG_\w+/.exec(part)?.[0] ?? ''));
    for (const line of source.split('\n')) {
      const directive = /^#\s*(\w+)\s*(.*)$/.exec(line);
      if (directive === null) {
        if (stack.every((frame) => frame.active)) kept.push(line);
        continue;
      }
      const [, keyword, rest] = directive as unknown as [string, string, string];
      if (keyword === 'ifdef' || keyword === 'if') {
        const value = condition(rest);
        stack.push({ active: value, taken: value });
      } else if (keyword === 'ifndef')
        stack.push({ active: !config.has(rest.trim()), taken: !config.has(rest.trim()) });
      else if (keyword === 'else') {
        const frame = stack.at(-1)!;
        frame.active = !frame.taken;
        frame.taken = true;
      } else if (keyword === 'endif') stack.pop();
    }
    return kept;
  }

  /** Every printf format of the excerpts that prints a line, in order, as the C string literal writes it. */
  const formats = ['meminfo_proc_show-4.8.c', 'hugetlb_report_meminfo-4.8.c', 'arch_report_meminfo-4.8.c'].flatMap(
    (name) => preprocess(read(name)).flatMap((line) => [...line.matchAll(/"([^"]*\\n)"/g)].map((match) => match[1]!)),
  );

  it('prints each line format of meminfo_proc_show(), hugetlb_report_meminfo(), arch_report_meminfo() in order', () => {
    // fs/proc/meminfo.c meminfo_proc_show() lines 26-183, mm/hugetlb.c hugetlb_report_meminfo() lines 2967-2983,
    // arch/x86/mm/pageattr.c arch_report_meminfo() lines 76-90 (DirectMap1G when direct_gbpages).
    expect(formats).toHaveLength(46);
    const counters = new VmCountersBuilder(1, 1);
    counters.addZone(0, 'nr_free_pages', 123456);
    counters.addZone(0, 'nr_kernel_stack', 2048);
    counters.addNode(0, 'nr_file_pages', 9000);
    counters.addNode(0, 'nr_anon_transparent_hugepages', 3);
    const text = formatMeminfo(v48, counters, {
      totalRamPages: 1000000,
      totalReservePages: 2000,
      lowWatermarkPages: 1500,
      hardwareCorruptedKb: 8,
      hugePages: { total: 10, free: 4, reserved: 1, surplus: 0 },
      directMap: { pages4k: 4000, pages2m: 100, pages1g: 3 },
    });
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(formats.length);
    lines.forEach((line, index) => {
      const value = /(\d+)( kB)?$/.exec(line)![1]!;
      const rendered = formats[index]!.replace(/%(\d+)lu/, (_, width: string) => value.padStart(Number(width)));
      expect(`${line}\\n`).toBe(rendered);
    });
    const values = meminfoValues(text);
    expect(values.get('MemFree')).toBe(123456 * 4);
    expect(values.get('KernelStack')).toBe(2048);
    expect(values.get('AnonHugePages')).toBe(3 * 512 * 4);
    expect(values.get('VmallocUsed')).toBe(0);
    expect(values.get('HardwareCorrupted')).toBe(8);
    expect(values.get('DirectMap1G')).toBe(3 * 1048576);
  });

  it('computes MemAvailable as v4.8 si_mem_available() (mm/page_alloc.c lines 4016-4056)', () => {
    const counters = new VmCountersBuilder(2, 1);
    counters.addZone(0, 'nr_free_pages', 3000);
    counters.addZone(1, 'nr_free_pages', 7000);
    counters.addNode(0, 'nr_active_file', 300);
    counters.addNode(0, 'nr_inactive_file', 100);
    counters.addZone(1, 'nr_slab_reclaimable', 50);
    const inputs = { totalRamPages: 20000, totalReservePages: 800, lowWatermarkPages: 150 };
    const values = meminfoValues(formatMeminfo(v48, counters, inputs));
    // free - totalreserve + (400 - min(200, 150)) + (50 - min(25, 150))
    expect(values.get('MemAvailable')).toBe((10000 - 800 + 250 + 25) * 4);
    // Never below 0.
    const starved = meminfoValues(formatMeminfo(v48, new VmCountersBuilder(1, 1), inputs));
    expect(starved.get('MemAvailable')).toBe(0);
  });

  it('computes Cached as file pages less swap cache and buffers, never below 0', () => {
    const counters = new VmCountersBuilder(1, 1);
    counters.addNode(0, 'nr_file_pages', 1000);
    const base = { totalRamPages: 5000, totalReservePages: 0, lowWatermarkPages: 0 };
    const cached = (inputs: MeminfoInputs) => meminfoValues(formatMeminfo(v48, counters, inputs)).get('Cached');
    expect(cached({ ...base, bufferPages: 100, swapCachePages: 50 })).toBe(850 * 4);
    expect(cached({ ...base, bufferPages: 2000 })).toBe(0);
  });

  it('computes CommitLimit as vm_commit_limit() (mm/util.c lines 463-475)', () => {
    const counters = new VmCountersBuilder(1, 1);
    const base = { totalRamPages: 100001, totalReservePages: 0, lowWatermarkPages: 0 };
    const limit = (inputs: MeminfoInputs) => meminfoValues(formatMeminfo(v48, counters, inputs)).get('CommitLimit');
    expect(limit(base)).toBe(50000 * 4);
    // Huge pages are taken off RAM before the ratio, swap is added after it.
    const hugePages = { total: 10, free: 10, reserved: 0, surplus: 0 };
    expect(limit({ ...base, hugePages, swapTotalPages: 7, overcommitRatio: 80 })).toBe(
      (Math.floor(((100001 - 5120) * 80) / 100) + 7) * 4,
    );
    expect(limit({ ...base, overcommitKbytes: 4096, swapTotalPages: 1 })).toBe(4096 + 4);
  });

  it('prints the HighMem lines and DirectMap4M on i386', () => {
    const profile = getProfile('v4.8', 'i386');
    const counters = new VmCountersBuilder(1, 1);
    counters.addZone(0, 'nr_free_pages', 500);
    const text = formatMeminfo(profile, counters, {
      totalRamPages: 2000,
      totalReservePages: 0,
      lowWatermarkPages: 0,
      highTotalPages: 800,
      highFreePages: 200,
    });
    expect(text).toContain(
      'Mlocked:               0 kB\nHighTotal:          3200 kB\nHighFree:            800 kB\n' +
        'LowTotal:           4800 kB\nLowFree:            1200 kB\nSwapTotal:',
    );
    expect(text).toContain('Hugepagesize:       4096 kB\nDirectMap4k:        2048 kB\nDirectMap4M:        8192 kB\n');
  });
});

describe('meminfoZoneTotals', () => {
  it('sums managed pages, reserves capped at managed pages, low watermarks and HighMem pages', () => {
    const counters = new VmCountersBuilder(4, 1);
    counters.addZone(2, 'nr_free_pages', 77);
    const zones: MeminfoZone[] = [
      { name: 'DMA', managed: 100, watermark: { low: 5, high: 6 }, lowmemReserve: [0, 500, 900, 900] },
      { name: 'Normal', managed: 10000, watermark: { low: 50, high: 60 }, lowmemReserve: [0, 0, 30, 30] },
      { name: 'HighMem', managed: 4000, watermark: { low: 20, high: 24 }, lowmemReserve: [0, 0, 0, 0] },
      { name: 'Movable', managed: 0, watermark: { low: 32, high: 32 }, lowmemReserve: [0, 0, 0, 0] },
    ];
    expect(meminfoZoneTotals(zones, counters)).toEqual({
      totalRamPages: 14100,
      totalReservePages: 100 + 90 + 24 + 0,
      lowWatermarkPages: 5 + 50 + 20 + 32,
      highTotalPages: 4000,
      highFreePages: 77,
    });
  });
});

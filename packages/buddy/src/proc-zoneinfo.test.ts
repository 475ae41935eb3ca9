import { readFileSync } from 'node:fs';
import { getProfile, VmCountersBuilder } from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import { formatZoneinfo, type ZoneinfoPageset, type ZoneinfoZone } from './proc-zoneinfo';

const fixtures = new URL('./__fixtures__/proc/', import.meta.url);
const samples = new URL('../../../samples/', import.meta.url);

const v48 = getProfile('v4.8');
const v618 = getProfile('v6.18');

interface MutableZone {
  node: number;
  name: string;
  watermark: { min: number; low: number; high: number; promo: number };
  boost: number;
  spanned: number;
  present: number;
  managed: number;
  cma: number;
  lowmemReserve: number[];
  pagesets: ZoneinfoPageset[];
  statThreshold: number;
  startPfn: number;
  nodeUnreclaimable: boolean;
}

/**
 * Reads a real v6.18 /proc/zoneinfo back into the formatter's inputs: each zone's fields, its items into
 * `counters.zones[i]` and the `per-node stats` into `counters.nodes[node]`.
 */
function parseZoneinfo(text: string): { zones: ZoneinfoZone[]; counters: VmCountersBuilder } {
  const blocks = text.split(/^(?=Node \d+, zone)/m);
  const nodeCount = new Set(blocks.map((block) => /^Node (\d+)/.exec(block)![1])).size;
  const counters = new VmCountersBuilder(blocks.length, nodeCount);
  const zones = blocks.map((block, index) => {
    const header = /^Node (\d+), zone\s+(\S+)/.exec(block)!;
    const zone: MutableZone = {
      node: Number(header[1]),
      name: header[2]!,
      watermark: { min: 0, low: 0, high: 0, promo: 0 },
      boost: 0,
      spanned: 0,
      present: 0,
      managed: 0,
      cma: 0,
      lowmemReserve: [],
      pagesets: [],
      statThreshold: 0,
      startPfn: 0,
      nodeUnreclaimable: false,
    };
    let section: 'node' | 'zone' | 'pagesets' = 'zone';
    for (const line of block.split('\n').slice(1)) {
      const field = /^\s+([\w ]+?):?\s+(\d+)$/.exec(line);
      if (line === '  per-node stats') section = 'node';
      else if (line.startsWith('  pages free')) section = 'zone';
      else if (line === '  pagesets') section = 'pagesets';
      else if (line.includes('protection:')) {
        zone.lowmemReserve = /\((.*)\)/.exec(line)![1]!.split(', ').map(Number);
      } else if (field !== null) {
        const [, name, value] = field as unknown as [string, string, string];
        const number = Number(value);
        if (section === 'node') counters.addNode(zone.node, name, number);
        else if (section === 'pagesets') {
          const pageset = zone.pagesets.at(-1) as { -readonly [key in keyof ZoneinfoPageset]: number } | undefined;
          if (name === 'cpu') zone.pagesets.push({ count: 0, high: 0, batch: 0, highMin: 0, highMax: 0 });
          else if (name === 'count') pageset!.count = number;
          else if (name === 'high') pageset!.high = number;
          else if (name === 'batch') pageset!.batch = number;
          else if (name === 'high_min') pageset!.highMin = number;
          else if (name === 'high_max') pageset!.highMax = number;
          else if (name === 'vm stats threshold') zone.statThreshold = number;
          else if (name === 'node_unreclaimable') zone.nodeUnreclaimable = number === 1;
          else if (name === 'start_pfn') zone.startPfn = number;
        } else if (name === 'pages free') {
          // `pages free` is the zone's nr_free_pages, which unpopulated zones print without an item line.
          if (!block.includes('\n      nr_free_pages ')) counters.addZone(index, 'nr_free_pages', number);
        } else if (name === 'boost') zone.boost = number;
        else if (name === 'min' || name === 'low' || name === 'high' || name === 'promo') zone.watermark[name] = number;
        else if (name === 'spanned' || name === 'present' || name === 'managed' || name === 'cma') zone[name] = number;
        else counters.addZone(index, name, number);
      } else if (line !== '') {
        throw new Error(`unparsed zoneinfo line '${line}'`);
      }
    }
    return zone;
  });
  return { zones, counters };
}

describe('formatZoneinfo v6.18', () => {
  it.each([
    ['the real file captured with the other /proc files', new URL('zoneinfo-6.18.txt', fixtures)],
    ['samples/zoneinfo-6.18.txt', new URL('zoneinfo-6.18.txt', samples)],
  ])('reproduces %s byte for byte', (_, url) => {
    const real = readFileSync(url, 'utf8');
    const { zones, counters } = parseZoneinfo(real);
    expect(zones.map((zone) => zone.name)).toEqual(['DMA', 'DMA32', 'Normal', 'Movable', 'Device']);
    expect(formatZoneinfo(v618, zones, counters)).toBe(real);
  });

  it('prints the per-node stats before each node’s first populated zone, not its first zone', () => {
    const zone = (node: number, name: string, present: number): ZoneinfoZone => ({
      node,
      name,
      watermark: { min: 1, low: 2, high: 3 },
      spanned: present,
      present,
      managed: present,
      lowmemReserve: [0, 0],
      pagesets: [{ count: 0, high: 0, batch: 1 }],
      statThreshold: 2,
      startPfn: 0,
    });
    const zones = [zone(0, 'DMA32', 100), zone(0, 'Normal', 50), zone(1, 'DMA32', 0), zone(1, 'Normal', 70)];
    const counters = new VmCountersBuilder(4, 2);
    counters.addNode(1, 'nr_file_pages', 9);
    const text = formatZoneinfo(v618, zones, counters);
    const headers = text.split('\n').filter((line) => line.startsWith('Node') || line === '  per-node stats');
    expect(headers).toEqual([
      'Node 0, zone    DMA32',
      '  per-node stats',
      'Node 0, zone   Normal',
      'Node 1, zone    DMA32',
      'Node 1, zone   Normal',
      '  per-node stats',
    ]);
    expect(text).toContain('\n      nr_file_pages 9\n');
    // An unpopulated zone stops after protection: (mm/vmstat.c lines 1806-1810).
    expect(text).toContain('        protection: (0, 0)\nNode 1, zone   Normal\n');
  });
});

describe('formatZoneinfo v4.8', () => {
  // Expectations written from v4.8 mm/vmstat.c: zoneinfo_show_print() lines 1437-1506, vmstat_text[] lines
  // 921-1091, walk_zones_in_node() lines 1123-1138 (unpopulated zones are skipped).
  const zones: ZoneinfoZone[] = [
    {
      node: 0,
      name: 'DMA',
      watermark: { min: 1, low: 2, high: 3 },
      spanned: 4095,
      present: 3998,
      managed: 3977,
      lowmemReserve: [0, 2966, 2966, 2966],
      pagesets: [
        { count: 0, high: 0, batch: 1 },
        { count: 0, high: 0, batch: 1 },
      ],
      statThreshold: 6,
      startPfn: 1,
    },
    {
      node: 0,
      name: 'DMA32',
      watermark: { min: 4, low: 5, high: 6 },
      spanned: 1044480,
      present: 782300,
      managed: 759000,
      lowmemReserve: [0, 0, 0, 0],
      pagesets: [
        { count: 12, high: 186, batch: 31 },
        { count: 7, high: 186, batch: 31 },
      ],
      statThreshold: 24,
      startPfn: 4096,
      nodeUnreclaimable: true,
    },
    {
      node: 0,
      name: 'Normal',
      watermark: { min: 0, low: 0, high: 0 },
      spanned: 0,
      present: 0,
      managed: 0,
      lowmemReserve: [0, 0, 0, 0],
      pagesets: [],
      statThreshold: 0,
      startPfn: 0,
    },
  ];
  const counters = new VmCountersBuilder(3, 1);
  counters.addZone(0, 'nr_free_pages', 3900);
  counters.addZone(1, 'nr_free_pages', 700000);
  counters.addZone(1, 'numa_hit', 321);
  counters.addZone(1, 'nr_kernel_stack', 1024);
  counters.addNode(0, 'nr_file_pages', 5000);
  counters.addNode(0, 'nr_pages_scanned', 17);

  const zoneItems = (values: Record<string, number>) =>
    [
      'nr_free_pages',
      'nr_zone_inactive_anon',
      'nr_zone_active_anon',
      'nr_zone_inactive_file',
      'nr_zone_active_file',
      'nr_zone_unevictable',
      'nr_zone_write_pending',
      'nr_mlock',
      'nr_slab_reclaimable',
      'nr_slab_unreclaimable',
      'nr_page_table_pages',
      'nr_kernel_stack',
      'nr_bounce',
      'nr_zspages',
      'numa_hit',
      'numa_miss',
      'numa_foreign',
      'numa_interleave',
      'numa_local',
      'numa_other',
      'nr_free_cma',
    ].map((name) => `      ${name.padEnd(12)} ${values[name] ?? 0}\n`);
  const nodeItems = [
    'nr_inactive_anon',
    'nr_active_anon',
    'nr_inactive_file',
    'nr_active_file',
    'nr_unevictable',
    'nr_isolated_anon',
    'nr_isolated_file',
    'nr_pages_scanned',
    'workingset_refault',
    'workingset_activate',
    'workingset_nodereclaim',
    'nr_anon_pages',
    'nr_mapped',
    'nr_file_pages',
    'nr_dirty',
    'nr_writeback',
    'nr_writeback_temp',
    'nr_shmem',
    'nr_shmem_hugepages',
    'nr_shmem_pmdmapped',
    'nr_anon_transparent_hugepages',
    'nr_unstable',
    'nr_vmscan_write',
    'nr_vmscan_immediate_reclaim',
    'nr_dirtied',
    'nr_written',
  ].map((name) => `      ${name.padEnd(12)} ${{ nr_file_pages: 5000, nr_pages_scanned: 17 }[name] ?? 0}\n`);

  it('prints the populated zones in the v4.8 layout', () => {
    const expected = [
      'Node 0, zone      DMA\n',
      '  per-node stats\n', // lines 1442-1449: before the node's first populated zone
      ...nodeItems,
      '  pages free     3900\n', // lines 1450-1466
      '        min      1\n',
      '        low      2\n',
      '        high     3\n',
      '   node_scanned  17\n',
      '        spanned  4095\n',
      '        present  3998\n',
      '        managed  3977\n',
      ...zoneItems({ nr_free_pages: 3900 }), // lines 1468-1470: the zone items, NUMA included
      '        protection: (0, 2966, 2966, 2966)\n', // lines 1472-1479
      '  pagesets\n',
      '    cpu: 0\n', // lines 1480-1497
      '              count: 0\n',
      '              high:  0\n',
      '              batch: 1\n',
      '  vm stats threshold: 6\n',
      '    cpu: 1\n',
      '              count: 0\n',
      '              high:  0\n',
      '              batch: 1\n',
      '  vm stats threshold: 6\n',
      '  node_unreclaimable:  0\n', // lines 1498-1505
      '  start_pfn:           1\n',
      '  node_inactive_ratio: 0\n',
      'Node 0, zone    DMA32\n',
      '  pages free     700000\n',
      '        min      4\n',
      '        low      5\n',
      '        high     6\n',
      '   node_scanned  17\n',
      '        spanned  1044480\n',
      '        present  782300\n',
      '        managed  759000\n',
      ...zoneItems({ nr_free_pages: 700000, numa_hit: 321, nr_kernel_stack: 1024 }),
      '        protection: (0, 0, 0, 0)\n',
      '  pagesets\n',
      '    cpu: 0\n',
      '              count: 12\n',
      '              high:  186\n',
      '              batch: 31\n',
      '  vm stats threshold: 24\n',
      '    cpu: 1\n',
      '              count: 7\n',
      '              high:  186\n',
      '              batch: 31\n',
      '  vm stats threshold: 24\n',
      '  node_unreclaimable:  1\n',
      '  start_pfn:           4096\n',
      '  node_inactive_ratio: 0\n',
    ].join('');
    expect(formatZoneinfo(v48, zones, counters)).toBe(expected);
    expect(formatZoneinfo(getProfile('v4.7'), zones, counters)).toBe(expected);
  });
});

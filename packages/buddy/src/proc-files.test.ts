import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatBuddyinfoTable } from './proc-buddyinfo';
import { formatPagetypeinfoTable } from './proc-pagetypeinfo';

const samples = new URL('../../../samples/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, samples), 'utf8');

/** Parses the sample's numbers back, so the formatter can be checked byte for byte against the real file. */
function numbers(line: string): number[] {
  return line
    .split(/\s+/)
    .filter((word) => /^\d+$/.test(word))
    .map(Number);
}

describe('/proc/buddyinfo', () => {
  it('reproduces the real 6.18 file byte for byte', () => {
    const sample = read('buddyinfo-6.18.txt');
    const zones = sample
      .trimEnd()
      .split('\n')
      .map((line) => {
        const match = /^Node (\d+), zone\s+(\S+)\s+(.*)$/.exec(line)!;
        return { node: Number(match[1]), name: match[2]!, freeBlocks: numbers(match[3]!) };
      });
    expect(formatBuddyinfoTable(zones)).toBe(sample);
  });
});

describe('/proc/pagetypeinfo', () => {
  it('reproduces the real 6.18 file byte for byte', () => {
    const sample = read('pagetypeinfo-6.18.txt');
    const zones = new Map<string, { node: number; name: string; freeBlocks: number[][]; pageblocks: number[] }>();
    for (const line of sample.split('\n')) {
      const free = /^Node\s+(\d+), zone\s+(\S+), type\s+(\S+)\s+(.*)$/.exec(line);
      if (free !== null) {
        const key = `${free[1]}/${free[2]}`;
        const zone = zones.get(key) ?? { node: Number(free[1]), name: free[2]!, freeBlocks: [], pageblocks: [] };
        zone.freeBlocks.push(numbers(free[4]!));
        zones.set(key, zone);
        continue;
      }
      const blocks = /^Node (\d+), zone\s+(\S+)\s+(.*)$/.exec(line);
      if (blocks !== null) zones.get(`${blocks[1]}/${blocks[2]}`)!.pageblocks = numbers(blocks[3]!);
    }
    expect(formatPagetypeinfoTable('v6', [...zones.values()])).toBe(sample);
  });

  it('caps counts at >100000 in v6.18 only, and appends extra sections', () => {
    const zone = {
      node: 0,
      name: 'Normal',
      freeBlocks: Array.from({ length: 5 }, () => [123456, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
      pageblocks: [1, 2, 3, 0, 0],
    };
    const v6 = formatPagetypeinfoTable('v6', [zone], [{ title: 'Number of mixed blocks ', counts: [[0, 1, 0, 0, 0]] }]);
    expect(v6).toContain('type    Unmovable >100000      0');
    expect(v6).toContain(
      '\nNumber of mixed blocks    Unmovable      Movable  Reclaimable   HighAtomic      Isolate \nNode 0, zone   Normal            0            1            0            0            0 \n',
    );
    expect(formatPagetypeinfoTable('v4', [zone])).toContain('type    Unmovable 123456      0');
  });
});

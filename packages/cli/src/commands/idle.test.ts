import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../cli-io';
import { main } from '../main';

const scratch = mkdtempSync(join(tmpdir(), 'mmsim-idle-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('mmsim idle', () => {
  it.each([
    ['v6.18', 'x86_64'],
    ['v4.8', 'i386'],
  ])('%s %s: the estimate from the files equals the workload’s own count, for every process', async (profile, arch) => {
    const io = memoryIo();
    expect(await main(['idle', '--profile', profile, '--arch', arch, '--ticks', '3', '--json'], io)).toBe(0);
    const { processes } = JSON.parse(io.out()) as {
      processes: { pid: number; comm: string; mappedPages: number; idlePages: number; touchedPages: number }[];
    };
    expect(processes.map((process) => process.comm)).toEqual(['postgres', 'redis-server', 'nginx']);
    for (const process of processes) {
      expect(Object.keys(process)).toEqual(['pid', 'comm', 'mappedPages', 'idlePages', 'touchedPages']);
      expect(process.mappedPages).toBeGreaterThan(0);
      expect(process.idlePages).toBeGreaterThan(0);
      expect(process.idlePages).toBe(process.mappedPages - process.touchedPages);
    }
  });

  it('prints a table, and with --out writes maps, pagemap, kpageflags, kpagecount and the bitmap', async () => {
    const io = memoryIo();
    const out = join(scratch, 'run');
    expect(await main(['idle', '--mem', '512M', '--out', out], io)).toBe(0);
    expect(io.out()).toMatch(
      /^Working sets after 10 ticks \(idle page tracking, v6.18 x86_64, 512M; pages of 4 KiB\):\n/,
    );
    expect(io.out()).toMatch(/^ pid {2}comm {10}mapped {2}idle {3}wss {2}wss MiB {2}touched$/m);
    expect(io.out()).toMatch(/^1000 {2}postgres +9216 +\d+ +\d+ +\d+\.\d +\d+$/m);
    const maps = readFileSync(join(out, 'proc/1000/maps'), 'utf8');
    expect(maps).toMatch(/^[0-9a-f]{12}-[0-9a-f]{12} rw-s 00000000 fe:00 \d+ +\/var\/lib\/postgres\/data$/m);
    const entries = maps
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [start, end] = line
          .split(' ')[0]!
          .split('-')
          .map((value) => Number.parseInt(value, 16));
        return (end! - start!) / 4096;
      });
    expect(statSync(join(out, 'proc/1000/pagemap')).size).toBe(entries.reduce((a, b) => a + b, 0) * 8);
    expect(readFileSync(join(out, 'proc/1000/pagemap.index.txt'), 'utf8')).toMatch(/ offset=0 entries=\d+\n/);
    const pages = (512 * 2 ** 20) / 4096;
    expect(statSync(join(out, 'proc/kpageflags')).size).toBe(pages * 8);
    expect(statSync(join(out, 'proc/kpagecount')).size).toBe(pages * 8);
    expect(statSync(join(out, 'sys/kernel/mm/page_idle/bitmap')).size).toBe(pages / 8);
    expect(readFileSync(join(out, 'dmesg'), 'utf8')).toMatch(/^\[ +0\.000000\] Linux version/);
  });

  it('reports bad usage with exit code 2', async () => {
    for (const argv of [
      ['idle', '--profile', 'v5'],
      ['idle', '--arch', 'arm'],
      ['idle', '--ticks', '-1'],
      ['idle', '--mem', 'lots'],
      ['idle', 'extra'],
    ]) {
      const io = memoryIo();
      expect(await main(argv, io)).toBe(2);
      expect(io.err()).toMatch(/^mmsim idle: /);
    }
  });

  it('fails (exit 1) with a clear message when the workload does not fit', async () => {
    const io = memoryIo();
    expect(await main(['idle', '--mem', '64M'], io)).toBe(1);
    expect(io.err()).toMatch(/could not map \d+ pages: give the machine more memory/);
  });
});

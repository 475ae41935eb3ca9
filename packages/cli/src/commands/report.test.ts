import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KPF } from '@mm/physmem';
import { PageCell, readReportSource, unpackArray } from '@mm/report';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../cli-io';
import { main } from '../main';

const scratch = mkdtempSync(join(tmpdir(), 'mmsim-report-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const fixture = (name: string) =>
  fileURLToPath(new URL(`../../../page-owner/test/__fixtures__/${name}`, import.meta.url));

/** The kernel's own `Number of mixed blocks` table of /proc/pagetypeinfo: its migratetype columns and zone rows. */
function pagetypeinfoMixed(text: string): { names: string[]; rows: Map<string, number[]> } {
  const [heading, ...lines] = text.slice(text.indexOf('Number of mixed blocks')).split('\n');
  const rows = new Map<string, number[]>();
  for (const line of lines) {
    const match = /^Node\s+(\d+), zone\s+(\S+)\s+(.*)$/.exec(line);
    if (match !== null) rows.set(`Node ${match[1]}, zone ${match[2]}`, match[3]!.trim().split(/\s+/).map(Number));
  }
  return { names: heading!.trim().split(/\s+/).slice(4), rows };
}

describe('mmsim run --report', () => {
  const out = join(scratch, 'fragment');
  beforeAll(async () => {
    const io = memoryIo();
    expect(await main(['run', '--workload', 'fragment', '--mem', '512M', '--out', out, '--report'], io)).toBe(0);
    expect(io.out()).toContain('report.html');
  });

  it('writes report.html into the output directory', () => {
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/);
  });

  it("shows the same mixed pageblocks per zone as the kernel's pagetypeinfo, and the same free pages as kpageflags", () => {
    const data = readReportSource(out);
    const { names, rows: kernel } = pagetypeinfoMixed(readFileSync(join(out, 'proc/pagetypeinfo'), 'utf8'));
    let total = 0;
    for (const zone of data.mixedBlocks) {
      const row = kernel.get(zone.zone)!;
      expect(row, zone.zone).toBeDefined();
      names.forEach((name, column) => {
        expect(zone.counts[data.migratetypes.indexOf(name)], `${zone.zone} ${name}`).toBe(row[column]);
        total += row[column]!;
      });
    }
    expect(total).toBeGreaterThan(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(total).toBe(summary.mixedBlocks);
    const cells = unpackArray(data.cells);
    const flags = new DataView(readFileSync(join(out, 'proc/kpageflags')).buffer);
    let buddy = 0;
    for (let pfn = 0; pfn < cells.length; pfn++) if ((flags.getUint32(pfn * 8, true) & (1 << KPF.BUDDY)) !== 0) buddy++;
    expect(cells.filter((cell) => (cell & 0x3f) === PageCell.free).length).toBe(buddy);
    expect(data.depotGrowth!.length).toBeGreaterThan(2);
    expect(data.depotGrowth!.at(-1)).toMatchObject({
      stacks: summary.stackDepot.stacks,
      bytes: summary.stackDepot.bytes,
    });
    // page_owner under each layout, then v6.18's page_ext for every combination of clients.
    expect(data.layouts!.map((row) => row.profile)).toEqual([
      ...summary.layouts.map((row: { profile: string }) => row.profile),
      ...summary.pageExtClients.map((row: { clients: string }) => `v6.18 ${row.clients}`),
    ]);
    expect(data.layouts!.at(-1)).toEqual({
      profile: 'v6.18 page_owner,debug_pagealloc,alloc_tag,page_table_check',
      bytes: (summary.pageExt.bytes / 72) * 88,
    });
  });

  it('needs --out', async () => {
    const io = memoryIo();
    expect(await main(['run', '--report'], io)).toBe(2);
    expect(io.err()).toContain('--report writes DIR/report.html of the output directory: give --out DIR');
  });
});

describe('mmsim report', () => {
  it('writes the report of a real v4.8 dump beside it, or where -o says', async () => {
    const dump = join(scratch, 'v4.8-dump.txt');
    writeFileSync(dump, readFileSync(fixture('records-v4.8.golden.txt')));
    const io = memoryIo();
    expect(await main(['report', dump], io)).toBe(0);
    expect(io.out()).toMatch(
      new RegExp(`^mmsim report: wrote ${dump}\\.html \\(\\d+ KiB\\): 11750 pages, 5 page_owner records, 2 stacks\n$`),
    );
    expect(existsSync(`${dump}.html`)).toBe(true);
    const json = memoryIo();
    expect(await main(['report', dump, '-o', join(scratch, 'elsewhere.html'), '--json'], json)).toBe(0);
    expect(JSON.parse(json.out())).toMatchObject({ out: join(scratch, 'elsewhere.html'), records: 5, format: 'v4.x' });
    expect(existsSync(join(scratch, 'elsewhere.html'))).toBe(true);
  });

  it.each([
    ['a missing path', 'nothing-here', /nothing-here: no such file or directory/],
    ['a directory that is no run', 'empty-dir', /expected a run's output directory .* found neither/],
    ['an empty file', 'empty.txt', /expected a page_owner dump .* found none/],
    ['a malformed dump', 'bad.txt', /bad\.txt:2: expected/],
    [
      'a run whose kpageflags is a directory',
      'odd-run',
      /^mmsim report: .*odd-run\/proc\/kpageflags: Is a directory\n$/,
    ],
  ])('fails clearly on %s, writing nothing', async (_what, name, message) => {
    mkdirSync(join(scratch, 'empty-dir'), { recursive: true });
    mkdirSync(join(scratch, 'odd-run/proc/kpageflags'), { recursive: true });
    writeFileSync(join(scratch, 'empty.txt'), '');
    writeFileSync(join(scratch, 'bad.txt'), 'Page allocated via order 0, mask 0xcc0(GFP_KERNEL)\nnot a PFN line\n');
    const io = memoryIo();
    const out = join(scratch, `${name}.out.html`);
    expect(await main(['report', join(scratch, name), '-o', out], io)).toBe(1);
    expect(io.err()).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('wants exactly one input', async () => {
    const io = memoryIo();
    expect(await main(['report'], io)).toBe(2);
    expect(io.err()).toContain('expected one run directory');
  });
});

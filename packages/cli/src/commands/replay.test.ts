import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readReportSource } from '@mm/report';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../cli-io';
import { main } from '../main';

const samples = new URL('../../../../samples/', import.meta.url);
const scratch = mkdtempSync(join(tmpdir(), 'mmsim-replay-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const perfSample = new URL('perf-script-page-alloc-stacks-6.18.txt', samples).pathname;
const perfOut = join(scratch, 'perf');
/** What `--stat --json` prints with `--out`: perf kmem's numbers and the replay's counts. */
interface PerfRunJson {
  readonly replay: { readonly events: Record<string, number>; readonly files: string[] };
  readonly callers: readonly { readonly hits: number }[];
  readonly [key: string]: unknown;
}
let perfRun: Promise<{ code: number; json: PerfRunJson }> | undefined;

/**
 * One replay of the perf sample for every test of it (a replay of it boots a 10 GiB machine): the output directory
 * with the report, and perf kmem's statistics (`--stat --caller --live`) with the replay's counts in one JSON.
 */
function replayPerfSample() {
  perfRun ??= (async () => {
    const io = memoryIo();
    const args = ['replay', perfSample, '--out', perfOut, '--report', '--stat', '--caller', '--live', '--json'];
    const code = await main(args, io);
    return { code, json: JSON.parse(code === 0 ? io.out() : '{}') as PerfRunJson };
  })();
  return perfRun;
}

/** How many lines of a file name the event (ftrace `name:` or perf `kmem:name:`). */
function count(file: string, event: string): number {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.includes(` ${event}: `) || line.includes(`:${event}: `)).length;
}

describe('mmsim replay', () => {
  it('replays the real ftrace sample: every event counted by name, nothing unknown or malformed', async () => {
    const file = new URL('ftrace-page-events-6.18.txt', samples).pathname;
    const io = memoryIo();
    expect(await main(['replay', file, '--json'], io)).toBe(0);
    const result = JSON.parse(io.out());
    expect(result.events).toEqual({
      mm_page_alloc: count(file, 'mm_page_alloc'),
      mm_page_free: count(file, 'mm_page_free'),
      mm_page_free_batched: count(file, 'mm_page_free_batched'),
      mm_page_alloc_zone_locked: count(file, 'mm_page_alloc_zone_locked'),
    });
    expect(result).toMatchObject({ unknownLines: 0, malformedLines: 0 });
    // Every allocation of the trace is replayed at its pfn: none failed, none without a page for it.
    expect(result).toMatchObject({ allocations: result.events.mm_page_alloc, failedAllocations: 0, unplaceable: 0 });
    expect(result.formats).toEqual(['pfn=0x%lx', 'ftrace']);
  });

  it('replays the perf sample with its call chains: the dump and the report show the real allocation sites', async () => {
    const { code, json } = await replayPerfSample();
    expect(code).toBe(0);
    const result = json.replay;
    expect(result.events).toEqual({ mm_page_alloc: 2000, mm_page_free: count(perfSample, 'mm_page_free') });
    expect(result.files).toContain('report.html');
    expect(readReportSource(perfOut).frames.some((frame) => frame.startsWith('__pmd_alloc+0x2e/'))).toBe(true);
    const dump = readFileSync(join(perfOut, 'sys/kernel/debug/page_owner'), 'utf8');
    // The first event of the sample: bash 22422 allocating a PMD page during exec.
    expect(dump).toMatch(
      /Page allocated via order 0, mask 0x[0-9a-f]+\(GFP_KERNEL_ACCOUNT\|__GFP_ZERO\|__GFP_COMP\), pid 22422, tgid 22422 \(bash\)[^\n]*\nPFN 0x18a36f [^\n]*\n post_alloc_hook[^\n]*\n get_page_from_freelist[^\n]*\n __alloc_frozen_pages_noprof[^\n]*\n alloc_pages_mpol\+0x86\/[^\n]*\n alloc_pages_noprof\+0x4c\/[^\n]*\n __pmd_alloc\+0x2e\//,
    );
  });

  it('counts lines it does not know, reports malformed ones with their line, and goes on', async () => {
    const file = join(scratch, 'mixed.txt');
    writeFileSync(
      file,
      [
        '# tracer: nop',
        '            cat-100   [000] .....   10.000001: mm_page_alloc: page=0000000012345678 pfn=0x30000 order=0 migratetype=0 gfp_flags=GFP_KERNEL',
        '            cat-100   [000] .....   10.000002: sched_switch: prev_comm=cat prev_pid=100',
        'this is not a trace line',
        '            cat-100   [000] .....   10.000003: mm_page_alloc: page=0000000012345678 order=0 gfp_flags=GFP_KERNEL',
        '            cat-100   [000] .....   10.000004: mm_page_free: page=0000000012345678 pfn=0x30000 order=0',
        '',
      ].join('\n'),
    );
    const io = memoryIo();
    expect(await main(['replay', file, '--json'], io)).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({
      events: { mm_page_alloc: 2, mm_page_free: 1 },
      unknownLines: 2,
      malformedLines: 1,
      allocations: 1,
      frees: 1,
    });
    expect(io.err()).toBe(`mmsim replay: ${file}:5: mm_page_alloc needs pfn= (decimal or 0x...) and order=N\n`);
  });

  it('places a v4.x pfn=262144 at pfn 262144, and refuses an absurd pfn with one line, exit 2', async () => {
    const file = join(scratch, 'v4.txt');
    writeFileSync(
      file,
      '            dd-2301  [003] ....  1520.123456: mm_page_alloc: page=ffffea0001000000 pfn=262144 order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE\n',
    );
    const out = join(scratch, 'v4');
    expect(await main(['replay', file, '--out', out], memoryIo())).toBe(0);
    const dump = readFileSync(join(out, 'sys/kernel/debug/page_owner'), 'utf8');
    expect(dump).toContain('pid 2301, tgid 2301 (dd), ts 1520123456000 ns\nPFN 0x40000 type Movable');
    const absurd = join(scratch, 'absurd.txt');
    writeFileSync(
      absurd,
      '  a-10 [000] .... 1.000000: mm_page_alloc_extfrag: page=x pfn=0x7fffffffff alloc_order=0 fallback_order=9 pageblock_order=9 alloc_migratetype=0 fallback_migratetype=1 fragmenting=1 change_ownership=0\n',
    );
    const io = memoryIo();
    expect(await main(['replay', absurd], io)).toBe(2);
    expect(io.err().split('\n')[0]).toBe(
      `mmsim replay: ${absurd}:1: pfn 0x7fffffffff is at 2048.0 TiB, beyond the 1 TiB a replay sizes its machine to: give the memory to replay it on (--mem)`,
    );
  });

  it('refuses a file without one trace event (a page_owner dump, say) with its first line, exit 1', async () => {
    const file = join(scratch, 'page_owner.txt');
    writeFileSync(
      file,
      'Page allocated via order 0, mask 0x24213ca(GFP_HIGHUSER_MOVABLE|__GFP_COLD)\n [<ffffffff811a0d41>] __alloc_pages_nodemask+0x1f1/0x430\n\n',
    );
    for (const args of [[], ['--stat']]) {
      const io = memoryIo();
      expect(await main(['replay', file, ...args], io)).toBe(1);
      expect(io.out()).toBe('');
      expect(io.err()).toBe(
        `mmsim replay: ${file}:1: expected an event line of ftrace ('TASK-PID [CPU] FLAGS SECONDS: EVENT: FIELDS') or ` +
          `perf script ('COMM PID [CPU] SECONDS: SYSTEM:EVENT: FIELDS'), got "Page allocated via order 0, mask ` +
          `0x24213ca(GFP_HIGHUSER_MOVABLE|__GFP_COLD)" (no trace event in ${file}: 2 lines that are neither events, ` +
          `comments nor blank)\n`,
      );
    }
  });

  it('wants --out for --report', async () => {
    const io = memoryIo();
    expect(await main(['replay', 'trace.txt', '--report'], io)).toBe(2);
    expect(io.err()).toContain('mmsim replay: --report writes DIR/report.html of the output directory: give --out DIR');
  });

  it('fails on an unreadable trace (exit 1) and reports bad usage (exit 2)', async () => {
    const io = memoryIo();
    expect(await main(['replay', join(scratch, 'missing.txt')], io)).toBe(1);
    expect(io.err()).toBe(`mmsim replay: ${join(scratch, 'missing.txt')}: No such file or directory\n`);
    // A directory opens, and its read fails: the message names it all the same, as a trace or as kallsyms.
    const trace = join(scratch, 'one-event.txt');
    writeFileSync(trace, '  a-1 [000] .... 1.000000: mm_page_free: page=x pfn=0x1000 order=0\n');
    for (const args of [[scratch], ['--stat', scratch], [trace, '--kallsyms', scratch]]) {
      const directory = memoryIo();
      expect(await main(['replay', ...args], directory)).toBe(1);
      expect(directory.err()).toBe(`mmsim replay: ${scratch}: Is a directory\n`);
    }
    const usage = memoryIo();
    expect(await main(['replay'], usage)).toBe(2);
  });
});

/** The page events of a perf script trace: name, pfn, order and the kernel frames after the allocator's own. */
function perfEvents(file: string): { name: string; pfn: number; order: number; chain: string[] }[] {
  const events = [];
  for (const block of readFileSync(file, 'utf8').split('\n\n')) {
    const head = /kmem:(mm_page_\w+): .*pfn=(0x[0-9a-f]+) order=(\d+)/.exec(block);
    if (head === null) continue;
    const frames = [...block.matchAll(/^\s+[0-9a-f]+ (\S+) \(\[kernel\.kallsyms\]\)$/gm)].map((match) => match[1]!);
    const allocator = frames.findIndex((frame) => frame.startsWith('__alloc_frozen_pages_noprof+'));
    events.push({ name: head[1]!, pfn: Number(head[2]), order: Number(head[3]), chain: frames.slice(allocator + 1) });
  }
  return events;
}

describe('mmsim replay of the perf sample: attribution', () => {
  const file = perfSample;
  const events = perfEvents(file);
  const out = perfOut;

  it("gives every allocation's record the trace's whole chain after the allocator's own", async () => {
    expect((await replayPerfSample()).code).toBe(0);
    // The last allocation at each pfn is the record the file shows, if it is still allocated.
    const last = new Map<number, (typeof events)[number]>();
    const freed = new Set<number>();
    for (const event of events) {
      if (event.name === 'mm_page_alloc') {
        last.set(event.pfn, event);
        freed.delete(event.pfn);
      } else freed.add(event.pfn);
    }
    const records = new Map<number, string[]>();
    for (const record of readFileSync(join(out, 'sys/kernel/debug/page_owner'), 'utf8').split('\n\n')) {
      const pfn = /^PFN (0x[0-9a-f]+) /m.exec(record);
      if (pfn === null || !record.includes(' post_alloc_hook+')) continue;
      records.set(
        Number(pfn[1]),
        record
          .split('\n')
          .slice(5)
          .filter((line) => line !== '')
          .map((line) => line.trim().replace(/\/0x[0-9a-f]+$/, '')),
      );
    }
    let compared = 0;
    for (const [pfn, event] of last) {
      if (freed.has(pfn)) {
        expect(records.has(pfn)).toBe(false);
        continue;
      }
      expect(records.get(pfn), `pfn 0x${pfn.toString(16)}`).toEqual(event.chain);
      compared++;
    }
    // Chains deeper than page_owner's usual 16 frames are kept whole too.
    expect(Math.max(...[...records.values()].map((chain) => chain.length))).toBeGreaterThan(13);
    expect(compared).toBe(records.size);
    expect(compared).toBeGreaterThan(1900);
  });

  it('and mmsim sort --cull=stacktrace gives, per stack, exactly the live pages a plain walk of the trace implies', async () => {
    expect((await replayPerfSample()).code).toBe(0);
    // The reference: each page's owner as the events leave it.
    const owners = new Map<number, string>();
    for (const event of events) {
      for (let page = event.pfn; page < event.pfn + 2 ** event.order; page++) {
        if (event.name === 'mm_page_alloc') owners.set(page, event.chain.join('\n'));
        else owners.delete(page);
      }
    }
    const expected = new Map<string, number>();
    for (const chain of owners.values()) expected.set(chain, (expected.get(chain) ?? 0) + 1);
    const comms = [
      ...new Set([...readFileSync(file, 'utf8').matchAll(/^(\S.*?)\s+\d+\s+\[\d{3}\]/gm)].map((m) => m[1]!)),
    ];
    const sorted = join(scratch, 'attribution.sorted');
    const sort = memoryIo();
    const args = ['sort', '--cull', 'st', '--name', comms.join(','), join(out, 'sys/kernel/debug/page_owner'), sorted];
    expect(await main(args, sort)).toBe(0);
    const found = new Map<string, number>();
    let dummy = 0;
    for (const block of readFileSync(sorted, 'utf8').split('\n\n')) {
      const lines = block.split('\n').filter((line) => line !== '');
      const head = /^(\d+) times, (\d+) pages/.exec(lines[0] ?? '');
      if (head === null) continue;
      const frames = lines.slice(1).map((line) => line.trim().replace(/\/0x[0-9a-f]+$/, ''));
      // The simulated machine's own stack depot pool, taken while replaying (page_owner's dummy stack).
      if (frames[0] === 'register_dummy_stack+0x8a') {
        dummy += Number(head[2]);
        continue;
      }
      expect(frames.slice(0, 3)).toEqual([
        'post_alloc_hook+0x177',
        'get_page_from_freelist+0xd01',
        '__alloc_frozen_pages_noprof+0x168',
      ]);
      found.set(frames.slice(3).join('\n'), Number(head[2]));
    }
    expect(found).toEqual(expected);
    expect(dummy).toBeGreaterThan(0);
  });
});

describe('mmsim replay --stat (perf kmem --page stat)', () => {
  const file = perfSample;

  it('--caller on the perf sample: per site, the hits, pages and bytes a plain count of the trace gives', async () => {
    // By hand: perf's callsite is the first frame outside ^_?_?(alloc|get_free|get_zeroed)_pages?, which on 6.18 is
    // __alloc_frozen_pages_noprof (where the tracepoint fires) for every event; rows are per order, migratetype, gfp.
    const rows = new Map<string, { hits: number; pages: number }>();
    for (const match of readFileSync(file, 'utf8').matchAll(
      /kmem:mm_page_alloc: .* order=(\d+) migratetype=(\d+) gfp_flags=(\S+)/g,
    )) {
      const key = `${match[1]} ${match[2]} ${match[3]}`;
      const row = rows.get(key) ?? { hits: 0, pages: 0 };
      row.hits++;
      row.pages += 2 ** Number(match[1]);
      rows.set(key, row);
    }
    expect([...rows.values()].reduce((sum, row) => sum + row.hits, 0)).toBe(2000);
    const io = memoryIo();
    expect(await main(['replay', file, '--stat', '--caller'], io)).toBe(0);
    const table = io
      .out()
      .split('\n')
      .filter((line) => / \| .* \| __alloc_frozen_pages_noprof$/.test(line))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    const expected = [...rows]
      .map(([key, row]) => {
        const [order, , gfp] = key.split(' ');
        return { kb: (row.pages * 4).toString(), hits: row.hits.toString(), order: order!, gfp: gfp! };
      })
      .sort((a, b) => Number(b.kb) - Number(a.kb));
    // The C locale of memoryIo(): no thousands separators.
    expect(table.map(([kb, hits, order]) => ({ kb, hits, order }))).toEqual(
      expected.map(({ kb, hits, order }) => ({ kb, hits, order })),
    );
    expect(io.out()).toMatch(/Total allocation requests +: +2000 +\[ +8000 KB \]/);
    // An en_US user sees perf's %' grouping.
    const grouped = memoryIo(false, { LANG: 'en_US.UTF-8' });
    expect(await main(['replay', file, '--stat'], grouped)).toBe(0);
    expect(grouped.out()).toMatch(/Total allocation requests +: +2,000 +\[ +8,000 KB \]/);
  });

  it('--json carries the same numbers; the replay with --out too', async () => {
    const { code, json } = await replayPerfSample();
    expect(code).toBe(0);
    expect(json).toMatchObject({ live: true, summary: { allocRequests: 2000, freeRequests: 30 } });
    expect(json.callers.reduce((sum, row) => sum + row.hits, 0)).toBe(2000 - 24);
    expect(json.replay).toMatchObject({ allocations: 2000, frees: 24, unknownFrees: 6 });
    expect(json.replay.files).toContain('sys/kernel/debug/page_owner');
  });

  it('wants --stat for its options, and a known sort key', async () => {
    const io = memoryIo();
    expect(await main(['replay', file, '--caller'], io)).toBe(2);
    expect(io.err()).toContain("--caller is an option of perf kmem's statistics: add --stat");
    const keys = memoryIo();
    expect(await main(['replay', file, '--stat', '-s', 'size'], keys)).toBe(2);
    expect(keys.err()).toContain("Unknown page --sort key: 'size'");
  });
});

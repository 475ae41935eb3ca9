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
    expect(result.allocations).toBeGreaterThan(8000);
    expect(result.allocations + result.skippedAllocations).toBe(result.events.mm_page_alloc);
  });

  it('replays the perf sample with its call chains: the dump and the report show the real allocation sites', async () => {
    const file = new URL('perf-script-page-alloc-stacks-6.18.txt', samples).pathname;
    const out = join(scratch, 'perf');
    const io = memoryIo();
    expect(await main(['replay', file, '--out', out, '--report', '--json'], io)).toBe(0);
    const result = JSON.parse(io.out());
    expect(result.events).toEqual({ mm_page_alloc: 2000, mm_page_free: count(file, 'mm_page_free') });
    expect(result.files).toContain('report.html');
    expect(readReportSource(out).frames.some((frame) => frame.startsWith('__pmd_alloc+0x2e/'))).toBe(true);
    const dump = readFileSync(join(out, 'sys/kernel/debug/page_owner'), 'utf8');
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
    expect(io.err()).toBe(`mmsim replay: ${file}:5: mm_page_alloc needs pfn=0x... and order=N\n`);
  });

  it('wants --out for --report', async () => {
    const io = memoryIo();
    expect(await main(['replay', 'trace.txt', '--report'], io)).toBe(2);
    expect(io.err()).toContain('mmsim replay: --report writes DIR/report.html of the output directory: give --out DIR');
  });

  it('fails on an unreadable trace (exit 1) and reports bad usage (exit 2)', async () => {
    const io = memoryIo();
    expect(await main(['replay', join(scratch, 'missing.txt')], io)).toBe(1);
    expect(io.err()).toMatch(/ENOENT/);
    const usage = memoryIo();
    expect(await main(['replay'], usage)).toBe(2);
  });
});

describe('mmsim replay then mmsim sort', () => {
  it('names the same top allocation site as counting the call chains of the perf trace directly', async () => {
    const file = new URL('perf-script-page-alloc-stacks-6.18.txt', samples).pathname;
    // Directly: the kernel chains of the allocation events, from the allocator's caller outwards, as page_owner
    // keeps them (16 frames, 3 of them the allocator's own).
    const counts = new Map<string, number>();
    for (const event of readFileSync(file, 'utf8').split('\n\n')) {
      if (!/kmem:mm_page_alloc:/.test(event)) continue;
      const chain = [...event.matchAll(/^\s+[0-9a-f]+ (\S+) \(\[kernel\.kallsyms\]\)$/gm)].map((match) => match[1]!);
      const caller = chain.findIndex((frame) => frame.startsWith('__alloc_frozen_pages_noprof+'));
      const key = chain.slice(caller + 1, caller + 1 + 13).join('\n');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const [topChain, topCount] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    // Through the simulator: replay, dump, page_owner_sort culled by stack.
    const out = join(scratch, 'sorted');
    expect(await main(['replay', file, '--out', out], memoryIo())).toBe(0);
    const sorted = join(scratch, 'sorted.txt');
    // Only the trace's tasks (the simulated machine's own boot allocations are in the dump too).
    const comms = new Set(
      [...readFileSync(file, 'utf8').matchAll(/^(\S.*?)\s+\d+\s+\[\d{3}\]/gm)].map((match) => match[1]!),
    );
    const args = [
      'sort',
      '--cull',
      'st',
      '--name',
      [...comms].join(','),
      join(out, 'sys/kernel/debug/page_owner'),
      sorted,
    ];
    expect(await main(args, memoryIo())).toBe(0);
    const [first] = readFileSync(sorted, 'utf8').split('\n\n');
    const lines = first!.split('\n');
    expect(lines[0]).toMatch(/^(\d+) times, \d+ pages/);
    const times = Number(/^(\d+) times/.exec(lines[0]!)![1]);
    const stack = lines
      .slice(1)
      .map((line) => line.trim().replace(/\/0x[0-9a-f]+$/, ''))
      .filter((line) => line !== '')
      .slice(3)
      .join('\n');
    expect(stack).toBe(topChain);
    // The few pages the trace freed again are gone from the dump.
    expect(times).toBeGreaterThan(topCount - 30);
    expect(times).toBeLessThanOrEqual(topCount);
  });
});

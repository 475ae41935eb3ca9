import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('replays the perf sample with its call chains: the dump shows the real allocation sites', async () => {
    const file = new URL('perf-script-page-alloc-stacks-6.18.txt', samples).pathname;
    const out = join(scratch, 'perf');
    const io = memoryIo();
    expect(await main(['replay', file, '--out', out, '--json'], io)).toBe(0);
    expect(JSON.parse(io.out()).events).toEqual({ mm_page_alloc: 2000, mm_page_free: count(file, 'mm_page_free') });
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

  it('fails on an unreadable trace (exit 1) and reports bad usage (exit 2)', async () => {
    const io = memoryIo();
    expect(await main(['replay', join(scratch, 'missing.txt')], io)).toBe(1);
    expect(io.err()).toMatch(/ENOENT/);
    const usage = memoryIo();
    expect(await main(['replay'], usage)).toBe(2);
  });
});

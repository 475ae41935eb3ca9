import { allFeatures } from '@mm/defaults';
import type { Kernel } from '@mm/kernel';
import type { Feature } from '@mm/kernel-spec';
import type { ProfileName } from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import { type ReplayOptions, type ReplayResult, replayTrace, TraceRangeError } from './trace-replay';
import { parseKallsyms } from './trace-symbols';

/**
 * The test corpus: synthetic traces written in each era's event formats (include/trace/events/kmem.h of v4.8 prints
 * `page=%p pfn=%lu`, v5.10+ `pfn=0x%lx`; ftrace's header columns from kernel/trace/trace_output.c; perf script's
 * from tools/perf/builtin-script.c), each with the records its replay must show, in the format of
 * mm/page_owner.c's print_page_owner() (v6.18) or v4.8's.
 */

/** The text in chunks of 7 characters, so that lines span chunks. */
async function* inChunks(text: string): AsyncIterable<string> {
  for (let at = 0; at < text.length; at += 7) yield text.slice(at, at + 7);
}

async function replayText(
  text: string,
  options: Partial<ReplayOptions> & { depth?: number } = {},
): Promise<{ kernel: Kernel; result: ReplayResult; records: Map<number, string[]> }> {
  const profile: ProfileName = options.profile ?? 'v6.18';
  const { kernel, result } = await replayTrace({
    open: () => inChunks(text),
    file: 'trace.txt',
    features: allFeatures(profile === 'v4.7' ? {} : { stackDepth: options.depth ?? 256 }),
    ...options,
  });
  return { kernel, result, records: recordsOf(kernel) };
}

/** The records of the machine's page_owner file by pfn: each record's lines, the `PFN` line without its flags. */
function recordsOf(kernel: Kernel): Map<number, string[]> {
  const file = kernel.files().find((each) => each.path === 'sys/kernel/debug/page_owner')!;
  let text = '';
  file.read((chunk) => {
    text += chunk;
  });
  const records = new Map<number, string[]>();
  for (const record of text.split('\n\n')) {
    const lines = record.split('\n');
    const pfn = /^PFN (0x[0-9a-f]+|\d+) /m.exec(record);
    if (pfn === null) continue;
    records.set(
      Number(pfn[1]),
      lines
        .filter((line) => line !== '')
        .map((line) => line.replace(/^(PFN \S+ type \S+ +Block \d+ type \S+).*$/, '$1')),
    );
  }
  return records;
}

/** page_owner's own frames above the caller's in v6.18 (the modelled allocator). */
const allocator = [
  ' post_alloc_hook+0x177/0x1a0',
  ' get_page_from_freelist+0xd01/0x2140',
  ' __alloc_frozen_pages_noprof+0x168/0x3b0',
];

describe('replayTrace: ftrace of v6.18 (pfn=0x%lx), with the tgid column and mixed CPUs', () => {
  const trace = [
    '# tracer: nop',
    '#',
    '#                                      _-----=> irqs-off/BH-disabled',
    '#           TASK-PID     TGID     CPU#  |||||  TIMESTAMP  FUNCTION',
    '#              | |         |        |   |||||     |         |',
    '            cat-100     (    100) [001] .....   897.434032: mm_page_alloc: page=00000000a1b2c3d4 pfn=0x30000 order=0 migratetype=0 gfp_flags=GFP_KERNEL',
    '    kworker/1:2-57      (-------) [000] d..1.   897.434100: mm_page_alloc: page=00000000a1b2c3d5 pfn=0x30004 order=2 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE',
    '            cat-100     (    100) [001] d..2.   897.434101: mm_page_alloc_zone_locked: page=00000000a1b2c3d5 pfn=0x30008 order=0 migratetype=0 percpu_refill=1',
    '            cat-100     (    100) [001] d..2.   897.434102: mm_page_pcpu_drain: page=00000000a1b2c3d5 pfn=0x30009 order=0 migratetype=0',
    '            cat-100     (    100) [001] .....   897.434103: mm_page_free_batched: page=00000000a1b2c3d5 pfn=0x3000a order=0',
    '',
  ].join('\n');

  it('allocates each pfn with its order and gfp, as the trace task, at the trace time', async () => {
    const { result, records } = await replayText(trace);
    expect(result).toMatchObject({
      events: { mm_page_alloc: 2, mm_page_alloc_zone_locked: 1, mm_page_pcpu_drain: 1, mm_page_free_batched: 1 },
      allocations: 2,
      frees: 0,
      malformedLines: 0,
      unknownLines: 0,
      formats: ['pfn=0x%lx', 'ftrace'],
    });
    expect(records.get(0x30000)).toEqual([
      'Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 100, tgid 100 (cat), ts 897434032000 ns',
      'PFN 0x30000 type Unmovable Block 384 type Movable',
      ...allocator,
    ]);
    // An unknown tgid (`(-------)`) is the task's own pid. Every page of the block has the record (v6.18), but the
    // file shows it once, at the block's head (read_page_owner() skips pfns not aligned to the record's order).
    expect(records.get(0x30004)).toEqual([
      'Page allocated via order 2, mask 0x100cca(GFP_HIGHUSER_MOVABLE), pid 57, tgid 57 (kworker/1:2), ts 897434100000 ns',
      'PFN 0x30004 type Movable Block 384 type Movable',
      ...allocator,
    ]);
    expect([0x30005, 0x30006, 0x30007].map((pfn) => records.has(pfn))).toEqual([false, false, false]);
  });
});

describe('replayTrace: ftrace of v4.x (pfn=%lu), without the tgid column', () => {
  const trace = [
    '# tracer: nop',
    '#           TASK-PID   CPU#  ||||    TIMESTAMP  FUNCTION',
    '            dd-2301  [003] ....  1520.123456: mm_page_alloc: page=ffffea0001000000 pfn=262144 order=1 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE',
    '            dd-2301  [003] ....  1520.123457: mm_page_alloc: page=(null) pfn=0 order=0 migratetype=0 gfp_flags=GFP_ATOMIC',
    '            dd-2301  [002] ....  1520.123460: mm_page_free: page=ffffea0001000200 pfn=262152 order=0',
    '',
  ].join('\n');

  it('reads pfn=262144 as decimal: the block lands at pfn 262144', async () => {
    const { result, records } = await replayText(trace);
    expect(result).toMatchObject({
      allocations: 1,
      failedAllocations: 1,
      unknownFrees: 1,
      formats: ['pfn=%lu', 'ftrace'],
    });
    expect(records.get(262144)![0]).toBe(
      'Page allocated via order 1, mask 0x100cca(GFP_HIGHUSER_MOVABLE), pid 2301, tgid 2301 (dd), ts 1520123456000 ns',
    );
    expect(records.get(262144)![1]).toBe('PFN 0x40000 type Movable Block 512 type Movable');
    // The machine is sized from the trace: its highest page (the free of pfn 262152, past 1 GiB) rounded up to
    // whole GiB, and 1 GiB more.
    expect(result.memoryBytes).toBe(3 * 2 ** 30);
  });

  it('shows the records in the format of the kernel chosen by --profile, whatever kernel wrote the trace', async () => {
    const { records } = await replayText(trace, { profile: 'v4.8' });
    // v4.8: no task or time in the header, a decimal PFN, and `[<address>] symbol` frames from save_stack_trace down
    // (its save_stack() skips nothing).
    const record = records.get(262144)!;
    expect(record.slice(0, 2)).toEqual([
      'Page allocated via order 1, mask 0x24200ca(GFP_HIGHUSER_MOVABLE)',
      'PFN 262144 type Movable Block 512 type Movable',
    ]);
    expect(record.slice(2).map((frame) => frame.replace(/^ \[<ffffffff[0-9a-f]{8}>\] /, ''))).toEqual([
      'save_stack_trace+0x16/0x20',
      'save_stack+0x43/0xe0',
      '__set_page_owner+0x24/0x50',
      'get_page_from_freelist+0x3a1/0xbc0',
      '__alloc_pages_nodemask+0x134/0x230',
    ]);
  });
});

describe('replayTrace: unpaired events', () => {
  it('a second allocation of a held pfn frees the earlier owner first: the new owner wins, counted as a missed free', async () => {
    const { result, records } = await replayText(
      [
        '  a-10 [000] .... 1.000000: mm_page_alloc: page=x pfn=0x20000 order=1 migratetype=0 gfp_flags=GFP_KERNEL',
        '  b-11 [001] .... 2.000000: mm_page_alloc: page=x pfn=0x20001 order=0 migratetype=0 gfp_flags=GFP_NOWAIT',
        '  c-12 [001] .... 3.000000: mm_page_free: page=x pfn=0x20001 order=0',
        '  c-12 [001] .... 3.000001: mm_page_free: page=x pfn=0x25000 order=2',
        '',
      ].join('\n'),
    );
    expect(result).toMatchObject({ allocations: 2, frees: 1, missedFrees: 1, unknownFrees: 4, partialFrees: 0 });
    // pfn 0x20000 was freed with a's block, and is free at the end; 0x20001 was b's, then freed by c.
    expect(records.has(0x20000)).toBe(false);
    expect(records.has(0x20001)).toBe(false);
  });

  it('a free of part of a block splits it first (split_page) and frees that part', async () => {
    const { result, records } = await replayText(
      [
        '  a-10 [000] .... 1.000000: mm_page_alloc: page=x pfn=0x20000 order=2 migratetype=0 gfp_flags=GFP_KERNEL',
        '  a-10 [000] .... 1.000001: mm_page_free: page=x pfn=0x20002 order=0',
        '',
      ].join('\n'),
    );
    expect(result).toMatchObject({ allocations: 1, frees: 1, partialFrees: 1, missedFrees: 0, unknownFrees: 0 });
    expect([...records.keys()].filter((pfn) => pfn >= 0x20000 && pfn < 0x20004)).toEqual([0x20000, 0x20001, 0x20003]);
    // split_page_owner() makes each page an order-0 record of the same allocation.
    expect(records.get(0x20003)![0]).toBe(
      'Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 10, tgid 10 (a), ts 1000000000 ns',
    );
  });
});

describe('replayTrace: perf script call chains', () => {
  const perf = [
    'bash 22422 [000]   897.434032: kmem:mm_page_alloc: page=0x3a36f pfn=0x3a36f order=0 migratetype=0 gfp_flags=GFP_KERNEL',
    '\tffffffff8163993b __alloc_frozen_pages_noprof+0x26b ([kernel.kallsyms])',
    '\tffffffff81673d36 alloc_pages_mpol+0x86 ([kernel.kallsyms])',
    '\tffffffffc0a01234 [unknown] ([unknown])',
    '\tffffffffc0b01040 mydrv_fill+0x40 ([mydrv])',
    '\tffffffff81400000 ksys_write+0xc3 ([kernel.kallsyms])',
    '\t00007f0000001000 __libc_write+0x10 (/usr/lib/libc.so.6)',
    '',
    'bash 22422 [001]   897.434033: kmem:mm_page_alloc: page=0x3a370 pfn=0x3a370 order=0 migratetype=0 gfp_flags=GFP_KERNEL',
    '\tffffffff8163993b __alloc_frozen_pages_noprof+0x26b ([kernel.kallsyms])',
    '\tffffffffc0b01090 mydrv_fill+0x90 ([mydrv])',
    '',
  ].join('\n');

  it('keeps every kernel frame: sizes from the model where the offset fits, else from the largest offset seen', async () => {
    const { result, records } = await replayText(perf);
    expect(result.frames).toEqual({ kallsyms: 0, modelled: 1, derived: 3, unresolved: 1 });
    expect(records.get(0x3a36f)).toEqual([
      'Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 22422, tgid 22422 (bash), ts 897434032000 ns',
      'PFN 0x3a36f type Unmovable Block 465 type Movable',
      ...allocator,
      ' alloc_pages_mpol+0x86/0xd0',
      // An address perf could not symbolise is printed as %pS prints an unresolved one.
      ' 0xffffffffc0a01234',
      // mydrv_fill's size: past its largest offset in the whole trace (0x90), not its first (0x40).
      ' mydrv_fill+0x40/0xa0 [mydrv]',
      // ksys_write+0xc3 does not fit the modelled 0xb0: the size is derived, the frame kept.
      ' ksys_write+0xc3/0xd0',
    ]);
    expect(records.get(0x3a370)!.slice(5)).toEqual([' mydrv_fill+0x90/0xa0 [mydrv]']);
  });

  it('gives the same sizes whatever the order of the events', async () => {
    const [first, second] = perf.split('\n\n');
    const { records } = await replayText(`${second}\n\n${first}`);
    expect(records.get(0x3a36f)![7]).toBe(' mydrv_fill+0x40/0xa0 [mydrv]');
  });

  it('takes sizes from the traced machine kallsyms first', async () => {
    const kallsyms = parseKallsyms(
      [
        'ffffffff81400000 T ksys_write',
        'ffffffff81400110 T __x64_sys_write',
        'ffffffffc0b01000 t mydrv_fill\t[mydrv]',
        'ffffffffc0b01200 t mydrv_exit\t[mydrv]',
      ].join('\n'),
    );
    const { result, records } = await replayText(perf, { kallsyms });
    expect(result.frames).toEqual({ kallsyms: 3, modelled: 1, derived: 0, unresolved: 1 });
    expect(records.get(0x3a36f)!.slice(-2)).toEqual([' mydrv_fill+0x40/0x200 [mydrv]', ' ksys_write+0xc3/0x110']);
  });

  it("cuts the chain at page_owner's stack depth when asked (16: what the traced kernel kept)", async () => {
    const { records } = await replayText(perf, { depth: 5 });
    expect(records.get(0x3a36f)!.slice(2)).toEqual([
      ...allocator,
      ' alloc_pages_mpol+0x86/0xd0',
      ' 0xffffffffc0a01234',
    ]);
  });

  it('reads perf script -F layouts: pid/tid, no CPU, no comm', async () => {
    const layouts = [
      'bash 22422/22430 897.434032: kmem:mm_page_alloc: page=0x3a36f pfn=0x3a36f order=0 migratetype=0 gfp_flags=GFP_KERNEL',
      '',
      '  22431 897.434040: kmem:mm_page_alloc: page=0x3a371 pfn=0x3a371 order=0 migratetype=0 gfp_flags=GFP_KERNEL',
      '',
    ].join('\n');
    const { result, records } = await replayText(layouts);
    expect(result.allocations).toBe(2);
    expect(records.get(0x3a36f)![0]).toBe(
      'Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 22430, tgid 22422 (bash), ts 897434032000 ns',
    );
    expect(records.get(0x3a371)![0]).toBe(
      'Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 22431, tgid 22431 (), ts 897434040000 ns',
    );
  });
});

describe('replayTrace: vendor fields and bad lines', () => {
  it('reads fields by name, in any order, among extra ones', async () => {
    const { result, records } = await replayText(
      '  a-10 [000] .... 1.000000: mm_page_alloc: node=0 gfp_flags=GFP_KERNEL order=0 xpfn=0x1 pfn=0x20000 migratetype=0 zone=Normal\n',
    );
    expect(result).toMatchObject({ allocations: 1, malformedLines: 0 });
    expect(records.get(0x20000)![0]).toContain('mask 0xcc0(GFP_KERNEL), pid 10');
  });

  it('reports a known event without its fields with its line, and goes on', async () => {
    const { result } = await replayText(
      [
        '  a-10 [000] .... 1.000000: mm_page_alloc: page=x order=0 gfp_flags=GFP_KERNEL',
        '  a-10 [000] .... 1.000001: mm_page_alloc: page=x pfn=0x20000 order=0 gfp_flags=GFP_BOGUS',
        '  a-10 [000] .... 1.000002: mm_page_alloc: page=x pfn=0x20001 order=0 gfp_flags=GFP_KERNEL',
        '',
      ].join('\n'),
    );
    expect(result).toMatchObject({ allocations: 1, malformedLines: 2 });
    expect(result.errors).toEqual([
      'trace.txt:1: mm_page_alloc needs pfn= (decimal or 0x...) and order=N',
      'trace.txt:2: mm_page_alloc gfp_flags=GFP_BOGUS is not a gfp mask of v6.18',
    ]);
  });

  it('refuses a pfn beyond the largest machine it builds, with the line, at once', async () => {
    const trace =
      '  a-10 [000] .... 1.000000: mm_page_alloc_extfrag: page=x pfn=0x7fffffffff alloc_order=0 fallback_order=9 pageblock_order=9 alloc_migratetype=0 fallback_migratetype=1 fragmenting=1 change_ownership=0\n';
    const error = await replayText(trace).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TraceRangeError);
    expect((error as Error).message).toBe(
      'trace.txt:1: pfn 0x7fffffffff is at 2048.0 TiB, beyond the 1 TiB a replay sizes its machine to: give the memory to replay it on (--mem)',
    );
  });
});

describe('replayTrace: the machine a trace may make', () => {
  const alloc = (pfn: string, order = 0) =>
    `  a-10 [000] .... 1.000000: mm_page_alloc: page=x pfn=${pfn} order=${order} migratetype=0 gfp_flags=GFP_KERNEL\n`;
  /** The error a replay throws, and whether it had booted the machine by then. */
  async function refusal(
    options: Partial<ReplayOptions> & { text?: string },
  ): Promise<{ error: Error; booted: boolean }> {
    let booted = false;
    // A feature that only notes that the machine boots.
    const probe: Feature = {
      name: 'probe',
      factory: () => probe,
      boot() {
        booted = true;
        return { api: undefined };
      },
    };
    const error = await replayText(options.text ?? '', { ...options, features: [probe] }).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    if (error === undefined) throw new Error('replayed');
    return { error, booted };
  }

  it('refuses a one-line trace of pfn=0x80000000 before booting, whatever --mem', async () => {
    const sized = await refusal({ text: alloc('0x80000000') });
    expect(sized.error).toBeInstanceOf(TraceRangeError);
    expect(sized.error.message).toBe(
      'trace.txt:1: pfn 0x80000000 is at 8.0 TiB, beyond the 1 TiB a replay sizes its machine to: give the memory to replay it on (--mem)',
    );
    // 8191G boots: the pfn is past its end, so it is refused before.
    const given = await refusal({ text: alloc('0x80000000'), memory: '8191G' });
    expect(given.error).toBeInstanceOf(TraceRangeError);
    expect(given.error.message).toBe(
      'trace.txt:1: pfn 0x80000000 is beyond the 8191G of RAM given (its pfns end at 0x80000000): no machine mmsim replays on reaches it (pfns end below 0x80000000, 8 TiB)',
    );
    expect([sized.booted, given.booted]).toEqual([false, false]);
  });

  it('refuses a page beyond the RAM given, naming the --mem that would hold it', async () => {
    const { error } = await refusal({ text: `${alloc('0x1000')}${alloc('0x90000', 2)}`, memory: '2G' });
    expect(error.message).toBe(
      'trace.txt:2: pfn 0x90003 is beyond the 2G of RAM given (its pfns end at 0x80000): replaying it needs --mem 4G',
    );
  });

  it('refuses at the page, without reading the rest: an endless trace is refused at once', async () => {
    let chunks = 0;
    const error = await replayTrace({
      file: 'endless.txt',
      features: [],
      memory: '1G',
      open: async function* () {
        yield alloc('0x1000');
        yield alloc('0x400000');
        for (;;) {
          chunks++;
          yield alloc('0x1000');
        }
      },
    }).catch((caught: unknown) => caught as Error);
    expect(error).toBeInstanceOf(TraceRangeError);
    expect((error as Error).message).toMatch(/^endless\.txt:2: pfn 0x400000 is beyond the 1G of RAM given/);
    expect(chunks).toBeLessThan(10);
  });

  it('refuses what the host cannot hold: a trace sized past it, or a --mem past it before reading the trace', async () => {
    const sized = await refusal({ text: alloc('0x30000'), hostMemoryLimit: 2 ** 20 });
    expect(sized.error).toBeInstanceOf(TraceRangeError);
    expect(sized.error.message).toBe(
      'trace.txt:1: pfn 0x30000 needs a machine of 2G of RAM, which would take about 2.0 MiB of host memory (4 bytes a page), more than the 1.0 MiB it may use',
    );
    let opened = false;
    const open = () => {
      opened = true;
      return inChunks(alloc('0x1000'));
    };
    for (const [options, message] of [
      [
        { memory: '16G', hostMemoryLimit: 2 ** 20 },
        '16G of RAM would take about 16.0 MiB of host memory (4 bytes a page), more than the 1.0 MiB it may use',
      ],
      [
        { memory: '9T' },
        "9T of RAM reach beyond pfn 0x80000000: a replay puts pages at the trace's pfns, and mmsim keeps per-page state below 8 TiB only, so its machine must end below it (at most 8191G of RAM with the PCI hole)",
      ],
    ] as const) {
      const error = await replayTrace({ open, features: [], ...options }).catch((caught: unknown) => caught as Error);
      expect(error).toBeInstanceOf(TraceRangeError);
      expect((error as Error).message).toBe(message);
    }
    expect(opened).toBe(false);
  });

  it("wants order= in 0..10 as %d prints it, and gfp_flags in gfp_t's 32 bits", async () => {
    const { result } = await replayText(
      [
        '  a-10 [000] .... 1.000000: mm_page_alloc: page=x pfn=0x20000 order= gfp_flags=GFP_KERNEL',
        '  a-10 [000] .... 1.000001: mm_page_alloc: page=x pfn=0x20000 order=11 gfp_flags=GFP_KERNEL',
        '  a-10 [000] .... 1.000002: mm_page_alloc: page=x pfn=0x20000 order=+1 gfp_flags=GFP_KERNEL',
        '  a-10 [000] .... 1.000003: mm_page_alloc: page=x pfn=0x20000 order=0 gfp_flags=GFP_KERNEL|0x100000000',
        '  a-10 [000] .... 1.000004: mm_page_alloc: page=x pfn=0x20000 order=0 gfp_flags=GFP_KERNEL|0x1000000',
        '',
      ].join('\n'),
    );
    expect(result).toMatchObject({ allocations: 1, malformedLines: 4 });
    expect(result.errors.slice(2)).toEqual([
      'trace.txt:3: mm_page_alloc needs pfn= (decimal or 0x...) and order=N',
      "trace.txt:4: mm_page_alloc gfp_flags=GFP_KERNEL|0x100000000 has bits beyond gfp_t's 32",
    ]);
  });

  it('refuses call chains whose symbols do not fit a 32-bit kernel text, as its own error', async () => {
    const trace = [
      'a 10 [000] 1.000000: kmem:mm_page_free: page=0x20000 pfn=0x20000 order=0',
      '\tffffffff81000000 big_a+0xfffffff0 ([kernel.kallsyms])',
      '\tffffffffc0000010 mod_b+0x10 ([xfs])',
      '',
    ].join('\n');
    const { error } = await refusal({ text: trace });
    expect(error).toBeInstanceOf(TraceRangeError);
    expect(error.message).toMatch(
      /^trace\.txt: the symbols of its call chains do not fit a kernel text of 32-bit addresses/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { MAX_TRACE_LINE, TraceFormatError, traceField, tracePfn } from './trace-event';
import { parseEventLine, parseFrameLine, TraceReader } from './trace-reader';

describe('parseEventLine', () => {
  it('reads ftrace text (kernel/trace/trace_output.c): comm-pid, [cpu], flags, seconds, event, fields', () => {
    expect(
      parseEventLine(
        '    kworker/1:2-57      [000] d..1.   897.434100: mm_page_alloc: page=00000000a1b2c3d5 pfn=0x30004 order=2',
        7,
      ),
    ).toEqual({
      line: 7,
      layout: 'ftrace',
      name: 'mm_page_alloc',
      comm: 'kworker/1:2',
      pid: 57,
      tgid: undefined,
      cpu: 0,
      timestamp: 897434100000,
      fields: 'page=00000000a1b2c3d5 pfn=0x30004 order=2',
      chain: [],
    });
  });

  it('reads the record-tgid column, and (-------) as no tgid; a comm with spaces and dashes', () => {
    expect(parseEventLine('  Web Content-x-12 (  100) [003] .... 1.5: mm_page_free: pfn=7 order=0')).toMatchObject({
      comm: 'Web Content-x',
      pid: 12,
      tgid: 100,
      cpu: 3,
      timestamp: 1_500_000_000,
    });
    expect(parseEventLine('  cat-100 (-------) [001] .... 2.000001: mm_page_free: pfn=7 order=0')).toMatchObject({
      pid: 100,
      tgid: undefined,
    });
  });

  it("reads perf script's layouts (tools/perf/builtin-script.c): default, -F pid/tid, no CPU, no comm, padded names", () => {
    expect(
      parseEventLine('bash 22422 [000]   897.434223:  kmem:mm_page_free: page=0x183ff8 pfn=0x183ff8 order=0'),
    ).toMatchObject({
      layout: 'perf script',
      name: 'mm_page_free',
      comm: 'bash',
      pid: 22422,
      cpu: 0,
      timestamp: 897434223000,
    });
    expect(parseEventLine('gdbus worker 22422/22430 897.434032: kmem:mm_page_alloc: pfn=0x1')).toMatchObject({
      comm: 'gdbus worker',
      pid: 22430,
      tgid: 22422,
      cpu: undefined,
    });
    expect(parseEventLine('  22431 897.434040: kmem:mm_page_alloc: pfn=0x1')).toMatchObject({ comm: '', pid: 22431 });
  });

  it('is not fooled by other lines', () => {
    for (const line of [
      'this is not a trace line',
      '# tracer: nop',
      'cat-100 [000] .... notatime: mm_page_alloc: pfn=1',
      'cat [000] .... 1.0: mm_page_alloc: pfn=1',
      'cat-100 (abc) [000] .... 1.0: mm_page_alloc: pfn=1',
    ]) {
      expect(parseEventLine(line), line).toBeUndefined();
    }
  });
});

describe('parseFrameLine', () => {
  it('keeps kernel frames: the core kernel, modules, unresolved kernel addresses; not user frames', () => {
    expect(parseFrameLine('\tffffffff8163993b __alloc_frozen_pages_noprof+0x26b ([kernel.kallsyms])')).toEqual({
      address: 'ffffffff8163993b',
      symbol: '__alloc_frozen_pages_noprof',
      offset: 0x26b,
      module: undefined,
    });
    expect(parseFrameLine('\tffffffffc0b01040 mydrv_fill+0x40 ([mydrv])')).toMatchObject({ module: 'mydrv' });
    expect(parseFrameLine('\tffffffffc0a01234 [unknown] ([unknown])')).toEqual({
      address: 'ffffffffc0a01234',
      symbol: undefined,
      offset: 0,
      module: undefined,
    });
    expect(parseFrameLine('\t7f0000001000 __libc_write+0x10 (/usr/lib/libc.so.6)')).toBeNull();
    expect(parseFrameLine('\t7f0000001000 [unknown] ([unknown])')).toBeNull();
    expect(parseFrameLine('  some text')).toBeUndefined();
  });
});

describe('TraceReader', () => {
  const text = [
    'bash 22422 [000]   897.434032: kmem:mm_page_alloc: pfn=0x18a36f order=0',
    '\tffffffff8163993b __alloc_frozen_pages_noprof+0x26b ([kernel.kallsyms])',
    '\t00007f0000001000 __libc_write+0x10 (/usr/lib/libc.so.6)',
    '',
    'not an event',
    '            cat-100   [001] .....   10.000001: mm_page_free: pfn=0x30000 order=0\r',
    'bash 22422 [001]   897.434033: kmem:mm_page_alloc: pfn=0x18a370 order=0',
  ].join('\n');

  it('reads events with their kernel frames, whatever the chunks, and counts the other lines', () => {
    for (const size of [1, 3, 64, text.length]) {
      const reader = new TraceReader();
      const events = [];
      for (let at = 0; at < text.length; at += size) events.push(...reader.push(text.slice(at, at + size)));
      events.push(...reader.end());
      expect(events.map((event) => [event.line, event.name, event.chain.length])).toEqual([
        [1, 'mm_page_alloc', 1],
        [6, 'mm_page_free', 0],
        [7, 'mm_page_alloc', 0],
      ]);
      expect(events[1]!.fields).toBe('pfn=0x30000 order=0');
      expect(reader.unknown).toBe(1);
      expect([...reader.layouts]).toEqual(['perf script', 'ftrace']);
    }
  });

  it('refuses, at the end, an input of which no line is an event, naming its first line that is not a comment', () => {
    const dump = '# a comment\n\nPage allocated via order 0, mask 0x24213ca(GFP_HIGHUSER_MOVABLE)\n ...\n\n';
    for (const size of [1, 7, dump.length]) {
      const reader = new TraceReader({ file: 'page_owner.txt' });
      for (let at = 0; at < dump.length; at += size) expect(reader.push(dump.slice(at, at + size))).toEqual([]);
      expect(() => reader.end()).toThrow(
        new TraceFormatError(
          'page_owner.txt',
          3,
          "expected an event line of ftrace ('TASK-PID [CPU] FLAGS SECONDS: EVENT: FIELDS') or perf script ('COMM PID " +
            '[CPU] SECONDS: SYSTEM:EVENT: FIELDS\'), got "Page allocated via order 0, mask 0x24213ca(GFP_HIGHUSER_MOVABLE)" ' +
            '(no trace event in page_owner.txt: 2 lines that are neither events, comments nor blank)',
        ),
      );
    }
    // A long line is shown cut, with its length; a control character escaped.
    const reader = new TraceReader({ file: 'x' });
    reader.push(`\u0001${'y'.repeat(100)}\n`);
    expect(() => reader.end()).toThrow(
      `got "\\u0001${'y'.repeat(79)}"... (101 characters) (no trace event in x: 1 line`,
    );
    // An empty trace, one of comments only, and one with other lines beside its events are read.
    for (const input of ['', '# tracer: nop\n#\n\n', text]) {
      const reader = new TraceReader();
      reader.push(input);
      expect(() => reader.end()).not.toThrow();
    }
  });

  it('reads task and time only of the events asked for', () => {
    const reader = new TraceReader({ tasks: (name) => name === 'mm_page_free' });
    const events = [...reader.push(text), ...reader.end()];
    expect(events.map((event) => [event.comm, event.pid, event.timestamp])).toEqual([
      ['', -1, -1],
      ['cat', 100, 10000001000],
      ['', -1, -1],
    ]);
  });
});

describe('bounds', () => {
  it('reads numbers in their kernel ranges: pid, tgid and CPU in an int, the time below 2^64 ns', () => {
    const line = (head: string) => `${head} 1.000000: mm_page_alloc: pfn=0x1 order=0`;
    expect(parseEventLine(line('  a-2147483647 (2147483647) [2147483647] ....'))).toMatchObject({
      pid: 2 ** 31 - 1,
      tgid: 2 ** 31 - 1,
      cpu: 2 ** 31 - 1,
    });
    for (const head of ['  a-2147483648 [000] ....', `  a-${'9'.repeat(400)} [000] ....`, 'perf 1/2147483648']) {
      expect(parseEventLine(line(head)), head).toBeUndefined();
    }
    // A CPU or tgid out of range is not read as one (the text is then part of the task).
    expect(parseEventLine(line('  a-1 [99999999999] ....'))?.cpu).toBeUndefined();
    expect(parseEventLine('  a-1 [000] .... 18446744073.709551: mm_page_free: pfn=1')?.timestamp).toBe(
      18446744073 * 1e9 + 709551000,
    );
    for (const stamp of ['18446744074.000000', `${'9'.repeat(400)}.0`]) {
      expect(parseEventLine(`  a-1 [000] .... ${stamp}: mm_page_free: pfn=1`), stamp).toBeUndefined();
    }
  });

  it('reads frames with addresses of at most 16 hex digits and offsets of at most 32 bits', () => {
    expect(parseFrameLine('\tffffffff81000000 f+0xffffffff ([kernel.kallsyms])')).toMatchObject({
      offset: 2 ** 32 - 1,
    });
    for (const line of [
      '\tffffffff81000000 f+0x100000000 ([kernel.kallsyms])',
      `\tffffffff81000000 f+0x${'f'.repeat(400)} ([kernel.kallsyms])`,
      '\tffffffff81000000 f+0x-1 ([kernel.kallsyms])',
      '\tffffffff81000000 f+0x ([kernel.kallsyms])',
      '\t1ffffffff81000000 f+0x10 ([kernel.kallsyms])',
    ]) {
      expect(parseFrameLine(line), line).toBeUndefined();
    }
  });

  it('refuses a line longer than 64 KiB with file:line, at the chunk that makes it so', () => {
    const head = 'bash 1 [000] 1.000000: kmem:mm_page_alloc: pfn=0x1 order=0\n# comment\n';
    // A 1 MiB line, whole or in 64 KiB chunks: refused before the rest is read.
    for (const size of [1 << 20, 1 << 16, 4096]) {
      const reader = new TraceReader({ file: 'big.txt' });
      const text = `${head}${'x'.repeat(1 << 20)}\nbash 1 [000] 1.0: kmem:mm_page_free: pfn=0x1 order=0\n`;
      let error: unknown;
      let pushed = 0;
      try {
        for (let at = 0; at < text.length; at += size, pushed += size) reader.push(text.slice(at, at + size));
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(TraceFormatError);
      expect((error as Error).message).toBe(
        'big.txt:3: a line of more than 65536 characters: no ftrace or perf script line is that long (is this a trace?)',
      );
      expect(pushed).toBeLessThanOrEqual(MAX_TRACE_LINE + head.length + size);
    }
    // A line of exactly the bound is read.
    const reader = new TraceReader();
    const line = `bash 1 [000] 1.000000: kmem:mm_page_alloc: pfn=0x1 order=0 ${'x'.repeat(MAX_TRACE_LINE)}`.slice(
      0,
      MAX_TRACE_LINE,
    );
    expect([...reader.push(`${line}\n`), ...reader.end()]).toHaveLength(1);
  });

  it('scans 1 MB lines made to hurt in linear time (no regular expression backtracks on a line)', {
    timeout: 10_000,
  }, () => {
    const mega = 1 << 20;
    const lines = [
      ': '.repeat(mega / 2),
      ` a-1 [000] .... 1.0: mm_page_alloc:${' x'.repeat(mega / 2)}`,
      `${'-'.repeat(mega)}1 [000] .... 1.0: mm_page_alloc: pfn=1`,
      `${' ['.repeat(mega / 2)}1.0: mm_page_alloc: pfn=1`,
      `${'('.repeat(mega)}) 1.0: x: y`,
      `a-1 [000] .... ${'9'.repeat(mega)}.0: mm_page_alloc: pfn=1`,
      `a-1 [000] .... 1.0: ${'a:'.repeat(mega / 2)} pfn=1`,
      `\t${'f'.repeat(mega)} sym+0x1 ([kernel.kallsyms])`,
      `\tffffffff81000000 ${'+0x'.repeat(mega / 3)}1 ([kernel.kallsyms])`,
      `\tffffffff81000000 sym ${' ('.repeat(mega / 2)})`,
      ` a-1 [000] .... 1.0: mm_page_alloc: ${'pfn'.repeat(mega / 3)}=1 page=${'0'.repeat(mega)}`,
      ` a-1 [000] .... 1.0: mm_page_alloc: pfn=0x${'f'.repeat(mega)} order=0`,
      ` a-1 [000] .... 1.0: mm_page_alloc: pfn=0 page=0x${'0'.repeat(mega)}`,
      ` a-1 [000] .... 1.0: mm_page_alloc: ${'xpfn='.repeat(mega / 5)}`,
    ];
    const read = lines.map((line) => {
      const event = parseEventLine(line, 1);
      const pfn = event === undefined ? undefined : tracePfn(event);
      if (event !== undefined) {
        traceField(event, 'order');
        traceField(event, 'gfp_flags');
      }
      const frame = parseFrameLine(line);
      return [event?.name, pfn, frame === undefined ? 'no frame' : frame === null ? 'user frame' : 'kernel frame'];
    });
    // Linear: a few ms a megabyte. A quadratic scan would take minutes: the test's timeout catches it.
    expect(read).toEqual([
      [undefined, undefined, 'no frame'],
      ['mm_page_alloc', undefined, 'no frame'],
      // A comm may hold dashes: the task is the megabyte of them before `-1`.
      ['mm_page_alloc', 1, 'no frame'],
      [undefined, undefined, 'no frame'],
      [undefined, undefined, 'no frame'],
      // A time beyond 2^64 ns is no time: no event.
      [undefined, undefined, 'no frame'],
      // The event's name is what follows the last ':' of `system:...:name`.
      ['a', 1, 'no frame'],
      // An address of more than 16 hex digits is no address.
      [undefined, undefined, 'no frame'],
      [undefined, undefined, 'kernel frame'],
      [undefined, undefined, 'user frame'],
      ['mm_page_alloc', undefined, 'no frame'],
      // A pfn of a megabyte of hex digits is out of range; `pfn=0` with a NULL page is a failed allocation (-1).
      ['mm_page_alloc', undefined, 'no frame'],
      ['mm_page_alloc', -1, 'no frame'],
      ['mm_page_alloc', undefined, 'no frame'],
    ]);
  });
});

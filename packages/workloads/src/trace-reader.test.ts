import { describe, expect, it } from 'vitest';
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

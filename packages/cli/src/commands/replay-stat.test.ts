import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli-io';
import { localeThousandsSeparator, replayStatOptions } from './replay-stat';

describe('replayStatOptions', () => {
  it('gives -s and -l to whichever of --alloc and --caller came last, --alloc when neither did (as perf kmem)', () => {
    const argv = [
      't.txt',
      '-s',
      'hit',
      '--alloc',
      '-s',
      'order,migtype,gfp',
      '-l',
      '12',
      '--caller',
      '--sort=hit,page',
      '-l4',
    ];
    const { report } = replayStatOptions(argv, { alloc: true, caller: true }, {});
    expect(report).toMatchObject({
      alloc: true,
      caller: true,
      allocSort: ['order', 'migtype', 'gfp'],
      allocLines: 12,
      callerSort: ['hit', 'page'],
      callerLines: 4,
      thousandsSeparator: '',
    });
  });

  it('rejects an unknown key, a bad line count, a bad kernel map or pattern', () => {
    expect(() => replayStatOptions(['-s', 'size'], {}, {})).toThrow(UsageError);
    expect(() => replayStatOptions(['-l', '-1'], {}, {})).toThrow("--lines must be a whole number of rows, not '-1'");
    expect(() => replayStatOptions([], { kernelMap: 'kernel' }, {})).toThrow('--kernel-map');
    expect(() => replayStatOptions([], { allocFunctions: '(' }, {})).toThrow('--alloc-functions');
    expect(replayStatOptions([], { kernelMap: 'ffffffff81000000' }, {}).report.kernelMapStart).toBe(
      0xffffffff81000000n,
    );
  });
});

describe('localeThousandsSeparator', () => {
  it("groups as perf's %' does in the user's locale: LC_ALL, then LC_NUMERIC, then LANG; C and POSIX do not", () => {
    expect(localeThousandsSeparator({})).toBe('');
    expect(localeThousandsSeparator({ LANG: 'C.UTF-8' })).toBe('');
    expect(localeThousandsSeparator({ LANG: 'en_US.UTF-8' })).toBe(',');
    expect(localeThousandsSeparator({ LANG: 'en_US.UTF-8', LC_NUMERIC: 'de_DE.UTF-8' })).toBe('.');
    expect(localeThousandsSeparator({ LC_ALL: 'POSIX', LANG: 'en_US.UTF-8' })).toBe('');
  });
});

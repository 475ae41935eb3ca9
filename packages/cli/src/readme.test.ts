import { compareLayouts, main, memoryIo } from '@mm/cli';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('runs mmsim boot in memory and compares the layouts', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line:
    const io = memoryIo();
    const code = await main(['boot', '--mem', '1G', '--json'], io);
    console.log(code, JSON.parse(io.out()).totalPages, io.err()); // 0 262046 ''
    console.log(compareLayouts({ memory: '4G' }).layouts.map((row) => `${row.profile}: ${row.staticBytes}`)); // v3.19: ...

    expect(log.mock.calls).toEqual([
      [0, 262046, ''],
      [['v3.19: 109051904', 'v4.7: 92274688', 'v4.8: 25165824', 'v6.18: 75497472']],
    ]);
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});

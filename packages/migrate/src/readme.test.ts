import { boot } from '@mm/kernel';
import { formatUnusableIndex, migrate } from '@mm/migrate';
import { PAGE_SIZE } from '@mm/physmem';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('fragments memory, then compacts it', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line:
    const kernel = boot({ memory: '256M', features: [migrate()] });
    const { vm, buddy } = kernel;
    const { migration, compaction } = kernel.feature(migrate)!; // direct compaction is on
    const task = vm.createProcess('app');
    const start = vm.mmap(task, { pages: 40_000 });
    for (let page = 0; page < 40_000; page++) vm.touch(task, start + page * PAGE_SIZE);
    for (let page = 1; page < 40_000; page += 2) vm.discard(task, start + page * PAGE_SIZE, 1); // MADV_DONTNEED
    console.log(compaction.compactMemory() > 0, migration.stats.pgmigrate_fail); // true 0
    console.log(formatUnusableIndex(buddy).split('\n')[1]); // Node 0, zone    DMA32 0.000 ... (orders 0-10)

    expect(log.mock.calls[0]).toEqual([true, 0]);
    expect(log.mock.calls[1]![0]).toMatch(/^Node 0, zone {4}DMA32 0\.000 /);
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});

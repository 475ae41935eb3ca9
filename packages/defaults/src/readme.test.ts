import { allFeatures } from '@mm/defaults';
import { boot } from '@mm/kernel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('boots every feature mmsim has', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line:
    const kernel = boot({ memory: '1G', cmdline: 'page_owner=on', features: allFeatures() });
    console.log(kernel.featureNames); // [ 'stackdepot', 'page_owner', 'page_idle', 'migration', 'debug_pagealloc', 'alloc_tag', 'page_table_check' ]
    console.log(kernel.files().map((file) => file.path)); // /proc, then each feature's debugfs and sysfs files
    console.log(kernel.summaries({ counters: new Map() }).flatMap((part) => part.lines ?? [])); // the run summary

    const [names, files, lines] = log.mock.calls;
    expect(names).toEqual([
      ['stackdepot', 'page_owner', 'page_idle', 'migration', 'debug_pagealloc', 'alloc_tag', 'page_table_check'],
    ]);
    expect(files).toEqual([
      [
        'proc/buddyinfo',
        'proc/pagetypeinfo',
        'proc/meminfo',
        'proc/vmstat',
        'proc/zoneinfo',
        'proc/kpageflags',
        'proc/kpagecount',
        'sys/kernel/debug/stackdepot/stats',
        'sys/kernel/debug/page_owner',
        'sys/kernel/debug/page_owner_stacks/show_stacks',
        'sys/kernel/debug/page_owner_stacks/count_threshold',
        'sys/kernel/mm/page_idle/bitmap',
        'sys/kernel/debug/extfrag/unusable_index',
        'sys/kernel/debug/extfrag/extfrag_index',
        // lib/alloc_tag.c sysctl_init(): registered whether profiling is on or not (read-only when unsupported).
        'proc/sys/vm/mem_profiling',
      ],
    ]);
    expect(lines![0]).toContain('  mixed pageblocks: 1');
    expect(lines![0][0]).toMatch(/^ {2}stackdepot: \d+ stacks in \d+ pools, \d+ pages/);
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});

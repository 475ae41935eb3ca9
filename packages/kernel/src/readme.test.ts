import { boot } from '@mm/kernel';
import { type Feature, textFile } from '@mm/kernel-spec';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('boots a kernel with a feature of its own', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line:
    // A feature of one's own: counts allocations once `alloc_counter=on` enabled it, and shows the count in debugfs.
    function allocCounter(): Feature<{ count: number }> {
      return {
        name: 'alloc_counter',
        factory: allocCounter,
        boot: ({ hooks }) => {
          const api = { count: 0 };
          let enabled = false;
          return {
            api,
            params: [
              {
                name: 'alloc_counter',
                early: false,
                description: 'alloc_counter=on',
                setup: (value) => {
                  enabled = value === 'on';
                },
              },
            ],
            start: () => {
              if (enabled) hooks.post_alloc.subscribe(() => api.count++, 600); // after pgalloc_tag_add() (500)
            },
            files: () => [textFile('sys/kernel/debug/alloc_counter', () => `${api.count}\n`)],
          };
        },
      };
    }

    const kernel = boot({ memory: '256M', cmdline: 'alloc_counter=on', features: [allocCounter()] });
    kernel.buddy.allocPages(kernel.profile.gfp.flags.GFP_KERNEL, 0);
    console.log(kernel.featureNames, kernel.feature(allocCounter)!.count); // [ 'alloc_counter' ] 1
    console.log(kernel.files().map((file) => file.path)); // [ 'proc/buddyinfo', ..., 'sys/kernel/debug/alloc_counter' ]

    expect(log.mock.calls).toEqual([
      [['alloc_counter'], 1],
      [
        [
          'proc/buddyinfo',
          'proc/pagetypeinfo',
          'proc/meminfo',
          'proc/vmstat',
          'proc/zoneinfo',
          'proc/kpageflags',
          'proc/kpagecount',
          'sys/kernel/debug/alloc_counter',
        ],
      ],
    ]);
    let text = '';
    kernel
      .files()
      .at(-1)!
      .read((chunk) => {
        text += chunk;
      });
    expect(text).toBe('1\n');
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});

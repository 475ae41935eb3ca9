import { boot } from '@mm/kernel';
import { stackDepot } from '@mm/stackdepot';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('boots with the stack depot, saves a stack twice and reads debugfs stackdepot/stats', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line:
    const kernel = boot({ memory: '1G', features: [stackDepot()] });
    const { depot } = kernel.feature(stackDepot)!;
    const gfp = kernel.profile.gfp.flags;
    const stack = kernel.text.sites(['ksys_read+0x6f/0xb0', 'vfs_read+0xbb/0x110', 'filemap_read+0x13c/0x3b0']);
    const handle = depot.save(stack, stack.length, gfp.GFP_KERNEL); // the first save takes a pool from the allocator
    console.log(handle, depot.save(stack, stack.length, gfp.GFP_KERNEL) === handle); // 1 true: pool 0 + 1, offset 0
    console.log(depot.framesOf(handle).map((address) => kernel.text.formatSymbol(address))); // the three frames
    const stats = kernel.files().find((file) => file.path === 'sys/kernel/debug/stackdepot/stats')!;
    stats.read((chunk) => console.log(chunk)); // pools: 1 ... persistent_count: 1, persistent_bytes: 64
    const off = boot({ memory: '1G', cmdline: 'stack_depot_disable=on', features: [stackDepot()] });
    console.log(off.feature(stackDepot)!.disabled, /stackdepot: disabled/.test(off.dmesg())); // true true

    expect(log.mock.calls).toEqual([
      [1, true],
      [['ksys_read+0x6f/0xb0', 'vfs_read+0xbb/0x110', 'filemap_read+0x13c/0x3b0']],
      [
        'pools: 1\nrefcounted_allocations: 0\nrefcounted_frees: 0\nrefcounted_in_use: 0\nfreelist_size: 0\npersistent_count: 1\npersistent_bytes: 64\n',
      ],
      [true, true],
    ]);
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});

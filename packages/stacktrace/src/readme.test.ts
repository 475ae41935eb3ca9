import { createKernelText, formatTrace, ShadowStack } from '@mm/stacktrace';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('runs and prints the stack of the v4.6 commit record', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line:
    const text = createKernelText('v4');
    const stack = new ShadowStack();
    // Simulated code enters functions: each push is the return address of a call, written as %pS prints it.
    stack.pushAll(text.sites(['__vfs_read+0xa7', 'generic_file_read_iter+0x453']));
    stack.pushAll(text.sites(['page_cache_sync_readahead+0x31', 'ondemand_readahead+0x135']));
    stack.pushAll(text.sites(['__do_page_cache_readahead+0xdc', '__page_cache_alloc+0xe6']));
    stack.pushAll(text.sites(['alloc_pages_current+0x88', '__alloc_pages_nodemask+0x134']));
    const entries = new Uint32Array(8);
    const count = stack.save(entries, 8, 0); // save_stack_trace(): innermost first, into a reused buffer
    console.log(formatTrace(text, entries, count, 'v4'));
    // [<ffffffff811682c4>] __alloc_pages_nodemask+0x134/0x230
    // [<ffffffff811b4058>] alloc_pages_current+0x88/0x120
    // ... the stack of the v4.6 commit message, down to [<ffffffff811e0d57>] __vfs_read+0xa7/0xd0

    expect(log.mock.calls).toEqual([
      [
        ` [<ffffffff811682c4>] __alloc_pages_nodemask+0x134/0x230
 [<ffffffff811b4058>] alloc_pages_current+0x88/0x120
 [<ffffffff8115e386>] __page_cache_alloc+0xe6/0x120
 [<ffffffff8116ba6c>] __do_page_cache_readahead+0xdc/0x240
 [<ffffffff8116bd05>] ondemand_readahead+0x135/0x260
 [<ffffffff8116bfb1>] page_cache_sync_readahead+0x31/0x50
 [<ffffffff81160523>] generic_file_read_iter+0x453/0x760
 [<ffffffff811e0d57>] __vfs_read+0xa7/0xd0
`,
      ],
    ]);
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});

import { KernelText } from '@mm/stacktrace';
import { describe, expect, it } from 'vitest';
import { reportMachine } from './__tests__/machine';
import { allocFailureFrames, formatAllocFailure } from './alloc-failure';

/**
 * The allocation failure report. Truth: v6.18 mm/page_alloc.c `warn_alloc()` (and `__alloc_pages_slowpath()`,
 * `warn_alloc_show_mem()`), kernel/cgroup/cpuset.c `cpuset_print_current_mems_allowed()`, lib/dump_stack.c; v4.8
 * mm/page_alloc.c `warn_alloc_failed()`, lib/show_mem.c `show_mem()`.
 */

function machine(profile: 'v4.8' | 'v6.18', frames: readonly string[]) {
  const { memory, buddy, text, hooks } = reportMachine(profile, frames);
  memory.current.comm = 'grabber';
  let dumpPages = 0;
  hooks.dump_page.subscribe(() => dumpPages++);
  return { memory, buddy, text, dumpPages: () => dumpPages };
}

describe('v6.18 warn_alloc()', () => {
  const { memory, buddy, dumpPages } = machine('v6.18', ['alloc_pages_noprof+0x4c', 'alloc_pages_mpol+0x86']);
  const g = memory.profile.gfp.flags;
  const lines = formatAllocFailure(buddy, g.GFP_KERNEL, 10, 2);

  it('prints "%s: %pV, mode:%#x(%pGg), nodemask=%*pbl" and the cpuset part on one line', () => {
    expect(lines[0]).toBe(
      'grabber: page allocation failure: order:10, mode:0xcc0(GFP_KERNEL), nodemask=(null),cpuset=/,mems_allowed=0',
    );
  });

  it('dumps a stack that starts with the kernel’s own frames, then the caller’s', () => {
    expect(lines.slice(3, 11)).toEqual([
      'Call Trace:',
      ' <TASK>',
      ' dump_stack_lvl+0x5d/0x80',
      ' warn_alloc+0x13b/0x1c0',
      ' __alloc_pages_slowpath.constprop.0+0xcc1/0xd80',
      ' __alloc_frozen_pages_noprof+0x2fd/0x330',
      expect.stringMatching(/^ alloc_pages_mpol\+0x86\/0x[0-9a-f]+$/),
      expect.stringMatching(/^ alloc_pages_noprof\+0x4c\/0x[0-9a-f]+$/),
    ]);
    expect(lines[11]).toBe(' </TASK>');
  });

  it('then show_mem() of the zones up to gfp_zone(), and no dump_page()', () => {
    expect(lines[12]).toBe('Mem-Info:');
    expect(dumpPages()).toBe(0);
    expect(lines.join('\n')).not.toMatch(/page dumped because/);
  });
});

describe('v4.8 warn_alloc_failed()', () => {
  const { memory, buddy, text } = machine('v4.8', ['alloc_pages_current+0x88/0x120']);
  const lines = formatAllocFailure(buddy, memory.profile.gfp.flags.GFP_KERNEL, 10, 2);

  it('prints "%s: page allocation failure: order:%u, mode:%#x(%pGg)", then dump_stack() and show_mem()', () => {
    expect(lines[0]).toBe('grabber: page allocation failure: order:10, mode:0x24000c0(GFP_KERNEL)');
    expect(lines[1]).toBe('CPU: 0 PID: 0 Comm: grabber Not tainted 4.8.15 #1');
    const trace = lines.indexOf('Call Trace:');
    expect(trace).toBe(6);
    expect(lines.slice(7, 11)).toEqual([
      ' [<ffffffff813c8a53>] dump_stack+0x63/0x90',
      ' [<ffffffff8116761c>] warn_alloc_failed+0xfc/0x150',
      ' [<ffffffff81168361>] __alloc_pages_nodemask+0x1d1/0x230',
      ` [<${KernelText.hexAddress(text.site('alloc_pages_current+0x88'))}>] alloc_pages_current+0x88/0x120`,
    ]);
    expect(lines[11]).toBe('Mem-Info:');
  });

  it('has frames for both eras', () => {
    expect(allocFailureFrames.v4[0]).toBe('dump_stack+0x63/0x90');
    expect(allocFailureFrames.v6[0]).toBe('dump_stack_lvl+0x5d/0x80');
  });
});

import { createKernelText, formatTrace, ShadowStack } from '@mm/stacktrace';
import { bench, describe } from 'vitest';

/**
 * A v6.18 page_owner allocation path, outermost first: the first allocation of
 * samples/perf-script-page-alloc-stacks-6.18.txt, under page_owner's own frames (post_alloc_hook, __set_page_owner,
 * save_stack, stack_trace_save), 16 frames once `stack_trace_save(entries, 16, 2)` has skipped its own.
 */
const PATH = [
  'entry_SYSCALL_64_after_hwframe+0x76',
  'do_syscall_64+0x71',
  '__x64_sys_execve+0x34',
  'do_execveat_common.isra.0+0x1a6',
  'bprm_execve+0x2ad',
  'load_elf_binary+0x3d2',
  'setup_arg_pages+0x271',
  'relocate_vma_down+0x1dd',
  'move_page_tables+0xc1c',
  '__pmd_alloc+0x2e',
  'alloc_pages_noprof+0x4c',
  'alloc_pages_mpol+0x86',
  '__alloc_frozen_pages_noprof+0x26b',
  'get_page_from_freelist+0x1a2/0x1c40',
  'post_alloc_hook+0x1c0/0x1e0',
  '__set_page_owner+0x3f/0x250',
  'save_stack+0x8a/0xb0',
  'stack_trace_save+0x52/0x80',
];

const CAPTURES = 100_000;
const options = { warmupTime: 1000, time: 1500 };

/** A capture as page_owner makes one: its own frames pushed, `stack_trace_save()`, unwound. Returns the count. */
function capture(stack: ShadowStack, top: Uint32Array, buffer: Uint32Array, max: number, skip: number): number {
  const depth = stack.depth;
  stack.pushAll(top);
  const count = stack.save(buffer, max, skip);
  stack.unwindTo(depth);
  return count;
}

describe('pushAll + save_stack_trace of a 16-frame stack into a reused buffer (100k ops)', () => {
  const text = createKernelText('v6');
  const path = text.sites(PATH);
  const stack = new ShadowStack();
  // Some frames below the path, as a workload's own path would leave there.
  stack.pushAll(text.sites(['entry_SYSCALL_64_after_hwframe+0x70', 'do_syscall_64+0x60']));
  const buffer = new Uint32Array(16);
  bench(
    'v6.18: stack_trace_save(entries, 16, 2)',
    () => {
      for (let index = 0; index < CAPTURES; index++) {
        if (capture(stack, path, buffer, 16, 2) !== 16) throw new Error('short capture');
      }
    },
    options,
  );
  bench(
    'v4.8: save_stack_trace, 16 entries, skip 0',
    () => {
      for (let index = 0; index < CAPTURES; index++) {
        if (capture(stack, path, buffer, 16, 0) !== 16) throw new Error('short capture');
      }
    },
    options,
  );
});

describe('a capture memo: are the frames the same as the last capture? (100k ops)', () => {
  const text = createKernelText('v6');
  // page_owner's own frames (post_alloc_hook ... stack_trace_save) on top of the caller's path.
  const own = text.sites(PATH.slice(-4));
  const stack = new ShadowStack();
  stack.pushAll(text.sites(['entry_SYSCALL_64_after_hwframe+0x70', 'do_syscall_64+0x60', ...PATH.slice(0, -4)]));
  const memo = new Uint32Array(17);
  const count = capture(stack, own, memo, 16, 2);
  const buffer = new Uint32Array(17);
  bench(
    'control: pushAll, stack_trace_save(entries, 16, 2), compare, unwind',
    () => {
      for (let index = 0; index < CAPTURES; index++) {
        let same = capture(stack, own, buffer, 16, 2) === count;
        for (let frame = 0; same && frame < count; frame++) same = buffer[frame] === memo[frame];
        if (!same) throw new Error('not the same capture');
      }
    },
    options,
  );
  bench(
    'savesSame(): compared in place',
    () => {
      for (let index = 0; index < CAPTURES; index++) {
        if (!stack.savesSame(own, 16, 2, memo, count)) throw new Error('not the same capture');
      }
    },
    options,
  );
});

describe('%pS printing of a 16-frame stack (10k calls)', () => {
  for (const era of ['v4', 'v6'] as const) {
    const text = createKernelText(era);
    const frames = text
      .sites(PATH.map((frame) => (frame.includes('/') ? frame : `${frame}/0x2000`)))
      .reverse()
      .subarray(2);
    bench(
      era === 'v4' ? 'v4.x: ` [<%p>] %pS` per frame' : 'v6.x: ` %pS` per frame',
      () => {
        let length = 0;
        for (let index = 0; index < 10_000; index++) length += formatTrace(text, frames, 16, era).length;
        if (length === 0) throw new Error('nothing printed');
      },
      options,
    );
  }
});

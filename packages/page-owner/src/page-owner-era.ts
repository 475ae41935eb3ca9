import type { ProfileName } from '@mm/physmem';

/**
 * What differs between the page_owner of each kernel (mm/page_owner.c), as data. Frames are written as `%pS`
 * prints them (`name+0xoff/0xsize`), outermost first, and are resolved against the era's kernel text.
 */
export interface PageOwnerEra {
  readonly name: ProfileName;
  /** v4.7: the stack is stored inline in page_ext (8 entries), not in stackdepot. */
  readonly inline: boolean;
  /** Entries captured: 8 inline (v4.7), `PAGE_OWNER_STACK_DEPTH` 16 (v4.8, v6.18). */
  readonly depth: number;
  /**
   * Innermost frames dropped from the capture: v4.7 skip 3; v4.8 skip 0; v6.18 `stack_trace_save(.., 2)`, whose
   * own frame is dropped too, so 3.
   */
  readonly skip: number;
  /** v5+: every page of the block gets the record, with OWNER_ALLOCATED, pid, tgid, comm and timestamps. */
  readonly everyPage: boolean;
  /** v6.18: recursion is caught by `current->in_page_owner`; v4.8 by the return address seen twice. */
  readonly taskFlagRecursion: boolean;
  /** v5+: a third special handle for pages found by the early sweep. */
  readonly earlyHandle: boolean;
  /**
   * The frames between the allocator's caller and the capture: the allocator's own, then page_owner's. The caller's
   * frames (alloc_pages_current, alloc_pages_mpol, ...) come from the simulated code's shadow stack.
   */
  readonly allocFrames: readonly string[];
  /** v4.8: `_RET_IP_` of save_stack, the frame whose second appearance means recursion. */
  readonly recursionFrame?: string;
  /**
   * v6.18: page_owner's own frames when it captures the freeing stack (`__reset_page_owner`, save_stack,
   * stack_trace_save); the free function (`__free_frozen_pages`, `free_unref_folios`) is the caller's last frame.
   */
  readonly freeFrames: readonly string[];
  /** The frames of the special-handle registrations, one path per handle, above `page_ext_init`. */
  readonly registrationFrames: Readonly<Record<'dummy' | 'failure' | 'early', readonly string[]>>;
  /** Entries captured by a registration (4) and how many of its innermost frames are dropped. */
  readonly registrationSkip: number;
  /** What the early sweep runs inside (above `page_ext_init`), for eras that capture a real stack there. */
  readonly earlySweepFrames: readonly string[];
  /** The frames of a split_page() call above the caller (v4.7 captures a new stack for every sub-page). */
  readonly splitFrames: readonly string[];
}

const v4AllocFrames = ['__alloc_pages_nodemask+0x134/0x230', 'get_page_from_freelist+0x3a1/0xbc0'];

/** page_owner of each profile. */
export const pageOwnerEras: Readonly<Record<ProfileName, PageOwnerEra>> = {
  'v4.7': {
    name: 'v4.7',
    inline: true,
    depth: 8,
    skip: 3,
    everyPage: false,
    taskFlagRecursion: false,
    earlyHandle: false,
    allocFrames: [...v4AllocFrames, '__set_page_owner+0x3c/0x70', 'save_stack_trace+0x2b/0x50'],
    freeFrames: [],
    registrationFrames: { dummy: [], failure: [], early: [] },
    registrationSkip: 0,
    earlySweepFrames: ['init_page_owner+0x2c/0x170', '__set_page_owner+0x3c/0x70', 'save_stack_trace+0x2b/0x50'],
    splitFrames: ['split_page+0x8f/0xb0', '__set_page_owner+0x3c/0x70', 'save_stack_trace+0x2b/0x50'],
  },
  'v4.8': {
    name: 'v4.8',
    inline: false,
    depth: 16,
    skip: 0,
    everyPage: false,
    taskFlagRecursion: false,
    earlyHandle: false,
    allocFrames: [...v4AllocFrames, '__set_page_owner+0x24/0x50', 'save_stack+0x43/0xe0', 'save_stack_trace+0x16/0x20'],
    recursionFrame: '__set_page_owner+0x24/0x50',
    freeFrames: [],
    registrationFrames: {
      dummy: ['init_page_owner+0x1d/0x190', 'register_dummy_stack+0x5a/0x80', 'save_stack_trace+0x16/0x20'],
      failure: ['init_page_owner+0x22/0x190', 'register_failure_stack+0x5a/0x80', 'save_stack_trace+0x16/0x20'],
      early: [],
    },
    registrationSkip: 0,
    earlySweepFrames: [
      'init_page_owner+0xa8/0x190',
      '__set_page_owner+0x24/0x50',
      'save_stack+0x43/0xe0',
      'save_stack_trace+0x16/0x20',
    ],
    splitFrames: [],
  },
  'v6.18': {
    name: 'v6.18',
    inline: false,
    depth: 16,
    skip: 3,
    everyPage: true,
    taskFlagRecursion: true,
    earlyHandle: true,
    allocFrames: [
      '__alloc_frozen_pages_noprof+0x168/0x3b0',
      'get_page_from_freelist+0xd01/0x2140',
      'post_alloc_hook+0x177/0x1a0',
      '__set_page_owner+0x1f6/0x2e0',
      'save_stack+0x77/0x140',
      'stack_trace_save+0x4b/0x70',
    ],
    freeFrames: ['__reset_page_owner+0x84/0x1a0', 'save_stack+0x77/0x140', 'stack_trace_save+0x4b/0x70'],
    registrationFrames: {
      dummy: ['init_page_owner+0x48/0x7b0', 'register_dummy_stack+0x8a/0xd0', 'stack_trace_save+0x4b/0x70'],
      failure: ['init_page_owner+0x4d/0x7b0', 'register_failure_stack+0x8a/0xd0', 'stack_trace_save+0x4b/0x70'],
      early: ['init_page_owner+0x52/0x7b0', 'register_early_stack+0x8a/0xd0', 'stack_trace_save+0x4b/0x70'],
    },
    registrationSkip: 1,
    earlySweepFrames: [],
    splitFrames: [],
  },
};

import { DUMP_STACK_FRAME, dumpStackWith, formatGfp, type VmCounters } from '@mm/physmem';
import { catalogText, type KernelText, symbolizeFrames } from '@mm/stacktrace';
import type { BuddyAllocator } from './buddy-allocator';
import { formatShowMem, type ShowMemOptions } from './show-mem';

/**
 * The kernel's own frames of the allocation failure report's `dump_stack()`, innermost first, down to the
 * allocator's caller (whose frames are on the shadow stack): v6.18 `warn_alloc()` called at the `fail:` label of
 * `__alloc_pages_slowpath()` (`static inline` but too large to inline: real traces show it as
 * `__alloc_pages_slowpath.constprop.0`), called from `__alloc_frozen_pages_noprof()`; v4.8 `warn_alloc_failed()`
 * called at `nopage:` of `__alloc_pages_slowpath()`, which 4.8 builds inline into `__alloc_pages_nodemask()`. The
 * sizes are those the simulated paths give the symbols; the call sites are plausible.
 */
export const allocFailureFrames: Readonly<Record<'v4' | 'v6', readonly string[]>> = {
  v4: [DUMP_STACK_FRAME.v4, 'warn_alloc_failed+0xfc/0x150', '__alloc_pages_nodemask+0x1d1/0x230'],
  v6: [
    DUMP_STACK_FRAME.v6,
    'warn_alloc+0x13b/0x1c0',
    '__alloc_pages_slowpath.constprop.0+0xcc1/0xd80',
    '__alloc_frozen_pages_noprof+0x2fd/0x330',
  ],
};

/**
 * The allocation failure report. v6.18 mm/page_alloc.c `warn_alloc()`: `pr_warn("%s: %pV, mode:%#x(%pGg),
 * nodemask=%*pbl", ...)` with `page allocation failure: order:%u` for `%pV` and the NULL nodemask of a plain
 * allocation (`(null)`), then kernel/cgroup/cpuset.c `cpuset_print_current_mems_allowed()` (`,cpuset=/` for the root
 * cpuset, `,mems_allowed=%*pbl`), `dump_stack()`, and `warn_alloc_show_mem()` → `__show_mem()` of the zones up to
 * the request's `gfp_zone()` (`zoneIndex`). v4.8 `warn_alloc_failed()`: `%s: page allocation failure: order:%u,
 * mode:%#x(%pGg)`, `dump_stack()`, `show_mem()`. The traces start with the kernel's own frames
 * ({@link allocFailureFrames}). `counters` are the machine's vmstat counters for `Mem-Info:` (see
 * {@link formatShowMem}); `text` resolves the kernel's frames, default the era's catalog text.
 */
export function formatAllocFailure(
  allocator: BuddyAllocator,
  gfp: number,
  order: number,
  zoneIndex: number,
  counters?: VmCounters,
  text?: KernelText,
  showMem: Omit<ShowMemOptions, 'maxZoneIndex'> = {},
): string[] {
  const { memory, profile } = allocator;
  const mode = `mode:0x${gfp.toString(16)}(${formatGfp(gfp, profile.gfp)})`;
  const nodes = memory.nodes.length === 1 ? '0' : `0-${memory.nodes.length - 1}`;
  const first =
    profile.era === 'v6'
      ? `${memory.current.comm}: page allocation failure: order:${order}, ${mode}, nodemask=(null),cpuset=/,mems_allowed=${nodes}`
      : `${memory.current.comm}: page allocation failure: order:${order}, ${mode}`;
  const frames = symbolizeFrames(text ?? catalogText(profile.era), allocFailureFrames[profile.era]);
  return [
    first,
    ...dumpStackWith(memory, frames),
    ...formatShowMem(allocator, counters, { ...showMem, maxZoneIndex: zoneIndex }),
  ];
}

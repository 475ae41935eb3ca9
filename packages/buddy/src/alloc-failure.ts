import { formatGfp } from '@mm/physmem';
import type { BuddyAllocator } from './buddy-allocator';
import { formatShowMem } from './show-mem';

/**
 * The allocation failure report: v6.18 `warn_alloc()` (`<comm>: page allocation failure: order:N,
 * mode:0x..(..), nodemask=(null),cpuset=/,mems_allowed=0`), v4.8 `warn_alloc_failed()` (no nodemask or cpuset),
 * then the stack and `show_mem()`.
 */
export function formatAllocFailure(
  allocator: BuddyAllocator,
  gfp: number,
  order: number,
  _zoneIndex: number,
): string[] {
  const { memory, profile } = allocator;
  const mode = `mode:0x${gfp.toString(16)}(${formatGfp(gfp, profile.gfp)})`;
  const nodes = memory.nodes.length === 1 ? '0' : `0-${memory.nodes.length - 1}`;
  const first =
    profile.era === 'v6'
      ? `${memory.current.comm}: page allocation failure: order:${order}, ${mode}, nodemask=(null),cpuset=/,mems_allowed=${nodes}`
      : `${memory.current.comm}: page allocation failure: order:${order}, ${mode}`;
  return [first, ...memory.dumpStack(), ...formatShowMem(allocator)];
}

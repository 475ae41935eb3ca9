import { allocTag } from '@mm/alloc-tag';
import { debugPagealloc } from '@mm/debug-pagealloc';
import type { Feature } from '@mm/kernel-spec';
import { migrate } from '@mm/migrate';
import { pageIdle } from '@mm/page-idle';
import { pageOwner } from '@mm/page-owner';
import { pageTableCheck } from '@mm/page-table-check';
import { stackDepot } from '@mm/stackdepot';

/** Options of the features the CLI composes, beyond what the command line says. */
export interface FeatureOptions {
  /** Fault injection: the fraction of the stack depot's pool allocations that fail after page_ext_init. */
  readonly depotFailureRate?: number;
  /**
   * The stack depth of a build made for deep stacks: page_owner's `PAGE_OWNER_STACK_DEPTH`, and the v6.18 depot's
   * `CONFIG_STACKDEPOT_MAX_FRAMES` when it is above its default 64 (1 to 256). Not for v4.7, whose 8 are inline.
   */
  readonly stackDepth?: number;
}

/**
 * The kernel the `mmsim` commands boot: every feature mmsim has, each still enabled on the command line where the
 * kernel's needs it (`page_owner=on`, `debug_pagealloc=on`). The order is the order of their parts in summaries and
 * output files. Adding a client to mmsim is: write its package, add its feature here.
 */
export function allFeatures(options: FeatureOptions = {}): Feature[] {
  const { stackDepth } = options;
  return [
    stackDepot({
      ...(options.depotFailureRate !== undefined ? { failureRate: options.depotFailureRate } : {}),
      ...(stackDepth !== undefined && stackDepth > 64 ? { maxFrames: stackDepth } : {}),
    }),
    pageOwner(stackDepth !== undefined ? { stackDepth } : {}),
    pageIdle(),
    migrate(),
    debugPagealloc(),
    allocTag(),
    pageTableCheck(),
  ];
}

import { formatFlags } from './format-flags';
import type { GfpTable } from './gfp';

/**
 * `%pGg` (lib/vsprintf.c `flags_string` → `format_flags` over `gfpflag_names`): the symbolic gfp mask, composites
 * first. 0 prints nothing; unnamed bits print as a `0x` hex tail.
 */
export function formatGfp(gfp: number, table: GfpTable): string {
  return formatFlags(gfp, table.names);
}

/**
 * `show_gfp_flags()` (include/trace/events/mmflags.h) as the `mm_page_alloc` tracepoint prints it: the same names
 * as `%pGg`, but `none` for 0.
 */
export function formatTraceGfp(gfp: number, table: GfpTable): string {
  return gfp === 0 ? 'none' : formatFlags(gfp, table.names);
}

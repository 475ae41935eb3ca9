import type { ReportData } from '../src/report-data';

// Names of stacks and their frames, and which stacks are page_owner's early boot pages: no DOM here, so that the
// report's tests run it in Node.

/** The function a stack line names: `func [module]` without the address and the `+0x1/0x2`. */
export function frameFunction(line: string): string {
  return line.replace(/^\[<[0-9a-f]+>\] /, '').replace(/\+0x[0-9a-f]+\/0x[0-9a-f]+/, '');
}

/** The bare function name of a stack line: {@link frameFunction} without its `[module]`. */
export function frameName(line: string): string {
  return frameFunction(line).replace(/\s+\[[^\]]*\]$/, '');
}

/**
 * Allocator and page_owner frames every stack shares (innermost first): a stack's label starts after them, at the
 * caller that asked for the pages.
 */
const ALLOCATOR_FRAME =
  /^_*(post_alloc_hook|prep_new_page|get_page_from_freelist|alloc_pages\w*|alloc_frozen_pages\w*|folio_alloc\w*|vma_alloc_folio\w*|alloc_page_interleave|set_page_owner|save_stack\w*|stack_trace_save\w*)$/;

/**
 * A stack's frames below the allocator's own, innermost first (all of them if it has only those), as
 * `func+0x1/0x2 [module]` without the address.
 */
function callerFrames(data: ReportData, stack: number): string[] {
  const lines = data.stacks[stack]!.map((frame) => data.frames[frame]!.replace(/^\[<[0-9a-f]+>\] /, ''));
  const from = lines.findIndex((line) => !ALLOCATOR_FRAME.test(frameName(line)));
  return from < 0 ? lines : lines.slice(from);
}

/** Whether two lists start with the same `length` items (neither shorter). */
function samePrefix(a: readonly string[], b: readonly string[], length: number): boolean {
  if (a.length < length || b.length < length) return false;
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Short names of stacks, told apart from each other: each stack's first `frames` functions below the allocator's;
 * when another of `stacks` has those too, `...` and the first function where they part; when another has the same
 * functions all along (two call sites in one function), the first frame whose offset differs.
 */
export function stackLabels(data: ReportData, stacks: readonly number[], frames = 3): string[] {
  const lines = stacks.map((stack) => callerFrames(data, stack));
  const functions = lines.map((stack) => stack.map(frameFunction));
  return functions.map((names, index) => {
    if (names.length === 0) return '(no stack)';
    const shown = names.slice(0, frames);
    const shared = (list: readonly (readonly string[])[], depth: number) =>
      list.some((other, at) => at !== index && samePrefix(other, list[index]!, depth));
    // The first depth at which no other stack has the same functions.
    let depth = Math.min(frames, names.length);
    while (depth < names.length && shared(functions, depth)) depth++;
    let part: string | undefined;
    if (shared(functions, depth)) {
      // The same functions as another stack: the first frame whose call site differs, with its offset.
      let at = 0;
      while (at < names.length && shared(lines, at + 1)) at++;
      if (at < names.length) part = lines[index]![at]!;
      depth = at + 1;
    } else if (depth > frames) part = names[depth - 1]!;
    if (part !== undefined && depth > frames) shown.push(depth > frames + 1 ? `... < ${part}` : part);
    else if (part !== undefined) shown[depth - 1] = part;
    return shown.join(' < ');
  });
}

/**
 * Functions of page_owner's records of pages allocated before it started: v6.18's `early_handle`
 * (`register_early_stack`), and v4.x's sweep of early allocated pages (`init_pages_in_zone()`, inlined in
 * `init_page_owner`). The dummy and failure stacks are registered there too, but the pages recorded with them are
 * later ones: allocated inside page_owner's own (the stack depot's pools), or when saving a stack failed.
 */
const EARLY_FUNCTIONS = new Set(['register_early_stack', 'init_page_owner']);
const NOT_EARLY_FUNCTIONS = new Set(['register_dummy_stack', 'register_failure_stack']);

/**
 * Whether a stack is page_owner's record of a page the kernel allocated at boot, before page_owner started (an
 * early page: `init_early_allocated_pages()` gives each the early stack, gfp 0, order 0, the boot task swapper).
 */
export function isEarlyBootStack(functions: readonly string[]): boolean {
  return (
    functions.some((name) => EARLY_FUNCTIONS.has(name)) && !functions.some((name) => NOT_EARLY_FUNCTIONS.has(name))
  );
}

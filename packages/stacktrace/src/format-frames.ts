import { KernelText } from './kernel-text';

/**
 * One line of a printed call trace, as each era prints a frame: v4.x `print_stack_trace()` /
 * `snprint_stack_trace()` with `[<%p>] %pS` (` [<ffffffff811682c4>] __alloc_pages_nodemask+0x134/0x230`), v6.x
 * `stack_depot_print()` / `stack_trace_print()` with `%pS` alone (` __alloc_pages+0x18a/0x370 [module]`).
 * `indent` is the number of leading spaces (the kernel's `spaces` argument; 1 in page_owner's output).
 */
export function formatFrame(text: KernelText, address: number, era: 'v4' | 'v6', indent = 1): string {
  const pad = ' '.repeat(indent);
  return era === 'v4'
    ? `${pad}[<${KernelText.hexAddress(address)}>] ${text.formatSymbol(address)}`
    : `${pad}${text.formatSymbol(address)}`;
}

/** A whole trace, one frame per line, each followed by a newline. */
export function formatTrace(
  text: KernelText,
  frames: ArrayLike<number>,
  count: number,
  era: 'v4' | 'v6',
  indent = 1,
): string {
  // Joined, not concatenated: the result is one flat string, which callers cache and write out many times (a
  // concatenation is a tree V8 walks again on every write).
  const lines: string[] = [];
  for (let index = 0; index < count; index++) lines.push(`${formatFrame(text, frames[index]!, era, indent)}\n`);
  return lines.join('');
}

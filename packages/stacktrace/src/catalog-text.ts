import { createKernelText } from './create-kernel-text';
import type { KernelText } from './kernel-text';

const texts: { v4?: KernelText; v6?: KernelText } = {};

/**
 * The kernel text of an era as its catalog defines it (`createKernelText(era)`), one instance per era shared by the
 * code that prints the kernel's reports without the booted kernel's text at hand: the page allocator's `bad_page()`
 * and `warn_alloc()` reports and the OOM killer's `dump_header()`. Its symbols print as the booted kernel's do: the
 * catalog's symbols are the same in both (the v4 report functions are anchored, `reportSymbolsV4`), and a frame
 * that defines a symbol here must give it the size the simulated paths give it. A report from a kernel booted with
 * another text (a replayed trace's kallsyms) prints the catalog's sizes for those symbols.
 */
export function catalogText(era: 'v4' | 'v6'): KernelText {
  let text = texts[era];
  if (text === undefined) {
    text = createKernelText(era);
    texts[era] = text;
  }
  return text;
}

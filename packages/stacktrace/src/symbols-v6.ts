import { kallsymsV618Sample } from './kallsyms-v6-18-sample';
import type { SymbolSpec } from './kernel-text';

/**
 * The v6.18 x86_64 kernel text: the real symbols of `samples/perf-script-page-alloc-stacks-6.18.txt` at their real
 * addresses. Their sizes are not in the sample: each gets the largest offset seen, rounded up and with some room,
 * but never past the next symbol. Symbols that simulated paths need beyond these are defined by the paths
 * themselves (`name+0xoff/0xsize`).
 */
export const symbolsV6: readonly SymbolSpec[] = kallsymsV618Sample.map(([name, start, largestOffset], index) => {
  const next = kallsymsV618Sample[index + 1]?.[1] ?? start + 0x10000;
  const wanted = Math.ceil((largestOffset * 1.25 + 0x20) / 16) * 16;
  return { name, start, size: Math.max(largestOffset + 1, Math.min(wanted, next - start)) };
});

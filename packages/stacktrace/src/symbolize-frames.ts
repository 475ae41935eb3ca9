import { KernelText } from './kernel-text';
import type { ShadowStack } from './shadow-stack';

/** A frame of a printed call trace: its return address (16 hex digits) and its `%pS` text. */
export interface SymbolizedFrame {
  /** `ffffffff811682c4`: what v4.x prints between `[<` and `>]`. */
  readonly address: string;
  /** `name+0xoff/0xsize`, with ` [module]` for a module's symbol: what `%pS` prints. */
  readonly symbol: string;
}

/**
 * Resolves frames written as `%pS` prints them (`bad_page+0xc0/0x120`, innermost first as a call trace lists them)
 * against `text` (defining the symbols it lacks, as `KernelText.site()` does) and symbolises them back: the frames
 * of the kernel's own functions that a report puts above the caller's path (`dump_stack()`, `bad_page()`, ...).
 * The result has the shape of physmem's `StackFrame`.
 */
export function symbolizeFrames(text: KernelText, frames: readonly string[]): SymbolizedFrame[] {
  return frames.map((frame) => symbolize(text, text.site(frame)));
}

/**
 * The frames on `stack` now, innermost last, symbolised against `text`: what `dump_stack()` prints of the current
 * call trace (the `stackTrace` a booted machine gives physmem).
 */
export function symbolizeStack(text: KernelText, stack: ShadowStack): SymbolizedFrame[] {
  const saved = new Uint32Array(stack.depth);
  const count = stack.save(saved, stack.depth, 0);
  return Array.from(saved.subarray(0, count), (address) => symbolize(text, address));
}

/** One return address as a printed frame shows it. */
function symbolize(text: KernelText, address: number): SymbolizedFrame {
  return { address: KernelText.hexAddress(address), symbol: text.formatSymbol(address) };
}

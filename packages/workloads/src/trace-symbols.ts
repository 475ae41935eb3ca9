import { createKernelText, KernelText, type SymbolSpec } from '@mm/stacktrace';
import { MAX_TRACE_LINE, type TraceFrame } from './trace-event';

/** Where the size of a frame's symbol came from, best first. */
export type FrameSource = 'kallsyms' | 'modelled' | 'derived' | 'unresolved';

/** One symbol of a `/proc/kallsyms`: its start (low 32 bits), its size (the gap to the next symbol) and module. */
export interface KallsymsSymbol {
  readonly start: number;
  readonly size: number;
  readonly module: string | undefined;
}

/** A line of a kallsyms file that is not `address type name [module]`. */
export class KallsymsFormatError extends Error {
  override readonly name = 'KallsymsFormatError';
}

/**
 * Reads a `/proc/kallsyms` of the traced machine (`ffffffff81000000 T _text`, `ffffffffc0a01000 t xfs_fs_fill_super
 * [xfs]`): each symbol's start, and its size as the kernel computes it for `%pS` (`kallsyms_lookup_size_offset()`:
 * up to the next symbol's address). A file read without CAP_SYSLOG shows every address as 0: that is an error, as
 * no size can be known. The first of several symbols of one name wins, as a lookup by name would find it. A line
 * over 64 KiB ({@link MAX_TRACE_LINE}: kallsyms' lines are at most a few hundred characters) is an error too.
 */
export function parseKallsyms(text: string, file = 'kallsyms'): Map<string, KallsymsSymbol> {
  const entries: { address: bigint; name: string; module: string | undefined }[] = [];
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    if (raw.length > MAX_TRACE_LINE) {
      throw new KallsymsFormatError(`${file}:${line}: a line of more than ${MAX_TRACE_LINE} characters: not kallsyms`);
    }
    const fields = raw.trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === '') continue;
    const [address, type, name, module] = fields;
    if (address === undefined || type === undefined || name === undefined || !/^[0-9a-f]{8,16}$/i.test(address)) {
      throw new KallsymsFormatError(
        `${file}:${line}: expected 'address type name [module]' as /proc/kallsyms prints it, found '${raw.slice(0, 80)}'`,
      );
    }
    entries.push({ address: BigInt(`0x${address}`), name, module: module?.replace(/^\[|\]$/g, '') });
  }
  if (entries.length > 0 && entries.every((entry) => entry.address === 0n)) {
    throw new KallsymsFormatError(`${file}: every address is 0: read /proc/kallsyms as root (kptr_restrict)`);
  }
  entries.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const symbols = new Map<string, KallsymsSymbol>();
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index]!;
    if (symbols.has(entry.name)) continue;
    let next = index + 1;
    while (next < entries.length && entries[next]!.address === entry.address) next++;
    const end = entries[next]?.address;
    // The last symbol has nothing after it: its size is left to the trace (0).
    const size = end === undefined ? 0 : Number(end - entry.address);
    symbols.set(entry.name, { start: Number(entry.address & 0xffffffffn), size, module: entry.module });
  }
  return symbols;
}

/** What a trace shows of one symbol. */
interface TracedSymbol {
  readonly name: string;
  readonly module: string | undefined;
  maxOffset: number;
  /** Low 32 bits of perf's address minus the offset, the first time the symbol is seen with an address. */
  start: number | undefined;
}

/**
 * The symbols of a trace's call chains, gathered on a first pass over the whole trace, and the kernel text built from
 * them for the replay: each symbol gets its size from, in order, the traced machine's kallsyms, the modelled kernel
 * text when every offset seen fits in it, or else the smallest 16-byte multiple past the largest offset seen in the
 * whole trace (functions are 16-byte aligned on x86_64, so the next one starts there at the earliest). Never from the
 * order of events. Symbols are placed at the addresses the trace or kallsyms gives, so that an unresolved address
 * keeps its place too.
 */
export class TraceSymbols {
  readonly #symbols = new Map<string, TracedSymbol>();
  readonly #sources = new Map<string, FrameSource>();

  /** Notes a frame seen in a call chain (first pass). */
  note(frame: TraceFrame): void {
    if (frame.symbol === undefined) return;
    let symbol = this.#symbols.get(frame.symbol);
    if (symbol === undefined) {
      symbol = { name: frame.symbol, module: frame.module, maxOffset: frame.offset, start: undefined };
      this.#symbols.set(frame.symbol, symbol);
    } else if (frame.offset > symbol.maxOffset) symbol.maxOffset = frame.offset;
    if (symbol.start === undefined && frame.address.length === 16) {
      symbol.start = (Number.parseInt(frame.address.slice(8), 16) - frame.offset) >>> 0;
    }
  }

  /** Distinct symbols seen. */
  get size(): number {
    return this.#symbols.size;
  }

  /** Where the size of `frame`'s symbol came from (after {@link buildText}). */
  sourceOf(frame: TraceFrame): FrameSource {
    return frame.symbol === undefined ? 'unresolved' : (this.#sources.get(frame.symbol) ?? 'derived');
  }

  /**
   * The kernel text of the traced machine for an era's layout: the trace's symbols (with kallsyms' addresses and sizes
   * where given), placed at their addresses when these do not overlap, after the others otherwise. The simulation's
   * own frames (page_owner's, the allocator's) are defined on it later, as they are used.
   */
  buildText(era: 'v4' | 'v6', kallsyms?: ReadonlyMap<string, KallsymsSymbol>): KernelText {
    const modelled = createKernelText(era);
    const specs: { spec: SymbolSpec; source: FrameSource }[] = [];
    for (const symbol of this.#symbols.values()) {
      const real = kallsyms?.get(symbol.name);
      const modelledSize = modelled.sizeOf(symbol.name);
      const derived = Math.ceil((symbol.maxOffset + 1) / 16) * 16;
      let size: number;
      let source: FrameSource;
      if (real !== undefined && real.size > symbol.maxOffset) {
        size = real.size;
        source = 'kallsyms';
      } else if (modelledSize !== undefined && modelledSize > symbol.maxOffset) {
        size = modelledSize;
        source = 'modelled';
      } else {
        size = derived;
        source = 'derived';
      }
      const start = real !== undefined && real.size > symbol.maxOffset ? real.start : symbol.start;
      const module = real?.module ?? symbol.module;
      specs.push({
        spec: {
          name: symbol.name,
          size,
          ...(start !== undefined ? { start } : {}),
          ...(module !== undefined ? { module } : {}),
        },
        source,
      });
      this.#sources.set(symbol.name, source);
    }
    // Keep the given addresses that do not overlap (a chain from another build of a function, a module reloaded):
    // the others are placed after the highest symbol of their region.
    const placed = specs.filter(({ spec }) => spec.start !== undefined).sort((a, b) => a.spec.start! - b.spec.start!);
    const fixed: SymbolSpec[] = [];
    const moved: SymbolSpec[] = specs.filter(({ spec }) => spec.start === undefined).map(({ spec }) => spec);
    let end = 0;
    for (const { spec } of placed) {
      if (spec.start! >= end) {
        fixed.push(spec);
        end = spec.start! + spec.size;
      } else {
        const { start: _start, ...rest } = spec;
        moved.push(rest);
      }
    }
    return new KernelText(modelled.layout, [...fixed, ...moved]);
  }
}

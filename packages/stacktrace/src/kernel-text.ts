/** A kernel symbol to place in the text: its name, size, and optionally a fixed start and its module. */
export interface SymbolSpec {
  readonly name: string;
  readonly size: number;
  /** Low 32 bits of the start address; the high 32 bits of every kernel text address are 0xffffffff. */
  readonly start?: number;
  /** Set for module symbols, printed as ` [module]`. */
  readonly module?: string;
}

/** Where the text starts: the core kernel (`_stext`) and the module area. */
export interface TextLayout {
  /** Low 32 bits of `_stext`: 0x81000000 on x86_64. */
  readonly coreStart: number;
  /** Low 32 bits of the module area: 0xa0000000 in v4.x, 0xc0000000 in v6.x. */
  readonly moduleStart: number;
}

const HIGH = 'ffffffff';

/**
 * The kernel's text and its symbol table (kernel/kallsyms.c): every simulated kernel function has a start address
 * and a size, so that a return address prints as `name+0xoffset/0xsize` (`%pS`). Addresses are kept as their low
 * 32 bits (the high half of an x86_64 kernel address is always 0xffffffff), which keeps stacks in Uint32Arrays and
 * hashes exact without BigInt.
 *
 * Symbols can be added at any time (a replayed trace brings names the catalog lacks); they are placed after the
 * highest symbol of their region.
 */
export class KernelText {
  readonly layout: TextLayout;
  #starts: number[] = [];
  #sizes: number[] = [];
  #names: string[] = [];
  #modules: (string | undefined)[] = [];
  readonly #byName = new Map<string, number>();
  #coreEnd: number;
  #moduleEnd: number;

  constructor(layout: TextLayout, symbols: readonly SymbolSpec[] = []) {
    this.layout = layout;
    this.#coreEnd = layout.coreStart;
    this.#moduleEnd = layout.moduleStart;
    // Symbols at fixed addresses, in one sorted pass (a kallsyms file has hundreds of thousands).
    const fixed = symbols.filter((symbol) => symbol.start !== undefined).sort((a, b) => a.start! - b.start!);
    for (const symbol of fixed) {
      if (this.#byName.has(symbol.name)) throw new RangeError(`kernel symbol '${symbol.name}' is defined twice`);
      const previous = this.#names.length - 1;
      if (previous >= 0 && this.#starts[previous]! + this.#sizes[previous]! > symbol.start!) {
        throw new RangeError(
          `kernel symbol '${symbol.name}' at 0x${hex32(symbol.start!)} overlaps '${this.#names[previous]}'`,
        );
      }
      this.#append(symbol, symbol.start!);
    }
    for (const symbol of symbols) if (symbol.start === undefined) this.define(symbol.name, symbol.size, symbol.module);
  }

  /** Number of symbols. */
  get size(): number {
    return this.#names.length;
  }

  /**
   * Makes sure a symbol named `name` exists, adding it after the highest symbol of its region (core or modules) if
   * it is new, and returns its start address. A symbol already known keeps its place and size.
   */
  define(name: string, size: number, module?: string): number {
    const known = this.#byName.get(name);
    if (known !== undefined) return this.#starts[known]!;
    if (!Number.isInteger(size) || size <= 0) throw new RangeError(`symbol ${name}: size must be a positive integer`);
    const end = module === undefined ? this.#coreEnd : this.#moduleEnd;
    return this.#insert({ name, size, ...(module !== undefined ? { module } : {}) }, align16(end));
  }

  /** Whether a symbol of this name exists. */
  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /** The size of the symbol `name`, or undefined when the text has no such symbol. */
  sizeOf(name: string): number | undefined {
    const index = this.#byName.get(name);
    return index === undefined ? undefined : this.#sizes[index];
  }

  /** Low 32 bits of the address `name+offset`: a return address inside the function. */
  address(name: string, offset: number): number {
    const index = this.#byName.get(name);
    if (index === undefined) throw new Error(`unknown kernel symbol '${name}'`);
    if (offset < 0 || offset >= this.#sizes[index]!) {
      throw new RangeError(
        `${name}+0x${offset.toString(16)} is outside ${name} (size 0x${this.#sizes[index]!.toString(16)})`,
      );
    }
    return (this.#starts[index]! + offset) >>> 0;
  }

  /**
   * Resolves a frame written as `%pS` prints it, `name+0xoffset/0xsize` with an optional ` [module]`, to its return
   * address, defining the symbol (with that size, in that module) if the text does not have it yet. The size may
   * be left out for a symbol the text already has. A frame written for a larger function than the text's symbol (a
   * modelled frame in a text read from a real kernel's kallsyms) lands at the same fraction of the symbol.
   */
  site(text: string): number {
    const match = /^(\S+)\+0x([0-9a-f]+)(?:\/0x([0-9a-f]+))?(?: \[(\S+)\])?$/.exec(text);
    if (match === null) throw new SyntaxError(`'${text}' is not of the form name+0xoffset/0xsize [module]`);
    const name = match[1]!;
    let offset = Number.parseInt(match[2]!, 16);
    if (match[3] !== undefined) {
      const written = Number.parseInt(match[3], 16);
      this.define(name, written, match[4]);
      const size = this.sizeOf(name)!;
      if (offset >= size && written > size) offset = Math.floor((offset * size) / written);
    }
    return this.address(name, offset);
  }

  /** Resolves a path of frames (outermost first) into their return addresses. */
  sites(frames: readonly string[]): Uint32Array {
    return Uint32Array.from(frames, (frame) => this.site(frame));
  }

  /** Index of the symbol containing `address`, or -1. */
  symbolAt(address: number): number {
    const starts = this.#starts;
    let low = 0;
    let high = starts.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (starts[middle]! <= address) low = middle + 1;
      else high = middle - 1;
    }
    if (high < 0) return -1;
    return address < starts[high]! + this.#sizes[high]! ? high : -1;
  }

  /** Name, start, size and module of a symbol index. */
  symbol(index: number): { name: string; start: number; size: number; module: string | undefined } {
    return {
      name: this.#names[index]!,
      start: this.#starts[index]!,
      size: this.#sizes[index]!,
      module: this.#modules[index],
    };
  }

  /** `%pS`: `name+0xoff/0xsize`, plus ` [module]` for module symbols; the raw address when no symbol holds it. */
  formatSymbol(address: number): string {
    const index = this.symbolAt(address);
    if (index < 0) return `0x${HIGH}${hex32(address)}`;
    const offset = address - this.#starts[index]!;
    const module = this.#modules[index];
    return `${this.#names[index]}+0x${offset.toString(16)}/0x${this.#sizes[index]!.toString(16)}${module === undefined ? '' : ` [${module}]`}`;
  }

  /** The full 64-bit address as 16 hex digits. */
  static hexAddress(address: number): string {
    return HIGH + hex32(address);
  }

  /** Adds a symbol after every other one (the constructor's sorted pass). */
  #append(symbol: SymbolSpec, start: number): void {
    this.#byName.set(symbol.name, this.#names.length);
    this.#starts.push(start);
    this.#sizes.push(symbol.size);
    this.#names.push(symbol.name);
    this.#modules.push(symbol.module);
    const end = start + symbol.size;
    if (symbol.module === undefined) this.#coreEnd = Math.max(this.#coreEnd, end);
    else this.#moduleEnd = Math.max(this.#moduleEnd, end);
  }

  /** Inserts in address order; returns the start address. */
  #insert(symbol: SymbolSpec, start: number): number {
    if (this.#byName.has(symbol.name)) throw new RangeError(`kernel symbol '${symbol.name}' is defined twice`);
    let position = this.#starts.length;
    while (position > 0 && this.#starts[position - 1]! > start) position--;
    const previous = position - 1;
    if (previous >= 0 && this.#starts[previous]! + this.#sizes[previous]! > start) {
      throw new RangeError(`kernel symbol '${symbol.name}' at 0x${hex32(start)} overlaps '${this.#names[previous]}'`);
    }
    this.#starts.splice(position, 0, start);
    this.#sizes.splice(position, 0, symbol.size);
    this.#names.splice(position, 0, symbol.name);
    this.#modules.splice(position, 0, symbol.module);
    for (let index = position; index < this.#names.length; index++) this.#byName.set(this.#names[index]!, index);
    const end = start + symbol.size;
    if (symbol.module === undefined) this.#coreEnd = Math.max(this.#coreEnd, end);
    else this.#moduleEnd = Math.max(this.#moduleEnd, end);
    return start;
  }
}

function align16(value: number): number {
  return Math.ceil(value / 16) * 16;
}

function hex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

/**
 * The call stack of simulated kernel code: the return addresses of the functions currently executing, outermost
 * first. Simulated kernel paths push the frames they pass through and pop them on the way out; `save()` is
 * `save_stack_trace()` / `stack_trace_save()`: it copies the innermost frames into a caller's buffer, innermost
 * first, skipping `skip` of them. Nothing here allocates.
 */
export class ShadowStack {
  #frames = new Uint32Array(256);
  /**
   * Each frame's stamp: a number that identifies the frames from the bottom up to it. A push gives the next
   * number, except when the same address is pushed again at the same depth on the same frames below (a path
   * entered again after it returned): then the slot keeps its stamp. The frames below are the same exactly when the
   * slot's stamp is newer than the one below it, as a new stamp below (given later, so larger) would make it older.
   */
  #stamps = new Float64Array(256);
  #nextStamp = 1;
  /** Number of frames on the stack. */
  depth = 0;

  /** Enters a function: pushes the return address (the call site) that called it. */
  push(address: number): void {
    const depth = this.depth;
    if (depth === this.#frames.length) this.#grow();
    const below = depth === 0 ? 0 : this.#stamps[depth - 1]!;
    // (A slot never written has stamp 0: never newer.)
    if (this.#frames[depth] !== address || this.#stamps[depth]! <= below) {
      this.#frames[depth] = address;
      this.#stamps[depth] = this.#nextStamp++;
    }
    this.depth = depth + 1;
  }

  #grow(): void {
    const frames = new Uint32Array(this.#frames.length * 2);
    frames.set(this.#frames);
    this.#frames = frames;
    const stamps = new Float64Array(frames.length);
    stamps.set(this.#stamps);
    this.#stamps = stamps;
  }

  /**
   * Identifies the stack as it is now: two calls return the same value only if the frames are the same (0 for an
   * empty stack). The same frames pushed again after a return mostly keep their stamp. For memoising captures.
   */
  stamp(): number {
    return this.depth === 0 ? 0 : this.#stamps[this.depth - 1]!;
  }

  /** Pushes a whole path, outermost first. */
  pushAll(addresses: ArrayLike<number>): void {
    for (let index = 0; index < addresses.length; index++) this.push(addresses[index]!);
  }

  /** Leaves `count` functions. */
  pop(count = 1): void {
    if (count > this.depth) throw new RangeError(`shadow stack underflow: popping ${count} of ${this.depth} frames`);
    this.depth -= count;
  }

  /** Cuts the stack back to `depth` frames (unwinding after an early return). */
  unwindTo(depth: number): void {
    if (depth < 0 || depth > this.depth) throw new RangeError(`cannot unwind to depth ${depth} from ${this.depth}`);
    this.depth = depth;
  }

  /**
   * `stack_trace_save(store, size, skipnr)`: copies up to `max` frames (and never more than `buffer` holds),
   * innermost first, after skipping the `skip` innermost ones, into `buffer`; returns how many it copied.
   */
  save(buffer: Uint32Array, max: number, skip: number): number {
    const frames = this.#frames;
    const limit = Math.min(max, buffer.length);
    let source = this.depth - 1 - skip;
    let count = 0;
    while (source >= 0 && count < limit) buffer[count++] = frames[source--]!;
    return count;
  }

  /**
   * Whether {@link save}`(buffer, max, skip)` after {@link pushAll}`(top)` would copy exactly the `count` frames of
   * `expected`, told without pushing or copying anything (what a capture memo asks before capturing). `max` must
   * not be more than the buffer such a save would be given holds.
   */
  savesSame(top: ArrayLike<number>, max: number, skip: number, expected: Uint32Array, count: number): boolean {
    const depth = this.depth;
    const innermost = depth + top.length - 1 - skip;
    if (Math.min(max, Math.max(innermost + 1, 0)) !== count) return false;
    const frames = this.#frames;
    for (let index = 0; index < count; index++) {
      const source = innermost - index;
      const frame = source >= depth ? top[source - depth]! : frames[source]!;
      if (frame !== expected[index]) return false;
    }
    return true;
  }

  /** The frame `index` places below the top (0 is the innermost). */
  peek(index = 0): number {
    return this.#frames[this.depth - 1 - index]!;
  }
}

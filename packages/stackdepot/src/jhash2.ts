// All arithmetic is done on int32 values (`| 0`), which V8 keeps in machine registers; `>>> 0` would turn every
// intermediate above 2^31 into a double. Only the result is converted to an unsigned 32-bit number.

/**
 * `jhash2(k, length, initval)` (include/linux/jhash.h, the same in v4.8 and v6.18): Bob Jenkins' lookup3
 * `hashword` over `length` 32-bit words of `words` starting at `start`. All arithmetic is kept to 32 bits.
 * Allocation-free.
 */
export function jhash2(words: ArrayLike<number>, start: number, length: number, initval: number): number {
  const init = (0xdeadbeef + (length << 2) + initval) | 0;
  return jhashWords(words, start, length, init, init, init);
}

/** The body of {@link jhash2} from a given state: the rounds over `remaining` words from `index`, then the tail. */
function jhashWords(
  words: ArrayLike<number>,
  index: number,
  remaining: number,
  a: number,
  b: number,
  c: number,
): number {
  while (remaining > 3) {
    a = (a + words[index]!) | 0;
    b = (b + words[index + 1]!) | 0;
    c = (c + words[index + 2]!) | 0;
    // __jhash_mix
    a = (a - c) | 0;
    a ^= (c << 4) | (c >>> 28);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= (a << 6) | (a >>> 26);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= (b << 8) | (b >>> 24);
    b = (b + a) | 0;
    a = (a - c) | 0;
    a ^= (c << 16) | (c >>> 16);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= (a << 19) | (a >>> 13);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= (b << 4) | (b >>> 28);
    b = (b + a) | 0;
    remaining -= 3;
    index += 3;
  }
  // The last 1-3 words: c gets the third, b the second, a the first; none left means no final mix.
  if (remaining === 0) return c >>> 0;
  if (remaining === 3) c = (c + words[index + 2]!) | 0;
  if (remaining >= 2) b = (b + words[index + 1]!) | 0;
  a = (a + words[index]!) | 0;
  return jhashFinal(a, b, c);
}

/**
 * The stack depot's hash of a trace: `jhash2((u32 *)entries, 2 * count, initval)` over the 64-bit return
 * addresses viewed as little-endian word pairs, where `frames` holds the low halves and every high half is
 * 0xffffffff (kernel text). The same value as {@link jhash2} over the interleaved words, computed without building
 * them: the save path of the depot, allocation-free.
 */
export function jhash2Frames(frames: ArrayLike<number>, count: number, initval: number): number {
  const length = count * 2;
  let a = (0xdeadbeef + (length << 2) + initval) | 0;
  let b = a;
  let c = a;
  // `frame` is the next frame whose low word is still to be added.
  let frame = 0;
  let remaining = length;
  // Three frames (six words, two rounds) at a time while more than six words are left: the words are then
  // low(f), high(f), low(f + 1) and high(f + 1), low(f + 2), high(f + 2), with no alternation to track.
  while (remaining > 6) {
    a = (a + frames[frame]!) | 0;
    b = (b - 1) | 0;
    c = (c + frames[frame + 1]!) | 0;
    a = (a - c) | 0;
    a ^= (c << 4) | (c >>> 28);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= (a << 6) | (a >>> 26);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= (b << 8) | (b >>> 24);
    b = (b + a) | 0;
    a = (a - c) | 0;
    a ^= (c << 16) | (c >>> 16);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= (a << 19) | (a >>> 13);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= (b << 4) | (b >>> 28);
    b = (b + a) | 0;
    a = (a - 1) | 0;
    b = (b + frames[frame + 2]!) | 0;
    c = (c - 1) | 0;
    a = (a - c) | 0;
    a ^= (c << 4) | (c >>> 28);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= (a << 6) | (a >>> 26);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= (b << 8) | (b >>> 24);
    b = (b + a) | 0;
    a = (a - c) | 0;
    a ^= (c << 16) | (c >>> 16);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= (a << 19) | (a >>> 13);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= (b << 4) | (b >>> 28);
    b = (b + a) | 0;
    frame += 3;
    remaining -= 6;
  }
  // At most six words are left, starting with a low half: the generic rounds and tail finish them.
  for (let word = 0; word < remaining; word++) tail[word] = (word & 1) === 0 ? frames[frame + (word >> 1)]! : -1;
  return jhashWords(tail, 0, remaining, a, b, c);
}

/** The last (at most six) words of a trace, for {@link jhash2Frames}. */
const tail = new Int32Array(6);

/** `__jhash_final`, returning c as an unsigned 32-bit number. */
function jhashFinal(a: number, b: number, c: number): number {
  c ^= b;
  c = (c - ((b << 14) | (b >>> 18))) | 0;
  a ^= c;
  a = (a - ((c << 11) | (c >>> 21))) | 0;
  b ^= a;
  b = (b - ((a << 25) | (a >>> 7))) | 0;
  c ^= b;
  c = (c - ((b << 16) | (b >>> 16))) | 0;
  a ^= c;
  a = (a - ((c << 4) | (c >>> 28))) | 0;
  b ^= a;
  b = (b - ((a << 14) | (a >>> 18))) | 0;
  c ^= b;
  c = (c - ((b << 24) | (b >>> 8))) | 0;
  return c >>> 0;
}

/** The seed the stack depot hashes with (`STACK_HASH_SEED`). */
export const STACK_HASH_SEED = 0x9747b28c;

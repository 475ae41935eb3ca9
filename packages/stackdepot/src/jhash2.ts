/** lookup3 `rot()`. */
function rotate(value: number, shift: number): number {
  return ((value << shift) | (value >>> (32 - shift))) >>> 0;
}

/**
 * `jhash2(k, length, initval)` (include/linux/jhash.h, the same in v4.8 and v6.18): Bob Jenkins' lookup3
 * `hashword` over `length` 32-bit words of `words` starting at `start`. All arithmetic is kept to 32 bits.
 * Allocation-free; the stack depot hashes a trace's 64-bit addresses as pairs of little-endian words.
 */
export function jhash2(words: ArrayLike<number>, start: number, length: number, initval: number): number {
  let a = (0xdeadbeef + (length << 2) + initval) >>> 0;
  let b = a;
  let c = a;
  let index = start;
  let remaining = length;
  while (remaining > 3) {
    a = (a + words[index]!) >>> 0;
    b = (b + words[index + 1]!) >>> 0;
    c = (c + words[index + 2]!) >>> 0;
    // __jhash_mix
    a = (a - c) >>> 0;
    a = (a ^ rotate(c, 4)) >>> 0;
    c = (c + b) >>> 0;
    b = (b - a) >>> 0;
    b = (b ^ rotate(a, 6)) >>> 0;
    a = (a + c) >>> 0;
    c = (c - b) >>> 0;
    c = (c ^ rotate(b, 8)) >>> 0;
    b = (b + a) >>> 0;
    a = (a - c) >>> 0;
    a = (a ^ rotate(c, 16)) >>> 0;
    c = (c + b) >>> 0;
    b = (b - a) >>> 0;
    b = (b ^ rotate(a, 19)) >>> 0;
    a = (a + c) >>> 0;
    c = (c - b) >>> 0;
    c = (c ^ rotate(b, 4)) >>> 0;
    b = (b + a) >>> 0;
    remaining -= 3;
    index += 3;
  }
  // The last 1-3 words: c gets the third, b the second, a the first; none left means no final mix.
  if (remaining === 0) return c;
  if (remaining === 3) c = (c + words[index + 2]!) >>> 0;
  if (remaining >= 2) b = (b + words[index + 1]!) >>> 0;
  a = (a + words[index]!) >>> 0;
  // __jhash_final
  c = (c ^ b) >>> 0;
  c = (c - rotate(b, 14)) >>> 0;
  a = (a ^ c) >>> 0;
  a = (a - rotate(c, 11)) >>> 0;
  b = (b ^ a) >>> 0;
  b = (b - rotate(a, 25)) >>> 0;
  c = (c ^ b) >>> 0;
  c = (c - rotate(b, 16)) >>> 0;
  a = (a ^ c) >>> 0;
  a = (a - rotate(c, 4)) >>> 0;
  b = (b ^ a) >>> 0;
  b = (b - rotate(a, 14)) >>> 0;
  c = (c ^ b) >>> 0;
  c = (c - rotate(b, 24)) >>> 0;
  return c;
}

/** The seed the stack depot hashes with (`STACK_HASH_SEED`). */
export const STACK_HASH_SEED = 0x9747b28c;

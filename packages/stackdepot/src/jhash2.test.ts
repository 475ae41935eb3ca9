import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jhash2, jhash2Frames, STACK_HASH_SEED } from './jhash2';

describe('jhash2', () => {
  it.each([
    [[], 0, 0xdeadbeef],
    [[], STACK_HASH_SEED, 0x75f5717b],
    [[1], 0, 0x72a82a9b],
    [[1], STACK_HASH_SEED, 0x529074d6],
    [[1, 2, 3], 0, 0xa46158f5],
    [[1, 2, 3], STACK_HASH_SEED, 0x39700b8a],
    [[1, 2, 3, 4], 0, 0x66491246],
    [[1, 2, 3, 4], STACK_HASH_SEED, 0x4457c663],
    [[0x81234567, 0xffffffff], STACK_HASH_SEED, 0xe1d1450a],
    [[0x81000000, 0xffffffff, 0x81000010, 0xffffffff], STACK_HASH_SEED, 0xf74f9e10],
  ])('hashes %j with initval %s to the kernel value', (words, initval, expected) => {
    expect(jhash2(words, 0, words.length, initval)).toBe(expected);
  });

  it('hashes a window of a larger array', () => {
    expect(jhash2([9, 9, 1, 2, 3, 9], 2, 3, 0)).toBe(0xa46158f5);
  });

  it('returns an unsigned 32-bit value for any words', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 40 }), (words) => {
        const hash = jhash2(words, 0, words.length, STACK_HASH_SEED);
        expect(Number.isInteger(hash) && hash >= 0 && hash <= 0xffffffff).toBe(true);
      }),
    );
  });
});

describe('jhash2Frames (the depot hash of a trace)', () => {
  it.each([
    [[], 0x75f5717b],
    [[0x81234567], 0xe1d1450a],
    [[0x81000000, 0x81000010], 0xf74f9e10],
  ])('hashes the frames %j as the kernel hashes their 64-bit addresses', (frames, expected) => {
    expect(jhash2Frames(Uint32Array.from(frames), frames.length, STACK_HASH_SEED)).toBe(expected);
  });

  it('equals jhash2 over the addresses as little-endian words with 0xffffffff high halves, for any trace', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 70 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (frames, initval) => {
          const words = frames.flatMap((frame) => [frame, 0xffffffff]);
          expect(jhash2Frames(Uint32Array.from(frames), frames.length, initval)).toBe(
            jhash2(words, 0, words.length, initval),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('hashes only the first `count` frames', () => {
    const frames = Uint32Array.from([0x81000000, 0x81000010, 0xdeadbeef]);
    expect(jhash2Frames(frames, 2, STACK_HASH_SEED)).toBe(0xf74f9e10);
  });
});

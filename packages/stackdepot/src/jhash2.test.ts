import { describe, expect, it } from 'vitest';
import { jhash2, STACK_HASH_SEED } from './jhash2';

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
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packArray, unpackArray } from './packed-array';

describe('packArray', () => {
  it('round-trips Uint8Array and Uint32Array contents', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.uint32Array({ maxLength: 1024 }), (bytes, words) => {
        expect(unpackArray(packArray(bytes))).toEqual(bytes);
        expect(unpackArray(packArray(words))).toEqual(words);
      }),
    );
  });

  it('packs a view, not the whole buffer under it, and compresses runs', () => {
    const big = new Uint32Array(1 << 20);
    const view = big.subarray(10, 20).fill(7);
    const packed = packArray(view);
    expect(packed).toMatchObject({ type: 'Uint32Array', length: 10 });
    expect([...unpackArray(packed)]).toEqual(new Array(10).fill(7));
    expect(packArray(big).base64.length).toBeLessThan(big.byteLength / 500);
  });
});

import { gunzipSync, gzipSync } from 'node:zlib';
import type { PackedArray } from './report-data';

/** Gzips and base64-encodes a typed array for the report (the browser inflates it with `DecompressionStream`). */
export function packArray(array: Uint8Array | Uint32Array | Float64Array): PackedArray {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  return {
    type: array instanceof Uint8Array ? 'Uint8Array' : array instanceof Uint32Array ? 'Uint32Array' : 'Float64Array',
    length: array.length,
    base64: gzipSync(bytes, { level: 9 }).toString('base64'),
  };
}

/** The typed array a {@link PackedArray} holds (little-endian, as every browser mmsim targets). */
export function unpackArray(packed: PackedArray): Uint8Array | Uint32Array | Float64Array {
  const bytes = gunzipSync(Buffer.from(packed.base64, 'base64'));
  const copy = new Uint8Array(bytes).buffer;
  if (packed.type === 'Uint8Array') return new Uint8Array(copy);
  return packed.type === 'Uint32Array'
    ? new Uint32Array(copy, 0, packed.length)
    : new Float64Array(copy, 0, packed.length);
}

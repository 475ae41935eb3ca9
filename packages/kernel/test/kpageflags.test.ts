import { readFileSync } from 'node:fs';
import { readKpageflags } from '@mm/vm';
import { describe, expect, it } from 'vitest';
import { boot } from '../src/index';

const sample = readFileSync(new URL('../../../samples/kpageflags-6.18.bin', import.meta.url));

/** Each distinct u64 of a kpageflags read, with how many pfns have it, commonest first. */
function histogram(bytes: Uint8Array): [bigint, number][] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const counts = new Map<bigint, number>();
  for (let at = 0; at < view.length; at += 8) {
    const value = view.readBigUInt64LE(at);
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}

describe('/proc/kpageflags of a freshly booted machine', () => {
  it('has the shape of the real 6.18 sample over the same pfns (0..131071): free pages, then reserved ones', () => {
    const kernel = boot({ memory: '512M' });
    const ours = histogram(readKpageflags(kernel.vm, 0, sample.length) as Uint8Array);
    const real = histogram(sample);
    // BUDDY (0x400) then RESERVED (bit 32) lead both, with about the same shares.
    expect(ours.slice(0, 2).map(([value]) => value)).toEqual([0x400n, 1n << 32n]);
    expect(real.slice(0, 2).map(([value]) => value)).toEqual([0x400n, 1n << 32n]);
    for (const index of [0, 1]) expect(Math.abs(ours[index]![1] - real[index]![1]) / real[index]![1]).toBeLessThan(0.1);
    // The rest are kernel pages mmsim allocates at boot: slab pages (head, tail), page tables, per-CPU free pages.
    const known = [0n, 0x80n, 0x8080n, 0x10080n, 1n << 26n];
    for (const [value] of ours.slice(2)) expect(known).toContain(value);
  });
});

import { describe, expect, it } from 'vitest';
import { kstrtouint, kstrtoull } from './kstrtoull';

describe('kstrtoull (lib/kstrtox.c)', () => {
  it.each([
    ['0', 0, 0],
    ['1024', 0, 1024],
    ['+7', 10, 7],
    ['0x400', 0, 1024],
    ['0X1f', 0, 31],
    ['017', 0, 15],
    ['ff', 16, 255],
    ['0xff', 16, 255],
    ['42\n', 10, 42],
  ] as const)('reads %j in base %i as %i', (text, base, expected) => {
    expect(kstrtoull(text, base)).toBe(expected);
  });

  it.each([
    [undefined, 0],
    ['', 10],
    ['-1', 10],
    [' 1', 10],
    ['1 ', 10],
    ['12a', 10],
    ['0x', 0],
    ['08', 0],
    ['1\n\n', 10],
    ['0x10', 10],
  ] as const)('rejects %j in base %i (-EINVAL)', (text, base) => {
    expect(kstrtoull(text, base)).toBeUndefined();
  });

  it('rejects values above the type (-ERANGE)', () => {
    expect(kstrtouint('4294967295', 10)).toBe(4294967295);
    expect(kstrtouint('4294967296', 10)).toBeUndefined();
    expect(kstrtoull('18446744073709551616', 10)).toBeUndefined();
  });
});

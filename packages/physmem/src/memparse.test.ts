import { describe, expect, it } from 'vitest';
import { formatSize, memparse } from './memparse';

describe('memparse', () => {
  it.each([
    ['4G', 4 * 2 ** 30],
    ['4g', 4 * 2 ** 30],
    ['512M', 512 * 2 ** 20],
    ['64k', 65536],
    ['1T', 2 ** 40],
    ['2P', 2 ** 51],
    ['4096', 4096],
    ['0x1000', 4096],
    ['0x10M', 16 * 2 ** 20],
    ['010', 8],
    ['0', 0],
  ])('reads %s as %d', (text, bytes) => {
    expect(memparse(text)).toBe(bytes);
  });

  it.each(['12Q', '', 'G', '4GB', '-1', '1.5G', '08', ' 4G', '8E'])('rejects %j', (text) => {
    expect(memparse(text)).toBeUndefined();
  });
});

describe('formatSize', () => {
  it('uses the largest exact suffix', () => {
    expect(formatSize(4 * 2 ** 30)).toBe('4G');
    expect(formatSize(1536 * 2 ** 20)).toBe('1536M');
    expect(formatSize(2 ** 40)).toBe('1T');
    expect(formatSize(1000)).toBe('1000');
  });
});

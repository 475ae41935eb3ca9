import { describe, expect, it } from 'vitest';
import { stackdepotSavings } from './main';

describe('stackdepot-savings', () => {
  it('gives the stackdepot commit’s numbers: 92,274,688 bytes become 25,165,824 plus pools on 4 GiB', () => {
    const [row] = stackdepotSavings(['4G']);
    expect(row!.inlineBytes).toBe(92_274_688);
    expect(row!.depotBytes - 25_165_824).toBeGreaterThan(0);
    expect((row!.depotBytes - 25_165_824) % 16384).toBe(0);
    expect(row!.savedPercent).toBeGreaterThan(70);
  });
});

import { describe, expect, it } from 'vitest';
import { leakHunt } from './main';

describe('leak-hunt', () => {
  it('names the leaking driver: its stack grew by the pages it leaked between the dumps', async () => {
    const { leaked, top } = await leakHunt();
    expect(leaked).toBe(40);
    expect(top.stack).toContain('leaky_drv_ioctl+0x5a/0x1c0 [leaky_drv]');
    expect(top.growth).toBe(30);
  });
});

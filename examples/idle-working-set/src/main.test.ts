import { describe, expect, it } from 'vitest';
import { idleWorkingSet } from './main';

describe('idle-working-set', () => {
  it('estimates each working set exactly: mapped minus idle is what the workload touched', () => {
    const rows = idleWorkingSet(3);
    expect(rows.map((row) => row.comm)).toEqual(['postgres', 'redis-server', 'nginx']);
    for (const row of rows) {
      expect(row.workingSet).toBe(row.touched);
      expect(row.idle).toBeGreaterThan(0);
    }
  });
});

import { main } from '@mm/cli';
import { bench, describe } from 'vitest';

const io = { stdout: () => {}, stderr: () => {}, isTTY: false };

describe('mmsim boot, end to end', () => {
  bench('mmsim boot --mem 1G --json', async () => {
    await main(['boot', '--mem', '1G', '--json'], io);
  });
});

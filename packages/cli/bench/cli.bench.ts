import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '@mm/cli';
import { bench, describe } from 'vitest';

const io = { stdout: () => {}, stderr: () => {}, isTTY: false };

describe('mmsim boot, end to end', () => {
  bench('mmsim boot --mem 1G --json', async () => {
    await main(['boot', '--mem', '1G', '--json'], io);
  });
});

// Start-up, a process each: the bundled CLI's --help against node doing nothing (the target: 120 ms).
describe('start-up, one process each', () => {
  const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
  const options = { iterations: 10, time: 0 };
  bench(
    'node -e 0 (the control)',
    () => {
      execFileSync(process.execPath, ['-e', '0']);
    },
    options,
  );
  bench(
    'mmsim --help',
    () => {
      execFileSync(process.execPath, [bin, '--help']);
    },
    options,
  );
});

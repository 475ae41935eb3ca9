import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '@mm/cli';
import { afterAll, bench, describe } from 'vitest';
import { syntheticPageOwnerRecord } from '../../../tools/synthetic-page-owner-record';

const io = { stdout: () => {}, stderr: () => {}, isTTY: false };

describe('mmsim boot, end to end', () => {
  bench('mmsim boot --mem 1G --json', async () => {
    await main(['boot', '--mem', '1G', '--json'], io);
  });
});

// Start-up, a process each: the bundled CLI's --help, and a sort of a small dump (100 records, 67 KB), against node
// doing nothing (the target: 120 ms each).
describe('start-up, one process each', () => {
  const bin = fileURLToPath(new URL('../dist/bin.cjs', import.meta.url));
  const scratch = mkdtempSync(join(tmpdir(), 'mmsim-bench-'));
  const dump = join(scratch, 'page_owner');
  writeFileSync(dump, Array.from({ length: 100 }, (_, index) => syntheticPageOwnerRecord(index, 'v6.18')).join(''));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
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
  bench(
    'mmsim sort of a 100-record dump',
    () => {
      execFileSync(process.execPath, [bin, 'sort', dump, join(scratch, 'sorted')]);
    },
    options,
  );
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KernelParamError, MachineConfigError } from '@mm/kernel';
import { describe, expect, it } from 'vitest';
import { CliError, memoryIo, UsageError } from './cli-io';
import { describeError } from './describe-error';
import { main } from './main';
import { InterruptedError } from './signals';

/** A Node.js file error as `fs` throws it. */
function errno(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });
}

describe('describeError', () => {
  it.each([
    [
      new UsageError('mmsim run: --seed must be an integer'),
      2,
      "mmsim run: --seed must be an integer\nRun 'mmsim run --help' for usage.",
    ],
    [
      new KernelParamError('page_owner', 'maybe', 'on or off'),
      2,
      "mmsim run: kernel parameter 'page_owner=maybe' is malformed: expected on or off\nRun 'mmsim run --help' for usage.",
    ],
    [new MachineConfigError('too big'), 2, "mmsim run: too big\nRun 'mmsim run --help' for usage."],
    [new CliError('trace.txt:3: expected pfn='), 1, 'mmsim run: trace.txt:3: expected pfn='],
    [errno('ENOSPC', 'write', '/mnt/full/out'), 1, 'mmsim run: /mnt/full/out: No space left on device'],
    [errno('EROFS', 'open', '/ro/x'), 1, 'mmsim run: /ro/x: Read-only file system'],
    [errno('EACCES', 'open', '/root/x'), 1, 'mmsim run: /root/x: Permission denied'],
    [
      Object.assign(new RangeError('File size (3000000000) is greater than 2 GiB'), { code: 'ERR_FS_FILE_TOO_LARGE' }),
      1,
      'mmsim run: File too large to read whole (2 GiB or more)',
    ],
    [
      Object.assign(new Error('trace.txt:3: a line longer than 65536 bytes'), { name: 'TraceFormatError' }),
      1,
      'mmsim run: trace.txt:3: a line longer than 65536 bytes',
    ],
    [new InterruptedError('SIGTERM'), 143, 'mmsim run: interrupted by SIGTERM: files are whole or absent'],
    [
      new RangeError('Invalid typed array length: -1'),
      1,
      'mmsim run: internal error: RangeError: Invalid typed array length: -1 (run with --debug for the stack)',
    ],
    [null, 1, 'mmsim run: internal error: null (run with --debug for the stack)'],
    [
      {
        toString: () => {
          throw new Error('no');
        },
      },
      1,
      'mmsim run: internal error: [object Object]',
    ],
  ])('reports case %# in one line', (error, exitCode, message) => {
    const report = describeError('run', error, false);
    expect(report.exitCode).toBe(exitCode);
    expect(report.message.startsWith(message)).toBe(true);
    expect(report.message).not.toMatch(/\n\s+at /);
  });

  it('prints the stacks, causes included, under --debug', () => {
    const report = describeError(
      'run',
      new CliError('workload failed', { cause: new TypeError('x is undefined') }),
      true,
    );
    expect(report.message).toMatch(/^mmsim run: workload failed\nCliError: workload failed\n\s+at /);
    expect(report.message).toMatch(/\nCaused by: TypeError: x is undefined\n\s+at /);
  });
});

describe('mmsim with a workload module that throws', () => {
  it('names the module in one line, whatever it threw, and exits 1', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'mmsim-throw-'));
    try {
      const module = join(directory, 'throws.mjs');
      writeFileSync(module, "export default { name: 'throws', description: 'throws null', run() { throw null; } };\n");
      const io = memoryIo();
      expect(await main(['run', '--mem', '256M', '--workload', module], io)).toBe(1);
      expect(io.err()).toBe(`mmsim run: workload module '${module}' failed: null\n`);
      const debug = memoryIo();
      expect(await main(['run', '--mem', '256M', '--workload', module, '--debug'], debug)).toBe(1);
      expect(debug.err()).toMatch(/^mmsim run: workload module '.*' failed: null\nCliError: .*\n\s+at /);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

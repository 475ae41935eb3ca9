import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from './cli-io';
import { checkOutputDirectory, OutputDirectory } from './output-directory';
import { InterruptedError } from './signals';

const root = new URL('../../../', import.meta.url);

/** `mmsim` as a child process, as `pnpm mmsim` starts it, with its exit code or signal when it ends. */
function mmsim(argv: readonly string[]): {
  child: ChildProcess;
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
} {
  const child = spawn(
    process.execPath,
    ['--conditions=@mm/source', '--import', 'tsx', 'packages/cli/src/bin.ts', ...argv],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  return {
    child,
    ended: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr }))),
  };
}

/** Resolves once an entry whose name contains `part` appears in `directory`; fails if `child` ends first. */
async function appears(directory: string, part: string, child: ChildProcess): Promise<void> {
  while (child.exitCode === null && child.signalCode === null) {
    if (readdirSync(directory).some((entry) => entry.includes(part))) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`mmsim ended (${child.exitCode ?? child.signalCode}) before *${part}* appeared in ${directory}`);
}

let parent: string;
beforeEach(() => {
  parent = mkdtempSync(join(tmpdir(), 'mmsim-out-'));
});
afterEach(() => rmSync(parent, { recursive: true, force: true }));

const RUN = ['run', '--mem', '1G', '--workload', 'boot', '--quiet'];

describe('--out with real signals', () => {
  it.each([RUN, ['replay', 'samples/ftrace-page-events-6.18.txt', '--mem', '8G'], ['idle', '--mem', '1G']])(
    'mmsim %s ... exits 130 on SIGINT while writing, leaving no directory and no temporary files',
    async (...argv) => {
      const out = join(parent, 'D');
      const run = mmsim([...argv, '--out', out]);
      await appears(parent, '.mmsim-stage-', run.child);
      run.child.kill('SIGINT');
      const { code, stderr } = await run.ended;
      expect(code).toBe(130);
      expect(stderr).toMatch(new RegExp(`^mmsim ${argv[0]}: interrupted by SIGINT: `));
      expect(readdirSync(parent)).toEqual([]);
    },
    60_000,
  );

  it('leaves an earlier output as it was on SIGTERM', async () => {
    const out = join(parent, 'D');
    const first = mmsim([...RUN, '--cmdline', 'page_owner=on', '--out', out]);
    expect((await first.ended).code).toBe(0);
    const before = readFileSync(join(out, 'summary.json'), 'utf8');
    const second = mmsim([...RUN, '--cmdline', 'page_owner=on page_idle', '--seed', '7', '--out', out]);
    await appears(parent, '.mmsim-stage-', second.child);
    second.child.kill('SIGTERM');
    expect((await second.ended).code).toBe(143);
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe(before);
    expect(readFileSync(join(out, 'cmdline'), 'utf8')).toBe('page_owner=on\n');
    expect(readdirSync(parent)).toEqual(['D']);
  }, 60_000);

  it('two runs into one directory leave one run whole; a SIGKILLed run leaves a stage the next run removes', async () => {
    const out = join(parent, 'D');
    const runs = [mmsim([...RUN, '--seed', '1', '--out', out]), mmsim([...RUN, '--seed', '2', '--out', out])];
    expect((await Promise.all(runs.map((run) => run.ended))).map((end) => end.code)).toEqual([0, 0]);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const files = readdirSync(out, { recursive: true }).length;
    expect([1, 2]).toContain(summary.seed);
    expect(readdirSync(parent)).toEqual(['D']);

    const killed = mmsim([...RUN, '--out', out]);
    await appears(parent, '.mmsim-stage-', killed.child);
    killed.child.kill('SIGKILL');
    expect((await killed.ended).signal).toBe('SIGKILL');
    expect(readdirSync(parent).some((entry) => entry.startsWith('.D.mmsim-stage-'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).seed).toBe(summary.seed);
    const next = mmsim([...RUN, '--seed', '3', '--out', out]);
    expect((await next.ended).code).toBe(0);
    expect(readdirSync(parent)).toEqual(['D']);
    expect(readdirSync(out, { recursive: true }).length).toBe(files);
  }, 120_000);
});

describe('checkOutputDirectory', () => {
  it('accepts a new, an empty or an earlier output directory', () => {
    expect(() => checkOutputDirectory(join(parent, 'new', 'deeper'))).not.toThrow();
    mkdirSync(join(parent, 'empty'));
    expect(() => checkOutputDirectory(join(parent, 'empty'))).not.toThrow();
  });

  it.each([
    ['/proc/x', /under \/proc, a kernel file system/],
    ['/sys/kernel/x', /under \/sys, a kernel file system/],
  ])('refuses %s', (path, message) => {
    expect(() => checkOutputDirectory(path)).toThrow(message);
  });

  it('refuses a file, and a directory holding files mmsim did not write', () => {
    writeFileSync(join(parent, 'f'), '');
    expect(() => checkOutputDirectory(join(parent, 'f'))).toThrow(
      new CliError(`${join(parent, 'f')}: not a directory (--out names the directory to write)`),
    );
    mkdirSync(join(parent, 'home'));
    writeFileSync(join(parent, 'home', 'notes.txt'), 'mine');
    expect(() => checkOutputDirectory(join(parent, 'home'))).toThrow(/holds files mmsim did not write/);
  });

  it.skipIf(process.getuid?.() === 0)('refuses a directory this user cannot write in', () => {
    mkdirSync(join(parent, 'locked'), { mode: 0o555 });
    expect(() => checkOutputDirectory(join(parent, 'locked', 'out'))).toThrow(
      /cannot write in .*locked \(permission denied\)/,
    );
  });
});

describe('OutputDirectory.write', () => {
  it('writes every file whole, then puts the directory in place; a failure leaves the old one', async () => {
    const out = join(parent, 'out');
    expect(
      await OutputDirectory.write(out, async (directory) => {
        await directory.write('dmesg', 'first\n');
        await directory.write('proc/buddyinfo', (write) => write('second\n'));
      }),
    ).toEqual(['dmesg', 'proc/buddyinfo']);
    expect(readFileSync(join(out, 'proc/buddyinfo'), 'utf8')).toBe('second\n');
    await expect(
      OutputDirectory.write(out, async (directory) => {
        await directory.write('dmesg', 'replaced\n');
        throw new Error('disk on fire');
      }),
    ).rejects.toThrow('disk on fire');
    expect(readFileSync(join(out, 'dmesg'), 'utf8')).toBe('first\n');
    expect(readdirSync(parent)).toEqual(['out']);
  });

  it('stops after the file being written when a signal arrives', async () => {
    const out = join(parent, 'out');
    const written: string[] = [];
    await expect(
      OutputDirectory.write(out, async (directory) => {
        await directory.write('a', (write) => {
          process.emit('SIGINT', 'SIGINT');
          write('whole\n');
        });
        written.push('a');
        await directory.write('b', 'never\n');
        written.push('b');
      }),
    ).rejects.toThrow(InterruptedError);
    expect(written).toEqual([]);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(parent)).toEqual([]);
  });
});

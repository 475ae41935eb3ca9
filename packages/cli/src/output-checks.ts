import { accessSync, constants, existsSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { CliError } from './cli-io';

/** Kernel file systems: writing there is never what the user meant (and /proc files may accept writes forever). */
const KERNEL_FILESYSTEMS = ['/proc', '/sys'] as const;

/** `path` made absolute with the symbolic links of its longest existing prefix resolved, and that prefix. */
function realLocation(path: string): { readonly real: string; readonly existing: string } {
  const absolute = resolve(path);
  let existing = absolute;
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  const realExisting = realpathSync(existing);
  return { real: realExisting + absolute.slice(existing.length), existing: realExisting };
}

/**
 * Checks, before any work, that `path` (a file or directory to create or replace) is somewhere this user may write:
 * not under /proc or /sys; for a file, in an existing directory; the directory that
 * will receive it writable. Throws a {@link CliError} naming the path and the reason.
 */
export function checkWritableLocation(path: string, what: 'output directory' | 'output file'): void {
  const { real } = realLocation(path);
  const under = KERNEL_FILESYSTEMS.find((root) => real === root || real.startsWith(`${root}${sep}`));
  if (under !== undefined) {
    throw new CliError(`${path}: under ${under}, a kernel file system: not a place for an ${what}`);
  }
  // A file is written next to itself (a temporary renamed over it); a directory is staged next to itself, after
  // creating the directories above it.
  const parent = dirname(real);
  if (what === 'output file' && !existsSync(parent)) throw new CliError(`${path}: no directory ${dirname(path)}`);
  const receiving = what === 'output file' ? parent : realLocation(parent).existing;
  if (!statSync(receiving).isDirectory()) throw new CliError(`${path}: ${receiving} is not a directory`);
  try {
    accessSync(receiving, constants.W_OK | constants.X_OK);
  } catch {
    throw new CliError(`${path}: cannot write in ${receiving} (permission denied)`);
  }
}

/**
 * Removes what killed writers (SIGKILL, power loss) left next to `target`: the entries named `.NAME.` and then a
 * tag `pattern` matches, whose first group is the pid that made them, when that process is gone.
 */
export function removeStaleTemporaries(target: string, pattern: RegExp): void {
  const prefix = `.${basename(target)}.`;
  let entries: string[];
  try {
    entries = readdirSync(dirname(target));
  } catch {
    return;
  }
  for (const entry of entries) {
    const match = entry.startsWith(prefix) ? pattern.exec(entry.slice(prefix.length)) : null;
    if (match !== null && !isLivePid(Number(match[1]))) {
      rmSync(join(dirname(target), entry), { recursive: true, force: true });
    }
  }
}

/** Whether a process with this pid is alive (so its temporary files are still in use). */
function isLivePid(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

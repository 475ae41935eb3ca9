import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Kernel } from '@mm/kernel';
import { CliError } from './cli-io';
import { checkWritableLocation, removeStaleTemporaries } from './output-checks';
import { type Checkpoint, withSignalsDeferred } from './signals';
import { AtomicFile } from './write-file-atomic';

/** What every output directory of mmsim holds (run, replay and idle write the kernel's /proc files and dmesg). */
const SIGNATURE = ['dmesg', 'proc'] as const;

/** Siblings of `root` a run stages in or moves aside: `.NAME.mmsim-stage-PID-N`, `.NAME.mmsim-old-PID-N`. */
function temporaryName(root: string, kind: 'stage' | 'old', sequence: number): string {
  return join(dirname(root), `.${basename(root)}.mmsim-${kind}-${process.pid}-${sequence}`);
}

let sequence = 0;

/**
 * Checks, before any work, that `root` can become an output directory: not under /proc, /sys or /dev, not an
 * existing file, in a place this user may write, and either absent, empty, or an earlier output of mmsim (which is
 * replaced whole). Throws a {@link CliError} that says which.
 */
export function checkOutputDirectory(root: string): void {
  const path = resolve(root);
  checkWritableLocation(path, 'output directory');
  if (!existsSync(path)) return;
  if (!statSync(path).isDirectory())
    throw new CliError(`${root}: not a directory (--out names the directory to write)`);
  const entries = readdirSync(path);
  const ours = SIGNATURE.every((name) => entries.includes(name));
  if (entries.length > 0 && !ours) {
    throw new CliError(
      `${root}: the directory holds files mmsim did not write; give a new or empty directory (an output of mmsim is replaced whole)`,
    );
  }
}

/**
 * An output directory written whole or not at all. Files go to a fresh stage next to it (`.NAME.mmsim-stage-PID-N`,
 * on the same file system), each file whole; {@link OutputDirectory.commit} then moves any earlier output aside,
 * renames the stage into place and removes the old one. Readers see the old directory, then (after a moment
 * without any) the new one, never a mix; two runs into one directory leave one run's files; a run that fails or is
 * interrupted leaves the old directory as it was.
 */
export class OutputDirectory {
  /** The directory the files end up in. */
  readonly root: string;
  /** Where they are written until {@link commit}. */
  readonly stage: string;
  /** The files written, relative to the root. */
  readonly written: string[] = [];
  readonly #checkpoint: Checkpoint;

  private constructor(root: string, checkpoint: Checkpoint) {
    this.root = resolve(root);
    this.#checkpoint = checkpoint;
    checkOutputDirectory(root);
    mkdirSync(dirname(this.root), { recursive: true });
    // Stages and set-aside outputs of dead runs.
    removeStaleTemporaries(this.root, /^mmsim-(?:stage|old)-(\d+)-\d+$/);
    this.stage = temporaryName(this.root, 'stage', sequence++);
    mkdirSync(this.stage);
  }

  /**
   * Writes the directory `root` with `produce`, Ctrl-C and SIGTERM deferred: a signal lets the file being written
   * finish, then the stage is removed and an {@link InterruptedError} thrown (the old directory, if any, is left as
   * it was). Returns the files written.
   */
  static async write(
    root: string,
    produce: (out: OutputDirectory) => Promise<void> | void,
  ): Promise<readonly string[]> {
    return withSignalsDeferred(async (checkpoint) => {
      const out = new OutputDirectory(root, checkpoint);
      try {
        await produce(out);
        await checkpoint();
        out.commit();
      } catch (error) {
        out.abort();
        throw error;
      }
      return out.written;
    });
  }

  /** Writes `relative` from a string or from the chunks `produce` hands to its `write`, then lets signals in. */
  async write(
    relative: string,
    content: string | ((write: (chunk: string | Uint8Array) => void) => void),
  ): Promise<void> {
    const path = join(this.stage, relative);
    mkdirSync(dirname(path), { recursive: true });
    const file = AtomicFile.open(path, { freshDirectory: true });
    try {
      if (typeof content === 'string') file.write(content);
      else content((chunk) => file.write(chunk));
    } catch (error) {
      file.abort();
      throw error;
    }
    file.commit();
    this.written.push(relative);
    await this.#checkpoint();
  }

  /** Puts the stage in place of the root (see the class comment). */
  commit(): void {
    // Another run may commit into the same root at the same moment: retry until our stage is in place.
    for (let attempt = 0; ; attempt++) {
      const old = temporaryName(this.root, 'old', sequence++);
      let movedAside = false;
      try {
        renameSync(this.root, old);
        movedAside = true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      try {
        renameSync(this.stage, this.root);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const race = (code === 'ENOTEMPTY' || code === 'EEXIST') && attempt < 8;
        if (movedAside) {
          if (race) rmSync(old, { recursive: true, force: true });
          else renameSync(old, this.root);
        }
        if (race) continue;
        throw error;
      }
      if (movedAside) rmSync(old, { recursive: true, force: true });
      return;
    }
  }

  /** Removes the stage; the root is left as it was. */
  abort(): void {
    rmSync(this.stage, { recursive: true, force: true });
  }
}

/** Writes every file the kernel shows (its /proc files, then each feature's), then `dmesg`. */
export async function writeKernelFiles(out: OutputDirectory, kernel: Pick<Kernel, 'files' | 'dmesg'>): Promise<void> {
  for (const file of kernel.files()) await out.write(file.path, (write) => file.read(write));
  await out.write('dmesg', kernel.dmesg());
}

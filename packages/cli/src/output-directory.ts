import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AtomicFile } from './write-file-atomic';

/**
 * An output directory whose files are written whole or not at all (each through an {@link AtomicFile}: a temporary
 * name in the same directory, renamed into place when complete), so an interrupted run leaves only whole files.
 */
export class OutputDirectory {
  readonly root: string;
  readonly written: string[] = [];

  constructor(root: string) {
    this.root = root;
    mkdirSync(root, { recursive: true });
  }

  /** Writes `relative` from a string or from the chunks `produce` hands to its `write`. */
  write(relative: string, content: string | ((write: (chunk: string | Uint8Array) => void) => void)): string {
    const path = join(this.root, relative);
    mkdirSync(dirname(path), { recursive: true });
    const file = AtomicFile.open(path);
    try {
      if (typeof content === 'string') file.write(content);
      else content((chunk) => file.write(chunk));
    } catch (error) {
      file.abort();
      throw error;
    }
    file.commit();
    this.written.push(relative);
    return path;
  }
}

/**
 * Runs `body` (writing an output directory) with Ctrl-C and SIGTERM held back: a signal that arrives meanwhile is
 * noted and acted on only after the last file is whole (the default action would kill the process in the middle
 * of a write and leave a temporary file behind). Returns whether one arrived.
 */
export function withSignalsDeferred(body: () => void): boolean {
  let interrupted = false;
  const note = () => {
    interrupted = true;
  };
  process.on('SIGINT', note);
  process.on('SIGTERM', note);
  try {
    body();
  } finally {
    process.off('SIGINT', note);
    process.off('SIGTERM', note);
  }
  return interrupted;
}

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

import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * An output directory whose files are written whole or not at all: each file is written to a temporary name in
 * the same directory and renamed into place when complete, so an interrupted run leaves only whole files.
 */
export class OutputDirectory {
  readonly root: string;
  readonly written: string[] = [];

  constructor(root: string) {
    this.root = root;
    mkdirSync(root, { recursive: true });
  }

  /** Writes `relative` from a string or from chunks produced by `produce`. */
  write(relative: string, content: string | ((write: (chunk: string | Uint8Array) => void) => void)): string {
    const path = join(this.root, relative);
    mkdirSync(dirname(path), { recursive: true });
    const temporary = `${path}.tmp-${process.pid}`;
    const fd = openSync(temporary, 'w');
    try {
      let buffered: string[] = [];
      let size = 0;
      const flush = () => {
        if (buffered.length === 0) return;
        writeSync(fd, buffered.join(''));
        buffered = [];
        size = 0;
      };
      const write = (chunk: string | Uint8Array) => {
        if (typeof chunk !== 'string') {
          flush();
          writeSync(fd, chunk);
          return;
        }
        buffered.push(chunk);
        size += chunk.length;
        if (size > 1 << 20) flush();
      };
      if (typeof content === 'string') write(content);
      else content(write);
      flush();
      closeSync(fd);
      renameSync(temporary, path);
    } catch (error) {
      try {
        closeSync(fd);
      } catch {}
      rmSync(temporary, { force: true });
      throw error;
    }
    this.written.push(relative);
    return path;
  }
}

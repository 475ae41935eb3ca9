import {
  accessSync,
  closeSync,
  constants,
  fchmodSync,
  lstatSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { removeStaleTemporaries } from './output-checks';

let sequence = 0;

/** Bytes buffered before a write to the file. */
const BUFFER_SIZE = 1 << 20;

/** A Node.js errno error, as `fs` throws them. */
function errnoError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: ${syscall} '${path}'`);
  error.code = code;
  error.syscall = syscall;
  error.path = path;
  return error;
}

/**
 * A file written whole or not at all: the content goes to a temporary file in the target's directory, which
 * {@link AtomicFile.commit} renames over the target, so readers never see a partial file and a failed run leaves
 * the old one. Writes are buffered (1 MiB). An existing target keeps its permission bits; a symbolic link is written
 * through (its target is replaced).
 */
export class AtomicFile {
  /** The file to replace. */
  readonly path: string;
  /** The temporary file being written. */
  readonly temporary: string;
  #fd: number | undefined;
  /** Bytes not yet written, in `#buffer[0, #used)` (the buffer is made on the first write). */
  #buffer: Buffer | undefined;
  #used = 0;

  private constructor(path: string, temporary: string, fd: number) {
    this.path = path;
    this.temporary = temporary;
    this.#fd = fd;
  }

  /**
   * Starts replacing `path`. Throws the errno error `fopen(path, "w")` would give where it can tell without touching
   * the file: `EISDIR` for a directory, `EACCES` for an existing file it may not write, `ENOENT`/`ENOTDIR`/`EACCES`
   * for a directory it cannot create the file in. `freshDirectory`: the file's directory is one this process has
   * just made, so no killed writer left temporaries there to remove.
   */
  static open(path: string, options: { readonly freshDirectory?: boolean } = {}): AtomicFile {
    let target = path;
    let existing: Stats | undefined;
    try {
      if (lstatSync(path).isSymbolicLink()) target = realpathSync(path);
      existing = statSync(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (existing?.isDirectory()) throw errnoError('EISDIR', 'open', path);
    if (existing !== undefined) accessSync(target, constants.W_OK);
    if (options.freshDirectory !== true) removeStaleTemporaries(target, /^tmp-(\d+)-\d+$/);
    const temporary = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${sequence++}`);
    const fd = openSync(temporary, 'wx', 0o666);
    if (existing !== undefined) {
      try {
        fchmodSync(fd, existing.mode & 0o7777);
      } catch {
        // Not the owner: the new file keeps the default mode.
      }
    }
    return new AtomicFile(target, temporary, fd);
  }

  /** Appends a chunk: a string in `encoding` (default UTF-8) or bytes. */
  write(chunk: string | Uint8Array, encoding: BufferEncoding = 'utf8'): void {
    if (this.#fd === undefined) throw new Error(`AtomicFile: ${this.path} is already closed`);
    if (this.#buffer === undefined) this.#buffer = Buffer.allocUnsafe(BUFFER_SIZE);
    const text = typeof chunk === 'string';
    // The most bytes the chunk can take: a string is encoded straight into the buffer when it surely fits (no
    // encoding takes more than 3 bytes a UTF-16 unit).
    const most =
      !text || encoding === 'latin1' || encoding === 'binary' || encoding === 'ascii' ? chunk.length : chunk.length * 3;
    if (most > BUFFER_SIZE - this.#used) {
      this.#flush();
      if (most > BUFFER_SIZE) {
        this.#writeOut(text ? Buffer.from(chunk, encoding) : chunk);
        return;
      }
    }
    if (text) {
      this.#used += this.#buffer.write(chunk, this.#used, encoding);
    } else {
      this.#buffer.set(chunk, this.#used);
      this.#used += chunk.length;
    }
  }

  /** Writes what is buffered, closes the file and renames it over the target. */
  commit(): void {
    const fd = this.#fd;
    if (fd === undefined) throw new Error(`AtomicFile: ${this.path} is already closed`);
    try {
      this.#flush();
      this.#fd = undefined;
      closeSync(fd);
      renameSync(this.temporary, this.path);
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  /** Drops the temporary file; the target is left as it was. */
  abort(): void {
    const fd = this.#fd;
    this.#fd = undefined;
    this.#buffer = undefined;
    this.#used = 0;
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {}
    }
    rmSync(this.temporary, { force: true });
  }

  #flush(): void {
    if (this.#used === 0) return;
    const used = this.#used;
    this.#used = 0;
    this.#writeOut(this.#buffer!.subarray(0, used));
  }

  /** Writes bytes to the temporary file, all of them. */
  #writeOut(data: Uint8Array): void {
    let offset = 0;
    while (offset < data.length) {
      const written = writeSync(this.#fd!, data, offset);
      // A file that takes nothing (some kernel files) would spin here forever.
      if (written <= 0) throw errnoError('EIO', 'write', this.temporary);
      offset += written;
    }
  }
}

/** Writes `path` atomically from a string, bytes, or an iterable of chunks (see {@link AtomicFile}). */
export function writeFileAtomic(
  path: string,
  content: string | Uint8Array | Iterable<string | Uint8Array>,
  encoding: BufferEncoding = 'utf8',
): void {
  const file = AtomicFile.open(path);
  try {
    if (typeof content === 'string' || content instanceof Uint8Array) file.write(content, encoding);
    else for (const chunk of content) file.write(chunk, encoding);
  } catch (error) {
    file.abort();
    throw error;
  }
  file.commit();
}

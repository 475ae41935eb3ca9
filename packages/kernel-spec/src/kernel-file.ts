/**
 * A file a kernel shows (`proc/pagetypeinfo`, `sys/kernel/debug/page_owner`, `sys/kernel/mm/page_idle/bitmap`):
 * its path under the machine's root, and its contents as one whole-file read (`cat`) sees them now, in chunks, so
 * that a dump of any size streams to disk.
 */
export interface KernelFile {
  /** The path without the leading `/`. */
  readonly path: string;
  /** Hands the contents to `write`, chunk by chunk. */
  read(write: (chunk: string | Uint8Array) => void): void;
}

/** A file whose contents are one string made when it is read. */
export function textFile(path: string, text: () => string): KernelFile {
  return { path, read: (write) => write(text()) };
}

import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/**
 * The text of a trace file in chunks of 64 KiB, decoded as UTF-8 (comms may be any bytes a task named itself).
 * Small chunks keep memory flat: the text and events of one chunk die young, so V8's young generation does not
 * grow with the trace (1 MiB chunks made the peak RSS of a trace 20 times the sample's 1.5 times as large), and
 * they stay below the size V8 makes external strings of.
 * Chunks of plain ASCII, nearly all of a trace, are decoded as Latin-1, which gives the same text several times
 * faster; a multi-byte character split between chunks makes the next chunk non-ASCII, so it goes through the
 * decoder that holds its first bytes.
 */
export async function* readTraceText(path: string): AsyncGenerator<string, void, undefined> {
  const decoder = new StringDecoder('utf8');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 })) {
      const bytes = chunk as Buffer;
      yield isAscii(bytes) ? bytes.toString('latin1') : decoder.write(bytes);
    }
  } catch (error) {
    throw withPath(error, path);
  }
  const rest = decoder.end();
  if (rest !== '') yield rest;
}

/** A read's error (EISDIR for a directory, EIO) has no path, unlike the open's: it gets the file's. */
function withPath(error: unknown, path: string): unknown {
  const errno = error as NodeJS.ErrnoException;
  if (error instanceof Error && typeof errno.code === 'string' && errno.path === undefined) errno.path = path;
  return error;
}

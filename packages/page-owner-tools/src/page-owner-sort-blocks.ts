/**
 * page_owner_sort's `read_block()` (tools/vm/page_owner_sort.c in v3.19–v4.x, tools/mm/page_owner_sort.c in v6.x)
 * over a stream of bytes, as `fgets()` feeds it: a block is the lines up to an empty line, which ends it and is not
 * part of it. Input is given as byte strings (one char per byte, e.g. `Buffer#toString('latin1')`), so lengths
 * are the tool's byte counts.
 *
 * The tool's buffer rules are kept exactly:
 * - the block buffer holds `bufferSize - 1` bytes (128 KiB in v4.8 and v6.x, 1 KiB before); `fgets` reads at most
 *   the room left, so a longer line is taken in pieces, and once the buffer is full read_block returns -1, which
 *   ends the whole run (as the end of input does);
 * - at the end of input, a block not followed by an empty line is dropped;
 * - v6.x (`divertPfn`): a piece starting with `PFN` is copied over the side buffer (`ext_buf`) instead of being
 *   added; the side buffer is never cleared, so a block without a PFN line sees the previous block's (initially
 *   empty: the tool's 128 KiB malloc is a fresh, zeroed mmap);
 * - a piece is added up to its first NUL byte (`curr += strlen(curr)`), as is the side buffer (`strcpy`).
 */
export class PageOwnerSortBlocks {
  readonly #size: number;
  readonly #divertPfn: boolean;
  readonly #onBlock: (block: string, pfnLine: string) => boolean;
  #parts: string[] = [];
  #length = 0;
  #pfnLine = '';
  #pending = '';
  #stopped = false;
  /**
   * The last block handed over, when its text then an empty line can only be read as it again: it ends with its
   * newline (a line cut at a NUL byte does not), and is not v6.x's (whose blocks come with their diverted PFN line).
   */
  #last = '';

  /**
   * `onBlock` receives each block and the side buffer; it returns false to stop reading (the tool's early exits).
   */
  constructor(bufferSize: number, divertPfn: boolean, onBlock: (block: string, pfnLine: string) => boolean) {
    this.#size = bufferSize;
    this.#divertPfn = divertPfn;
    this.#onBlock = onBlock;
  }

  /** Whether reading has stopped (full buffer, or `onBlock` returned false): later input is ignored. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * Takes the next chunk of input; returns false once the tool would read no further. The lines that `fgets` reads
   * whole and that go into the block as they are (no NUL, no diverted PFN line) are taken as one run of the chunk,
   * cut once when the block ends; any other line goes through {@link #line}, piece by piece.
   */
  write(chunk: string): boolean {
    if (this.#stopped) return false;
    let start = 0;
    if (this.#pending !== '') {
      // The line begun in the last chunk is read on its own, so that the chunk is scanned as the flat string it is
      // (V8 searches a concatenation many times more slowly).
      const newline = chunk.indexOf('\n');
      if (newline < 0) {
        this.#pending += chunk;
        return true;
      }
      const line = this.#pending + chunk.slice(0, newline + 1);
      this.#pending = '';
      if (!this.#scan(line, 0)) return false;
      start = newline + 1;
    }
    return this.#scan(chunk, start);
  }

  /** {@link write} of `text` from `start`: its lines, and what follows the last newline kept for the next chunk. */
  #scan(text: string, start: number): boolean {
    // Whether the chunk has no NUL byte, found when a line is first read (a repeated block has none: see below).
    let clean: boolean | undefined;
    // The run: text[runStart, start) is block text not yet in #parts (its length is already in #length); -1: none.
    let runStart = -1;
    for (;;) {
      // At a block's start, the last block's text and an empty line are that block again: fgets reads the same lines
      // into the same empty buffer, each with room (the block and its empty line fitted once), and no block holds a
      // NUL byte or an empty line. A dump without PFN lines is mostly such repeats.
      const last = this.#last;
      if (
        runStart < 0 &&
        this.#length === 0 &&
        last !== '' &&
        text.charCodeAt(start + last.length) === 10 &&
        // (A slice and ===, which compare flat strings with memcmp; startsWith() goes a character at a time.)
        text.slice(start, start + last.length) === last
      ) {
        start += last.length + 1;
        if (!this.#endBlock(last)) return false;
        continue;
      }
      // At a block's start (v4.x, where no line is diverted), the text up to the next empty line is one block when
      // it leaves room for that empty line and has no NUL: fgets reads each of its lines whole. One search then
      // finds the block instead of one a line.
      if (runStart < 0 && this.#length === 0 && !this.#divertPfn && text.charCodeAt(start) !== 10) {
        const end = text.indexOf('\n\n', start);
        const fits = end >= 0 && end + 1 - start < this.#size - 1;
        if (fits) clean ??= text.indexOf('\0') < 0;
        if (fits && clean) {
          const block = text.slice(start, end + 1);
          start = end + 2;
          if (!this.#endBlock(block)) return false;
          continue;
        }
      }
      const newline = text.indexOf('\n', start);
      if (newline < 0) break;
      const length = newline + 1 - start;
      clean ??= text.indexOf('\0') < 0;
      const whole = clean && this.#size - this.#length > length && !(this.#divertPfn && text.startsWith('PFN', start));
      if (whole && length > 1) {
        if (runStart < 0) runStart = start;
        this.#length += length;
      } else {
        if (runStart >= 0) this.#parts.push(text.slice(runStart, start));
        runStart = -1;
        if (whole) {
          // The empty line, which fgets had room for: the block is complete.
          if (!this.#endBlock()) return false;
        } else {
          this.#line(text.slice(start, newline + 1));
          if (this.#stopped) return false;
        }
      }
      start = newline + 1;
    }
    if (runStart >= 0) this.#parts.push(text.slice(runStart, start));
    if (start < text.length) this.#pending = text.slice(start);
    return true;
  }

  /** The end of input: a last line without a newline is read, and the unfinished block is dropped. */
  end(): void {
    if (this.#stopped) return;
    if (this.#pending !== '') this.#line(this.#pending);
    this.#pending = '';
    this.#parts = [];
    this.#length = 0;
    this.#stopped = true;
  }

  /** One line with its newline (or the last line without one), read in `fgets` pieces. */
  #line(line: string): void {
    let position = 0;
    while (position < line.length) {
      const room = this.#size - this.#length;
      if (room <= 1) {
        this.#stopped = true;
        return;
      }
      const end = Math.min(line.length, position + room - 1);
      const piece = position === 0 && end === line.length ? line : line.slice(position, end);
      position = end;
      if (piece.charCodeAt(0) === 10) {
        if (!this.#endBlock()) return;
        continue;
      }
      const nul = piece.indexOf('\0');
      const text = nul < 0 ? piece : piece.slice(0, nul);
      if (this.#divertPfn && piece.startsWith('PFN')) {
        this.#pfnLine = text;
        continue;
      }
      if (text.length === 0) continue;
      this.#parts.push(text);
      this.#length += text.length;
    }
  }

  /**
   * The empty line: hands the block over (`whole`: a block read at once, such as the last block again; else the one
   * in #parts); false (and stopped) when `onBlock` stops the reading.
   */
  #endBlock(whole?: string): boolean {
    const block = whole ?? (this.#parts.length === 1 ? this.#parts[0]! : this.#parts.join(''));
    this.#parts = [];
    this.#length = 0;
    this.#last = !this.#divertPfn && block.charCodeAt(block.length - 1) === 10 ? block : '';
    if (this.#onBlock(block, this.#pfnLine)) return true;
    this.#stopped = true;
    return false;
  }
}

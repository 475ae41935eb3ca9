/**
 * The working-set procedure of Documentation/admin-guide/mm/idle_page_tracking.rst, written against files only, as
 * a userspace tool does it: find the pfns of a process's pages in `/proc/PID/pagemap`, set their bits in
 * `/sys/kernel/mm/page_idle/bitmap`, let the workload run, read the bits back and count the pages still idle.
 * The files are anything with positional reads and writes (mmsim's, or a real kernel's through `fs`).
 */

/** A file read and written at byte positions (`pread`/`pwrite`); an errno instead of a count on failure. */
export interface PositionalFile {
  read(position: number, length: number): Uint8Array | { readonly errno: string };
  write(position: number, data: Uint8Array): number | { readonly errno: string };
}

const PRESENT = 1 << 31;
const PFN_HIGH_MASK = (1 << 23) - 1;

/**
 * The pfns of the present pages in pagemap entries (little-endian u64s as read from the file), in order, without
 * repeats (a page mapped twice in the range counts once). A zero pfn in a present entry means the reader lacked
 * CAP_SYS_ADMIN: that is an error, as no pfn can be found.
 */
export function presentPfns(pagemap: Uint8Array): number[] {
  const view = new DataView(pagemap.buffer, pagemap.byteOffset, pagemap.byteLength);
  const pfns: number[] = [];
  const seen = new Set<number>();
  for (let at = 0; at + 8 <= pagemap.length; at += 8) {
    const high = view.getUint32(at + 4, true);
    if ((high & PRESENT) === 0) continue;
    const pfn = (high & PFN_HIGH_MASK) * 2 ** 32 + view.getUint32(at, true);
    if (pfn === 0) throw new Error('pagemap shows no pfns: reading them needs CAP_SYS_ADMIN');
    if (!seen.has(pfn)) {
      seen.add(pfn);
      pfns.push(pfn);
    }
  }
  return pfns;
}

/** Groups pfns by bitmap word: word index → the bits to set in it (as two 32-bit halves). */
function wordsOf(pfns: readonly number[]): Map<number, [number, number]> {
  const words = new Map<number, [number, number]>();
  for (const pfn of pfns) {
    const word = Math.floor(pfn / 64);
    const bit = pfn % 64;
    let halves = words.get(word);
    if (halves === undefined) {
      halves = [0, 0];
      words.set(word, halves);
    }
    halves[bit >>> 5] = (halves[bit >>> 5]! | (1 << (bit & 31))) >>> 0;
  }
  return words;
}

/** Marks the pages idle: one 8-byte write per bitmap word that holds any of them. Throws on an errno. */
export function markIdle(bitmap: PositionalFile, pfns: readonly number[]): void {
  const data = new Uint8Array(8);
  const view = new DataView(data.buffer);
  for (const [word, [low, high]] of wordsOf(pfns)) {
    view.setUint32(0, low, true);
    view.setUint32(4, high, true);
    const written = bitmap.write(word * 8, data);
    if (typeof written !== 'number') throw new Error(`page_idle bitmap write at word ${word}: ${written.errno}`);
  }
}

/** Which of the pages are still idle: reads each word that holds one (8 bytes at 8 * word). Throws on an errno. */
export function idlePfns(bitmap: PositionalFile, pfns: readonly number[]): number[] {
  const idle: number[] = [];
  for (const [word, [low, high]] of wordsOf(pfns)) {
    const bytes = bitmap.read(word * 8, 8);
    if ('errno' in bytes) throw new Error(`page_idle bitmap read at word ${word}: ${bytes.errno}`);
    if (bytes.length < 8) continue;
    const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
    const halves = [view.getUint32(0, true) & low, view.getUint32(4, true) & high];
    for (let bit = 0; bit < 64; bit++) {
      if ((halves[bit >>> 5]! & (1 << (bit & 31))) !== 0) idle.push(word * 64 + bit);
    }
  }
  return idle;
}

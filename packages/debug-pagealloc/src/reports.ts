import { DUMP_STACK_FRAME, directMapAddress, type PhysicalMemory } from '@mm/physmem';
import { pageOffsetHigh } from './page-fault-oops';

/**
 * The kernel's own frames of the poison report's `dump_stack()`, innermost first, up to the allocator's caller (whose
 * frames are on the shadow stack): v4.8 `kernel_poison_pages()` (mm/page_poison.c; `check_poison_mem()` and
 * `unpoison_pages()` are static and inlined into it) called from `post_alloc_hook()`, inlined into
 * `get_page_from_freelist()`, called from `__alloc_pages_nodemask()`; v6.18 `__kernel_unpoison_pages()`
 * (`check_poison_mem()` and `unpoison_page()` inlined), called through the inline `kernel_unpoison_pages()` from
 * `post_alloc_hook()`, `get_page_from_freelist()` (where `prep_new_page()` is inlined) and
 * `__alloc_frozen_pages_noprof()`. The offsets of the functions page_owner's stacks also show are theirs
 * (`get_page_from_freelist+0xd01/0x2140` returns from the `post_alloc_hook()` call, as in page_owner's v6.18
 * stack); the others are plausible.
 */
export const poisonReportFrames: Readonly<Record<'v4' | 'v6', readonly string[]>> = {
  v4: [
    DUMP_STACK_FRAME.v4,
    'kernel_poison_pages+0xf3/0x140',
    'get_page_from_freelist+0x38c/0xbc0',
    '__alloc_pages_nodemask+0x134/0x230',
  ],
  v6: [
    DUMP_STACK_FRAME.v6,
    '__kernel_unpoison_pages+0x13b/0x1a0',
    'post_alloc_hook+0x4b/0x1a0',
    'get_page_from_freelist+0xd01/0x2140',
    '__alloc_frozen_pages_noprof+0x168/0x330',
  ],
};

/**
 * `check_poison_mem()` (mm/page_poison.c): `pagealloc: single bit error` when exactly one byte differs from the
 * poison by one bit, else `pagealloc: memory corruption`, then `print_hex_dump(KERN_ERR, "", DUMP_PREFIX_ADDRESS,
 * 16, 1, start, end - start + 1, 1)` of the damaged range.
 */
export function formatPoisonReport(
  memory: PhysicalMemory,
  pfn: number,
  range: { first: number; last: number },
  poison: number,
): string[] {
  const bytes = memory.directMap.contents.read(pfn, range.first, range.last - range.first + 1);
  const error = bytes[0]! ^ poison;
  const single = range.first === range.last && error !== 0 && (error & (error - 1)) === 0;
  const lines = [single ? 'pagealloc: single bit error' : 'pagealloc: memory corruption'];
  for (let row = 0; row < bytes.length; row += 16) {
    const chunk = bytes.subarray(row, Math.min(row + 16, bytes.length));
    const address = hexDumpAddress(memory, pfn, range.first + row);
    lines.push(`${address}: ${hexDumpLine(chunk)}`);
  }
  return lines;
}

/**
 * One row of `hex_dump_to_buffer(..., rowsize 16, groupsize 1, ascii true)` (lib/hexdump.c): the bytes as `%02x`
 * separated by spaces, padded to the ASCII column (49 for a 16-byte row), then each byte as itself if it is
 * printable ASCII, else `.`.
 */
export function hexDumpLine(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
  const ascii = Array.from(bytes, (byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.')).join('');
  return `${hex.padEnd(16 * 3 + 1)}${ascii}`;
}

/** The address prefix of a hex dump row: the real address in v4.8, a hashed `%p` in v6.18. */
function hexDumpAddress(memory: PhysicalMemory, pfn: number, offset: number): string {
  const address = directMapAddress(pageOffsetHigh(memory), pfn, offset);
  if (memory.profile.era === 'v4') return address;
  // %p prints a siphash of the pointer with a boot-time key: a stable 32-bit value, zero-extended.
  let hash = 0x811c9dc5;
  for (const char of address) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash.toString(16).padStart(16, '0');
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PageOwnerSortBlocks } from './page-owner-sort-blocks';

/**
 * The tool's `read_block()` loop written out as C runs it, on the whole input at once: `fgets()` pieces of at most
 * the room left, a piece added up to its first NUL, `PFN` pieces copied to the side buffer (v6.x), a block ended by
 * a piece that starts with a newline, the run ended when the buffer is full. The reference the streaming reader is
 * checked against.
 */
function readBlocksAsC(input: string, size: number, divertPfn: boolean): [string, string][] {
  const blocks: [string, string][] = [];
  let position = 0;
  let pfnLine = '';
  for (;;) {
    let block = '';
    for (;;) {
      const room = size - block.length;
      if (room <= 1 || position >= input.length) return blocks;
      const newline = input.indexOf('\n', position);
      const lineEnd = newline < 0 ? input.length : newline + 1;
      const end = Math.min(lineEnd, position + room - 1);
      const piece = input.slice(position, end);
      position = end;
      if (piece[0] === '\n') break;
      const text = piece.includes('\0') ? piece.slice(0, piece.indexOf('\0')) : piece;
      if (divertPfn && piece.startsWith('PFN')) pfnLine = text;
      else block += text;
    }
    blocks.push([block, pfnLine]);
  }
}

function readBlocks(chunks: readonly string[], size: number, divertPfn: boolean): [string, string][] {
  const blocks: [string, string][] = [];
  const reader = new PageOwnerSortBlocks(size, divertPfn, (block, pfnLine) => {
    blocks.push([block, pfnLine]);
    return true;
  });
  for (const chunk of chunks) if (!reader.write(chunk)) break;
  reader.end();
  return blocks;
}

/** Lines like a page_owner dump's, and the odd ones the tool has rules for. */
const line = fc.oneof(
  fc.constantFrom(
    'Page allocated via order 0, mask 0x400dc0(GFP_KERNEL_ACCOUNT|__GFP_ZERO), pid 1, tgid 1 (init), ts 100 ns\n',
    'PFN 0x1000 type Unmovable Block 8 type Unmovable Flags 0x0()\n',
    ' get_page_from_freelist+0x1c8/0x1b20\n',
    ' __alloc_pages_noprof+0x1a5/0x370\n',
    '\n',
    'PFN',
    '\n\n',
  ),
  fc.string({ unit: fc.constantFrom('a', 'P', 'F', 'N', ' ', '\n', '\0'), maxLength: 40 }),
);

describe('PageOwnerSortBlocks', () => {
  it('reads blocks exactly as the C loop does, whatever the chunking, buffer size or input', () => {
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.constantFrom(16, 64, 200, 128 * 1024),
        fc.boolean(),
        (lines, cuts, size, divertPfn) => {
          const input = lines.join('');
          const offsets = [...new Set(cuts.map((cut) => cut % (input.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...offsets].map((from, index) => input.slice(from, offsets[index] ?? input.length));
          expect(readBlocks(chunks, size, divertPfn)).toEqual(readBlocksAsC(input, size, divertPfn));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads a block repeated after itself (taken as the last one again) as the C loop does', () => {
    // A few blocks, each its lines and an empty line, then a run of them with many repeats in a row: the same
    // text and its empty line are the last block again, unless a NUL byte or the buffer's room reads them otherwise.
    const block = fc.array(line, { minLength: 1, maxLength: 6 }).map((lines) => `${lines.join('')}\n`);
    fc.assert(
      fc.property(
        fc.array(block, { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 5 })), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.constantFrom(16, 64, 200, 128 * 1024),
        fc.boolean(),
        (blocks, picks, cuts, size, divertPfn) => {
          const input = picks.map(([pick, times]) => blocks[pick % blocks.length]!.repeat(times)).join('');
          const offsets = [...new Set(cuts.map((cut) => cut % (input.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...offsets].map((from, index) => input.slice(from, offsets[index] ?? input.length));
          expect(readBlocks(chunks, size, divertPfn)).toEqual(readBlocksAsC(input, size, divertPfn));
        },
      ),
      { numRuns: 2000 },
    );
    // Repeats, then the same text with a NUL (read up to it) and with a line more (a block of its own).
    expect(readBlocks(['A\nB\n\nA\nB\n\nA\0x\nB\n\nA\nB\nC\n\n'], 1024, false).map(([text]) => text)).toEqual([
      'A\nB\n',
      'A\nB\n',
      'AB\n',
      'A\nB\nC\n',
    ]);
  });

  it('takes a whole block at once, diverting every PFN line to the side buffer', () => {
    const blocks = readBlocks(['A\nPFN 1\nB\nPFN 2\n\nC\n\n'], 1024, true);
    expect(blocks).toEqual([
      ['A\nB\n', 'PFN 2\n'],
      ['C\n', 'PFN 2\n'],
    ]);
  });
});

import { formatFlags } from './format-flags';
import type { PageFlagTable } from './page-flags';
import { hexPageFlagsWord, type PageFlagsLayout, type PageFlagsWord } from './page-flags-layout';

function field(word: PageFlagsWord, shift: number, bits: number): number {
  let value = 0;
  for (let bit = bits - 1; bit >= 0; bit--) {
    const position = shift + bit;
    const set = position >= 32 ? (word.high >>> (position - 32)) & 1 : (word.low >>> position) & 1;
    value = value * 2 + set;
  }
  return value;
}

/**
 * `%pGp` as v4.x prints it: only the names of the low NR_PAGEFLAGS bits, joined by `|` (nothing for none). The
 * page_owner record prints the raw value separately with `%#lx`.
 */
export function formatPageFlagsV4(lowFlags: number, table: PageFlagTable): string {
  const mask = table.count >= 32 ? 0xffffffff : 2 ** table.count - 1;
  return formatFlags(lowFlags & mask, table.names);
}

/**
 * `%pGp` as v5.17+ prints it (lib/vsprintf.c `format_page_flags`): the whole word in hex, then in parentheses the
 * flag names followed by the fields kept in page->flags (`section=`, `node=`, `zone=` in decimal,
 * `lastcpupid=` in hex), all joined by `|`.
 */
export function formatPageFlagsV6(word: PageFlagsWord, table: PageFlagTable, layout: PageFlagsLayout): string {
  const mask = 2 ** table.count - 1;
  const names = formatFlags(word.low & mask, table.names);
  const parts: string[] = names === '' ? [] : [names];
  if (layout.sectionBits > 0) parts.push(`section=${field(word, layout.sectionShift, layout.sectionBits)}`);
  if (layout.nodeBits > 0) parts.push(`node=${field(word, layout.nodeShift, layout.nodeBits)}`);
  if (layout.zoneBits > 0) parts.push(`zone=${field(word, layout.zoneShift, layout.zoneBits)}`);
  if (layout.lastCpupidBits > 0) {
    parts.push(`lastcpupid=0x${field(word, layout.lastCpupidShift, layout.lastCpupidBits).toString(16)}`);
  }
  return `${hexPageFlagsWord(word)}(${parts.join('|')})`;
}

/**
 * Where the section, node, zone and last_cpupid fields sit in the upper bits of page->flags
 * (include/linux/page-flags-layout.h). A width of 0 means the field is not kept in page->flags.
 */
export interface PageFlagsLayout {
  readonly bitsPerLong: 32 | 64;
  readonly sectionShift: number;
  readonly sectionBits: number;
  readonly nodeShift: number;
  readonly nodeBits: number;
  readonly zoneShift: number;
  readonly zoneBits: number;
  readonly lastCpupidShift: number;
  readonly lastCpupidBits: number;
}

/**
 * x86_64 v4.x distribution config (SPARSEMEM_VMEMMAP, NODES_SHIFT 10, 4 zones, NUMA balancing): node at 54, zone at
 * 52, last_cpupid (21 bits) at 31. Checked against the v4.6 page_owner example
 * `Flags 0xfffff8001006c(referenced|uptodate|lru|active|mappedtodisk)` for a DMA page of node 0.
 */
export const layoutX8664V4: PageFlagsLayout = {
  bitsPerLong: 64,
  sectionShift: 0,
  sectionBits: 0,
  nodeShift: 54,
  nodeBits: 10,
  zoneShift: 52,
  zoneBits: 2,
  lastCpupidShift: 31,
  lastCpupidBits: 21,
};

/**
 * x86_64 v6.x distribution config (ZONE_DEVICE makes 5 zones, so 3 zone bits): node at 54, zone at 51, last_cpupid
 * at 30, as in the familiar `0x17ffffc0000000(node=0|zone=2|lastcpupid=0x1fffff)`.
 */
export const layoutX8664V6: PageFlagsLayout = {
  bitsPerLong: 64,
  sectionShift: 0,
  sectionBits: 0,
  nodeShift: 54,
  nodeBits: 10,
  zoneShift: 51,
  zoneBits: 3,
  lastCpupidShift: 30,
  lastCpupidBits: 21,
};

/**
 * i386 without PAE (classic SPARSEMEM, MAX_PHYSMEM_BITS 32, SECTION_SIZE_BITS 26): the section number in the top 6
 * bits, the zone below it, no node and no last_cpupid.
 */
export const layoutI386: PageFlagsLayout = {
  bitsPerLong: 32,
  sectionShift: 26,
  sectionBits: 6,
  nodeShift: 0,
  nodeBits: 0,
  zoneShift: 24,
  zoneBits: 2,
  lastCpupidShift: 0,
  lastCpupidBits: 0,
};

/** The full page->flags word as two 32-bit halves (it can exceed 2^53, so it is not one JS number). */
export interface PageFlagsWord {
  readonly high: number;
  readonly low: number;
}

function place(word: { high: number; low: number }, value: number, shift: number, bits: number): void {
  if (bits === 0) return;
  for (let bit = 0; bit < bits; bit++) {
    if (Math.floor(value / 2 ** bit) % 2 === 0) continue;
    const position = shift + bit;
    if (position >= 32) word.high = (word.high | (1 << (position - 32))) >>> 0;
    else word.low = (word.low | (1 << position)) >>> 0;
  }
}

/**
 * Assembles page->flags from the low flag bits and the fields. `lastCpupid` defaults to all ones, the value
 * `page_cpupid_reset_last()` leaves on a page no NUMA hinting fault has touched.
 */
export function pageFlagsWord(
  layout: PageFlagsLayout,
  lowFlags: number,
  fields: { section: number; node: number; zone: number; lastCpupid?: number },
): PageFlagsWord {
  const word = { high: 0, low: lowFlags >>> 0 };
  place(word, fields.section, layout.sectionShift, layout.sectionBits);
  place(word, fields.node, layout.nodeShift, layout.nodeBits);
  place(word, fields.zone, layout.zoneShift, layout.zoneBits);
  const lastCpupid = fields.lastCpupid ?? 2 ** layout.lastCpupidBits - 1;
  place(word, lastCpupid, layout.lastCpupidShift, layout.lastCpupidBits);
  return word;
}

/** `%#lx` of a page->flags word: `0x` and lower-case hex without leading zeros (`0x0` for zero). */
export function hexPageFlagsWord(word: PageFlagsWord): string {
  if (word.high === 0) return `0x${word.low.toString(16)}`;
  return `0x${word.high.toString(16)}${word.low.toString(16).padStart(8, '0')}`;
}

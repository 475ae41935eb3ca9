import type { GfpTable } from './gfp';

const nameMaps = new WeakMap<GfpTable, Map<string, number>>();

function namesOf(table: GfpTable): Map<string, number> {
  let names = nameMaps.get(table);
  if (names === undefined) {
    names = new Map(table.names.map(({ name, mask }) => [name, mask]));
    nameMaps.set(table, names);
  }
  return names;
}

const HEX = /^0x[0-9a-f]+$/i;

/**
 * Parses a symbolic gfp mask as `%pGg` or the `mm_page_alloc` tracepoint print it (`GFP_KERNEL|__GFP_ZERO`,
 * `none`, `0x...` tails) back into its value. Returns undefined if a part is not a name of this era or hex.
 */
export function parseGfp(text: string, table: GfpTable): number | undefined {
  if (text === 'none' || text === '') return 0;
  const names = namesOf(table);
  let value = 0;
  for (const part of text.split('|')) {
    const mask = names.get(part);
    if (mask !== undefined) value |= mask;
    else if (HEX.test(part)) value |= Number.parseInt(part.slice(2), 16);
    else return undefined;
  }
  return value >>> 0;
}

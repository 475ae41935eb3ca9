/**
 * The @mm/physmem constants that the allocator's hot paths read, as members of a TypeScript enum: esbuild writes an
 * enum member into the bundle as its value, a literal. A constant imported from another package stays a module
 * binding, which V8 reads through a cell, with a hole check and a Smi check, at every use (it does not fold them):
 * on the order-0 free path that was 40 of 504 instructions a page (`bench/instruction-counts.ts`, free in
 * allocation order). hot-path-constants.test.ts checks each against @mm/physmem, whose values they are.
 */
export enum HotPath {
  /** `pageblock_order` (@mm/physmem `PAGEBLOCK_ORDER`). */
  PAGEBLOCK_ORDER = 9,
  /** `pageblock_nr_pages`. */
  PAGEBLOCK_NR_PAGES = 1 << PAGEBLOCK_ORDER,
  /** The migratetype bits of a pageblock's flags (@mm/physmem `PAGEBLOCK_MIGRATETYPE_MASK`). */
  PAGEBLOCK_MIGRATETYPE_MASK = 0x7,
  /** `MIGRATE_PCPTYPES`: the migratetypes that have per-CPU lists. */
  MIGRATE_PCPTYPES = 3,
  /** `MAX_PAGE_ORDER`. */
  MAX_PAGE_ORDER = 10,
  /** `NR_PAGE_ORDERS`. */
  NR_PAGE_ORDERS = 11,
  /** Shift of the order field in a page's flags word (@mm/physmem `ORDER_SHIFT`). */
  ORDER_SHIFT = 25,
  /** Mask of the order field after shifting. */
  ORDER_MASK = 0xf,
  /** Shift of the state field in a page's flags word. */
  STATE_SHIFT = 29,
  /** `PageState.buddy`. */
  STATE_BUDDY = 1,
  /** `PageState.pcp`. */
  STATE_PCP = 2,
  /** `PageState.guard`. */
  // biome-ignore lint/suspicious/noDuplicateEnumValues: the members are constants of different kinds, not alternatives.
  STATE_GUARD = 3,
  /** `PageState.tail`. */
  STATE_TAIL = 4,
  /** The state bits of a buddy block's head. */
  BUDDY_WORD = STATE_BUDDY << STATE_SHIFT,
  /** The state bits of a page on a per-CPU list. */
  PCP_WORD = STATE_PCP << STATE_SHIFT,
  /** The state bits of a guard block's head. */
  GUARD_WORD = STATE_GUARD << STATE_SHIFT,
  /** The flags word of a compound tail page. */
  TAIL_WORD = (STATE_TAIL << STATE_SHIFT) >>> 0,
  /** `CONFIG_PCP_BATCH_SCALE_MAX` default. */
  PCP_BATCH_SCALE_MAX = 5,
}

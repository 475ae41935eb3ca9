import {
  MAX_PAGE_ORDER,
  MIGRATE_PCPTYPES,
  NR_PAGE_ORDERS,
  ORDER_MASK,
  ORDER_SHIFT,
  PAGEBLOCK_MIGRATETYPE_MASK,
  PAGEBLOCK_NR_PAGES,
  PAGEBLOCK_ORDER,
  PageState,
  STATE_SHIFT,
} from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import { HotPath } from './hot-path-constants';

describe('HotPath', () => {
  it('has the values of the @mm/physmem constants it copies', () => {
    expect({
      PAGEBLOCK_ORDER: HotPath.PAGEBLOCK_ORDER,
      PAGEBLOCK_NR_PAGES: HotPath.PAGEBLOCK_NR_PAGES,
      PAGEBLOCK_MIGRATETYPE_MASK: HotPath.PAGEBLOCK_MIGRATETYPE_MASK,
      MIGRATE_PCPTYPES: HotPath.MIGRATE_PCPTYPES,
      MAX_PAGE_ORDER: HotPath.MAX_PAGE_ORDER,
      NR_PAGE_ORDERS: HotPath.NR_PAGE_ORDERS,
      ORDER_SHIFT: HotPath.ORDER_SHIFT,
      ORDER_MASK: HotPath.ORDER_MASK,
      STATE_SHIFT: HotPath.STATE_SHIFT,
      STATE_BUDDY: HotPath.STATE_BUDDY,
      STATE_PCP: HotPath.STATE_PCP,
      STATE_GUARD: HotPath.STATE_GUARD,
      STATE_TAIL: HotPath.STATE_TAIL,
      BUDDY_WORD: HotPath.BUDDY_WORD,
      PCP_WORD: HotPath.PCP_WORD,
      GUARD_WORD: HotPath.GUARD_WORD,
      TAIL_WORD: HotPath.TAIL_WORD,
    }).toEqual({
      PAGEBLOCK_ORDER,
      PAGEBLOCK_NR_PAGES,
      PAGEBLOCK_MIGRATETYPE_MASK,
      MIGRATE_PCPTYPES,
      MAX_PAGE_ORDER,
      NR_PAGE_ORDERS,
      ORDER_SHIFT,
      ORDER_MASK,
      STATE_SHIFT,
      STATE_BUDDY: PageState.buddy,
      STATE_PCP: PageState.pcp,
      STATE_GUARD: PageState.guard,
      STATE_TAIL: PageState.tail,
      BUDDY_WORD: PageState.buddy << STATE_SHIFT,
      PCP_WORD: PageState.pcp << STATE_SHIFT,
      GUARD_WORD: PageState.guard << STATE_SHIFT,
      TAIL_WORD: (PageState.tail << STATE_SHIFT) >>> 0,
    });
  });

  it('has CONFIG_PCP_BATCH_SCALE_MAX at its default', () => {
    // mm/Kconfig: config PCP_BATCH_SCALE_MAX, default 5.
    expect(HotPath.PCP_BATCH_SCALE_MAX).toBe(5);
  });
});

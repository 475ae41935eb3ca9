import { STATE_SHIFT } from '@mm/physmem';
import { PteBits, RMAP_CHUNK_PAGES, RMAP_CHUNK_SHIFT } from '@mm/vm';
import { describe, expect, it } from 'vitest';
import { WalkConstants } from './walk-constants';

describe('WalkConstants', () => {
  it('has the values of the constants it copies', () => {
    expect({
      STATE_SHIFT: WalkConstants.STATE_SHIFT,
      RMAP_CHUNK_PAGES: WalkConstants.RMAP_CHUNK_PAGES,
      RMAP_CHUNK_SHIFT: WalkConstants.RMAP_CHUNK_SHIFT,
      ACCESSED: WalkConstants.ACCESSED,
    }).toEqual({ STATE_SHIFT, RMAP_CHUNK_PAGES, RMAP_CHUNK_SHIFT, ACCESSED: PteBits.ACCESSED });
  });
});

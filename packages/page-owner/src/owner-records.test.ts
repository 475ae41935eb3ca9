import { getProfile, PhysicalMemory } from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import { InfoBits, makeInfo, OwnerRecords } from './owner-records';
import { ContextSlot, TaskContexts } from './task-contexts';

describe('OwnerRecords', () => {
  it('gives a v6.18 section its allocation contexts at its first record, and keeps free contexts a byte a page where pages were freed', () => {
    const memory = new PhysicalMemory({ memory: 2 ** 30, profile: getProfile('v6.18') });
    const contexts = new TaskContexts();
    const records = new OwnerRecords(memory, contexts);
    const sectionBytes = memory.pagesPerSection * 4;
    const unwritten = records.hostBytes();
    expect(unwritten).toBe(sectionBytes);

    const slots = records.writableAlloc(1)!;
    expect(slots).not.toBe(records.empty);
    expect(records.allocContext[1]).toBe(slots);
    // v6.18 keeps no info words: they come from the allocation contexts.
    expect(records.info[1]).toBeUndefined();
    expect(records.hostBytes()).toBe(unwritten + sectionBytes);

    // Frees of a section: one byte for each page of the 4096-page stretches freed in, and a palette.
    const pfn = memory.pagesPerSection + 100;
    const free = contexts.intern(7, 7, 'make', 2000, 12, 1);
    contexts.assignPages(records.freeContexts, pfn, 8, free);
    expect(records.freeContexts.get(pfn + 7)).toBe(free);
    expect(records.freeContexts.get(pfn + 8)).toBe(0);
    expect(contexts.handle(records.freeContexts.get(pfn))).toBe(12);
    const freedBytes = records.hostBytes() - unwritten - sectionBytes;
    expect(freedBytes).toBeGreaterThanOrEqual(4096);
    expect(freedBytes).toBeLessThan(4096 + 1024);
    // The other sections still share the zeros.
    expect(records.allocContext[0]).toBe(records.empty);
    expect(records.empty.every((value) => value === 0)).toBe(true);
  });

  it('releases the free contexts of a section that goes offline', () => {
    const memory = new PhysicalMemory({ memory: 2 ** 30, profile: getProfile('v6.18') });
    const contexts = new TaskContexts();
    const records = new OwnerRecords(memory, contexts);
    const pfn = 2 * memory.pagesPerSection;
    contexts.assignPages(records.freeContexts, pfn, 4, contexts.intern(7, 7, 'make', 2000, 12, 1));
    // A free in section 0, in another context (the last one made, which is kept even when no page holds it).
    contexts.assignPages(records.freeContexts, 0, 1, contexts.intern(8, 8, 'cc1', 3000, 13, 1));
    expect(contexts.live).toBe(2);
    const bytes = records.freeContexts.hostBytes();
    records.dropRange(pfn, memory.pagesPerSection);
    expect(records.has(2)).toBe(false);
    expect(records.freeContexts.get(pfn)).toBe(0);
    expect(contexts.live).toBe(1);
    // The section's chunk of free contexts is given back; section 0's stays.
    expect(records.freeContexts.hostBytes()).toBe(bytes / 2);
    expect(records.freeContexts.get(0)).not.toBe(0);
  });

  it("makes a v6.18 info word from the allocation context, its allocated bit and the section's migrate reasons", () => {
    const memory = new PhysicalMemory({ memory: 2 ** 30, profile: getProfile('v6.18') });
    const contexts = new TaskContexts();
    const records = new OwnerRecords(memory, contexts);
    const slots = records.writableAlloc(2)!;
    const info = makeInfo(records.gfpIndex(0xcc0), 3, -1, 0);
    const context = contexts.intern(5, 5, 'make', 1000, 11, 0, info);
    contexts.assign(slots, 0, 1, context | ContextSlot.ALLOCATED);
    contexts.assign(slots, 1, 1, context);
    expect(records.infoWord(2, 0)).toBe(
      makeInfo(records.gfpIndex(0xcc0), 3, -1, InfoBits.OWNER | InfoBits.OWNER_ALLOCATED),
    );
    // Freed: PAGE_EXT_OWNER stays, the record with it.
    expect(records.infoWord(2, 1)).toBe(makeInfo(records.gfpIndex(0xcc0), 3, -1, InfoBits.OWNER));
    expect(records.infoWord(2, 2)).toBe(0);
    expect(records.allocHandle(2, 0)).toBe(11);
    // A migrated page's reason comes from the section's reasons, made at its first migration.
    expect(records.reason[2]).toBeUndefined();
    records.writableReason(2)[0] = 4 + 1;
    expect(records.infoWord(2, 0)).toBe(
      makeInfo(records.gfpIndex(0xcc0), 3, 4, InfoBits.OWNER | InfoBits.OWNER_ALLOCATED),
    );
    expect(records.infoWord(2, 1)).toBe(makeInfo(records.gfpIndex(0xcc0), 3, -1, InfoBits.OWNER));
  });
});

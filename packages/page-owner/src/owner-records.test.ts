import { getProfile, PhysicalMemory } from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import { InfoBits, makeInfo, OwnerRecords } from './owner-records';
import { CONTEXT_ALLOCATED, TaskContexts } from './task-contexts';

describe('OwnerRecords', () => {
  it('gives a v6.18 section its allocation contexts at its first record, and its free contexts only at its first free', () => {
    const memory = new PhysicalMemory({ memory: 2 ** 30, profile: getProfile('v6.18') });
    const records = new OwnerRecords(memory, new TaskContexts());
    const sectionBytes = memory.pagesPerSection * 4;
    const unwritten = records.hostBytes();
    expect(unwritten).toBe(sectionBytes);

    const slots = records.writableAlloc(1)!;
    expect(slots).not.toBe(records.empty);
    expect(records.allocContext[1]).toBe(slots);
    // v6.18 keeps no info words: they come from the allocation contexts.
    expect(records.info[1]).toBeUndefined();
    // Read before any free: the shared zeros, no free context.
    expect(records.freeContext[1]).toBe(records.empty);
    expect(records.hostBytes()).toBe(unwritten + sectionBytes);

    const free = records.writableFree(1);
    expect(free).not.toBe(records.empty);
    expect(free.every((context) => context === 0)).toBe(true);
    expect(records.freeContext[1]).toBe(free);
    expect(records.writableFree(1)).toBe(free);
    expect(records.hostBytes()).toBe(unwritten + 2 * sectionBytes);
    // The other sections still share the zeros.
    expect(records.freeContext[0]).toBe(records.empty);
    expect(records.empty.every((value) => value === 0)).toBe(true);
  });

  it("makes a v6.18 info word from the allocation context, its allocated bit and the section's migrate reasons", () => {
    const memory = new PhysicalMemory({ memory: 2 ** 30, profile: getProfile('v6.18') });
    const contexts = new TaskContexts();
    const records = new OwnerRecords(memory, contexts);
    const slots = records.writableAlloc(2)!;
    const info = makeInfo(records.gfpIndex(0xcc0), 3, -1, 0);
    const context = contexts.intern(5, 5, 'make', 1000, 11, 0, info);
    contexts.assign(slots, 0, 1, context | CONTEXT_ALLOCATED);
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

import { getProfile, PhysicalMemory } from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import { OwnerRecords } from './owner-records';
import { TaskContexts } from './task-contexts';

describe('OwnerRecords', () => {
  it('gives a section its arrays at its first record, and its free contexts (v6.18) only at its first free', () => {
    const memory = new PhysicalMemory({ memory: 2 ** 30, profile: getProfile('v6.18') });
    const records = new OwnerRecords(memory, new TaskContexts());
    const sectionBytes = memory.pagesPerSection * 4;
    const unwritten = records.hostBytes();
    expect(unwritten).toBe(sectionBytes);

    const info = records.writable(1)!;
    expect(info).not.toBe(records.empty);
    expect(records.allocContext[1]).not.toBe(records.empty);
    // Read before any free: the shared zeros, no free context.
    expect(records.freeContext[1]).toBe(records.empty);
    expect(records.hostBytes()).toBe(unwritten + 2 * sectionBytes);

    const free = records.writableFree(1);
    expect(free).not.toBe(records.empty);
    expect(free.every((context) => context === 0)).toBe(true);
    expect(records.freeContext[1]).toBe(free);
    expect(records.writableFree(1)).toBe(free);
    expect(records.hostBytes()).toBe(unwritten + 3 * sectionBytes);
    // The other sections still share the zeros.
    expect(records.freeContext[0]).toBe(records.empty);
    expect(records.empty.every((value) => value === 0)).toBe(true);
  });
});

import { readFileSync } from 'node:fs';
import { BuddyAllocator } from '@mm/buddy';
import { createHookBus } from '@mm/hooks';
import { getProfile, KPF, PAGE_SIZE, PhysicalMemory, type ProfileName } from '@mm/physmem';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kpagecount, kpageEntries, kpageflags, MAX_RW_COUNT, readKpagecount, readKpageflags } from './proc-kpageflags';
import { formatMaps } from './proc-maps';
import { dumpPagemap, pagemapEntry, readPagemap } from './proc-pagemap';
import { Vm } from './vm';

const samples = new URL('../../../samples/', import.meta.url);
const sample = (name: string) => readFileSync(new URL(name, samples));

function machine(profile: ProfileName = 'v6.18') {
  const memory = new PhysicalMemory({ memory: 256 * 2 ** 20, profile: getProfile(profile) });
  const hooks = createHookBus();
  const buddy = new BuddyAllocator(memory, hooks);
  buddy.freeAllMemory();
  return { memory, buddy, vm: new Vm({ memory, buddy, hooks }) };
}

/** The sample process's first mappings: python's binary, the heap, a tmpfs file and shared anonymous memory. */
function sampleProcess(vm: Vm) {
  const task = vm.createProcess('python3');
  const python = vm.createFile('/usr/local/bin/python3.11', 4, { inode: 26723 });
  const shm = vm.createFile('/dev/shm/pm_file.bin', 16, { shmem: true, inode: 100045 });
  const segments = [
    { at: 0x55be7ee8b000, offset: 0, write: false, exec: false },
    { at: 0x55be7ee8c000, offset: 1, write: false, exec: true },
    { at: 0x55be7ee8d000, offset: 2, write: false, exec: false },
    { at: 0x55be7ee8e000, offset: 2, write: false, exec: false },
    { at: 0x55be7ee8f000, offset: 3, write: true, exec: false },
  ];
  for (const { at, offset, write, exec } of segments) {
    vm.mmap(task, { pages: 1, file: python, offset, write, exec, address: at });
  }
  vm.mmap(task, { pages: 0x18f, address: 0x55bebe9da000, name: '[heap]' });
  const file = vm.mmap(task, { pages: 16, file: shm, shared: true, address: 0x7f3f69c14000 });
  const zero = vm.mmap(task, { pages: 64, shared: true, address: 0x7f3f69c24000 });
  const anon = vm.mmap(task, { pages: 307, address: 0x7f3f69c64000 });
  return { task, file, zero, anon };
}

describe('/proc/PID/maps', () => {
  it('prints the lines of the real 6.18 sample byte for byte', () => {
    const { vm } = machine();
    const { task } = sampleProcess(vm);
    const expected = sample('maps-6.18.txt').toString().split('\n').slice(0, 9).join('\n');
    expect(formatMaps(task)).toBe(`${expected}\n`);
  });
});

describe('/proc/PID/pagemap', () => {
  it('matches the sample: every second page of shared anonymous memory, every third of a tmpfs file', () => {
    const { vm } = machine();
    const { task, file, zero } = sampleProcess(vm);
    for (let page = 0; page < 64; page += 2) vm.touch(task, zero + page * PAGE_SIZE, true);
    for (let page = 0; page < 16; page += 3) vm.touch(task, file + page * PAGE_SIZE, true);
    const real = sample('pagemap-6.18.bin');
    const { entries, index } = dumpPagemap(vm, task);
    const offsets = new Map(
      [...index.matchAll(/^([0-9a-f]+)-[0-9a-f]+ .* offset=(\d+) entries=\d+$/gm)].map((match) => [
        match[1],
        Number(match[2]),
      ]),
    );
    const flagsOf = (bytes: Uint8Array, at: number) => Buffer.from(bytes).readBigUInt64LE(at) >> 55n;
    const pfnOf = (bytes: Uint8Array, at: number) => Buffer.from(bytes).readBigUInt64LE(at) & ((1n << 55n) - 1n);
    for (const [start, realOffset, pages] of [
      ['7f3f69c14000', 3232, 16],
      ['7f3f69c24000', 3360, 64],
    ] as const) {
      const ours = offsets.get(start)!;
      for (let page = 0; page < pages; page++) {
        expect(flagsOf(entries, ours + page * 8)).toBe(flagsOf(real, realOffset + page * 8));
        expect(pfnOf(entries, ours + page * 8) === 0n).toBe(pfnOf(real, realOffset + page * 8) === 0n);
      }
    }
  });

  it('reads entries at 8 * vpn: present, file, exclusive and the pfn; zero without CAP_SYS_ADMIN; EINVAL', () => {
    const { vm } = machine();
    const task = vm.createProcess('app');
    const file = vm.createFile('/data', 2);
    const anon = vm.mmap(task, { pages: 2 });
    const mapped = vm.mmap(task, { pages: 2, file, shared: true });
    const other = vm.createProcess('other');
    const otherAt = vm.mmap(other, { pages: 2, file, shared: true });
    const anonPfn = vm.touch(task, anon);
    const filePfn = vm.touch(task, mapped + PAGE_SIZE);
    vm.touch(other, otherAt + PAGE_SIZE);
    const read = (position: number, privileged = true) => {
      const bytes = readPagemap(vm, task, position, 8, privileged);
      if ('errno' in bytes) throw new Error(bytes.errno);
      return Buffer.from(bytes).readBigUInt64LE(0);
    };
    const at = (address: number) => (address / PAGE_SIZE) * 8;
    expect(read(at(anon))).toBe((1n << 63n) | (1n << 56n) | BigInt(anonPfn));
    expect(read(at(anon + PAGE_SIZE))).toBe(0n);
    // Mapped by two processes: not exclusive.
    expect(read(at(mapped + PAGE_SIZE))).toBe((1n << 63n) | (1n << 61n) | BigInt(filePfn));
    expect(read(at(anon), false)).toBe((1n << 63n) | (1n << 56n));
    expect(read(at(anon + 2 * PAGE_SIZE))).toBe(0n);
    expect(readPagemap(vm, task, 4, 8)).toEqual({ errno: 'EINVAL' });
    expect(readPagemap(vm, task, 8, 12)).toEqual({ errno: 'EINVAL' });
    expect(readPagemap(vm, task, (0x7ffffffff000 / PAGE_SIZE) * 8, 64)).toHaveLength(0);
  });
});

describe('/proc/kpageflags and /proc/kpagecount', () => {
  const has = (flags: [number, number], ...bits: number[]) =>
    bits.every((bit) => (bit >= 32 ? flags[0] & (1 << (bit - 32)) : flags[1] & (1 << bit)) !== 0);

  it.each(['v4.8', 'v6.18'] as const)(
    '%s: derives the flags of free, anonymous, file and page table pages',
    (profile) => {
      const { vm, memory, buddy } = machine(profile);
      const task = vm.createProcess('app');
      const file = vm.createFile('/data', 1);
      const anon = vm.touch(task, vm.mmap(task, { pages: 1 }), true);
      vm.readFile(task, file, 0, 1);
      const cached = file.cachedPfn(0);
      const table = [...task.mm.pageTables.values()][0]!;
      expect(has(kpageflags(vm, anon), KPF.MMAP, KPF.ANON, KPF.LRU, KPF.SWAPBACKED, KPF.UPTODATE)).toBe(true);
      expect(has(kpageflags(vm, anon), KPF.ACTIVE)).toBe(profile === 'v4.8');
      expect(kpageflags(vm, cached)).toEqual([0, (1 << KPF.LRU) | (1 << KPF.UPTODATE) | (1 << KPF.REFERENCED)]);
      expect(has(kpageflags(vm, table), KPF.PGTABLE)).toBe(profile === 'v6.18');
      expect(kpagecount(vm, anon)).toBe(1);
      expect(kpagecount(vm, cached)).toBe(0);
      // Free memory: a free block's head and the pages inside it are BUDDY; beyond max_pfn, NOPAGE.
      let free = -1;
      buddy.forEachFreeBlock(buddy.zones.find((zone) => zone.freePages > 0)!, (pfn, order) => {
        if (order > 0 && free < 0) free = pfn;
      });
      expect(kpageflags(vm, free)).toEqual([0, 1 << KPF.BUDDY]);
      expect(kpageflags(vm, free + 1)).toEqual([0, 1 << KPF.BUDDY]);
      // v4.8 kpagecount_read() writes page_mapcount() of a PageBuddy head as it is: _mapcount -128, plus one.
      const count = Buffer.from(readKpagecount(vm, free * 8, 16) as Uint8Array);
      expect(count.readBigUInt64LE(0)).toBe(profile === 'v4.8' ? 2n ** 64n - 127n : 0n);
      expect(count.readBigUInt64LE(8)).toBe(0n);
      expect(kpageflags(vm, memory.maxPfn)).toEqual([0, profile === 'v4.8' ? 1 << KPF.NOPAGE : 0]);
      if (profile === 'v6.18') expect(has(kpageflags(vm, anon), KPF.OWNER_2)).toBe(true); // PG_anon_exclusive
      // Reserved pages (the kernel image) carry KPF_RESERVED.
      const reserved = memory.memblockReserved.find((region) => region.owner === 'kernel image')!.start;
      expect(has(kpageflags(vm, reserved), KPF.RESERVED)).toBe(true);
    },
  );

  it('reads whole files of little-endian u64 per pfn, with EINVAL for unaligned requests', () => {
    const { vm, memory } = machine();
    const task = vm.createProcess('app');
    const anon = vm.touch(task, vm.mmap(task, { pages: 1 }));
    const flags = readKpageflags(vm, 0, kpageEntries(vm) * 8 + 64) as Uint8Array;
    expect(flags).toHaveLength(kpageEntries(vm) * 8);
    expect(kpageEntries(vm)).toBe(Math.ceil(memory.maxPfn / memory.pagesPerSection) * memory.pagesPerSection);
    const view = Buffer.from(flags);
    expect(view.readUInt32LE(anon * 8)).toBe(kpageflags(vm, anon)[1]);
    const counts = Buffer.from(readKpagecount(vm, anon * 8, 8) as Uint8Array);
    expect(counts.readBigUInt64LE(0)).toBe(1n);
    expect(readKpageflags(vm, 3, 8)).toEqual({ errno: 'EINVAL' });
    expect(readKpagecount(vm, kpageEntries(vm) * 8, 8)).toHaveLength(0);
  });
});

describe('/proc/kpageflags over free memory', () => {
  it('gives, from any position, what kpageflags() and kpagecount() give page by page (a walk reads a page a free block)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('v4.8', 'v6.18') as fc.Arbitrary<ProfileName>,
        fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 9 })), { maxLength: 300 }),
        fc.nat(),
        fc.nat(),
        (profile, operations, start, count) => {
          const { vm, memory, buddy } = machine(profile);
          const gfp = memory.profile.gfp.flags.GFP_KERNEL;
          // Allocations of mixed orders (whose tail pages have no reference), some freed again, the per-CPU lists
          // drained now and then: split free blocks, pages on per-CPU lists, free blocks next to allocated ones.
          const live: [number, number][] = [];
          for (const [order, action] of operations) {
            const pfn = buddy.allocPages(gfp, order);
            if (pfn >= 0) live.push([pfn, order]);
            if (action < 4 && live.length > 0) buddy.freePages(...live.splice((start + action) % live.length, 1)[0]!);
            if (action === 9) buddy.drainAllPages();
          }
          const entries = kpageEntries(vm);
          const first = start % entries;
          const pages = Math.min(1 + (count % 4096), entries - first);
          const words = new Uint32Array((readKpageflags(vm, first * 8, pages * 8) as Uint8Array).slice().buffer);
          const counts = new Uint32Array((readKpagecount(vm, first * 8, pages * 8) as Uint8Array).slice().buffer);
          for (let index = 0; index < pages; index++) {
            const [high, low] = kpageflags(vm, first + index);
            if (words[index * 2] !== low || words[index * 2 + 1] !== high) {
              throw new Error(
                `pfn ${first + index}: read ${words[index * 2]}/${words[index * 2 + 1]}, page ${low}/${high}`,
              );
            }
            const count = kpagecount(vm, first + index);
            if (counts[index * 2] !== count >>> 0 || counts[index * 2 + 1] !== (count < 0 ? 0xffffffff : 0)) {
              throw new Error(`pfn ${first + index}: count read ${counts[index * 2]}, page ${count}`);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('fuzzing the reads of /proc/kpageflags, /proc/kpagecount and /proc/PID/pagemap', () => {
  /** Offsets of any kind: whole entries near the ends, and what read() could never be given (NaN, fractions...). */
  const offset = (ends: readonly number[]) =>
    fc.oneof(
      fc.constantFrom(...ends).chain((end) => fc.integer({ min: -64, max: 64 }).map((entries) => end + entries * 8)),
      fc.nat(1 << 24),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -8, 0.5, 8.5, 2 ** 53, 2 ** 80),
      fc.double(),
    );
  /** Whether read() could be given `value` (a whole multiple of 8, not negative): the others are EINVAL. */
  const valid = (value: number) => Number.isFinite(value) && value >= 0 && value % 8 === 0;

  it('answers thousands of reads with EINVAL or whole entries, never more than asked, MAX_RW_COUNT or the file', () => {
    const { vm } = machine();
    const task = vm.createProcess('app');
    const anon = vm.mmap(task, { pages: 64 });
    for (let page = 0; page < 64; page += 3) vm.touch(task, anon + page * PAGE_SIZE, true);
    const entries = kpageEntries(vm);
    const fileEnd = entries * 8;
    fc.assert(
      fc.property(
        offset([0, fileEnd]),
        fc.oneof(offset([0, 64]), fc.constantFrom(MAX_RW_COUNT + 8, 2 ** 40)),
        fc.boolean(),
        (position, length, flags) => {
          // A valid read far from the end asks for what it asks for (a few µs a pfn): keep those small.
          if (valid(position) && valid(length) && position < fileEnd - 4096 && length > 4096) return;
          const read = flags ? readKpageflags : readKpagecount;
          const bytes = read(vm, position, length);
          if (!valid(position) || !valid(length)) {
            expect(bytes).toEqual({ errno: 'EINVAL' });
            return;
          }
          if ('errno' in bytes) throw new Error(`EINVAL for ${position}, ${length}`);
          expect(bytes.length).toBe(Math.max(0, Math.min(length, MAX_RW_COUNT, fileEnd - position)));
          // Each entry is the pfn's own.
          const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          let wrong: number | undefined;
          for (let at = 0; at < bytes.length; at += 8 * 97) {
            const pfn = position / 8 + at / 8;
            const [high, low] = flags ? kpageflags(vm, pfn) : [0, kpagecount(vm, pfn)];
            if (view.readUInt32LE(at + 4) !== high || view.readUInt32LE(at) !== low) wrong ??= pfn;
          }
          expect(wrong).toBeUndefined();
        },
      ),
      { numRuns: 3000, seed: 16 },
    );
    // The task's pagemap: reads near its mappings and near the end of the address space (TASK_SIZE).
    const taskEnd = (0x7ffffffff000 / PAGE_SIZE) * 8;
    const vmaAt = (anon / PAGE_SIZE) * 8;
    const vma = task.mm.vmas[0]!;
    fc.assert(
      fc.property(
        offset([0, vmaAt, taskEnd]),
        fc.oneof(fc.nat(1 << 16), offset([0, 512])),
        fc.boolean(),
        (position, length, privileged) => {
          // A valid read far from the end asks for what it asks for: keep those small.
          if (valid(position) && valid(length) && position < taskEnd - (1 << 20) && length > 1 << 16) return;
          const bytes = readPagemap(vm, task, position, length, privileged);
          if (!valid(position) || !valid(length)) {
            expect(bytes).toEqual({ errno: 'EINVAL' });
            return;
          }
          if ('errno' in bytes) throw new Error(`EINVAL for ${position}, ${length}`);
          expect(bytes.length).toBe(Math.max(0, Math.min(length, MAX_RW_COUNT, taskEnd - position)));
          const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          let wrong: number | undefined;
          for (let at = 0; at < bytes.length; at += 8) {
            const vpn = position / 8 + at / 8;
            const inside = vpn >= vma.start && vpn < vma.end;
            const [high, low] = inside ? pagemapEntry(vm, vma, vpn - vma.start, privileged) : [0, 0];
            if (view.readUInt32LE(at + 4) !== high || view.readUInt32LE(at) !== low) wrong ??= vpn;
          }
          expect(wrong).toBeUndefined();
        },
      ),
      { numRuns: 3000, seed: 16 },
    );
  });
});

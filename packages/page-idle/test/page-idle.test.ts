import { boot, type Kernel } from '@mm/kernel';
import { migrate } from '@mm/migrate';
import { PAGE_SIZE, type ProfileName } from '@mm/physmem';
import { PteBits } from '@mm/vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idlePfns, markIdle, type PageIdle, pageIdle } from '../src/index';

const profiles = ['v4.8', 'v6.18'] as const;

/** A machine whose max_pfn is not a multiple of 64 (5 pages past 256 MiB). */
function bootOdd(profile: ProfileName, arch: 'x86_64' | 'i386' = 'x86_64'): Kernel {
  return boot({ memory: 256 * 2 ** 20 + 5 * PAGE_SIZE, profile, arch, features: [pageIdle()] });
}

/** Little-endian u64 words of the bitmap as bigints. */
function words(bytes: Uint8Array): bigint[] {
  const view = Buffer.from(bytes);
  return Array.from({ length: bytes.length / 8 }, (_, index) => view.readBigUInt64LE(index * 8));
}

/** One bitmap word with the bits of these pfns (all in word pfn / 64). */
function word(...pfns: number[]): Uint8Array {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(pfns.reduce((value, pfn) => value | (1n << BigInt(pfn % 64)), 0n));
  return bytes;
}

function bitOf(idle: PageIdle, pfn: number): boolean {
  const bytes = idle.readBitmap(Math.floor(pfn / 64) * 8, 8) as Uint8Array;
  return ((words(bytes)[0]! >> BigInt(pfn % 64)) & 1n) === 1n;
}

/** A process with `pages` anonymous pages faulted in; their pfns. */
function anonProcess(kernel: Kernel, pages: number, comm = 'app') {
  const { vm } = kernel;
  const task = vm.createProcess(comm);
  const start = vm.mmap(task, { pages });
  const pfns = Array.from({ length: pages }, (_, page) => vm.touch(task, start + page * PAGE_SIZE));
  return { task, start, pfns };
}

describe.each(profiles)('%s: the page_idle bitmap file', (profile) => {
  it('sets and reads back Idle at bit pfn % 64 of word pfn / 64; an access clears it and sets Young', () => {
    const kernel = bootOdd(profile);
    const idle = kernel.feature(pageIdle)!;
    const { task, start, pfns } = anonProcess(kernel, 3);
    const pfn = pfns[1]!;
    expect(idle.writeBitmap(Math.floor(pfn / 64) * 8, word(pfn))).toBe(8);
    expect(idle.flags.isIdle(pfn)).toBe(true);
    // Setting the bit consumed the fault's accessed bit: Young keeps it for reclaim.
    expect(idle.flags.isYoung(pfn)).toBe(true);
    expect(bitOf(idle, pfn)).toBe(true);
    expect(kernel.vm.touch(task, start + PAGE_SIZE)).toBe(pfn);
    expect(bitOf(idle, pfn)).toBe(false);
    expect(idle.flags.isIdle(pfn)).toBe(false);
  });

  it('ORs writes in: a zero bit never clears Idle', () => {
    const kernel = bootOdd(profile);
    const idle = kernel.feature(pageIdle)!;
    const { pfns } = anonProcess(kernel, 1);
    const pfn = pfns[0]!;
    idle.writeBitmap(Math.floor(pfn / 64) * 8, word(pfn));
    expect(idle.writeBitmap(Math.floor(pfn / 64) * 8, new Uint8Array(8))).toBe(8);
    expect(bitOf(idle, pfn)).toBe(true);
  });

  it('returns EINVAL unless position and length are multiples of 8', () => {
    const idle = bootOdd(profile).feature(pageIdle)!;
    expect(idle.readBitmap(4, 8)).toEqual({ errno: 'EINVAL' });
    expect(idle.readBitmap(8, 12)).toEqual({ errno: 'EINVAL' });
    expect(idle.writeBitmap(4, new Uint8Array(8))).toEqual({ errno: 'EINVAL' });
    expect(idle.writeBitmap(8, new Uint8Array(3))).toEqual({ errno: 'EINVAL' });
  });

  it('reads end of file and refuses writes (ENXIO) at max_pfn and past it', () => {
    const kernel = bootOdd(profile);
    const idle = kernel.feature(pageIdle)!;
    const { maxPfn } = kernel.memory;
    const last = Math.ceil(maxPfn / 64) * 8; // the byte after the last (partial) word
    expect(idle.readBitmap(last, 8)).toHaveLength(0);
    expect(idle.readBitmap(last + 4096, 8)).toHaveLength(0);
    expect(idle.writeBitmap(last, new Uint8Array(8))).toEqual({ errno: 'ENXIO' });
  });

  it(`${profile === 'v4.8' ? 'rounds the partial last word up' : 'drops the partial last word'} (max_pfn % 64 = 5)`, () => {
    const kernel = bootOdd(profile);
    const idle = kernel.feature(pageIdle)!;
    const { maxPfn } = kernel.memory;
    expect(maxPfn % 64).toBe(5);
    const lastWord = Math.floor(maxPfn / 64) * 8;
    const read = idle.readBitmap(lastWord - 8, 32) as Uint8Array;
    const written = idle.writeBitmap(lastWord - 8, new Uint8Array(32).fill(0xff));
    if (profile === 'v4.8') {
      expect(read).toHaveLength(16);
      expect(written).toBe(16);
    } else {
      expect(read).toHaveLength(8);
      expect(written).toBe(8);
      // The next read starts in the partial word and finds nothing whole.
      expect(idle.readBitmap(lastWord, 8)).toHaveLength(0);
    }
    // The whole file, as cat reads it.
    expect(idle.readWholeBitmap()).toHaveLength(profile === 'v4.8' ? lastWord + 8 : lastWord);
  });

  it('reads its file a read at a time, the reads making up the whole bitmap, and writes it so', () => {
    const kernel = bootOdd(profile);
    const idle = kernel.feature(pageIdle)!;
    const { pfns } = anonProcess(kernel, 8);
    idle.writeBitmap(0, new Uint8Array(Math.ceil(kernel.memory.maxPfn / 64) * 8).fill(0xff));
    const whole = Buffer.from(idle.readWholeBitmap());
    // 256 MiB is 8 KiB of bitmap: 1 KiB reads take eight (and a ninth finds the end, or the last part of a word).
    const chunks: Uint8Array[] = [];
    expect(idle.readBitmapChunks((chunk) => chunks.push(chunk), 1024)).toBe(whole.length);
    expect(chunks.slice(0, 8).map((chunk) => chunk.length)).toEqual(Array(8).fill(1024));
    expect(Buffer.concat(chunks)).toEqual(whole);
    // The file is written a 1 MiB read at a time: here one.
    const file = kernel.files().find((candidate) => candidate.path === 'sys/kernel/mm/page_idle/bitmap')!;
    const written: Uint8Array[] = [];
    file.read((chunk) => written.push(chunk as Uint8Array));
    expect(written).toHaveLength(1);
    expect(Buffer.from(written[0]!)).toEqual(whole);
    const idlePages: number[] = [];
    words(whole).forEach((value, index) => {
      for (let bit = 0n; bit < 64n; bit++) if ((value >> bit) & 1n) idlePages.push(index * 64 + Number(bit));
    });
    expect(idlePages).toEqual([...pfns].sort((a, b) => a - b));
  });

  it('never shows slab, page table, free, reserved or page cache pages that are not on an LRU as idle', () => {
    const kernel = bootOdd(profile);
    const idle = kernel.feature(pageIdle)!;
    const { pfns } = anonProcess(kernel, 8);
    const everything = new Uint8Array(Math.ceil(kernel.memory.maxPfn / 64) * 8).fill(0xff);
    idle.writeBitmap(0, everything);
    const idlePages: number[] = [];
    words(idle.readWholeBitmap()).forEach((value, index) => {
      for (let bit = 0n; bit < 64n; bit++) if ((value >> bit) & 1n) idlePages.push(index * 64 + Number(bit));
    });
    // Only the process's pages are tracked; everything else (kernel, slab, page tables, free) reads 0.
    expect(idlePages).toEqual([...pfns].sort((a, b) => a - b));
  });

  it('follows a mapping that changed between reads: its entries moved when its first page was unmapped', () => {
    const kernel = bootOdd(profile);
    const idle = kernel.feature(pageIdle)!;
    const { task, start, pfns } = anonProcess(kernel, 16);
    const everything = new Uint8Array(Math.ceil(kernel.memory.maxPfn / 64) * 8).fill(0xff);
    idle.writeBitmap(0, everything);
    // munmap() of the first page: the mapping keeps its id, with new entry arrays and its pages renumbered.
    kernel.vm.munmap(task, start, 1);
    kernel.vm.touch(task, start + 5 * PAGE_SIZE);
    expect(bitOf(idle, pfns[5]!)).toBe(false);
    expect(bitOf(idle, pfns[6]!)).toBe(true);
  });

  it('does not follow a reverse map entry to a page table entry that maps another page', () => {
    const kernel = bootOdd(profile);
    const idle = kernel.feature(pageIdle)!;
    const { pfns } = anonProcess(kernel, 2);
    const [first, second] = pfns as [number, number];
    const mapping = kernel.vm.rmap.mappingOf(first);
    const entries = kernel.vm.vma(-mapping)!;
    // The first page's reverse map says the second's entry (page_vma_mapped_walk() checks the entry's pfn).
    kernel.vm.rmap.set(first, mapping, kernel.vm.rmap.indexOf(second));
    idle.writeBitmap(Math.floor(first / 64) * 8, word(first));
    expect(entries.bits[kernel.vm.rmap.indexOf(second)]! & PteBits.ACCESSED).toBe(PteBits.ACCESSED);
  });

  it('never tracks a free page whose free-list number has the PG_lru bit (a per-CPU list of a high CPU)', () => {
    // A free page's flags word holds the list it is on where the page flags were: on some CPUs' per-CPU lists, that
    // number has PG_lru's bit. The walk tells such a page by its state, not by that bit.
    const kernel = boot({ memory: '512M', profile, cpus: 16, features: [pageIdle()] });
    const idle = kernel.feature(pageIdle)!;
    const lru = 1 << kernel.profile.pageFlags.bit.lru;
    const freed: number[] = [];
    for (let cpu = 0; cpu < 16; cpu++) {
      kernel.memory.current.cpu = cpu;
      const { task, pfns } = anonProcess(kernel, 8, `app${cpu}`);
      kernel.vm.exit(task);
      freed.push(...pfns);
    }
    const lookalikes = freed.filter((pfn) => (kernel.memory.pageWord(pfn) & lru) !== 0);
    expect(lookalikes.length).toBeGreaterThan(0);
    const before = lookalikes.map((pfn) => kernel.memory.pageWord(pfn));
    const everything = new Uint8Array(Math.ceil(kernel.memory.maxPfn / 64) * 8).fill(0xff);
    expect(idle.writeBitmap(0, everything)).toBe(everything.length);
    expect(lookalikes.map((pfn) => kernel.memory.pageWord(pfn))).toEqual(before);
    expect(lookalikes.filter((pfn) => bitOf(idle, pfn))).toEqual([]);
  });

  it('estimates exactly: idle = the pages nobody touched, for anonymous, file and shared pages of several processes', () => {
    const kernel = bootOdd(profile);
    const { vm } = kernel;
    const bitmap = kernel.feature(pageIdle)!.bitmapFile();
    const file = vm.createFile('/var/data', 32);
    const shm = vm.createFile('/dev/shm/seg', 16, { shmem: true });
    const processes = ['a', 'b', 'c'].map((comm) => {
      const task = vm.createProcess(comm);
      const addresses = [
        ...range(vm.mmap(task, { pages: 24 }), 24),
        ...range(vm.mmap(task, { pages: 32, file }), 32),
        ...range(vm.mmap(task, { pages: 16, file: shm, shared: true }), 16),
      ];
      for (const address of addresses) vm.touch(task, address);
      return { task, addresses, pfns: addresses.map((address) => vm.translate(task, address)) };
    });
    for (const { pfns } of processes) markIdle(bitmap, pfns);
    const touched = new Set<number>();
    processes.forEach(({ task, addresses }, index) => {
      addresses.forEach((address, page) => {
        if ((page + index) % 3 === 0) touched.add(vm.touch(task, address, page % 2 === 0));
      });
    });
    // A read() of a file page counts too (mark_page_accessed).
    vm.readFile(processes[0]!.task, file, 31, 1);
    touched.add(file.cachedPfn(31));
    for (const { pfns } of processes) {
      const unique = [...new Set(pfns)];
      const idle = idlePfns(bitmap, unique);
      expect(idle.length).toBe(unique.filter((pfn) => !touched.has(pfn)).length);
      expect(idle.every((pfn) => !touched.has(pfn))).toBe(true);
    }
  });

  it('keeps Young and Idle across migration and THP split', () => {
    const kernel = boot({ memory: '256M', profile, features: [pageIdle(), migrate()] });
    const { flags } = kernel.feature(pageIdle)!;
    const { task, start, pfns } = anonProcess(kernel, 1);
    flags.setIdle(pfns[0]!);
    flags.setYoung(pfns[0]!);
    const { migration } = kernel.feature(migrate)!;
    expect(migration.migratePages([pfns[0]!], migration.reason('compaction'))).toBe(1);
    const target = kernel.vm.translate(task, start);
    expect(target).not.toBe(pfns[0]);
    expect([flags.isIdle(target), flags.isYoung(target)]).toEqual([true, true]);
    const huge = kernel.buddy.allocPages(kernel.profile.gfp.flags.GFP_HIGHUSER_MOVABLE, 2);
    flags.setIdle(huge);
    kernel.hooks.thp_split.call(huge, 2);
    expect([1, 2, 3].map((tail) => flags.isIdle(huge + tail))).toEqual([true, true, true]);
    expect(flags.isYoung(huge + 1)).toBe(false);
  });
});

describe('32-bit: the flags live in page_ext', () => {
  it.each(profiles)('%s: page_ext is allocated for page_idle alone, and the bitmap works through it', (profile) => {
    const kernel = bootOdd(profile, 'i386');
    expect(kernel.feature(pageIdle)!.inPageExt).toBe(true);
    expect(kernel.pageExt).toBeDefined();
    expect(kernel.dmesg()).toMatch(/allocated \d+ bytes of page_ext/);
    const { task, start, pfns } = anonProcess(kernel, 2);
    const pfn = pfns[0]!;
    const idle = kernel.feature(pageIdle)!;
    idle.writeBitmap(Math.floor(pfn / 64) * 8, word(pfn));
    expect(bitOf(idle, pfn)).toBe(true);
    // The page flags word has no idle bit on 32-bit; page_ext holds it.
    expect(kernel.profile.pageFlags.bit.idle).toBe(-1);
    kernel.vm.touch(task, start);
    expect(bitOf(idle, pfn)).toBe(false);
    // 64-bit needs no page_ext for it.
    expect(bootOdd(profile).pageExt).toBeUndefined();
  });
});

describe('reclaim is not misled by idle scans (property)', () => {
  it.each(profiles)('%s: page_referenced answers the same with and without idle scans interleaved', (profile) => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('touch' as const), task: fc.nat(1), page: fc.nat(15) }),
            fc.record({ op: fc.constant('referenced' as const), page: fc.nat(15) }),
            fc.record({ op: fc.constant('scan' as const) }),
          ),
          { maxLength: 80 },
        ),
        (ops) => {
          const run = (scans: boolean) => {
            const kernel = boot({ memory: '128M', profile, features: [pageIdle()] });
            const { vm } = kernel;
            const file = vm.createFile('/shared', 8);
            const tasks = [vm.createProcess('a'), vm.createProcess('b')];
            // 8 private pages each, and 8 file pages both map: shared pages have two mappings.
            const addresses = tasks.map((task) => [
              ...range(vm.mmap(task, { pages: 8 }), 8),
              ...range(vm.mmap(task, { pages: 8, file, shared: true }), 8),
            ]);
            addresses.forEach((list, index) => {
              for (const address of list) vm.touch(tasks[index]!, address);
            });
            const pfnOf = (page: number) => vm.translate(tasks[0]!, addresses[0]![page]!);
            const answers: boolean[] = [];
            const counts: number[] = [];
            for (const op of ops) {
              if (op.op === 'touch') vm.touch(tasks[op.task]!, addresses[op.task]![op.page]!);
              else if (op.op === 'referenced') {
                const referenced = vm.pageReferenced(pfnOf(op.page));
                answers.push(referenced > 0);
                // Pages mapped once: the count is exact too. (A shared page's accesses fold into one Young.)
                if (op.page < 8) counts.push(referenced);
              } else if (scans) {
                const pfns = tasks.flatMap((task, index) =>
                  addresses[index]!.map((address) => vm.translate(task, address)),
                );
                markIdle(kernel.feature(pageIdle)!.bitmapFile(), pfns);
                idlePfns(kernel.feature(pageIdle)!.bitmapFile(), pfns);
              }
            }
            return { answers, counts };
          };
          expect(run(true)).toEqual(run(false));
        },
      ),
      { numRuns: 40, seed: 11 },
    );
  });
});

function range(start: number, pages: number): number[] {
  return Array.from({ length: pages }, (_, page) => start + page * PAGE_SIZE);
}

import { boot, type Kernel } from '@mm/kernel';
import type { ProfileName } from '@mm/physmem';
import { stackDepot } from '@mm/stackdepot';
import { describe, expect, it } from 'vitest';
import { expectGolden } from '../../../tools/expect-golden';
import { pageCacheReadPaths } from '../../../tools/kernel-read-paths';
import {
  dumpPageOwner,
  dumpPageOwnerLines,
  formatShowStacks,
  PageOwnerFile,
  pageOwner,
  RecordFormatter,
  writeCountThreshold,
} from '../src/index';

const fixtures = new URL('./__fixtures__/', import.meta.url);
const eras = ['v4.7', 'v4.8', 'v6.18'] as const;

/** A page cache read, as each era's kernel calls the allocator. */
const readPath: Record<ProfileName, readonly string[]> = {
  'v4.7': pageCacheReadPaths.v4,
  'v4.8': pageCacheReadPaths.v4,
  'v6.18': pageCacheReadPaths.v6,
};

function bootSmall(profile: ProfileName, cmdline = 'page_owner=on'): Kernel {
  return boot({ memory: '512M', profile, cmdline, cpus: 1, features: [pageOwner()] });
}

/** Runs `body` with `frames` on the simulated kernel call stack. */
function withFrames<T>(kernel: Kernel, frames: readonly string[], body: () => T): T {
  const { stack, text } = kernel;
  const depth = stack.depth;
  stack.pushAll(text.sites(frames));
  try {
    return body();
  } finally {
    stack.unwindTo(depth);
  }
}

/** Allocates with `frames` on the simulated call stack, as `current` = (pid, "cat"), 1 ms after the last step. */
function allocVia(kernel: Kernel, frames: readonly string[], gfp: number, order: number, pid = 4242): number {
  Object.assign(kernel.memory.current, { pid, tgid: pid, comm: 'cat' });
  kernel.memory.clock.advance(1_000_000);
  const pfn = withFrames(kernel, frames, () => kernel.buddy.allocPages(gfp, order));
  expect(pfn).toBeGreaterThanOrEqual(0);
  return pfn;
}

/** The records page_owner shows for `pfns`, in the era's format. */
function records(kernel: Kernel, pfns: readonly number[]): string {
  const formatter = new RecordFormatter(kernel.feature(pageOwner)!);
  return pfns.map((pfn) => formatter.record(pfn)).join('');
}

const recordLine = {
  v4: {
    header: /^Page allocated via order \d+, mask 0x[0-9a-f]+\([A-Za-z_|0-9x]*\)$/,
    pfn: /^PFN \d+ type (Unmovable|Movable|Reclaimable|HighAtomic|CMA|Isolate) Block \d+ type \w+ Flags 0x[0-9a-f]+\([a-z_|0-9]*\)$/,
    // A short v4.7 trace ends with the ULONG_MAX entry x86's save_stack_trace() appends.
    frame: /^ \[<ffffffff[0-9a-f]{8}>\] [\w.]+\+0x[0-9a-f]+\/0x[0-9a-f]+$|^ \[<f{16}>\] 0xf{16}$/,
  },
  v6: {
    header:
      /^Page allocated via order \d+, mask 0x[0-9a-f]+\([A-Za-z_|0-9x]*\), pid \d+, tgid \d+ \([^)]*\), ts \d+ ns$/,
    pfn: /^PFN 0x[0-9a-f]+ type (Unmovable|Movable|Reclaimable|HighAtomic|CMA|Isolate) Block \d+ type \w+ Flags 0x[0-9a-f]+\([a-z_|0-9=x]*\)$/,
    frame: /^ [\w.]+\+0x[0-9a-f]+\/0x[0-9a-f]+( \[\w+\])?$/,
  },
};

/** Checks every record of a whole dump against the era's line grammar; returns the records. */
function checkDump(kernel: Kernel): string[] {
  const owner = kernel.feature(pageOwner)!;
  const grammar = recordLine[kernel.profile.era];
  const maxFrames = owner.era.name === 'v4.7' ? 8 : owner.era.name === 'v4.8' ? 16 : 64;
  const all: string[] = [];
  dumpPageOwner(owner, (record) => all.push(record));
  for (const record of all) {
    expect(record.endsWith('\n\n')).toBe(true);
    const lines = record.slice(0, -2).split('\n');
    expect(lines[0]).toMatch(grammar.header);
    expect(lines[1]).toMatch(grammar.pfn);
    const frames = lines.slice(2).filter((line) => !line.startsWith('Page has been migrated'));
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.length).toBeLessThanOrEqual(maxFrames);
    for (const frame of frames) expect(frame).toMatch(grammar.frame);
  }
  return all;
}

describe.each(eras)('page_owner %s', (profile) => {
  it('prints allocation, split, migrated and early records in the era format (golden)', () => {
    const kernel = bootSmall(profile);
    const g = kernel.profile.gfp.flags;
    const owner = kernel.feature(pageOwner)!;
    expect(owner.inited).toBe(true);
    const cache = allocVia(kernel, readPath[profile], g.GFP_HIGHUSER_MOVABLE | g.COLD | g.NOWARN | g.NORETRY, 0);
    const block = allocVia(kernel, readPath[profile], g.GFP_KERNEL, 2, 77);
    withFrames(kernel, readPath[profile], () => kernel.buddy.splitPage(block, 2));
    const target = allocVia(kernel, readPath[profile], g.GFP_HIGHUSER_MOVABLE, 0, 99);
    kernel.hooks.migrate_copy.call(cache, target, 0, 1);
    const all = checkDump(kernel);
    const early = all.find((record) => record.startsWith('Page allocated via order 0, mask 0x0()'));
    expect(early).toBeDefined();
    const text = records(kernel, [cache, block, block + 1, target]) + early;
    expectGolden(fixtures, `records-${profile}.golden.txt`, text);
  });

  it('forgets the migrate reason when the migrated page is freed and allocated again', () => {
    const kernel = bootSmall(profile);
    const g = kernel.profile.gfp.flags;
    const gfp = g.GFP_HIGHUSER_MOVABLE;
    const source = allocVia(kernel, readPath[profile], gfp, 0);
    // The target's section is the one the hooks wrote last when the migration gives it its first reason.
    const target = allocVia(kernel, readPath[profile], gfp, 0);
    kernel.hooks.migrate_copy.call(source, target, 0, 0);
    const reason = kernel.profile.migrateReasonNames[0];
    expect(records(kernel, [target])).toContain(`Page has been migrated, last migrate reason: ${reason}\n`);
    kernel.buddy.freePages(target, 0);
    // __set_page_owner() sets last_migrate_reason = -1 (v4.x: set_page_owner() resets the whole record).
    expect(allocVia(kernel, readPath[profile], gfp, 0)).toBe(target);
    expect(records(kernel, [target])).not.toContain('Page has been migrated');
  });
});

describe('page_owner read() semantics', () => {
  it.each(eras)(
    '%s: one record per read, the position moves past its pfn, a short buffer gets ENOMEM and skips it',
    (profile) => {
      const kernel = bootSmall(profile);
      const owner = kernel.feature(pageOwner)!;
      const whole: string[] = [];
      dumpPageOwner(owner, (record) => whole.push(record));
      expect(whole.length).toBeGreaterThan(100);

      const file = new PageOwnerFile(owner);
      const first = file.read(65536);
      expect(first).toEqual({ data: whole[0] });
      const firstPfn = file.position - 1;
      expect(whole[0]).toContain(profile === 'v6.18' ? `PFN 0x${firstPfn.toString(16)} ` : `PFN ${firstPfn} `);
      // A buffer one byte short of the record plus its NUL: -ENOMEM, and the record is gone from this read.
      const second = whole[1]!;
      expect(file.read(second.length)).toEqual({ errno: 'ENOMEM' });
      expect(file.read(65536)).toEqual({ data: whole[2] });
      // Exactly big enough (count - 1 bytes are usable).
      const again = new PageOwnerFile(owner);
      again.read(65536);
      expect(again.read(second.length + 1)).toEqual({ data: second });
    },
  );

  it('v6.18 caps a read at PAGE_SIZE and seeks by pfn; v4.8 cannot seek', () => {
    const kernel = bootSmall('v6.18');
    const file = new PageOwnerFile(kernel.feature(pageOwner)!);
    const first = file.read(1 << 20);
    expect('data' in first).toBe(true);
    const pfn = file.position - 1;
    expect(file.seek(pfn, 'SEEK_SET')).toBe(pfn);
    expect(file.read(4096)).toEqual(first);
    expect(file.seek(-1, 'SEEK_CUR')).toBe(pfn);
    expect(file.seek(0, 'SEEK_END')).toEqual({ errno: 'EINVAL' });
    // Past the last pfn: end of file.
    file.seek(kernel.memory.maxPfn, 'SEEK_SET');
    expect(file.read(4096)).toEqual({ eof: true });
    expect(new PageOwnerFile(bootSmall('v4.8').feature(pageOwner)!).seek(0, 'SEEK_SET')).toEqual({ errno: 'EINVAL' });
  });

  it('a freed page leaves the v4.8 file and stays in v6.18 only as freed (not shown)', () => {
    for (const profile of ['v4.8', 'v6.18'] as const) {
      const kernel = bootSmall(profile);
      const g = kernel.profile.gfp.flags;
      const pfn = allocVia(kernel, readPath[profile], g.GFP_KERNEL, 3);
      const shown = () => {
        const pfns: number[] = [];
        const file = new PageOwnerFile(kernel.feature(pageOwner)!);
        for (let result = file.read(65536); !('eof' in result); result = file.read(65536)) pfns.push(file.position - 1);
        return pfns;
      };
      expect(shown()).toContain(pfn);
      kernel.buddy.freePages(pfn, 3);
      expect(shown()).not.toContain(pfn);
    }
  });

  it('without page_owner=on the file is not there (EINVAL) and no page_ext is allocated', () => {
    const kernel = bootSmall('v6.18', '');
    expect(kernel.pageExt).toBeUndefined();
    expect(kernel.feature(pageOwner)?.inited ?? false).toBe(false);
    expect(kernel.dmesg()).toContain('page_owner is disabled');
    expect(kernel.dmesg()).not.toContain('page_ext');
  });
});

describe('pageOwner({ stackDepth }): a build with another PAGE_OWNER_STACK_DEPTH', () => {
  /** A call chain deeper than 16 frames: 20 distinct callers. */
  const deep = Array.from({ length: 20 }, (_, index) => `deep_caller_${index}+0x10/0x40`);

  it.each(['v4.8', 'v6.18'] as const)('%s: 16 entries by default, as many as built for', (profile) => {
    const frameCount = (kernel: Kernel) => {
      const gfp = kernel.memory.profile.gfp.flags.GFP_KERNEL;
      const pfn = allocVia(kernel, deep, gfp, 0);
      return records(kernel, [pfn])
        .split('\n')
        .filter((line) => line.startsWith(' ')).length;
    };
    expect(frameCount(bootSmall(profile))).toBe(16);
    const deeper = boot({
      memory: '512M',
      profile,
      cmdline: 'page_owner=on',
      cpus: 1,
      features: [pageOwner({ stackDepth: 64 })],
    });
    // The page_owner and allocator frames, then every caller.
    expect(frameCount(deeper)).toBe((profile === 'v4.8' ? 5 : 3) + deep.length);
  });

  it('v6.18: the depot still cuts traces to its CONFIG_STACKDEPOT_MAX_FRAMES (64), unless built with more', () => {
    const chain = Array.from({ length: 100 }, (_, index) => `deep_caller_${index}+0x10/0x40`);
    const frameCount = (maxFrames?: number) => {
      const kernel = boot({
        memory: '512M',
        cmdline: 'page_owner=on',
        cpus: 1,
        features: [stackDepot(maxFrames === undefined ? {} : { maxFrames }), pageOwner({ stackDepth: 256 })],
      });
      const pfn = allocVia(kernel, chain, kernel.memory.profile.gfp.flags.GFP_KERNEL, 0);
      return records(kernel, [pfn])
        .split('\n')
        .filter((line) => line.startsWith(' ')).length;
    };
    expect(frameCount()).toBe(64);
    expect(frameCount(256)).toBe(103);
    expect(() => stackDepot({ maxFrames: 300 })).toThrow(
      'maxFrames is CONFIG_STACKDEPOT_MAX_FRAMES, 1 to 256, not 300',
    );
  });

  it('refuses a depth v4.7 cannot have (8 entries inline in page_ext) and one out of range', () => {
    expect(() =>
      boot({ memory: '512M', profile: 'v4.7', cmdline: 'page_owner=on', features: [pageOwner({ stackDepth: 16 })] }),
    ).toThrow('page_owner of v4.7 stores 8 entries inline in page_ext: its depth is fixed');
    expect(() => pageOwner({ stackDepth: 0 })).toThrow('stackDepth is PAGE_OWNER_STACK_DEPTH, 1 to 256, not 0');
  });
});

describe('page_owner= parameter', () => {
  it.each([
    ['v4.8', 'page_owner=on', true],
    ['v4.8', 'page_owner=1', false],
    ['v4.8', 'page_owner=off', false],
    ['v6.18', 'page_owner=on', true],
    ['v6.18', 'page_owner=1', true],
    ['v6.18', 'page_owner=y', true],
    ['v6.18', 'page_owner=0', false],
  ] as const)('%s %s → %s', (profile, cmdline, enabled) => {
    expect(bootSmall(profile, cmdline).feature(pageOwner)?.inited ?? false).toBe(enabled);
  });

  it.each(['v4.8', 'v6.18'] as const)(
    '%s: a bare page_owner, or a value v6.18 cannot read, is malformed',
    (profile) => {
      expect(bootSmall(profile, 'page_owner').dmesg()).toContain("Malformed early option 'page_owner'");
      expect(bootSmall('v6.18', 'page_owner=maybe').dmesg()).toContain("Malformed early option 'page_owner'");
    },
  );
});

describe('page_owner_stacks (v6.18)', () => {
  it('lists each charged stack with its base pages, newest first, above count_threshold', () => {
    const kernel = bootSmall('v6.18');
    const owner = kernel.feature(pageOwner)!;
    const g = kernel.profile.gfp.flags;
    for (let index = 0; index < 5; index++) allocVia(kernel, readPath['v6.18'], g.GFP_HIGHUSER_MOVABLE, 0);
    const order3 = allocVia(kernel, readPath['v6.18'].slice(0, -2), g.GFP_KERNEL, 3);
    const text = formatShowStacks(owner);
    const blocks = text.split('\n\n').filter((block) => block !== '');
    for (const block of blocks) expect(block).toMatch(/^( \S+(?: \[\w+\])?\n)+nr_base_pages: \d+$/);
    // The newest stack is first: the order-3 allocation's 8 pages.
    expect(blocks[0]).toMatch(/ vfs_read\+0xbb\/0x110\n[\s\S]*nr_base_pages: 8$/);
    expect(blocks[1]).toMatch(/filemap_alloc_folio_noprof[\s\S]*nr_base_pages: 5$/);
    expect(writeCountThreshold(owner, '6\n')).toBe(2);
    const filtered = formatShowStacks(owner)
      .split('\n\n')
      .filter((block) => block !== '');
    expect(filtered.every((block) => Number(/nr_base_pages: (\d+)$/.exec(block)![1]) >= 6)).toBe(true);
    expect(filtered[0]).toBe(blocks[0]);
    expect(writeCountThreshold(owner, 'ten')).toEqual({ errno: 'EINVAL' });
    expect(writeCountThreshold(owner, '0x10')).toBe(4);
    expect(owner.countThreshold).toBe(16);
    // Freeing uncharges: the order-3 stack drops out.
    writeCountThreshold(owner, '0');
    kernel.buddy.freePages(order3, 3);
    expect(formatShowStacks(owner).split('\n\n')[0]).not.toMatch(/nr_base_pages: 8$/);
  });
});

describe('/proc/pagetypeinfo with page_owner', () => {
  /** The sum of the DMA32 row of the mixed blocks table. */
  const mixedDma32 = (text: string) =>
    /Number of mixed blocks[^\n]*\n(?:Node[^\n]*\n)*?Node 0, zone +DMA32((?: +\d+)+)/
      .exec(text)![1]!
      .trim()
      .split(/ +/)
      .reduce((sum, count) => sum + Number(count), 0);

  it.each(['v4.8', 'v6.18'] as const)('%s: counts blocks holding pages of another migratetype', (profile) => {
    const kernel = bootSmall(profile);
    const before = kernel.pagetypeinfo();
    expect(before).toMatch(/Number of mixed blocks +Unmovable +Movable +Reclaimable/);
    // Fill memory with movable pages, free one in four, then allocate unmovable pages until none is left: they
    // fall back to Movable blocks, and every block they land in holds both kinds.
    const g = kernel.profile.gfp.flags;
    const movable: number[] = [];
    for (let pfn = kernel.buddy.allocPages(g.GFP_HIGHUSER_MOVABLE | g.NOWARN, 0); pfn >= 0; ) {
      movable.push(pfn);
      pfn = kernel.buddy.allocPages(g.GFP_HIGHUSER_MOVABLE | g.NOWARN, 0);
    }
    for (const pfn of movable) if (pfn % 4 === 0) kernel.buddy.freePages(pfn, 0);
    while (kernel.buddy.allocPages(g.GFP_KERNEL | g.NOWARN, 0) >= 0);
    expect(mixedDma32(kernel.pagetypeinfo())).toBeGreaterThan(mixedDma32(before) + 10);
    expect(bootSmall(profile, '').pagetypeinfo()).not.toContain('Number of mixed blocks');
  });
});

describe('dump_page() with page_owner', () => {
  it('v4.8 prints the allocation and its stack after a bad page report', () => {
    const kernel = bootSmall('v4.8');
    const g = kernel.profile.gfp.flags;
    const pfn = allocVia(kernel, readPath['v4.8'], g.GFP_KERNEL, 0);
    kernel.buddy.freePages(pfn, 0);
    kernel.buddy.freePages(pfn, 0);
    const log = kernel.dmesg();
    expect(log).toMatch(/BUG: Bad page state/);
    expect(log).toMatch(/page_owner info is not active \(free page\?\)/);
  });

  it('v6.18 tells whether the page is allocated or freed, with both stacks', () => {
    const kernel = bootSmall('v6.18');
    const g = kernel.profile.gfp.flags;
    const pfn = allocVia(kernel, readPath['v6.18'], g.GFP_KERNEL, 0);
    const lines = dumpPageOwnerLines(kernel.feature(pageOwner)!, pfn);
    expect(lines[0]).toBe('page_owner tracks the page as allocated');
    expect(lines[1]).toMatch(
      /^page last allocated via order 0, migratetype Unmovable, gfp_mask 0xcc0\(GFP_KERNEL\), pid 4242, tgid 4242 \(cat\), ts \d+, free_ts 0$/,
    );
    expect(lines).toContain('page_owner free stack trace missing');
    // Callers of the allocator's free path end with the function that frees (page_owner's own frames are skipped).
    const exitPath = ['__x64_sys_exit_group+0x18/0x20', 'do_exit+0x2a0/0xb80', '__free_frozen_pages+0x2b8'];
    withFrames(kernel, exitPath, () => kernel.buddy.freePages(pfn, 0));
    const freed = dumpPageOwnerLines(kernel.feature(pageOwner)!, pfn);
    expect(freed[0]).toBe('page_owner tracks the page as freed');
    expect(freed).toContain('page last free pid 4242 tgid 4242 stack trace:');
    expect(freed.slice(-3)).toEqual([
      ' __free_frozen_pages+0x2b8/0x3e0',
      ' do_exit+0x2a0/0xb80',
      ' __x64_sys_exit_group+0x18/0x20',
    ]);
  });
});

describe('page_owner text files (golden)', () => {
  it.each(eras)('%s: pagetypeinfo with mixed blocks, dump_page lines, and v6.18 show_stacks', (profile) => {
    const kernel = bootSmall(profile);
    const owner = kernel.feature(pageOwner)!;
    const g = kernel.profile.gfp.flags;
    const pfns = [0, 1, 2].map((index) => allocVia(kernel, readPath[profile], g.GFP_HIGHUSER_MOVABLE, index));
    allocVia(kernel, readPath[profile].slice(0, -3), g.GFP_KERNEL | g.RECLAIMABLE, 1);
    const freed = allocVia(kernel, readPath[profile], g.GFP_KERNEL, 0, 7);
    const exitPath =
      profile === 'v6.18'
        ? ['__x64_sys_exit_group+0x18/0x20', 'do_exit+0x2a0/0xb80', '__free_frozen_pages+0x2b8']
        : ['SyS_exit_group+0x14/0x20', 'do_exit+0x2c1/0xb90', '__free_pages+0x25/0x30'];
    withFrames(kernel, exitPath, () => kernel.buddy.freePages(freed, 0));
    const text = [
      '/proc/pagetypeinfo:',
      kernel.pagetypeinfo(),
      'dump_page_owner of an allocated page:',
      ...dumpPageOwnerLines(owner, pfns[1]!),
      'dump_page_owner of a freed page:',
      ...dumpPageOwnerLines(owner, freed),
      ...(profile === 'v6.18' ? ['page_owner_stacks/show_stacks:', formatShowStacks(owner)] : []),
    ].join('\n');
    expectGolden(fixtures, `files-${profile}.golden.txt`, text);
  });
});

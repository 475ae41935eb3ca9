import { createKernelText } from '@mm/stacktrace';
import { describe, expect, it } from 'vitest';
import { ioctlPath } from './driver-paths';
import { expandPath, type KernelPath, type KernelPaths, pathsV4, pathsV6 } from './kernel-paths';
import { bootModules, modulePaths } from './module-paths';

/** Every variant of a path, as frame lists. */
const variants = (path: KernelPath): string[][] => expandPath(path);

/** `Simulation.resolve()` resolves the first 1024 variants of a path. */
const MAX_VARIANTS = 1024;

/**
 * Frames of a path that page_owner keeps (`PAGE_OWNER_STACK_DEPTH` 16, counted from the innermost): v6.18 keeps
 * three of the allocator's own frames (post_alloc_hook, get_page_from_freelist, __alloc_frozen_pages_noprof) and
 * records frees too (16 of the path: its own frames are skipped); v4.8 keeps five of its own and no frees.
 */
const kept = { v6: { alloc: 13, free: 16 }, v4: { alloc: 11, free: 0 } } as const;
const FREES = new Set(['exitFree', 'reclaimFree', 'pageTableFree', 'directReclaimFree', 'oomReapFree']);
/** The paths the kernel-build workload allocates and frees through (with the vm's). */
const KERNEL_BUILD = [
  'anonFault',
  'execFault',
  'fileRead',
  'fileWrite',
  'shmemWrite',
  'faultPageTable',
  'forkPageTable',
  'kernelStack',
  'slabDentry',
  'slabKmalloc',
  'exitFree',
  'reclaimFree',
  'pageTableFree',
];

/** Stacks page_owner can record for a path: its variants, as far as it keeps them. */
function distinctStacks(era: 'v4' | 'v6', kind: string, path: KernelPath): number {
  const depth = FREES.has(kind) ? kept[era].free : kept[era].alloc;
  if (depth === 0) return 0;
  return new Set(variants(path).map((frames) => frames.slice(-depth).join(' < '))).size;
}

/** Every path of an era, with the module and driver paths, for the checks that span them. */
function allPaths(era: 'v4' | 'v6', paths: KernelPaths): [string, KernelPath][] {
  return [
    ...Object.entries(paths),
    ...bootModules.flatMap((name): [string, KernelPath][] => {
      const { init, probe } = modulePaths(name, era);
      return [
        [`${name} init`, init],
        [`${name} probe`, probe],
      ];
    }),
    ...(['alloc', 'free', 'access'] as const).map((end): [string, KernelPath] => [
      `ioctl ${end}`,
      ioctlPath(era, 'mydrv_ioctl+0x5a/0x1c0 [mydrv]', end),
    ]),
  ];
}

describe.each([
  ['v4', pathsV4],
  ['v6', pathsV6],
] as const)('%s kernel paths', (era, paths) => {
  it('resolve in the era’s kernel text, every variant, with consistent symbol sizes', () => {
    const text = createKernelText(era);
    for (const [kind, path] of Object.entries(paths)) {
      for (const frames of variants(path)) {
        expect(() => text.sites(frames), `${kind}: ${frames.join(' < ')}`).not.toThrow();
        // Outermost first, no frame repeated back to back (a run and the frame after it must not overlap).
        for (let index = 1; index < frames.length; index++) expect(frames[index]).not.toBe(frames[index - 1]);
      }
    }
  });

  it('give every symbol one size, the one the era’s text has', () => {
    const text = createKernelText(era);
    const written = new Map<string, Set<number>>();
    for (const [, path] of allPaths(era, paths)) {
      for (const frames of variants(path)) {
        text.sites(frames);
        for (const frame of frames) {
          const [, name, size] = /^(\S+)\+0x[0-9a-f]+(?:\/0x([0-9a-f]+))?/.exec(frame)!;
          if (size === undefined) continue;
          if (!written.has(name!)) written.set(name!, new Set());
          written.get(name!)!.add(Number.parseInt(size, 16));
        }
      }
    }
    for (const [name, sizes] of written) {
      expect([...sizes], name).toEqual([text.sizeOf(name)]);
    }
  });

  it('keep every variant within what Simulation.resolve() resolves', () => {
    for (const [kind, path] of Object.entries(paths)) {
      const count = variants(path).length;
      expect(count, kind).toBeGreaterThan(0);
      expect(count, kind).toBeLessThanOrEqual(MAX_VARIANTS);
    }
  });

  it('end at the allocator API (allocations) or at the function that frees (frees)', () => {
    const last = (path: KernelPath) => variants(path).map((frames) => frames.at(-1)!.split('+')[0]);
    const apis = era === 'v6' ? ['alloc_pages_mpol'] : ['alloc_pages_current', 'alloc_pages_vma'];
    for (const kind of Object.keys(paths).filter((kind) => !FREES.has(kind))) {
      for (const name of last(paths[kind]!)) expect(apis, kind).toContain(name);
    }
    for (const kind of ['exitFree', 'reclaimFree', 'pageTableFree', 'directReclaimFree', 'oomReapFree']) {
      for (const name of last(paths[kind]!)) expect(name).toMatch(/free|release_pages/);
    }
  });

  it('take a fault in kernel mode where the era takes it', () => {
    const handlers = era === 'v6' ? ['exc_page_fault+0x176', 'exc_page_fault+0x20d'] : ['do_page_fault+0x22/0x30'];
    for (const [kind, path] of Object.entries(paths)) {
      for (const frames of variants(path)) {
        const trap = frames.findIndex((frame) =>
          frame.startsWith(era === 'v6' ? 'asm_exc_page_fault+' : 'page_fault+'),
        );
        // (A v6.18 page fault also returns to user mode through irqentry_exit(), where signals are delivered.)
        if (trap < 0 || !handlers.includes(frames[trap + 1]!)) continue;
        // Every fault reaches handle_mm_fault(); one in kernel mode (with frames above the exception's) is taken
        // under the mmap lock in v6.18: the VMA-lock path (exc_page_fault+0x176) is for user-mode faults.
        expect(
          frames.slice(trap).some((frame) => frame.startsWith('handle_mm_fault+')),
          kind,
        ).toBe(true);
        if (era === 'v6' && trap > 0)
          expect(frames[trap + 1], `${kind}: ${frames.join(' < ')}`).toBe('exc_page_fault+0x20d');
      }
    }
  });

  it('give the kernel build the variety of a real machine’s (distinct stacks page_owner records)', () => {
    const byKind = Object.fromEntries(KERNEL_BUILD.map((kind) => [kind, distinctStacks(era, kind, paths[kind]!)]));
    // Every path the build uses has variety of its own, in the frames page_owner keeps.
    for (const kind of ['anonFault', 'faultPageTable', 'fileRead', 'slabKmalloc'])
      expect(byKind[kind], kind).toBeGreaterThan(100);
    for (const kind of ['fileWrite', 'execFault', 'forkPageTable', 'kernelStack', 'slabDentry'])
      expect(byKind[kind], kind).toBeGreaterThan(5);
    // With the modules' two stacks each, enough for >= 1,500 stacks in v6.18 and >= 16 slabs of 16 KiB in v4.8
    // (a 16-entry record takes 160 bytes: 102 a slab); the build's slab paths are called a few hundred times.
    const total = Object.values(byKind).reduce((sum, count) => sum + count, 0) + 2 * bootModules.length;
    expect(total).toBeGreaterThanOrEqual(era === 'v6' ? 1500 : 16 * 102);
  });

  it('give every module two paths whose frames name the module', () => {
    const text = createKernelText(era);
    for (const name of bootModules) {
      const { init, probe } = modulePaths(name, era);
      for (const path of [init, probe]) {
        const frames = variants(path)[0]!;
        expect(frames.some((frame) => frame.endsWith(` [${name}]`))).toBe(true);
        expect(() => text.sites(frames)).not.toThrow();
      }
    }
    expect(new Set(bootModules).size).toBe(bootModules.length);
  });
});

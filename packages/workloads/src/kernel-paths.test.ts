import { createKernelText } from '@mm/stacktrace';
import { describe, expect, it } from 'vitest';
import { type KernelPath, pathsV4, pathsV6 } from './kernel-paths';
import { bootModules, modulePaths } from './module-paths';

/** Every variant of a path, as frame lists. */
function variants(path: KernelPath): string[][] {
  let all: string[][] = [[]];
  for (const part of path) {
    const runs = typeof part === 'string' ? [[part]] : part;
    all = all.flatMap((prefix) => runs.map((run) => [...prefix, ...run]));
  }
  return all;
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

  it('end at the allocator API (allocations) or at the function that frees (frees)', () => {
    const last = (path: KernelPath) => variants(path).map((frames) => frames.at(-1)!.split('+')[0]);
    const apis = era === 'v6' ? ['alloc_pages_mpol'] : ['alloc_pages_current', 'alloc_pages_vma'];
    for (const kind of ['anonFault', 'cowFault', 'execFault', 'fileRead', 'fileWrite', 'slabKmalloc', 'kernelStack']) {
      for (const name of last(paths[kind]!)) expect(apis).toContain(name);
    }
    for (const kind of ['exitFree', 'reclaimFree', 'pageTableFree']) {
      for (const name of last(paths[kind]!)) expect(name).toMatch(/free|release_pages/);
    }
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

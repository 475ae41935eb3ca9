import { boot } from '@mm/kernel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pageCacheReadPaths } from '../../../tools/kernel-read-paths';
import { allocTag } from './alloc-tag-feature';
import { NO_TAG } from './call-sites';

/** Call paths to allocate through (outermost first); the last has no caller: no tag. */
const paths: readonly (readonly string[])[] = [
  pageCacheReadPaths.v6,
  [
    'handle_mm_fault+0xd0',
    '__handle_mm_fault+0xa64',
    'do_anonymous_page+0x1ff',
    'vma_alloc_folio_noprof+0x6a',
    'alloc_pages_mpol+0x86',
  ],
  [
    '__x64_sys_ioctl+0x94/0xd0',
    'leaky_ioctl+0x4e/0x120 [leaky_drv]',
    'alloc_pages_noprof+0x4c',
    'alloc_pages_mpol+0x86',
  ],
  ['alloc_pages_noprof+0x4c', 'alloc_pages_mpol+0x86'],
];

type Op =
  | { kind: 'alloc'; path: number; order: number }
  | { kind: 'free'; pick: number }
  | { kind: 'split'; pick: number }
  | { kind: 'migrate'; pick: number; path: number }
  | { kind: 'sysctl'; on: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('alloc' as const), path: fc.nat(paths.length - 1), order: fc.nat(3) }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('split' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('migrate' as const), pick: fc.nat(), path: fc.nat(paths.length - 1) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sysctl' as const), on: fc.boolean() }) },
);

describe('alloc_tag against a model of the kernel’s rules', () => {
  it('keeps every tag’s bytes and calls, and every page’s reference, as the kernel would', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const kernel = boot({ memory: '256M', cmdline: 'sysctl.vm.mem_profiling=1', features: [allocTag()] });
        const tags = kernel.feature(allocTag)!;
        const { buddy, stack, text } = kernel;
        const gfp = kernel.profile.gfp.flags.GFP_KERNEL;
        const frames = paths.map((path) => text.sites(path));
        // The model: live blocks, the reference of their first page, the counters of each tag id.
        const blocks: { pfn: number; order: number }[] = [];
        const refs = new Map<number, number>();
        const bytes = new Map<number, number>();
        const calls = new Map<number, number>();
        const add = (tag: number, delta: number, pages: number) => {
          bytes.set(tag, (bytes.get(tag) ?? 0) + delta * pages * 4096);
          calls.set(tag, (calls.get(tag) ?? 0) + delta);
        };
        let on = true;
        const alloc = (path: number, order: number): number => {
          const depth = stack.depth;
          stack.pushAll(frames[path]!);
          const pfn = buddy.allocPages(gfp, order);
          const tag = tags.sites.resolveStack(stack);
          stack.unwindTo(depth);
          if (pfn >= 0 && on) {
            // alloc_tag_add(): a tag, or nothing at all (the old reference stays).
            if (tag !== NO_TAG) {
              refs.set(pfn, tag);
              add(tag, 1, 2 ** order);
            }
          }
          return pfn;
        };
        for (const step of ops) {
          if (step.kind === 'alloc') {
            const pfn = alloc(step.path, step.order);
            if (pfn >= 0) blocks.push({ pfn, order: step.order });
          } else if (step.kind === 'free' && blocks.length > 0) {
            const [block] = blocks.splice(step.pick % blocks.length, 1);
            buddy.freePages(block!.pfn, block!.order);
            const tag = refs.get(block!.pfn);
            if (on && tag !== undefined) {
              add(tag, -1, 2 ** block!.order);
              refs.delete(block!.pfn);
            }
          } else if (step.kind === 'split' && blocks.length > 0) {
            const index = step.pick % blocks.length;
            const block = blocks[index]!;
            if (block.order === 0) continue;
            buddy.splitPage(block.pfn, block.order);
            blocks.splice(index, 1);
            const tag = refs.get(block.pfn);
            for (let page = 0; page < 2 ** block.order; page++) {
              blocks.push({ pfn: block.pfn + page, order: 0 });
              if (on && tag !== undefined && page > 0) {
                refs.set(block.pfn + page, tag);
                calls.set(tag, calls.get(tag)! + 1);
              }
            }
          } else if (step.kind === 'migrate' && blocks.length > 0) {
            // Order-0 pages only, as @mm/migrate moves them: a target through `path`, the copy, the old page freed.
            const index = step.pick % blocks.length;
            const block = blocks[index]!;
            if (block.order !== 0) continue;
            const target = alloc(step.path, 0);
            if (target < 0) continue;
            kernel.hooks.migrate_copy.call(block.pfn, target, 0, 0);
            const oldTag = refs.get(block.pfn);
            const newTag = refs.get(target);
            if (on && oldTag !== undefined && newTag !== undefined) {
              refs.set(block.pfn, newTag);
              refs.set(target, oldTag);
            }
            buddy.freePages(block.pfn, 0);
            const freed = refs.get(block.pfn);
            if (on && freed !== undefined) {
              add(freed, -1, 1);
              refs.delete(block.pfn);
            }
            blocks[index] = { pfn: target, order: 0 };
          } else if (step.kind === 'sysctl') {
            expect(tags.writeSysctl(step.on ? '1' : '0')).toBe(1);
            on = step.on;
          }
        }
        for (const tag of tags.tags()) {
          expect(tag.bytes).toBe(bytes.get(tag.id) ?? 0);
          expect(tag.calls).toBe(calls.get(tag.id) ?? 0);
        }
        for (const block of blocks) expect(tags.refOf(block.pfn)).toBe(refs.get(block.pfn) ?? NO_TAG);
      }),
      { numRuns: 25 },
    );
  });
});

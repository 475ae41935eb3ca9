import { MemoryAction } from '@mm/hooks';
import type { KernelCore } from '@mm/kernel-spec';
import { PageState } from '@mm/physmem';
import type { Migration } from './migration';

/** What taking a section offline did, or why it could not. */
export type OfflineResult =
  | { readonly offlinedPages: number; readonly migratedPages: number }
  | { readonly error: string };

/** `%#010llx` of a pfn's physical address (plus `delta` bytes). */
function hexAddress(pfn: number, delta = 0): string {
  return `0x${(pfn * 4096 + delta).toString(16).padStart(8, '0')}`;
}

/**
 * Memory hot-remove of one memory section (mm/memory_hotplug.c `offline_pages()`): refused, changing nothing, if
 * the section holds a page that cannot move (kernel memory), with the kernel's `memory offlining ... failed` line;
 * otherwise the `MEM_GOING_OFFLINE` notifiers run, its pageblocks are isolated, its movable pages migrate away
 * (`memory_hotplug`), its free pages leave the allocator for good, and the `MEM_OFFLINE` notifiers run (page_ext
 * frees the section's table, and with it every client's data there).
 */
export function offlineSection(kernel: KernelCore, migration: Migration, nr: number): OfflineResult {
  const { memory, buddy, vm, hooks } = kernel;
  const section = memory.sections[nr];
  if (section === undefined) return { error: `section ${nr} has no memory` };
  const start = section.startPfn;
  const end = start + memory.pagesPerSection;
  const range = `[mem ${hexAddress(start)}-${hexAddress(end, -1)}]`;
  buddy.drainAllPages();
  const movable: number[] = [];
  for (let pfn = start; pfn < end; pfn++) {
    if (memory.pageState(pfn) !== PageState.none || memory.pageRefcount(pfn) === 0) continue;
    if (!vm.isMovable(pfn)) {
      memory.log.printk(`memory offlining ${range} failed due to unmovable page`);
      return { error: `pfn ${pfn} holds an unmovable page` };
    }
    movable.push(pfn);
  }
  hooks.memory_notify.call(MemoryAction.going_offline, start, memory.pagesPerSection);
  buddy.isolateRange(start, end);
  const migratedPages = migration.migratePages(movable, migration.reason('memory_hotplug'));
  const offlinedPages = buddy.offlineIsolatedPages(start, end);
  hooks.memory_notify.call(MemoryAction.offline, start, memory.pagesPerSection);
  return { offlinedPages, migratedPages };
}

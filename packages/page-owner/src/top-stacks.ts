import { RecordFormatter } from './format-record';
import type { PageOwner } from './page-owner';
import { forEachPageOwnerRecord } from './page-owner-file';

/** One allocation stack and what its records hold. */
export interface TopStack {
  readonly handle: number;
  readonly pages: number;
  readonly records: number;
  /** The stack as the dump prints it, a line per frame. */
  readonly stack: string;
}

/** Pages and records per allocation stack, from the records the dump shows, largest first, at most `limit`. */
export function topStacks(owner: PageOwner, limit: number): TopStack[] {
  if (!owner.inited) return [];
  const formatter = new RecordFormatter(owner);
  const byHandle = new Map<number, { pages: number; records: number }>();
  // Neighbouring records most often share a stack: the last one's entry is at hand.
  let lastHandle = -1;
  let last = { pages: 0, records: 0 };
  forEachPageOwnerRecord(owner, (_pfn, handle, order) => {
    if (handle !== lastHandle) {
      const entry = byHandle.get(handle);
      if (entry === undefined) {
        last = { pages: 0, records: 0 };
        byHandle.set(handle, last);
      } else {
        last = entry;
      }
      lastHandle = handle;
    }
    last.pages += 1 << order;
    last.records++;
  });
  return [...byHandle]
    .sort((a, b) => b[1].pages - a[1].pages)
    .slice(0, limit)
    .map(([handle, entry]) => ({ handle, ...entry, stack: formatter.stack(handle) }));
}

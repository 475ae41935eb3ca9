import { MAX_ORDER_NR_PAGES, PAGE_SIZE, PageState } from '@mm/physmem';
import { RecordFormatter } from './format-record';
import { orderOf } from './owner-records';
import type { PageOwner } from './page-owner';

/** What a read() of the page_owner file returns: a record, the end of file, or an errno. */
export type ReadResult = { readonly data: string } | { readonly eof: true } | { readonly errno: 'EINVAL' | 'ENOMEM' };

/**
 * `/sys/kernel/debug/page_owner` (mm/page_owner.c `read_page_owner`): not a seq_file; every read() returns at most
 * one record and moves the file position past its pfn.
 * - v4.x: position = pfn - min_low_pfn (0 on x86_64); v6.18: position 0 means the first pfn, otherwise it *is*
 *   the pfn, and `llseek` (SEEK_SET/SEEK_CUR) moves it.
 * - The scan skips free (buddy) blocks by their order, pages without page_ext, pages page_owner does not show
 *   (v4.x: OWNER clear; v5+: also OWNER_ALLOCATED clear and tail pages), and handle 0.
 * - A record that does not fit in `count - 1` bytes (v6.18 caps count at PAGE_SIZE) fails with -ENOMEM, and,
 *   since the position has already moved, that record is skipped.
 */
export class PageOwnerFile {
  readonly #owner: PageOwner;
  readonly #format: RecordFormatter;
  /** `*ppos`. */
  position = 0;

  constructor(owner: PageOwner, formatter = new RecordFormatter(owner)) {
    this.#owner = owner;
    this.#format = formatter;
  }

  /** read(fd, buf, count). */
  read(count: number): ReadResult {
    const owner = this.#owner;
    if (!owner.inited) return { errno: 'EINVAL' };
    const v6 = owner.era.name === 'v6.18';
    const pfn = this.nextRecord(this.position);
    if (pfn < 0) return { eof: true };
    this.position = pfn + 1;
    const text = this.#format.record(pfn);
    const limit = v6 ? Math.min(count, PAGE_SIZE) : count;
    if (text.length > limit - 1) return { errno: 'ENOMEM' };
    return { data: text };
  }

  /** v6.18 `lseek_page_owner`: SEEK_SET or SEEK_CUR; anything else is -EINVAL. */
  seek(offset: number, whence: 'SEEK_SET' | 'SEEK_CUR' | 'SEEK_END'): number | { errno: 'EINVAL' } {
    if (this.#owner.era.name !== 'v6.18' || whence === 'SEEK_END') return { errno: 'EINVAL' };
    this.position = whence === 'SEEK_SET' ? offset : this.position + offset;
    return this.position;
  }

  /** The pfn of the next record the file shows at or after `start`, or -1. */
  nextRecord(start: number): number {
    const owner = this.#owner;
    const { memory, records } = owner;
    const format = this.#format;
    const everyPage = owner.era.everyPage;
    const maxPfn = memory.maxPfn;
    let pfn = start;
    while (pfn < maxPfn && !memory.pfnValid(pfn) && pfn % MAX_ORDER_NR_PAGES !== 0) pfn++;
    for (; pfn < maxPfn; pfn++) {
      const nr = pfn >>> records.shift;
      if (!records.has(nr)) {
        // An invalid MAX_ORDER block (a hole section): skip it whole.
        pfn = Math.floor(pfn / MAX_ORDER_NR_PAGES) * MAX_ORDER_NR_PAGES + MAX_ORDER_NR_PAGES - 1;
        continue;
      }
      const state = memory.pageState(pfn);
      if (state === PageState.buddy) {
        const order = memory.pageOrder(pfn);
        if (order <= 10) pfn += (1 << order) - 1;
        continue;
      }
      const index = pfn & records.mask;
      const info = records.infoWord(nr, index);
      if (!format.shows(info)) continue;
      if (everyPage && pfn % (1 << orderOf(info)) !== 0) continue;
      if (records.allocHandle(nr, index) === 0) continue;
      return pfn;
    }
    return -1;
  }
}

/**
 * Visits every record the page_owner file would show, in file order, with its allocation handle and order,
 * without formatting anything.
 */
export function forEachPageOwnerRecord(
  owner: PageOwner,
  visit: (pfn: number, handle: number, order: number) => void,
): void {
  if (!owner.inited) return;
  const file = new PageOwnerFile(owner);
  const { records } = owner;
  for (let pfn = file.nextRecord(0); pfn >= 0; pfn = file.nextRecord(pfn + 1)) {
    const nr = pfn >>> records.shift;
    const index = pfn & records.mask;
    visit(pfn, records.allocHandle(nr, index), orderOf(records.infoWord(nr, index)));
  }
}

/**
 * `cat /sys/kernel/debug/page_owner`: reads the whole file with `cat`'s 128 KiB buffer and hands each record to
 * `write`. Returns the number of records.
 */
export function dumpPageOwner(owner: PageOwner, write: (record: string) => void, count = 131072): number {
  const file = new PageOwnerFile(owner);
  let records = 0;
  for (;;) {
    const result = file.read(count);
    if ('eof' in result) return records;
    if ('errno' in result) {
      if (result.errno === 'EINVAL') return records;
      continue;
    }
    write(result.data);
    records++;
  }
}

import { RecordFormatter } from './format-record';
import type { PageOwner } from './page-owner';

/**
 * v6.18 `/sys/kernel/debug/page_owner_stacks/show_stacks`: every stack page_owner has charged, newest first (the
 * dummy and failure stacks last), with the pages it holds now (`nr_base_pages` = refcount - 1); stacks holding
 * fewer than 1 page or fewer than `count_threshold` are left out.
 */
export function formatShowStacks(owner: PageOwner, formatter = new RecordFormatter(owner)): string {
  let text = '';
  for (const handle of owner.stackList) {
    const pages = owner.stackCount(handle) - 1;
    if (pages < 1 || pages < owner.countThreshold) continue;
    text += `${formatter.stack(handle)}nr_base_pages: ${pages}\n\n`;
  }
  return text;
}

/** `count_threshold` read: `%llu` with no newline. */
export function readCountThreshold(owner: PageOwner): string {
  return `${owner.countThreshold}`;
}

/**
 * `count_threshold` write (`kstrtoull(buf, 0, &val)`, at most 23 bytes, one trailing newline allowed): returns
 * the bytes taken, or EINVAL.
 */
export function writeCountThreshold(owner: PageOwner, input: string): number | { errno: 'EINVAL' } {
  const text = input.slice(0, 23).replace(/\n$/, '');
  const match = /^(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)$/i.exec(text);
  if (match === null) return { errno: 'EINVAL' };
  const digits = match[1]!;
  const value = /^0x/i.test(digits)
    ? Number.parseInt(digits.slice(2), 16)
    : digits.length > 1 && digits.startsWith('0')
      ? Number.parseInt(digits, 8)
      : Number.parseInt(digits, 10);
  owner.countThreshold = value;
  return input.length;
}

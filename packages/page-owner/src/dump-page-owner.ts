import { formatGfp, migratetypeNames } from '@mm/physmem';
import { RecordFormatter } from './format-record';
import { InfoBits, orderOf, reasonOf } from './owner-records';
import type { PageOwner } from './page-owner';

/**
 * `__dump_page_owner()`: what `dump_page()` prints about a page's owner (after a bad page, a fault on a freed
 * page): v4.8 the allocation and its stack, or `page_owner info is not active (free page?)`; v6.18 whether the page
 * is allocated or freed, the last allocation with pid/tgid/ts/free_ts and both stacks.
 */
export function dumpPageOwnerLines(owner: PageOwner, pfn: number, formatter = new RecordFormatter(owner)): string[] {
  const { records, memory } = owner;
  const nr = pfn >>> records.shift;
  if (!records.has(nr)) return ['There is not page extension available.'];
  const index = pfn & records.mask;
  const info = records.infoWord(nr, index);
  const handle = records.allocHandle(nr, index);
  const gfp = records.gfpOf(info);
  const mask = `0x${gfp.toString(16)}(${formatGfp(gfp, memory.profile.gfp)})`;
  const migratetype = migratetypeNames[(gfp & 0x18) >>> 3];
  const reason = reasonOf(info);
  const stackLines = (stackHandle: number) => formatter.stack(stackHandle).replace(/\n$/, '').split('\n');
  const lines: string[] = [];
  if (!owner.era.everyPage) {
    if ((info & InfoBits.OWNER) === 0 || handle === 0) return ['page_owner info is not active (free page?)'];
    lines.push(`page allocated via order ${orderOf(info)}, migratetype ${migratetype}, gfp_mask ${mask}`);
    lines.push(...stackLines(handle));
    if (reason >= 0)
      lines.push(`page has been migrated, last migrate reason: ${memory.profile.migrateReasonNames[reason]}`);
    return lines;
  }
  if ((info & InfoBits.OWNER) === 0) return ['page_owner info is not present (never set?)'];
  const contexts = owner.contexts;
  const alloc = records.allocContextOf(nr, index);
  const free = records.freeContexts.get(pfn);
  lines.push(
    (info & InfoBits.OWNER_ALLOCATED) !== 0
      ? 'page_owner tracks the page as allocated'
      : 'page_owner tracks the page as freed',
  );
  lines.push(
    `page last allocated via order ${orderOf(info)}, migratetype ${migratetype}, gfp_mask ${mask}, pid ${contexts.pid(alloc)}, tgid ${contexts.tgid(alloc)} (${contexts.comm(alloc)}), ts ${Math.floor(contexts.ts(alloc))}, free_ts ${Math.floor(contexts.ts(free))}`,
  );
  if (handle === 0) lines.push('page_owner allocation stack trace missing');
  else lines.push(...stackLines(handle));
  const freeHandle = contexts.handle(free);
  if (freeHandle === 0) lines.push('page_owner free stack trace missing');
  else {
    lines.push(`page last free pid ${contexts.pid(free)} tgid ${contexts.tgid(free)} stack trace:`);
    lines.push(...stackLines(freeHandle));
  }
  if (reason >= 0)
    lines.push(`page has been migrated, last migrate reason: ${memory.profile.migrateReasonNames[reason]}`);
  return lines;
}

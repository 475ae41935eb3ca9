import { formatPageFlagsV4, formatPageFlagsV6, hexPageFlagsWord, PageState } from '@mm/physmem';
import type { BuddyAllocator } from './buddy-allocator';
import { pageTypeCodes, pageTypeName, structPageAddress, structPageWords } from './struct-page-words';

/**
 * The lines of `dump_page()` for one page (mm/debug.c), without the `page dumped because:` line: v4.8
 * `page:<addr> count:.. mapcount:.. mapping:.. index:..` and `flags: 0x..(names)`; v6.18 `page: refcount:..`,
 * `flags: %pGp`, `page_type:` for typed pages and the two `raw:` lines.
 */
export function formatDumpPage(allocator: BuddyAllocator, pfn: number): string[] {
  const { memory, profile } = allocator;
  const refcount = memory.pageRefcount(pfn);
  const typeName = pageTypeName(memory, pfn);
  const compound = memory.testPageFlag(pfn, profile.pageFlags.bit.head);
  if (profile.era === 'v4') {
    const mapcount = memory.pageState(pfn) === PageState.buddy ? -127 : memory.pageMapcount(pfn);
    const word = memory.pageFlagsWord(pfn);
    return [
      `page:${structPageAddress(pfn)} count:${refcount} mapcount:${mapcount} mapping:          (null) index:0x0${compound ? ' compound_mapcount: 0' : ''}`,
      `flags: ${hexPageFlagsWord(word)}(${formatPageFlagsV4(word.low, profile.pageFlags)})`,
    ];
  }
  const mapcount = typeName === undefined ? memory.pageMapcount(pfn) : 0;
  const lines = [
    `page: refcount:${refcount} mapcount:${mapcount} mapping:0000000000000000 index:0x0 pfn:0x${pfn.toString(16)}`,
  ];
  if (compound) {
    lines.push(`head: order:${memory.pageOrder(pfn)} mapcount:0 entire_mapcount:0 nr_pages_mapped:0 pincount:0`);
  }
  lines.push(`flags: ${formatPageFlagsV6(memory.pageFlagsWord(pfn), profile.pageFlags, profile.pageFlagsLayout)}`);
  if (typeName !== undefined) lines.push(`page_type: ${pageTypeCodes[typeName]!.toString(16)}(${typeName})`);
  const words = structPageWords(memory, pfn);
  lines.push(`raw: ${words.slice(0, 4).join(' ')}`, `raw: ${words.slice(4).join(' ')}`);
  return lines;
}

/**
 * `bad_page()` (mm/page_alloc.c): the `BUG: Bad page state` report: the process and pfn, `dump_page()`, the
 * reason, the modules and the stack. Listeners of `dump_page` (page_owner) print their part in between, so the
 * report is printed in two pieces; the returned lines are the second piece.
 */
export function formatBadPage(allocator: BuddyAllocator, pfn: number, reason: string, badFlags = 0): string[] {
  const { memory, profile } = allocator;
  const head = [
    `BUG: Bad page state in process ${memory.current.comm}  pfn:${pfn.toString(16).padStart(5, '0')}`,
    ...formatDumpPage(allocator, pfn),
    `page dumped because: ${reason}`,
  ];
  const flags = badFlags & memory.pageFlags(pfn);
  if (profile.era === 'v4' && flags !== 0) {
    head.push(`bad because of flags: 0x${flags.toString(16)}(${formatPageFlagsV4(flags, profile.pageFlags)})`);
  }
  memory.log.printk(head.join('\n'));
  const hook = allocator.hooks.dump_page;
  if (hook.count !== 0) hook.call(pfn);
  return [memory.printModules(), ...memory.dumpStack()];
}

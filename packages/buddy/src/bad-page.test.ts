import type { ProfileName } from '@mm/physmem';
import { KernelText } from '@mm/stacktrace';
import { describe, expect, it } from 'vitest';
import { checkInvariants } from './__tests__/invariants';
import { reportMachine } from './__tests__/machine';
import {
  badPageFrames,
  formatBadPage,
  PAGE_BUDDY_MAPCOUNT_VALUE,
  type PageCheckState,
  pageBadReason,
  pageTypeMapcount,
} from './bad-page';

/**
 * `bad_page()` and the reasons it is given. Truth: v6.18 mm/page_alloc.c (`bad_page()`, `page_bad_reason()`,
 * `page_expected_state()`, `free_page_is_bad()`, `free_pages_prepare()`, `check_new_page_bad()`), mm/debug.c
 * `dump_page()`, lib/dump_stack.c; v4.8 mm/page_alloc.c (`bad_page()`, `free_pages_check_bad()`,
 * `check_new_page_bad()`), mm/debug.c `__dump_page()`, kernel/printk/printk.c `dump_stack_print_info()`.
 */

/** A machine whose `dump_stack()` sees a shadow stack with the caller's path `frames` (outermost first). */
function machine(profile: ProfileName, frames: readonly string[]) {
  const { memory, buddy, text } = reportMachine(profile, frames);
  memory.modules.push('leaky');
  memory.current.comm = 'leaky-driver';
  return { memory, buddy, text };
}

const freePath = {
  'v4.8': [
    'entry_SYSCALL_64_fastpath+0x12/0x71',
    'SyS_ioctl+0x79/0x90',
    'leaky_ioctl+0xe1/0x1a0 [leaky]',
    '__free_pages+0x25/0x30',
  ],
  'v6.18': [
    'entry_SYSCALL_64_after_hwframe+0x76',
    'do_syscall_64+0x71',
    '__x64_sys_ioctl+0x94/0xd0',
    'leaky_ioctl+0xe1/0x1a0 [leaky]',
    '__free_pages+0x50/0x90',
  ],
} as const;

const clean: PageCheckState = { mapcount: -1, mapping: false, refcount: 0, flags: 0 };
const LRU = 1 << 5;

describe('pageBadReason(): each era’s order of tests, the last failing one wins', () => {
  it('says nothing for a page in the expected state (page_expected_state())', () => {
    expect(pageBadReason('v6', clean, 'free', LRU)).toBeUndefined();
    expect(pageBadReason('v4', clean, 'prep', LRU)).toBeUndefined();
  });

  it('a double free of a page on the buddy lists: PageBuddy overlays _mapcount, so "nonzero mapcount"', () => {
    // v4.8 PageBuddy: _mapcount == PAGE_BUDDY_MAPCOUNT_VALUE (-128); free_pages_check_bad()
    expect(pageBadReason('v4', { ...clean, mapcount: PAGE_BUDDY_MAPCOUNT_VALUE }, 'free', LRU)).toEqual({
      reason: 'nonzero mapcount',
      badFlags: 0,
    });
    // v6.18 page_type = PGTY_buddy << 24 = 0xf0000000 in _mapcount's place; page_bad_reason()
    expect(pageTypeMapcount(0xf0)).toBe(0xf0000000 | 0);
    expect(pageBadReason('v6', { ...clean, mapcount: pageTypeMapcount(0xf0) }, 'free', LRU)?.reason).toBe(
      'nonzero mapcount',
    );
  });

  it('a second __free_pages() leaves _refcount at -1 (put_page_testzero()): "nonzero _refcount" wins', () => {
    const freedTwice = { ...clean, mapcount: pageTypeMapcount(0xf0), refcount: -1 };
    expect(pageBadReason('v6', freedTwice, 'free', LRU)?.reason).toBe('nonzero _refcount');
    expect(pageBadReason('v4', { ...freedTwice, mapcount: -128 }, 'free', LRU)?.reason).toBe('nonzero _refcount');
    // v4.8 check_new_page_bad() spells it "nonzero _count"
    expect(pageBadReason('v4', { ...clean, refcount: -1 }, 'prep', LRU)?.reason).toBe('nonzero _count');
    expect(pageBadReason('v6', { ...clean, refcount: -1 }, 'prep', LRU)?.reason).toBe('nonzero _refcount');
  });

  it('names the flags after the refcount, and v4.8 passes them as bad_flags', () => {
    const flagged = { ...clean, refcount: 1, flags: LRU };
    expect(pageBadReason('v6', flagged, 'free', LRU)).toEqual({
      reason: 'PAGE_FLAGS_CHECK_AT_FREE flag(s) set',
      badFlags: 0,
    });
    expect(pageBadReason('v4', flagged, 'free', LRU)).toEqual({
      reason: 'PAGE_FLAGS_CHECK_AT_FREE flag(s) set',
      badFlags: LRU,
    });
    expect(pageBadReason('v6', flagged, 'prep', LRU)?.reason).toBe('PAGE_FLAGS_CHECK_AT_PREP flag(s) set');
    expect(pageBadReason('v4', flagged, 'prep', LRU)?.reason).toBe('PAGE_FLAGS_CHECK_AT_PREP flag set');
  });

  it('ends with the memcg charge, then (v6.18) the page pool', () => {
    const all = { mapcount: 0, mapping: true, refcount: 1, flags: LRU, memcg: true };
    expect(pageBadReason('v4', all, 'free', LRU)?.reason).toBe('page still charged to cgroup');
    expect(pageBadReason('v6', { ...all, pagePool: true }, 'free', LRU)?.reason).toBe('page_pool leak');
    expect(pageBadReason('v4', { ...clean, pagePool: true }, 'free', LRU)).toBeUndefined();
    expect(pageBadReason('v6', { ...clean, mapping: true }, 'free', LRU)?.reason).toBe('non-NULL mapping');
  });

  it('drops a hardware-poisoned page at allocation without a report', () => {
    expect(pageBadReason('v6', { ...clean, refcount: 3, hwpoison: true }, 'prep', LRU)).toBeUndefined();
    expect(pageBadReason('v4', { ...clean, refcount: 3, hwpoison: true }, 'prep', LRU)).toBeUndefined();
  });
});

describe('badPageFrames(): the kernel’s frames between dump_stack() and the allocator’s caller', () => {
  it('v6.18: __free_frozen_pages for per-CPU orders, __free_pages_ok above, get_page_from_freelist at allocation', () => {
    expect(badPageFrames('v6', 'nonzero mapcount', { at: 'free', order: 0 })).toEqual([
      'dump_stack_lvl+0x5d/0x80',
      'bad_page+0x6b/0x110',
      '__free_frozen_pages+0x1f1/0x3e0',
    ]);
    expect(badPageFrames('v6', 'nonzero mapcount', { at: 'free', order: 5 }).at(-1)).toBe(
      '__free_pages_ok+0x2f6/0x4f0',
    );
    expect(badPageFrames('v6', 'nonzero mapcount', { at: 'free', order: 9 }).at(-1)).toBe(
      '__free_frozen_pages+0x1f1/0x3e0',
    );
    expect(badPageFrames('v6', 'nonzero _refcount', { at: 'alloc' }).slice(2)).toEqual([
      'get_page_from_freelist+0xa5c/0x2140',
      '__alloc_frozen_pages_noprof+0x168/0x330',
    ]);
  });

  it('v4.8: free_pages_check_bad() for its own reasons, then free_hot_cold_page or __free_pages_ok', () => {
    expect(badPageFrames('v4', 'nonzero mapcount', { at: 'free', order: 0 })).toEqual([
      'dump_stack+0x63/0x90',
      'bad_page+0xc0/0x120',
      'free_pages_check_bad+0x77/0x80',
      'free_hot_cold_page+0x106/0x180',
    ]);
    // free_tail_pages_check() calls bad_page() itself
    expect(badPageFrames('v4', 'PageTail not set', { at: 'free', order: 3 })).toEqual([
      'dump_stack+0x63/0x90',
      'bad_page+0xc0/0x120',
      '__free_pages_ok+0x2e4/0x3a0',
    ]);
  });
});

describe('formatBadPage(): the report, dump_page() with page_owner’s part, and the kernel’s frames on top', () => {
  it('v6.18', () => {
    const { memory, buddy } = machine('v6.18', freePath['v6.18']);
    const pfn = buddy.allocPages(memory.profile.gfp.flags.GFP_KERNEL, 0);
    buddy.hooks.dump_page.subscribe((page) => memory.log.printk(`page_owner tracks the page as allocated (${page})`));
    const rest = formatBadPage(buddy, pfn, 'nonzero _refcount', 0, { at: 'free', order: 0 });
    memory.log.printk(rest.join('\n'));
    const lines = memory.log.lines().map((line) => line.replace(/^\[ *\d+\.\d+\] /, ''));
    const start = lines.findIndex((line) => line.startsWith('BUG: Bad page state'));
    const report = lines.slice(start);
    // bad_page(): pr_alert("BUG: Bad page state in process %s  pfn:%05lx\n")
    expect(report[0]).toBe(`BUG: Bad page state in process leaky-driver  pfn:${pfn.toString(16).padStart(5, '0')}`);
    // dump_page(): __dump_folio()'s lines, "page dumped because: %s", then dump_page_owner()
    expect(report[1]).toMatch(/^page: refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x[0-9a-f]+$/);
    const because = report.indexOf('page dumped because: nonzero _refcount');
    expect(report[because + 1]).toBe(`page_owner tracks the page as allocated (${pfn})`);
    // print_modules(), then dump_stack()
    expect(report.slice(because + 2)).toEqual([
      'Modules linked in: leaky',
      'CPU: 0 UID: 0 PID: 0 Comm: leaky-driver Not tainted 6.18.2 #1 PREEMPT(voluntary) ',
      expect.stringMatching(/^Hardware name: /),
      'Call Trace:',
      ' <TASK>',
      ' dump_stack_lvl+0x5d/0x80',
      ' bad_page+0x6b/0x110',
      ' __free_frozen_pages+0x1f1/0x3e0',
      ' __free_pages+0x50/0x90',
      ' leaky_ioctl+0xe1/0x1a0 [leaky]',
      ' __x64_sys_ioctl+0x94/0xd0',
      expect.stringMatching(/^ do_syscall_64\+0x71\/0x[0-9a-f]+$/),
      expect.stringMatching(/^ entry_SYSCALL_64_after_hwframe\+0x76\/0x[0-9a-f]+$/),
      expect.stringMatching(/^RIP: 0033:0x7f/),
      expect.stringMatching(/^Code: /),
      expect.stringMatching(/ ORIG_RAX: 0000000000000010$/),
      expect.stringMatching(/^RAX: /),
      expect.stringMatching(/^RDX: /),
      expect.stringMatching(/^RBP: /),
      expect.stringMatching(/^R10: /),
      expect.stringMatching(/^R13: /),
      ' </TASK>',
    ]);
    checkInvariants(buddy, [{ pfn, order: 0 }]);
  });

  it('v4.8: bad because of flags, dump_page_owner(), and dump_stack()’s addresses', () => {
    const { memory, buddy, text } = machine('v4.8', freePath['v4.8']);
    const pfn = buddy.allocPages(memory.profile.gfp.flags.GFP_KERNEL, 0);
    const lru = 1 << memory.profile.pageFlags.bit.lru;
    memory.setPageFlag(pfn, memory.profile.pageFlags.bit.lru);
    buddy.hooks.dump_page.subscribe(() => memory.log.printk('page_owner info is not active (free page?)'));
    const rest = formatBadPage(buddy, pfn, 'PAGE_FLAGS_CHECK_AT_FREE flag(s) set', lru, { at: 'free', order: 0 });
    const head = memory.log.lines().map((line) => line.replace(/^\[ *\d+\.\d+\] /, ''));
    const start = head.findIndex((line) => line.startsWith('BUG: Bad page state'));
    expect(head.slice(start + 3)).toEqual([
      // __dump_page(): pr_alert("page dumped because: %s\n"); bad_page(): "bad because of flags: %#lx(%pGp)\n"
      'page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set',
      'bad because of flags: 0x20(lru)',
      // bad_page(): dump_page_owner(page)
      'page_owner info is not active (free page?)',
    ]);
    const at = (frame: string) => ` [<${KernelText.hexAddress(text.site(frame))}>] ${frame}`;
    expect(rest[0]).toBe('Modules linked in: leaky');
    expect(rest[1]).toBe('CPU: 0 PID: 0 Comm: leaky-driver Not tainted 4.8.15 #1');
    // show_stack_log_lvl(): 12 words, then the trace, starting at dump_stack+0x63/0x90 (at its anchored address)
    for (const line of rest.slice(3, 6)) expect(line).toMatch(/^(?: [0-9a-f]{16}){4}$/);
    expect(rest.slice(6)).toEqual([
      'Call Trace:',
      ' [<ffffffff813c8a53>] dump_stack+0x63/0x90',
      ' [<ffffffff81163ef0>] bad_page+0xc0/0x120',
      ' [<ffffffff81163fc7>] free_pages_check_bad+0x77/0x80',
      ' [<ffffffff81166b76>] free_hot_cold_page+0x106/0x180',
      at('__free_pages+0x25/0x30'),
      at('leaky_ioctl+0xe1/0x1a0 [leaky]'),
      at('SyS_ioctl+0x79/0x90'),
      at('entry_SYSCALL_64_fastpath+0x12/0x71'),
    ]);
  });
});

import { debugPagealloc } from '@mm/debug-pagealloc';
import { boot, type Kernel } from '@mm/kernel';
import { migrate } from '@mm/migrate';
import { pageOwner } from '@mm/page-owner';
import { PAGE_SIZE } from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import { expectGolden } from '../../../tools/expect-golden';
import {
  PAGE_TABLE_CHECK_BUG_SITES,
  PAGE_TABLE_CHECK_BYTES,
  PAGE_TABLE_CHECK_PLACE,
  pageTableCheck,
  pageTableCheckBytesPerPage,
  pageTableCheckLayoutRows,
} from './index';

const fixtures = new URL('./__fixtures__/', import.meta.url);
const withoutTime = (text: string) => text.replace(/^\[[ \d.]+\] /gm, '');

function bootChecked(memory = '1G', cmdline = 'page_table_check=on'): Kernel {
  return boot({ memory, cmdline, features: [pageTableCheck()] });
}

/**
 * The `n`th BUG report of the log (0 first), from its `cut here` line to the line before the next report or the
 * next line that is not part of it (the executive summary ends with `CR2:`, then maybe the `note:`).
 */
function bugReport(kernel: Kernel, n = 0): string[] {
  const lines = withoutTime(kernel.dmesg()).split('\n');
  const starts = lines.flatMap((line, index) => (line === '------------[ cut here ]------------' ? [index] : []));
  const start = starts[n]!;
  const endTrace = lines.indexOf('---[ end trace 0000000000000000 ]---', start);
  let end = lines.findIndex((line, index) => index > endTrace && line.startsWith('CR2: ')) + 1;
  if (lines[end]?.startsWith('note: ')) end++;
  return lines.slice(start, end);
}

/**
 * A page cache page that process `reader` maps through a shared file mapping, installed by a buggy path as a new
 * anonymous page of process `victim` while `reader` still maps it (`folio_add_new_anon_rmap()` on a page some file
 * mapping still holds: what a page freed early through a wrong refcount and reused leads to). The vm never does
 * this; the test does what such a path would: `page->mapping` becomes the victim's anon_vma and the victim's fault
 * sets the entry.
 */
function mapAnonAndFile(kernel: Kernel): { pfn: number; victimAddress: number } {
  const { vm, hooks, memory } = kernel;
  const reader = vm.createProcess('reader');
  const file = vm.createFile('/usr/lib/libfoo.so.1', 4);
  const at = vm.mmap(reader, { pages: 4, file, shared: true, write: false });
  const pfn = vm.touch(reader, at);
  const victim = vm.createProcess('victim');
  const victimAddress = vm.mmap(victim, { pages: 1 });
  const vma = victim.mm.find(victimAddress / PAGE_SIZE)!;
  vm.rmap.set(pfn, -vma.id, 0);
  memory.current.runAs(victim, () => hooks.map.call(pfn, victim.pid, victimAddress));
  return { pfn, victimAddress };
}

describe('pageTableCheck(), booted alone', () => {
  it('takes 8 bytes of page_ext a page, no flags word, and checks once page_ext is up', () => {
    const kernel = bootChecked();
    const check = kernel.feature(pageTableCheck)!;
    expect(check.enabled).toBe(true);
    expect(check.checking).toBe(true);
    // page_table_check_ops: .size = sizeof(struct page_table_check), .need_shared_flags = false.
    expect(kernel.pageExt!.entryBytes).toBe(PAGE_TABLE_CHECK_BYTES);
    expect(kernel.pageExt!.plan.active.map(({ client, offset }) => [client.name, client.place, offset])).toEqual([
      ['page_table_check', PAGE_TABLE_CHECK_PLACE, 0],
    ]);
    // 1 GiB: 8 sections of 32768 pages, 8 bytes each.
    expect(kernel.dmesg()).toMatch(/\] allocated 2097152 bytes of page_ext\n/);
    const { hooks } = kernel;
    expect([hooks.post_alloc.count, hooks.free_prepare.count, hooks.map.count, hooks.unmap.count]).toEqual([
      1, 1, 1, 1,
    ]);
  });

  it('counts the entries that map each page, anon and file, and lets legal unmaps bring them back to zero', () => {
    const kernel = bootChecked();
    const check = kernel.feature(pageTableCheck)!;
    const { vm } = kernel;
    const a = vm.createProcess('a');
    const b = vm.createProcess('b');
    const heap = vm.mmap(a, { pages: 8 });
    const anon = Array.from({ length: 8 }, (_, page) => vm.touch(a, heap + page * PAGE_SIZE, page % 2 === 0));
    const file = vm.createFile('/usr/bin/make', 4);
    const textA = vm.mmap(a, { pages: 4, file, exec: true, write: false });
    const textB = vm.mmap(b, { pages: 4, file, exec: true, write: false });
    const shared = [0, 1, 2, 3].map((page) => vm.touch(a, textA + page * PAGE_SIZE));
    for (let page = 0; page < 4; page++) expect(vm.touch(b, textB + page * PAGE_SIZE)).toBe(shared[page]);
    for (const pfn of anon) expect([check.anonMapCount(pfn), check.fileMapCount(pfn)]).toEqual([1, 0]);
    for (const pfn of shared) expect([check.anonMapCount(pfn), check.fileMapCount(pfn)]).toEqual([0, 2]);
    expect(check.totals()).toEqual({ anon: 8, file: 8 });
    // A write to a private file mapping: the file page's entry is cleared, the anonymous copy's set.
    const privateText = vm.mmap(b, { pages: 1, file, offset: 0 });
    expect(vm.touch(b, privateText)).toBe(shared[0]);
    const copy = vm.touch(b, privateText, true);
    expect([check.anonMapCount(copy), check.fileMapCount(shared[0]!)]).toEqual([1, 2]);
    vm.munmap(a, heap, 8);
    vm.exit(a);
    vm.exit(b);
    expect(check.totals()).toEqual({ anon: 0, file: 0 });
    expect(check.bugs).toEqual([]);
    expect(check.stats).toMatchObject({ entriesSet: 18, entriesCleared: 18, bugs: 0 });
    expect(kernel.dmesg()).not.toContain('kernel BUG');
  });

  it('reports a page mapped anon and file at once: kernel BUG at mm/page_table_check.c:117 (golden)', () => {
    const kernel = bootChecked();
    const check = kernel.feature(pageTableCheck)!;
    const { pfn, victimAddress } = mapAnonAndFile(kernel);
    // page_table_check_set(): anon, and BUG_ON(atomic_read(&ptc->file_map_count)) before the increment.
    expect(check.bugs).toEqual([
      {
        line: 117,
        function: 'page_table_check_set',
        condition: 'atomic_read(&ptc->file_map_count)',
        pfn,
        anonMapCount: 0,
        fileMapCount: 1,
        pid: 1001,
        comm: 'victim',
      },
    ]);
    const report = bugReport(kernel);
    expect(report.slice(0, 3)).toEqual([
      '------------[ cut here ]------------',
      'kernel BUG at mm/page_table_check.c:117!',
      'Oops: invalid opcode: 0000 [#1] SMP NOPTI',
    ]);
    // The fault's address is CR2.
    expect(report.find((line) => line.startsWith('CR2: '))).toMatch(
      new RegExp(`^CR2: ${victimAddress.toString(16).padStart(16, '0')} `),
    );
    expectGolden(fixtures, 'bug-anon-and-file.golden.txt', `${report.join('\n')}\n`);
    expect(kernel.memory.taint.print()).toContain('D');
  });

  it('reports a mapped page freed: BUG at mm/page_table_check.c:142 for an anonymous page, 143 for a file page', () => {
    const kernel = bootChecked();
    const check = kernel.feature(pageTableCheck)!;
    const { vm, buddy, memory } = kernel;
    const task = vm.createProcess('leaky');
    const heap = vm.mmap(task, { pages: 1 });
    const pfn = vm.touch(task, heap, true);
    // An extra put_page() of a driver: the page goes back to the allocator while its entry still maps it.
    memory.current.runAs(task, () => buddy.freePages(pfn, 0));
    expect(check.bugs.map(({ line, pfn }) => [line, pfn])).toEqual([[142, pfn]]);
    const report = bugReport(kernel);
    expect(report.slice(0, 3)).toEqual([
      '------------[ cut here ]------------',
      'kernel BUG at mm/page_table_check.c:142!',
      'Oops: invalid opcode: 0000 [#1] SMP NOPTI',
    ]);
    expect(report).toContain('RIP: 0010:__page_table_check_zero+0xf9/0x130');
    // page_table_check_free() from free_pages_prepare(), inlined in __free_frozen_pages(): no lock held, no note.
    expect(report.slice(report.indexOf('Call Trace:'), report.indexOf('Modules linked in:'))).toEqual([
      'Call Trace:',
      ' <TASK>',
      ' __free_frozen_pages+0x229/0x3e0',
      ' </TASK>',
    ]);
    expect(report.at(-1)).toMatch(/^CR2: /);
  });

  it('reports a file page freed while mapped, as 6.18.33 did in siderolabs/talos#13496: line 143 (golden)', () => {
    const kernel = bootChecked();
    const check = kernel.feature(pageTableCheck)!;
    const { vm, buddy, memory, stack, text } = kernel;
    // A driver maps a page of its file into the process, and its ioctl drops the page's last reference while the
    // entry still maps it.
    memory.modules.push('mapper_drv');
    const task = vm.createProcess('mapper');
    const file = vm.createFile('/dev/shm/mapper-ring', 1);
    const mapped = vm.mmap(task, { pages: 1, file, shared: true, write: false });
    const pfn = vm.touch(task, mapped);
    const depth = stack.depth;
    stack.pushAll(
      text.sites([
        'entry_SYSCALL_64_after_hwframe+0x76/0xc0',
        'do_syscall_64+0x71/0x310',
        '__x64_sys_ioctl+0x94/0xd0',
        'mapper_drv_ioctl+0x13b/0x1c0 [mapper_drv]',
        '__free_pages+0x50/0x90',
      ]),
    );
    memory.current.runAs(task, () => buddy.freePages(pfn, 0));
    stack.unwindTo(depth);
    expect(check.bugs.map(({ line, pfn }) => [line, pfn])).toEqual([[143, pfn]]);
    expectGolden(fixtures, 'bug-file-page-freed.golden.txt', `${bugReport(kernel).join('\n')}\n`);
  });

  it('reports an anonymous page mapped writable by two entries (118), not read-only ones', () => {
    const kernel = bootChecked();
    const check = kernel.feature(pageTableCheck)!;
    const { vm, hooks, memory } = kernel;
    const parent = vm.createProcess('parent');
    const heap = vm.mmap(parent, { pages: 1 });
    const pfn = vm.touch(parent, heap, true);
    // A second entry in a read-only mapping: the read-only sharing fork() leaves is legal.
    const child = vm.createProcess('child');
    const readOnly = vm.mmap(child, { pages: 1, write: false });
    memory.current.runAs(child, () => hooks.map.call(pfn, child.pid, readOnly));
    expect([check.anonMapCount(pfn), check.bugs.length]).toEqual([2, 0]);
    // A writable one: BUG_ON(atomic_inc_return(&ptc->anon_map_count) > 1 && rw).
    const writable = vm.mmap(child, { pages: 1 });
    memory.current.runAs(child, () => hooks.map.call(pfn, child.pid, writable));
    expect(check.bugs.map(({ line, anonMapCount }) => [line, anonMapCount])).toEqual([[118, 3]]);
    expect(bugReport(kernel)[1]).toBe('kernel BUG at mm/page_table_check.c:118!');
    // The same through the kernel's entry point, with pte_write() given.
    check.ptesSet(pfn, 1, false);
    expect(check.bugs.length).toBe(1);
    check.ptesSet(pfn, 1, true);
    expect(check.bugs.map(({ line }) => line)).toEqual([118, 118]);
  });

  it('reports every other BUG_ON: counts below zero (83, 86), a page that changed kind (82, 85, 120), slab (74, 109)', () => {
    const kernel = bootChecked();
    const check = kernel.feature(pageTableCheck)!;
    const { vm } = kernel;
    const task = vm.createProcess('task');
    const heap = vm.mmap(task, { pages: 4 });
    const file = vm.createFile('/etc/passwd', 4);
    const text = vm.mmap(task, { pages: 4, file, write: false });
    const lines = () => check.bugs.map(({ line }) => line);
    // An entry cleared twice.
    const anon = vm.touch(task, heap);
    const cached = vm.touch(task, text);
    check.pteClear(anon);
    check.pteClear(anon);
    check.pteClear(cached);
    check.pteClear(cached);
    expect(check.bugs.map(({ line, anonMapCount, fileMapCount }) => [line, anonMapCount, fileMapCount])).toEqual([
      [83, -1, 0],
      [86, 0, -1],
    ]);
    // page->mapping overwritten under a mapped page: a file page now anon, an anonymous page now file.
    const nowAnon = vm.touch(task, text + PAGE_SIZE);
    vm.rmap.set(nowAnon, -1, 0);
    check.pteClear(nowAnon);
    const nowFile = vm.touch(task, heap + PAGE_SIZE);
    vm.rmap.set(nowFile, file.id, 1);
    check.ptesSet(nowFile, 1, false);
    check.pteClear(nowFile);
    expect(lines().slice(2)).toEqual([82, 120, 85]);
    // A slab page in a page table.
    const slab = kernel.buddy.allocPages(kernel.profile.gfp.flags.GFP_KERNEL, 0);
    vm.slabPage(slab, 0, false, false);
    check.ptesSet(slab, 1, true);
    check.pteClear(slab);
    expect(lines().slice(5)).toEqual([109, 74]);
    expect(bugReport(kernel, 6)[1]).toBe('kernel BUG at mm/page_table_check.c:74!');
    expect(Object.keys(PAGE_TABLE_CHECK_BUG_SITES).map(Number)).toEqual([
      74, 82, 83, 85, 86, 109, 117, 118, 120, 121, 142, 143,
    ]);
  });

  it('numbers its oopses, taints D and repeats the first oops in the executive summary', () => {
    const kernel = boot({
      memory: '1G',
      cmdline: 'page_table_check=on debug_pagealloc=on',
      features: [pageTableCheck(), debugPagealloc()],
    });
    mapAnonAndFile(kernel);
    mapAnonAndFile(kernel);
    const first = bugReport(kernel, 0);
    const second = bugReport(kernel, 1);
    // __die_header(): debug_pagealloc_enabled() adds DEBUG_PAGEALLOC; die_counter counts.
    expect(first[2]).toBe('Oops: invalid opcode: 0000 [#1] SMP DEBUG_PAGEALLOC NOPTI');
    expect(second[2]).toBe('Oops: invalid opcode: 0000 [#2] SMP DEBUG_PAGEALLOC NOPTI');
    expect(first[3]).toMatch(/ Not tainted 6\.18\.2 #1 PREEMPT\(voluntary\) $/);
    expect(second[3]).toMatch(/ Tainted: G {6}D {13}6\.18\.2 #1 PREEMPT\(voluntary\) $/);
    expect(second[4]).toBe('Tainted: [D]=DIE');
    const summary = (report: string[]) => report.slice(report.indexOf('---[ end trace 0000000000000000 ]---') + 1);
    const regs = (report: string[]) => report.slice(report.findIndex((line) => line.startsWith('RIP: 0010:')));
    expect(summary(second).slice(0, -1)).toEqual(regs(first).slice(0, summary(second).length - 1));
  });

  it('moves the counts with migrated pages, which then free cleanly', () => {
    const kernel = boot({ memory: '1G', cmdline: 'page_table_check=on', features: [pageTableCheck(), migrate()] });
    const check = kernel.feature(pageTableCheck)!;
    const { migration } = kernel.feature(migrate)!;
    const { vm } = kernel;
    const a = vm.createProcess('a');
    const b = vm.createProcess('b');
    const file = vm.createFile('/usr/lib/libc.so.6', 2);
    const heap = vm.mmap(a, { pages: 1 });
    const anon = vm.touch(a, heap, true);
    const cached = vm.touch(a, vm.mmap(a, { pages: 2, file, write: false }));
    expect(vm.touch(b, vm.mmap(b, { pages: 2, file, write: false }))).toBe(cached);
    expect(migration.migratePages([anon, cached], migration.reason('compaction'))).toBe(2);
    const movedAnon = vm.translate(a, heap);
    const movedFile = file.cachedPfn(0);
    expect(movedAnon).not.toBe(anon);
    expect([check.anonMapCount(movedAnon), check.fileMapCount(movedFile)]).toEqual([1, 2]);
    expect([check.anonMapCount(anon), check.fileMapCount(cached)]).toEqual([0, 0]);
    vm.exit(a);
    vm.exit(b);
    expect(check.totals()).toEqual({ anon: 0, file: 0 });
    expect(check.bugs).toEqual([]);
  });

  it('sits after page_owner in page_ext: 80 bytes a page, its counters at offset 72', () => {
    const kernel = boot({
      memory: '1G',
      cmdline: 'page_owner=on page_table_check=on',
      features: [pageOwner(), pageTableCheck()],
    });
    expect(kernel.pageExt!.entryBytes).toBe(80);
    expect(kernel.pageExt!.plan.active.map(({ client, offset }) => [client.name, offset])).toEqual([
      ['page_owner', 8],
      ['page_table_check', 72],
    ]);
    expect(kernel.dmesg()).toMatch(/\] allocated 20971520 bytes of page_ext\n/);
    expect(pageTableCheckBytesPerPage('v6.18')).toBe(8);
    expect(pageTableCheckBytesPerPage('v6.18', true)).toBe(80);
    expect(pageTableCheckBytesPerPage('v4.8')).toBeUndefined();
    expect(pageTableCheckLayoutRows(262144)).toEqual([
      { profile: 'v6.18', clients: 'page_table_check', bytesPerPage: 8, staticBytes: 2097152 },
      { profile: 'v6.18', clients: 'page_owner,page_table_check', bytesPerPage: 80, staticBytes: 20971520 },
    ]);
  });
});

describe('pageTableCheck() off, or absent', () => {
  it('costs nothing when built in and not enabled: no page_ext, no listener', () => {
    const kernel = boot({ memory: '256M', features: [pageTableCheck()] });
    const check = kernel.feature(pageTableCheck)!;
    expect([check.enabled, check.checking]).toEqual([false, false]);
    expect(kernel.pageExt).toBeUndefined();
    const { hooks } = kernel;
    expect([hooks.post_alloc.count, hooks.free_prepare.count, hooks.map.count, hooks.unmap.count]).toEqual([
      0, 0, 0, 0,
    ]);
    expect(kernel.dmesg()).not.toContain('bytes of page_ext');
    expect(kernel.summaries({ counters: new Map() })).toEqual([{ fields: { pageTableCheck: null } }]);
  });

  it('is on without the parameter when enforced, and off with page_table_check=off', () => {
    const enforced = boot({ memory: '256M', features: [pageTableCheck({ enforced: true })] });
    expect(enforced.feature(pageTableCheck)!.checking).toBe(true);
    const off = boot({
      memory: '256M',
      cmdline: 'page_table_check=off',
      features: [pageTableCheck({ enforced: true })],
    });
    expect(off.feature(pageTableCheck)!.checking).toBe(false);
    expect(off.pageExt).toBeUndefined();
  });

  it.each(['page_table_check', 'page_table_check=maybe'])('says %s is malformed and stays off', (cmdline) => {
    const kernel = bootChecked('256M', cmdline);
    expect(kernel.dmesg()).toContain("Malformed early option 'page_table_check'");
    expect(kernel.feature(pageTableCheck)!.checking).toBe(false);
  });

  it.each([
    ['v4.8', 'x86_64'],
    ['v6.18', 'i386'],
  ] as const)('does not exist on %s %s: the parameter is unknown, no page_ext', (profile, arch) => {
    const kernel = boot({
      memory: '256M',
      profile,
      arch,
      cmdline: 'page_table_check=on',
      features: [pageTableCheck()],
    });
    const check = kernel.feature(pageTableCheck)!;
    expect([check.available, check.enabled, check.checking]).toEqual([false, false, false]);
    expect(kernel.pageExt).toBeUndefined();
    expect(kernel.unknownParameters.map((parameter) => parameter.name)).toContain('page_table_check');
  });
});

describe('its summary', () => {
  it('gives what it checked and the first BUG', () => {
    const kernel = bootChecked('256M');
    const { pfn } = mapAnonAndFile(kernel);
    const [summary] = kernel.summaries({ counters: new Map() });
    expect(summary!.fields).toEqual({
      pageTableCheck: {
        entriesSet: 2,
        entriesCleared: 0,
        zeroChecks: expect.any(Number),
        bugs: 1,
        firstBug: { line: 117, pfn, comm: 'victim' },
      },
    });
    expect(summary!.lines![0]).toMatch(
      new RegExp(
        `^ {2}page_table_check: 2 entries set, 0 cleared, \\d+ blocks checked at alloc and free; 1 BUGs, the first: mm/page_table_check\\.c:117 \\(pfn 0x${pfn.toString(16)}\\)$`,
      ),
    );
    expect(summary!.facts).toEqual([
      ['page_table_check BUGs', `1, the first at mm/page_table_check.c:117 (pfn 0x${pfn.toString(16)})`],
    ]);
  });
});

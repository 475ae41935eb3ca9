import { structPageAddress } from '@mm/buddy';
import {
  type DumpStackSource,
  directMapAddress,
  dumpStackContext,
  formatCallTrace,
  formatDumpStackInfo,
  formatX86Regs,
  kernelStackAddress,
  type PhysicalMemory,
  type StackFrame,
  taskSystemRegs,
  type X86Regs,
} from '@mm/physmem';
import { type KernelText, symbolizeFrames } from '@mm/stacktrace';

/** The functions of mm/page_table_check.c that hold a `BUG_ON()`. */
export type PageTableCheckFunction = 'page_table_check_clear' | 'page_table_check_set' | '__page_table_check_zero';

/** One `BUG_ON()` of mm/page_table_check.c (v6.18): where it is, what it tests, where its `ud2` is. */
export interface PageTableCheckBugSite {
  /** The line `kernel BUG at mm/page_table_check.c:%u!` names. */
  readonly line: number;
  readonly function: PageTableCheckFunction;
  /** The condition, as the source has it. */
  readonly condition: string;
  /** Offset of the `ud2` in the function (RIP): modelled, see {@link BUG_FUNCTION_SIZES}. */
  readonly offset: number;
}

/**
 * Every `BUG_ON()` of v6.18 mm/page_table_check.c that mmsim can reach, by line (Linux 6.18.2, `gfunkmonk/linux-6.18.2`
 * @ 57dc26c98e5e; the lines are the same in 6.18.33, whose `kernel BUG at mm/page_table_check.c:143!` is the one
 * siderolabs/talos#13496 reports):
 *
 * ```c
 *  63 static void page_table_check_clear(unsigned long pfn, unsigned long pgcnt)
 *  74 	BUG_ON(PageSlab(page));
 *  82 			BUG_ON(atomic_read(&ptc->file_map_count));                 (anon)
 *  83 			BUG_ON(atomic_dec_return(&ptc->anon_map_count) < 0);
 *  85 			BUG_ON(atomic_read(&ptc->anon_map_count));                 (file)
 *  86 			BUG_ON(atomic_dec_return(&ptc->file_map_count) < 0);
 *  97 static void page_table_check_set(unsigned long pfn, unsigned long pgcnt, bool rw)
 * 109 	BUG_ON(PageSlab(page));
 * 117 			BUG_ON(atomic_read(&ptc->file_map_count));                 (anon)
 * 118 			BUG_ON(atomic_inc_return(&ptc->anon_map_count) > 1 && rw);
 * 120 			BUG_ON(atomic_read(&ptc->anon_map_count));                 (file)
 * 121 			BUG_ON(atomic_inc_return(&ptc->file_map_count) < 0);
 * 131 void __page_table_check_zero(struct page *page, unsigned int order)
 * 142 		BUG_ON(atomic_read(&ptc->anon_map_count));
 * 143 		BUG_ON(atomic_read(&ptc->file_map_count));
 * ```
 *
 * Left out: line 55 (`BUG_ON(!page_ext)` in `get_page_table_check()`), which v6.18 cannot reach since
 * `for_each_page_ext()` stops at a pfn without page_ext; and line 136 (`BUG_ON(PageSlab(page))` in
 * `__page_table_check_zero()`), which cannot fire either: `free_pages_prepare()` resets `page_type` before it calls
 * `page_table_check_free()`, and `post_alloc_hook()` runs before a slab sets it.
 *
 * The offsets are modelled: each function's `BUG_ON()`s compile to a run of `ud2` (`0f 0b`) after its epilogue, as
 * the 6.18.33 report's `RIP: 0010:__page_table_check_zero+0xfb/0x130` with `Code: ... 0f 0b <0f> 0b 0f 0b` shows
 * for line 143.
 */
export const PAGE_TABLE_CHECK_BUG_SITES: Readonly<Record<number, PageTableCheckBugSite>> = Object.fromEntries(
  (
    [
      [74, 'page_table_check_clear', 'PageSlab(page)', 0x1c4],
      [82, 'page_table_check_clear', 'atomic_read(&ptc->file_map_count)', 0x1c6],
      [83, 'page_table_check_clear', 'atomic_dec_return(&ptc->anon_map_count) < 0', 0x1c8],
      [85, 'page_table_check_clear', 'atomic_read(&ptc->anon_map_count)', 0x1ca],
      [86, 'page_table_check_clear', 'atomic_dec_return(&ptc->file_map_count) < 0', 0x1cc],
      [109, 'page_table_check_set', 'PageSlab(page)', 0x1f6],
      [117, 'page_table_check_set', 'atomic_read(&ptc->file_map_count)', 0x1f8],
      [118, 'page_table_check_set', 'atomic_inc_return(&ptc->anon_map_count) > 1 && rw', 0x1fa],
      [120, 'page_table_check_set', 'atomic_read(&ptc->anon_map_count)', 0x1fc],
      [121, 'page_table_check_set', 'atomic_inc_return(&ptc->file_map_count) < 0', 0x1fe],
      [142, '__page_table_check_zero', 'atomic_read(&ptc->anon_map_count)', 0xf9],
      [143, '__page_table_check_zero', 'atomic_read(&ptc->file_map_count)', 0xfb],
    ] as const
  ).map(([line, fn, condition, offset]) => [line, { line, function: fn, condition, offset }]),
);

/**
 * The sizes given to the functions: `__page_table_check_zero` is 0x130 in the 6.18.33 report; the others are
 * modelled (the simulated text defines them on first use, as `KernelText.site()` does for any path).
 */
const BUG_FUNCTION_SIZES: Readonly<Record<PageTableCheckFunction, number>> = {
  page_table_check_clear: 0x1e0,
  page_table_check_set: 0x220,
  __page_table_check_zero: 0x130,
};

/**
 * The kernel path of a check, for the call trace under the BUG, innermost first (the callers of the function that
 * holds the `BUG_ON()`). mmsim's vm announces that an entry was set or cleared, not which syscall did it, so each
 * kind has one representative path of a 6.18 x86_64 kernel, with the offsets and sizes the workloads' paths
 * (`@mm/workloads` kernel-paths) give the same functions, where they have them:
 *
 * - `anonFault`: `do_anonymous_page()` → `set_ptes()` → `page_table_check_ptes_set()` (mm/memory.c:5234), from a
 *   user-mode page fault;
 * - `fileFault`: `do_fault()` → `finish_fault()` → `set_pte_range()` → `set_ptes()` (mm/memory.c:5444);
 * - `cowFault`: the same through `do_cow_fault()` (inlined in `do_fault()`), for an anonymous copy in a file mapping;
 * - `munmap`, `exit`, `oomReaper`: `zap_pte_range()` (inlined in `unmap_page_range()`) → `ptep_get_and_clear_full()`
 *   → x86 `ptep_get_and_clear()` → `page_table_check_pte_clear()` (mm/memory.c:1683,
 *   arch/x86/include/asm/pgtable.h:1254), from munmap(2), exit_group(2) and the OOM reaper;
 * - `free`: `__free_frozen_pages()` (`free_pages_prepare()` inlined; `__free_pages_ok()` for an order the per-CPU
 *   lists do not take) → `page_table_check_free()` (mm/page_alloc.c:1395);
 * - `alloc`: `post_alloc_hook()` → `page_table_check_alloc()` (mm/page_alloc.c:1846), from
 *   `get_page_from_freelist()`.
 *
 * `free` and `alloc` are followed by the caller's own path, from the shadow stack (as `bad_page()`'s trace is).
 */
export const PAGE_TABLE_CHECK_PATHS = {
  anonFault: [
    '__page_table_check_ptes_set+0xd6/0x120',
    'do_anonymous_page+0x3f4/0xa40',
    '__handle_mm_fault+0xa64/0xd20',
    'handle_mm_fault+0xd0/0x130',
    'exc_page_fault+0x176/0x2c0',
    'asm_exc_page_fault+0x22/0x50',
  ],
  fileFault: [
    '__page_table_check_ptes_set+0xd6/0x120',
    'set_pte_range+0x16b/0x230',
    'finish_fault+0x1c8/0x2e0',
    'do_fault+0x4d1/0x680',
    '__handle_mm_fault+0x842/0xd20',
    'handle_mm_fault+0xd0/0x130',
    'exc_page_fault+0x176/0x2c0',
    'asm_exc_page_fault+0x22/0x50',
  ],
  cowFault: [
    '__page_table_check_ptes_set+0xd6/0x120',
    'set_pte_range+0x16b/0x230',
    'finish_fault+0x1c8/0x2e0',
    'do_fault+0xb2/0x680',
    '__handle_mm_fault+0x842/0xd20',
    'handle_mm_fault+0xd0/0x130',
    'exc_page_fault+0x176/0x2c0',
    'asm_exc_page_fault+0x22/0x50',
  ],
  munmap: [
    '__page_table_check_pte_clear+0x3a/0x50',
    'unmap_page_range+0x4c3/0x850',
    'unmap_vmas+0x9d/0xf0',
    'vms_clear_ptes+0x13f/0x210',
    'vms_complete_munmap_vmas+0x69/0xb0',
    'do_vmi_align_munmap+0x246/0x2d0',
    'do_vmi_munmap+0xcc/0x120',
    '__vm_munmap+0xd9/0x130',
    '__x64_sys_munmap+0x17/0x40',
    'do_syscall_64+0x71/0x310',
    'entry_SYSCALL_64_after_hwframe+0x76/0xc0',
  ],
  exit: [
    '__page_table_check_pte_clear+0x3a/0x50',
    'unmap_page_range+0x4c3/0x850',
    'unmap_vmas+0x9d/0xf0',
    'exit_mmap+0x13e/0x270',
    '__mmput+0x41/0x80',
    'do_exit+0x2a0/0xb80',
    'do_group_exit+0x31/0x80',
    '__x64_sys_exit_group+0x18/0x20',
    'x64_sys_call+0x14f6/0x1500',
    'do_syscall_64+0x71/0x310',
    'entry_SYSCALL_64_after_hwframe+0x76/0xc0',
  ],
  oomReaper: [
    '__page_table_check_pte_clear+0x3a/0x50',
    'unmap_page_range+0x4c3/0x850',
    '__oom_reap_task_mm+0x9a/0x170',
    'oom_reap_task_mm+0xbe/0x130',
    'oom_reaper+0x1a1/0x3f0',
    'kthread+0x10f/0x240',
    'ret_from_fork+0x2d3/0x320',
    'ret_from_fork_asm+0x1a/0x30',
  ],
  free: ['__free_frozen_pages+0x229/0x3e0'],
  freeNotPcp: ['__free_pages_ok+0x32e/0x4f0'],
  alloc: [
    'post_alloc_hook+0x186/0x1a0',
    'get_page_from_freelist+0xd01/0x2140',
    '__alloc_frozen_pages_noprof+0x168/0x330',
  ],
} as const satisfies Readonly<Record<string, readonly string[]>>;

/** A kernel path of {@link PAGE_TABLE_CHECK_PATHS}. */
export type PageTableCheckPath = keyof typeof PAGE_TABLE_CHECK_PATHS;

/**
 * Whether the check runs under a page table lock, so that the task dies with `preempt_count` 1 (kernel/exit.c
 * `make_task_dead()`: `note: %s[%d] exited with preempt_count %d`): a set in a fault and a clear in a zap hold the
 * PTE lock (`pte_offset_map_lock()`); `page_table_check_alloc()` and `page_table_check_free()` hold nothing.
 */
function underPteLock(path: PageTableCheckPath): boolean {
  return path !== 'free' && path !== 'freeNotPcp' && path !== 'alloc';
}

/** What the report of one BUG is printed from. */
export interface PageTableCheckOops {
  readonly site: PageTableCheckBugSite;
  readonly path: PageTableCheckPath;
  /** The pfn being checked (for the registers). */
  readonly pfn: number;
  /** The user address of the entry, when a fault or a zap is checking one (CR2 of a fault). */
  readonly address?: number;
  /** The `[#N]` of `__die_header()` (`die_counter` after its increment). */
  readonly dieCount: number;
  /** `debug_pagealloc_enabled()`: ` DEBUG_PAGEALLOC` in the Oops line. */
  readonly debugPagealloc: boolean;
}

/** The BUG's RIP and its callers, symbolised against the booted kernel's text. */
export function bugFrames(
  text: KernelText,
  source: Pick<DumpStackSource, 'stackTrace'>,
  site: PageTableCheckBugSite,
  path: PageTableCheckPath,
): { rip: StackFrame; callers: StackFrame[] } {
  const size = BUG_FUNCTION_SIZES[site.function];
  const [rip] = symbolizeFrames(text, [`${site.function}+0x${site.offset.toString(16)}/0x${size.toString(16)}`]);
  const callers: StackFrame[] = symbolizeFrames(text, PAGE_TABLE_CHECK_PATHS[path]);
  if (!underPteLock(path)) callers.push(...source.stackTrace());
  return { rip: rip!, callers };
}

/**
 * The registers of a `BUG_ON()`'s `ud2`. Known to mmsim: RIP (the `ud2` of the site) and the instruction there.
 * Simulated, with values of the kind real reports show: the task's kernel stack pointer (`kernelStackAddress()`),
 * RDI holding the `struct page *` of the pfn, RAX a page_ext address in the direct map, EFLAGS `0x10202`, FS of a
 * user task, the per-CPU GS base, CR0, CR3 and CR4 as debug_pagealloc's oops has them, CR2 the faulting address of a
 * fault (else a user address the task touched), and the code bytes: the function's epilogue, then its run of
 * `ud2` with RIP at the site's.
 */
export function bugRegs(
  memory: Pick<PhysicalMemory, 'profile' | 'current' | 'cpus' | 'maxPfn'>,
  rip: StackFrame,
  oops: Pick<PageTableCheckOops, 'site' | 'pfn' | 'address'>,
): X86Regs {
  const { pid, cpu } = memory.current;
  const { site } = oops;
  const sp = kernelStackAddress('v6', pid);
  const spPlus = (offset: number) => (BigInt(`0x${sp}`) + BigInt(offset)).toString(16).padStart(16, '0');
  // v6.18's PAGE_OFFSET, 0xffff888000000000 without KASLR.
  const directMap = (pfn: number) => directMapAddress(0xffff8880, pfn, 0);
  const zero = '0000000000000000';
  const hex64 = (value: number) => value.toString(16).padStart(16, '0');
  // The site's place in its function's run of ud2s: the ones before it, then it, then the ones after.
  const run = Object.values(PAGE_TABLE_CHECK_BUG_SITES).filter((other) => other.function === site.function);
  const index = run.indexOf(site);
  const before = [
    ...[0x48, 0x83, 0xc3, 0x40, 0x41, 0x83, 0xc4, 0x01, 0x45, 0x39, 0xe5, 0x75, 0xc2, 0xe8, 0x5c, 0x3e, 0xd8, 0xff],
    // pop %rbx, %rbp, %r12-%r15; clear the argument registers; jmp __x86_return_thunk
    ...[0x5b, 0x5d, 0x41, 0x5c, 0x41, 0x5d, 0x41, 0x5e, 0x41, 0x5f, 0x31, 0xc0, 0x31, 0xd2, 0x31, 0xc9, 0x31, 0xf6],
    ...[0x31, 0xff, 0xe9, 0x0d, 0x1c, 0x7e, 0x00],
    ...new Array<number>(index).fill(0).flatMap(() => [0x0f, 0x0b]),
  ];
  const after = [
    0x0b,
    ...new Array<number>(run.length - index - 1).fill(0).flatMap(() => [0x0f, 0x0b]),
    ...[0x48, 0x89, 0xdf, 0xe8, 0x6b, 0x2f, 0xfd, 0xff, 0x49, 0x89, 0xc5, 0x48, 0x85, 0xc0, 0x0f, 0x84, 0x7e, 0xff],
    ...[0xff, 0xff, 0x4c, 0x89, 0xe6],
  ];
  const user = oops.address ?? 0x7f4c8e51a000 + (pid % 256) * 0x1000;
  return {
    ip: rip.address,
    ipSymbol: rip.symbol,
    cs: 0x10,
    ss: 0x18,
    sp,
    flags: '00010202',
    ax: directMap(Math.max(0, memory.maxPfn - 0x4000 + (oops.pfn % 0x800))),
    bx: zero,
    cx: zero,
    dx: hex64(1),
    si: hex64(site.function === '__page_table_check_zero' ? 0 : 1),
    di: structPageAddress(oops.pfn),
    bp: spPlus(0x30),
    r8: zero,
    r9: zero,
    r10: zero,
    r11: zero,
    r12: hex64(oops.pfn),
    r13: structPageAddress(oops.pfn),
    r14: zero,
    r15: hex64(1),
    code: { before, at: 0x0f, after },
    system: taskSystemRegs('v6', memory, { pid, cpu }, hex64(user), directMap),
  };
}

/**
 * A `BUG_ON()` of mm/page_table_check.c as a v6.18 x86_64 kernel prints it, line for line:
 *
 * - lib/bug.c `__report_bug()`: `CUT_HERE` (`------------[ cut here ]------------`, line 191), then
 *   `pr_crit("kernel BUG at %s:%u!\n", file, line)` (line 201);
 * - arch/x86/kernel/traps.c `exc_invalid_op()` → `handle_invalid_op()` → `do_error_trap(regs, 0, "invalid opcode",
 *   X86_TRAP_UD, ...)` (line 304) → `die()`;
 * - arch/x86/kernel/dumpstack.c `__die_header()` (line 419): `Oops: %s: %04lx [#%d]%s%s%s%s` with `invalid opcode`,
 *   error code 0, ` SMP`, ` DEBUG_PAGEALLOC` when debug_pagealloc is on, and ` NOPTI` (no KASAN; no PREEMPT tag in
 *   6.18, where the preemption model moved to the CPU line);
 * - `__die_body()`: `show_regs()` (line 476): `dump_stack_print_info()` (CPU, Comm, taint, release,
 *   `PREEMPT(voluntary)`; then `Hardware name:`), `__show_regs(SHOW_REGS_ALL)`, and the call trace from the
 *   trapping frame (`show_trace_log_lvl(current, regs, NULL)` starts at `regs->sp`, so the exception's own frames
 *   are not in it), then `print_modules()`; no `CR2:` line (only the page fault path prints one);
 * - `oops_end()`: `---[ end trace 0000000000000000 ]---`, the executive summary (`__show_regs()` of the first
 *   oops's registers, `firstRegs`), and kernel/exit.c `make_task_dead()`'s `note: %s[%d] exited with preempt_count
 *   %d` when the task dies holding the PTE lock (the trap re-enabled interrupts, `cond_local_irq_enable()`, so no
 *   `irqs disabled` note). For pid 0 the kernel panics instead; mmsim goes on.
 */
export function formatPageTableCheckBug(
  memory: PhysicalMemory,
  oops: PageTableCheckOops,
  frames: { rip: StackFrame; callers: readonly StackFrame[] },
  regs: X86Regs,
  firstRegs: X86Regs,
): string[] {
  const { site, path } = oops;
  const { pid, comm } = memory.current;
  const lines = [
    '------------[ cut here ]------------',
    `kernel BUG at mm/page_table_check.c:${site.line}!`,
    `Oops: invalid opcode: 0000 [#${oops.dieCount}] SMP${oops.debugPagealloc ? ' DEBUG_PAGEALLOC' : ''} NOPTI`,
    ...formatDumpStackInfo(dumpStackContext(memory)),
    ...formatX86Regs('v6', regs, 'all'),
    ...formatCallTrace('v6', frames.callers, pid),
    memory.printModules(),
    '---[ end trace 0000000000000000 ]---',
    ...formatX86Regs('v6', firstRegs, 'all'),
  ];
  if (pid !== 0 && underPteLock(path)) lines.push(`note: ${comm}[${pid}] exited with preempt_count 1`);
  return lines;
}

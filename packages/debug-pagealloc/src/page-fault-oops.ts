import {
  type DirectMapFault,
  directMapAddress,
  formatCallTrace,
  formatCodeV4,
  formatDumpStackInfo,
  formatStackWords,
  formatX86Regs,
  kernelStackAddress,
  type PhysicalMemory,
  printkAddress,
  type StackFrame,
  taskSystemRegs,
  type X86Regs,
} from '@mm/physmem';

/** x86_64 `PAGE_OFFSET` (high 32 bits) without KASLR: v4.8 0xffff880000000000, v6.18 0xffff888000000000. */
export function pageOffsetHigh(memory: Pick<PhysicalMemory, 'profile'>): number {
  return memory.profile.era === 'v4' ? 0xffff8800 : 0xffff8880;
}

/** The x86 page fault error code bits (arch/x86/include/asm/trap_pf.h): a kernel access to a not-present page. */
const X86_PF_WRITE = 0x2;

/** What a page fault oops is printed from. */
export interface PageFaultOops {
  readonly fault: DirectMapFault;
  /** The `[#N]` counter (`die_counter` after its increment). */
  readonly dieCount: number;
  /**
   * The kernel stack at the fault, innermost first: the faulting function's frame (RIP) then its callers, up to the
   * syscall entry. Empty when simulated code accessed the page with no frame on the shadow stack.
   */
  readonly frames: readonly StackFrame[];
  /**
   * v6.18: unreliable entries the trace prints before the callers (the exception's frames and the faulting
   * function, each with `? `); empty in v4.8.
   */
  readonly exceptionFrames: readonly StackFrame[];
  /** The registers at the fault ({@link pageFaultRegs}). */
  readonly regs: X86Regs;
  /** v6.18: the registers of the first oops since boot, which `oops_end()`'s executive summary repeats. */
  readonly firstRegs?: X86Regs;
}

/**
 * The registers of a kernel access to a page debug_pagealloc took out of the direct map. Known to mmsim: RIP (the
 * innermost frame of `frames`, the faulting function; 0 when there is none), CR2 (the faulting address), the
 * faulting instruction (a 4-byte `mov` to or from `disp32(%rax)`, RAX holding the page's address). Simulated, with
 * values of the kind real oopses show: the stack pointers (the task's stack, `kernelStackAddress()`), the other
 * general registers, EFLAGS `0x10246`, the per-CPU GS base near the top of RAM, CR0 `0x80050033`, CR3 (a page of
 * RAM), CR4 (SMEP, SMAP, PCIDE, FSGSBASE, OSXSAVE; v4.8 without FSGSBASE) and the code bytes around the `mov` (a
 * function prologue before it).
 */
export function pageFaultRegs(
  memory: Pick<PhysicalMemory, 'profile' | 'current' | 'cpus' | 'maxPfn'>,
  fault: DirectMapFault,
  frames: readonly StackFrame[],
): X86Regs {
  const high = pageOffsetHigh(memory);
  const { pid, cpu } = memory.current;
  const rip = frames[0];
  const sp = kernelStackAddress(memory.profile.era, pid);
  const spPlus = (offset: number) => (BigInt(`0x${sp}`) + BigInt(offset)).toString(16).padStart(16, '0');
  const directMap = (pfn: number, offset = 0) => directMapAddress(high, pfn, offset);
  // Kernel objects of the task: plausible direct-map addresses below the top of RAM.
  const object = (index: number) => directMap(Math.max(0, memory.maxPfn - 0x2000 - ((pid * 0x13 + index) % 0x1000)));
  const disp = [fault.offset & 0xff, (fault.offset >> 8) & 0xff, 0, 0];
  // No frame: RIP is 0 and its code cannot be read.
  const code =
    rip === undefined
      ? undefined
      : {
          before: [
            ...new Array<number>(12).fill(0x90),
            ...[0xf3, 0x0f, 0x1e, 0xfa, 0x0f, 0x1f, 0x44, 0x00, 0x00, 0x55, 0x48, 0x89, 0xe5, 0x53, 0x48, 0x89, 0xfb],
            ...[0x48, 0x8b, 0x87, 0xc8, 0x00, 0x00, 0x00, 0x48, 0x85, 0xc0, 0x74, 0x14, 0xb9, 0x01, 0x00, 0x00, 0x00],
          ],
          at: fault.write ? 0x89 : 0x8b,
          after: [
            0x88,
            ...disp,
            0x31,
            0xc0,
            0x5b,
            0x5d,
            0xc3,
            0xcc,
            0x48,
            0xc7,
            0xc0,
            0xf2,
            0xff,
            0xff,
            0xff,
            0x5b,
            0x5d,
            0xc3,
          ],
        };
  const zero = '0000000000000000';
  return {
    ip: rip?.address ?? zero,
    ...(rip !== undefined ? { ipSymbol: rip.symbol } : {}),
    cs: 0x10,
    ss: 0x18,
    sp,
    flags: '00010246',
    ax: directMap(fault.pfn),
    bx: object(1),
    cx: fault.write ? '0000000000000001' : zero,
    dx: zero,
    si: '0000000000004b01',
    di: object(1),
    bp: spPlus(0x8),
    r8: zero,
    r9: zero,
    r10: zero,
    r11: zero,
    r12: '0000000000004b01',
    r13: object(2),
    r14: zero,
    r15: zero,
    ...(code !== undefined ? { code } : {}),
    system: taskSystemRegs(memory.profile.era, memory, { pid, cpu }, directMap(fault.pfn, fault.offset), directMap),
  };
}

/**
 * The oops of a kernel access to a page that debug_pagealloc took out of the direct map, line for line as each era
 * prints it. No `dump_page()` and so no page_owner lines: neither era's page fault path calls it.
 *
 * v6.18 (arch/x86/mm/fault.c `page_fault_oops()`): `show_fault_oops()` (`BUG: unable to handle page fault for
 * address: %px`, the two `#PF:` lines, `dump_pagetable()`'s `PGD P4D PUD PMD PTE`), `__die("Oops")`
 * (arch/x86/kernel/dumpstack.c: `__die_header()`'s `Oops: %s: %04lx [#%d]` with ` SMP`, ` DEBUG_PAGEALLOC`,
 * ` NOPTI`; `__die_body()`: `show_regs()` = `dump_stack_print_info()`, `__show_regs(SHOW_REGS_ALL)`, the call
 * trace of the faulting function's callers (the unwinder skips the regs frame, so RIP's function is not listed),
 * then `print_modules()`), `CR2: %016lx`, `oops_end()`: `---[ end trace 0000000000000000 ]---`, the executive
 * summary (`__show_regs()` of the first oops since boot), and kernel/exit.c `make_task_dead()`'s `note: %s[%d]
 * exited with irqs disabled` (not for pid 0, for which the kernel panics instead: mmsim goes on).
 *
 * v4.8 (arch/x86/mm/fault.c `no_context()`): `show_fault_oops()` (`BUG: unable to handle kernel paging request at
 * %p`, `IP:` + `printk_address()`, `PGD PUD PMD PTE`), `__die()` (`Oops: %04lx [#%d] SMP DEBUG_PAGEALLOC`,
 * `print_modules()`, `show_regs()`: `dump_stack_print_info()`, `task: %p task.stack: %p`, `__show_regs()`,
 * `Stack:`, 12 stack words, the call trace, the code bytes; then `RIP ` + `printk_address()` and ` RSP <%016lx>`),
 * `CR2: %016lx`, and `---[ end trace %016llx ]---` with the boot's random oops id plus one per oops (simulated: a
 * fixed id).
 *
 * Which page table values and which registers are simulated: see {@link pageFaultRegs} and the PTE comment below.
 */
export function formatPageFaultOops(memory: PhysicalMemory, oops: PageFaultOops): string[] {
  const { fault, dieCount, frames, regs } = oops;
  const v4 = memory.profile.era === 'v4';
  const address = directMapAddress(pageOffsetHigh(memory), fault.pfn, fault.offset);
  const errorCode = fault.write ? X86_PF_WRITE : 0;
  const callers = frames.slice(1);
  const context = {
    era: memory.profile.era,
    release: memory.profile.release,
    cpu: memory.current.cpu,
    pid: memory.current.pid,
    comm: memory.current.comm,
    tainted: memory.taint.print(),
    ...(memory.taint.mask !== 0 ? { taintedVerbose: memory.taint.printVerbose() } : {}),
  };
  // The direct map's PTE after __set_pages_np(): NX, accessed|dirty, without present and RW. v6.18 stores the pfn of
  // a not-present PTE inverted (the L1TF mitigation, since 4.19). The PGD, P4D and PUD values are simulated page
  // table pages; the PMD points at the PTE page of the pfn's 2 MiB.
  const pteValue = v4
    ? `8${(fault.pfn * 4096 + 0x60).toString(16).padStart(15, '0')}`
    : `800${(0xffffffffff - fault.pfn).toString(16).padStart(10, '0')}060`;
  const pmd = `${(fault.pfn >>> 9).toString(16)}063`;
  if (v4) {
    const stackPage = (BigInt(`0x${regs.sp}`) & ~0x3fffn).toString(16);
    const task = `ffff8800${(0x7c0e8000 + ((memory.current.pid * 0x1c0) % 0x100000)).toString(16).padStart(8, '0')}`;
    return [
      `BUG: unable to handle kernel paging request at ${address}`,
      `IP: ${printkAddress(regs)}`,
      `PGD 1e0c067 PUD 1e0d067 PMD ${pmd} PTE ${pteValue}`,
      `Oops: ${hex4(errorCode)} [#${dieCount}] SMP DEBUG_PAGEALLOC`,
      memory.printModules(),
      ...formatDumpStackInfo(context),
      `task: ${task} task.stack: ${stackPage}`,
      ...formatX86Regs('v4', regs, 'all'),
      'Stack:',
      ...formatStackWords(callers, regs.sp),
      ...formatCallTrace('v4', callers, memory.current.pid),
      formatCodeV4(regs.code),
      `RIP  ${printkAddress(regs)}`,
      ` RSP <${regs.sp}>`,
      `CR2: ${address}`,
      `---[ end trace ${oopsId(dieCount)} ]---`,
    ];
  }
  const lines = [
    `BUG: unable to handle page fault for address: ${address}`,
    `#PF: supervisor ${fault.write ? 'write' : 'read'} access in kernel mode`,
    `#PF: error_code(0x${hex4(errorCode)}) - not-present page`,
    `PGD 3c01067 P4D 3c01067 PUD 3c02067 PMD ${pmd} PTE ${pteValue}`,
    `Oops: Oops: ${hex4(errorCode)} [#${dieCount}] SMP DEBUG_PAGEALLOC NOPTI`,
    ...formatDumpStackInfo(context),
    ...formatX86Regs('v6', regs, 'all'),
    ...formatCallTrace('v6', [...oops.exceptionFrames, ...callers], memory.current.pid),
    memory.printModules(),
    `CR2: ${address}`,
    '---[ end trace 0000000000000000 ]---',
    ...formatX86Regs('v6', oops.firstRegs ?? regs, 'all'),
  ];
  if (memory.current.pid !== 0)
    lines.push(`note: ${memory.current.comm}[${memory.current.pid}] exited with irqs disabled`);
  return lines;
}

/** v4.8 kernel/panic.c `oops_id`: random at boot, plus one before each end marker. Simulated: a fixed boot value. */
function oopsId(count: number): string {
  return (0x5f2a9c41d07e3b18n + BigInt(count)).toString(16).padStart(16, '0');
}

function hex4(value: number): string {
  return value.toString(16).padStart(4, '0');
}

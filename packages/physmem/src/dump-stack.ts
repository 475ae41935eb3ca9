/** One frame of a kernel call trace, already symbolised. */
export interface StackFrame {
  /** The return address as 16 hex digits (`ffffffff811682c4`). */
  readonly address: string;
  /** `symbol+0xoffset/0xsize`, as `%pS` prints it (with ` [module]` for a module's symbol). */
  readonly symbol: string;
  /** The module the symbol belongs to, if not the core kernel and `symbol` does not say it already. */
  readonly module?: string;
  /**
   * False for an address found on the stack that the unwinder did not reach as a frame (printed with `? `: the
   * exception's own frames and the faulting function under an oops's trace). Default true.
   */
  readonly reliable?: boolean;
}

/**
 * Prints one frame as an x86 call trace does: v4.x ` [<addr>] sym+off/size` (arch/x86/kernel/dumpstack.c
 * `printk_stack_address()`, `"%s [<%p>] %s%pB\n"`), v6.x ` sym+off/size [module]` (`"%s %s%pBb\n"`), with `? `
 * before an unreliable one.
 */
export function formatStackFrame(frame: StackFrame, era: 'v4' | 'v6'): string {
  const module = frame.module === undefined ? '' : ` [${frame.module}]`;
  const unreliable = frame.reliable === false ? '? ' : '';
  return era === 'v4'
    ? ` [<${frame.address}>] ${unreliable}${frame.symbol}${module}`
    : ` ${unreliable}${frame.symbol}${module}`;
}

/** What `dump_stack()` needs to know about the machine and the current task. */
export interface DumpStackContext {
  readonly era: 'v4' | 'v6';
  readonly release: string;
  readonly cpu: number;
  readonly pid: number;
  readonly comm: string;
  /** `print_tainted()`. */
  readonly tainted: string;
  /** `print_tainted_verbose()`, printed by v6 when tainted. */
  readonly taintedVerbose?: string;
}

/** The hardware name mmsim reports (`dmi_set_dump_stack_arch_desc`). */
export const HARDWARE_NAME = 'mmsim simulated PC, BIOS mmsim 11/26/2026';

/**
 * The frame of `dump_stack()` itself, the first of every trace it prints, as `%pS` prints it: v4.8
 * `dump_stack+0x63/0x90` (lib/dump_stack.c; the trace starts at `show_stack()`'s caller); v6.18
 * `dump_stack_lvl+0x5d/0x80`, since `dump_stack()` is a tail call of `dump_stack_lvl(KERN_DEFAULT)` and the ORC
 * unwinder starts at the frame of `show_stack()`'s caller (arch/x86/kernel/dumpstack.c `show_stack()`). The
 * offsets are those of real x86_64 builds of the eras.
 */
export const DUMP_STACK_FRAME: Readonly<Record<'v4' | 'v6', string>> = {
  v4: 'dump_stack+0x63/0x90',
  v6: 'dump_stack_lvl+0x5d/0x80',
};

/**
 * `dump_stack_print_info()` (v6.18 lib/dump_stack.c, v4.8 kernel/printk/printk.c): v6.18
 * `"%sCPU: %d UID: %u PID: %d Comm: %.20s %s%s %s %.*s %s " BUILD_ID_FMT "\n"`, which without
 * CONFIG_STACKTRACE_BUILD_ID ends in a space (`BUILD_ID_FMT` is `"%s"` of `""`), then `print_tainted_verbose()`
 * when tainted; v4.8 `"%sCPU: %d PID: %d Comm: %.20s %s %s %.*s\n"`. Then `Hardware name:`. The version is
 * `#1`; the preemption model `PREEMPT(voluntary)` (`preempt_model_str()`); mmsim runs as uid 0 and without kdump.
 */
export function formatDumpStackInfo(context: DumpStackContext): string[] {
  const comm = context.comm.slice(0, 20);
  const lines: string[] = [];
  if (context.era === 'v4') {
    lines.push(`CPU: ${context.cpu} PID: ${context.pid} Comm: ${comm} ${context.tainted} ${context.release} #1`);
  } else {
    lines.push(
      `CPU: ${context.cpu} UID: 0 PID: ${context.pid} Comm: ${comm} ${context.tainted} ${context.release} #1 PREEMPT(voluntary) `,
    );
    if (context.taintedVerbose !== undefined) lines.push(context.taintedVerbose);
  }
  lines.push(`Hardware name: ${HARDWARE_NAME}`);
  return lines;
}

/**
 * `dump_stack()`: `dump_stack_print_info()`, then `show_stack(NULL, NULL)`: v4.8 (arch/x86/kernel/dumpstack_64.c
 * `show_stack_log_lvl()`) first prints `kstack_depth_to_print` (12) raw words of the stack, 4 a line, then the
 * call trace; v6.18 (arch/x86/kernel/dumpstack.c `show_trace_log_lvl()`) the call trace alone, bracketed by
 * ` <TASK>` and ` </TASK>`, with the user registers of a syscall or exception entry after its frame. `frames` is the
 * trace innermost first, starting with `dump_stack()`'s own frame ({@link DUMP_STACK_FRAME}) when the caller has
 * it. The stack words are simulated: the frames' return addresses among plausible stack contents.
 */
export function formatDumpStack(context: DumpStackContext, frames: readonly StackFrame[]): string[] {
  const lines = formatDumpStackInfo(context);
  if (context.era === 'v4') lines.push(...formatStackWords(frames, kernelStackAddress(context.era, context.pid)));
  lines.push(...formatCallTrace(context.era, frames, context.pid));
  return lines;
}

/**
 * The call trace of `show_trace_log_lvl()`: `Call Trace:`, then each frame (`formatStackFrame()`). v6.18 brackets
 * the task stack with ` <TASK>` / ` </TASK>` (`"%s <%s>\n"` of `stack_type_name(STACK_TYPE_TASK)`) and, when the
 * outermost frame is the entry from user space (`entry_SYSCALL_64_after_hwframe`, `asm_exc_page_fault`), prints the
 * entry's user registers after it (`show_regs_if_on_stack()` → `__show_regs(regs, SHOW_REGS_SHORT)`). v4.8 prints
 * frames only (its `dump_trace()` does not show entry registers).
 */
export function formatCallTrace(era: 'v4' | 'v6', frames: readonly StackFrame[], pid = 1): string[] {
  const lines = ['Call Trace:'];
  if (era === 'v6') lines.push(' <TASK>');
  for (const frame of frames) lines.push(formatStackFrame(frame, era));
  if (era === 'v6') {
    const user = userEntryRegs(frames, pid);
    if (user !== undefined) lines.push(...formatX86Regs('v6', user, 'short'));
    lines.push(' </TASK>');
  }
  return lines;
}

/**
 * An x86_64 `struct pt_regs` and the control registers `__show_regs()` reads, as printed: 64-bit values as 16 hex
 * digits. mmsim knows RIP (a frame of the shadow stack) and CR2 (a faulting address); the rest are plausible values
 * of the kind real reports show.
 */
export interface X86Regs {
  /** RIP as 16 hex digits. */
  readonly ip: string;
  /** `%pS` of RIP: `uaf_drv_ioctl+0x101/0x1a0 [uaf_drv]`, or undefined where no symbol holds it (user space). */
  readonly ipSymbol?: string;
  /** `cs` and `ss`: `0x10`/`0x18` in the kernel, `0x33`/`0x2b` in user space. */
  readonly cs: number;
  readonly ss: number;
  readonly sp: string;
  /** EFLAGS as 8 hex digits. */
  readonly flags: string;
  /** `orig_ax`: the syscall number of a syscall entry; undefined for -1 (exceptions, which print none). */
  readonly origAx?: string;
  readonly ax: string;
  readonly bx: string;
  readonly cx: string;
  readonly dx: string;
  readonly si: string;
  readonly di: string;
  readonly bp: string;
  readonly r8: string;
  readonly r9: string;
  readonly r10: string;
  readonly r11: string;
  readonly r12: string;
  readonly r13: string;
  readonly r14: string;
  readonly r15: string;
  /**
   * The instruction bytes around RIP (`show_opcodes()`, v4.8 `show_regs()`): at least 43 bytes before RIP, the byte
   * at RIP, at least 21 after. Undefined when they cannot be read (`Code: Unable to access opcode bytes at ...`,
   * v4.8 ` Bad RIP value.`).
   */
  readonly code?: { readonly before: readonly number[]; readonly at: number; readonly after: readonly number[] };
  /** For `SHOW_REGS_ALL`: the segment bases and selectors and the control registers. */
  readonly system?: {
    readonly fs: string;
    readonly fsIndex: number;
    readonly gs: string;
    readonly gsIndex: number;
    readonly knlGs: string;
    readonly ds: number;
    readonly es: number;
    readonly cr0: string;
    readonly cr2: string;
    readonly cr3: string;
    readonly cr4: string;
  };
}

/**
 * `SHOW_REGS_ALL`'s segment bases and control registers for task `pid` on `cpu`, with values of the kind real
 * reports show: a user FS base for a user task, the CPU's per-CPU area near the top of the direct map as GS (from
 * `directMap(pfn)`), CR3 a page table page of the task, CR4 the era's usual features. `cr2` is the last page fault
 * address.
 */
export function taskSystemRegs(
  era: 'v4' | 'v6',
  machine: { readonly maxPfn: number; readonly cpus: number },
  task: { readonly pid: number; readonly cpu: number },
  cr2: string,
  directMap: (pfn: number) => string,
): NonNullable<X86Regs['system']> {
  const zero = '0000000000000000';
  return {
    fs: task.pid === 0 ? zero : '00007f4c8e3f6740',
    fsIndex: 0,
    gs: directMap(Math.max(0, machine.maxPfn - (machine.cpus - task.cpu) * 0x200)),
    gsIndex: 0,
    knlGs: zero,
    ds: 0,
    es: 0,
    cr0: '0000000080050033',
    cr2,
    cr3: (((0x4c2e + task.pid * 7) % Math.max(1, machine.maxPfn)) * 4096).toString(16).padStart(16, '0'),
    cr4: era === 'v4' ? '00000000003606f0' : '00000000003706f0',
  };
}

/**
 * `__show_regs()` (arch/x86/kernel/process_64.c). v6.18, `SHOW_REGS_SHORT` or `SHOW_REGS_ALL`: `show_iret_regs()`
 * (`RIP: %04x:%pS`, `show_opcodes()`'s `Code: %42ph <%02x> %21ph`, `RSP: %04x:%016lx EFLAGS: %08lx` and
 * ` ORIG_RAX: %016lx` unless -1), the five `RAX: %016lx RBX: %016lx RCX: %016lx` lines, then for ALL
 * `FS:  %016lx(%04x) GS:%016lx(%04x) knlGS:%016lx`, `CS:  %04x DS: %04x ES: %04x CR0: %016lx`,
 * `CR2: %016lx CR3: %016lx CR4: %016lx` (no DR lines: the debug registers are in their default state; no PKRU:
 * CR4.PKE is clear). v4.8 `__show_regs(regs, all)`: `RIP: %04lx:[<%016lx>] ` + `printk_address()`
 * (` [<%p>] %pS`), `RSP: %04lx:%016lx  EFLAGS: %08lx` (two spaces, no ORIG_RAX), the same register and system
 * lines; its `Code:` line comes later, from `show_regs()` ({@link formatCodeV4}).
 */
export function formatX86Regs(era: 'v4' | 'v6', regs: X86Regs, mode: 'short' | 'all'): string[] {
  const lines: string[] = [];
  if (era === 'v6') {
    lines.push(`RIP: ${hex(regs.cs, 4)}:${regs.ipSymbol ?? `0x${BigInt(`0x${regs.ip}`).toString(16)}`}`);
    const code = regs.code;
    if (code === undefined) {
      const prologue = (BigInt(`0x${regs.ip}`) - 42n) & 0xffffffffffffffffn;
      lines.push(`Code: Unable to access opcode bytes at 0x${prologue.toString(16)}.`);
    } else {
      const before = code.before.slice(-42).map((byte) => hex(byte, 2));
      const after = code.after.slice(0, 21).map((byte) => hex(byte, 2));
      lines.push(`Code: ${before.join(' ')} <${hex(code.at, 2)}> ${after.join(' ')}`);
    }
    const origAx = regs.origAx === undefined ? '' : ` ORIG_RAX: ${regs.origAx}`;
    lines.push(`RSP: ${hex(regs.ss, 4)}:${regs.sp} EFLAGS: ${regs.flags}${origAx}`);
  } else {
    lines.push(`RIP: ${hex(regs.cs, 4)}:[<${regs.ip}>]  ${printkAddress(regs)}`);
    lines.push(`RSP: ${hex(regs.ss, 4)}:${regs.sp}  EFLAGS: ${regs.flags}`);
  }
  lines.push(
    `RAX: ${regs.ax} RBX: ${regs.bx} RCX: ${regs.cx}`,
    `RDX: ${regs.dx} RSI: ${regs.si} RDI: ${regs.di}`,
    `RBP: ${regs.bp} R08: ${regs.r8} R09: ${regs.r9}`,
    `R10: ${regs.r10} R11: ${regs.r11} R12: ${regs.r12}`,
    `R13: ${regs.r13} R14: ${regs.r14} R15: ${regs.r15}`,
  );
  const system = regs.system;
  if (mode === 'all' && system !== undefined) {
    lines.push(
      `FS:  ${system.fs}(${hex(system.fsIndex, 4)}) GS:${system.gs}(${hex(system.gsIndex, 4)}) knlGS:${system.knlGs}`,
      `CS:  ${hex(regs.cs, 4)} DS: ${hex(system.ds, 4)} ES: ${hex(system.es, 4)} CR0: ${system.cr0}`,
      `CR2: ${system.cr2} CR3: ${system.cr3} CR4: ${system.cr4}`,
    );
  }
  return lines;
}

/**
 * v4.8 arch/x86/kernel/dumpstack.c `printk_address()`: `pr_cont(" [<%p>] %pS\n")` of RIP, without its leading
 * space and the line's end (so `RIP: 0010:[<...>] ` + it has two spaces, `RIP ` + it too). A NULL RIP prints as
 * 4.8's `%p` and `%pS` print NULL: `(null)` right-aligned in 16 columns.
 */
export function printkAddress(regs: Pick<X86Regs, 'ip' | 'ipSymbol'>): string {
  if (/^0+$/.test(regs.ip)) return `[<${NULL_POINTER}>] ${NULL_POINTER}`;
  return `[<${regs.ip}>] ${regs.ipSymbol ?? `0x${BigInt(`0x${regs.ip}`).toString(16)}`}`;
}

const NULL_POINTER = '(null)'.padStart(16);

/**
 * v4.8 arch/x86/kernel/dumpstack_64.c `show_regs()`'s code dump: `Code: ` then `code_bytes` (64) bytes from
 * RIP - 43, each `%02x ` and the one at RIP `<%02x> `, so the line ends in a space; ` Bad RIP value.` when they
 * cannot be read.
 */
export function formatCodeV4(code: X86Regs['code']): string {
  if (code === undefined) return 'Code:  Bad RIP value.';
  const bytes = [
    ...code.before.slice(-43).map((byte) => `${hex(byte, 2)} `),
    `<${hex(code.at, 2)}> `,
    ...code.after.slice(0, 20).map((byte) => `${hex(byte, 2)} `),
  ];
  return `Code: ${bytes.join('')}`;
}

/**
 * v4.8 `show_stack_log_lvl()`'s raw stack: `kstack_depth_to_print` = 3 × `STACKSLOTS_PER_LINE` = 12 words, each line
 * `" %016lx"` then ` %016lx` three times (lines start with a space). Simulated: every fourth word is the return
 * address of the next frame (as a frame-pointer stack holds it, after the saved RBP), the others plausible data
 * and stack addresses. `stackBase` is the stack address of the first word (16 hex digits).
 */
export function formatStackWords(frames: readonly StackFrame[], stackBase: string): string[] {
  const base = BigInt(`0x${stackBase}`);
  const at = (offset: number) => (base + BigInt(offset)).toString(16).padStart(16, '0');
  const words = [
    ['0000000000000286', '0000000000000000', at(0x28), frames[0]?.address ?? '0000000000000000'],
    [at(0x40), '0000000000000001', at(0x68), frames[1]?.address ?? '0000000000000000'],
    ['0000000000000000', at(0x70), at(0xa8), frames[2]?.address ?? '0000000000000000'],
  ];
  return words.map((line) => ` ${line.join(' ')}`);
}

/**
 * A plausible kernel stack address of a task (16 hex digits): v4.8 stacks are in the direct map
 * (`ffff8800...`), v6.18 ones in vmalloc space (CONFIG_VMAP_STACK, `ffffc900...`). Simulated: derived from the pid.
 */
export function kernelStackAddress(era: 'v4' | 'v6', pid: number): string {
  const slot = (pid * 0x4000) % 0x4000000;
  return era === 'v4'
    ? `ffff8800${hex(0x7b400000 + slot + 0x3c20, 8)}`
    : `ffffc900${hex(0x00400000 + slot + 0x3c28, 8)}`;
}

/** x86_64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl) of the syscalls simulated paths enter by. */
const SYSCALL_NUMBERS: Readonly<Record<string, number>> = {
  read: 0,
  write: 1,
  open: 2,
  close: 3,
  newstat: 4,
  newfstat: 5,
  mmap: 9,
  mprotect: 10,
  munmap: 11,
  brk: 12,
  ioctl: 16,
  pread64: 17,
  pwrite64: 18,
  access: 21,
  madvise: 28,
  clone: 56,
  fork: 57,
  execve: 59,
  exit: 60,
  exit_group: 231,
  openat: 257,
  newfstatat: 262,
  faccessat: 269,
  fallocate: 285,
  finit_module: 313,
};

/**
 * The user registers a v6.18 trace shows after the entry from user space, when the outermost frame is one:
 * `entry_SYSCALL_64_after_hwframe` (a syscall: ORIG_RAX is its number, taken from the `__x64_sys_*`, `__do_sys_*`
 * or `ksys_*` frame; RAX `-ENOSYS`, which the entry stores; RCX and R11 the user RIP and RFLAGS the `syscall`
 * instruction saved) or `asm_exc_page_fault` (a user page fault: no ORIG_RAX, as the entry sets it to -1).
 * Simulated: the user addresses and the other registers are plausible values; the code bytes are a glibc syscall
 * wrapper around its `syscall` instruction (RIP being the instruction after it), or a store into a page.
 */
export function userEntryRegs(frames: readonly StackFrame[], pid: number): X86Regs | undefined {
  // The unwinder's outermost frame: unreliable entries (an exception's frames under an oops) enter nothing.
  const outermost = frames.findLast((frame) => frame.reliable !== false)?.symbol ?? '';
  const syscall = outermost.startsWith('entry_SYSCALL_64');
  if (!syscall && !outermost.startsWith('asm_exc_page_fault')) return undefined;
  let nr = 0;
  for (const frame of frames) {
    const match = /^(?:__x64_sys|__do_sys|__se_sys|ksys)_(\w+?)\+/.exec(frame.symbol);
    const number = match === null ? undefined : SYSCALL_NUMBERS[match[1]!];
    if (number !== undefined) nr = number;
  }
  const ip = 0x7f4c8e51a000 + (syscall ? 0xecf + nr * 0x40 : 0x2b1);
  const stack = 0x7ffd5a1c2e40 - (pid % 256) * 0x10;
  const hex64 = (value: number) => hex(value, 16);
  return {
    ip: hex64(ip),
    cs: 0x33,
    ss: 0x2b,
    sp: hex64(stack),
    flags: syscall ? '00000246' : '00010246',
    ...(syscall ? { origAx: hex64(nr) } : {}),
    ax: syscall ? 'ffffffffffffffda' : hex64(0x55d3c8a4b000),
    bx: hex64(3),
    cx: syscall ? hex64(ip) : '0000000000000000',
    dx: '0000000000000000',
    si: syscall ? hex64(0x4b01) : '0000000000001000',
    di: hex64(3),
    bp: hex64(stack + 0x120),
    r8: '0000000000000000',
    r9: '0000000000000000',
    r10: '0000000000000000',
    r11: syscall ? '0000000000000246' : '0000000000000000',
    r12: hex64(stack + 0x238),
    r13: '0000000000401136',
    r14: '0000000000000000',
    r15: hex64(0x7f4c8e720000),
    code: syscall
      ? {
          before: [
            ...new Array<number>(20).fill(0x00),
            ...[0x48, 0x89, 0x44, 0x24, 0x18, 0x31, 0xc0, 0x48, 0x8d, 0x44, 0x24, 0x60, 0xc7, 0x04, 0x24, 0x10],
            ...[0x00, 0x00, 0x00, 0xb8, nr & 0xff, (nr >> 8) & 0xff, 0x00, 0x00, 0x0f, 0x05],
          ],
          at: 0x89,
          after: [
            0xc2, 0x3d, 0x00, 0xf0, 0xff, 0xff, 0x77, 0x18, 0x48, 0x8b, 0x44, 0x24, 0x18, 0x64, 0x48, 0x2b, 0x04,
          ].concat([0x25, 0x28, 0x00, 0x00]),
        }
      : {
          // A store into a freshly mapped page: `mov %edx,(%rax,%rcx,1)` in a loop.
          before: [
            ...new Array<number>(24).fill(0x00),
            ...[0x48, 0x89, 0xc7, 0xe8, 0x1c, 0xfe, 0xff, 0xff, 0x31, 0xc9, 0xba, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x1f],
            ...[0x40, 0x00],
          ],
          at: 0x89,
          after: [
            0x14, 0x08, 0x48, 0x81, 0xc1, 0x00, 0x10, 0x00, 0x00, 0x48, 0x39, 0xd9, 0x72, 0xf0, 0x31, 0xc0, 0x5b,
          ].concat([0xc3, 0x0f, 0x1f, 0x00]),
        },
  };
}

/** What {@link dumpStackWith} reads of a machine: `PhysicalMemory` has all of it. */
export interface DumpStackSource {
  readonly profile: { readonly era: 'v4' | 'v6'; readonly release: string };
  readonly current: { readonly cpu: number; readonly pid: number; readonly comm: string };
  readonly taint: { readonly mask: number; print(): string; printVerbose(): string };
  /** The caller's path: the shadow stack of simulated kernel code, innermost first. */
  stackTrace(): readonly StackFrame[];
}

/** The {@link DumpStackContext} of the current task of a machine. */
export function dumpStackContext(source: DumpStackSource): DumpStackContext {
  const { taint, current, profile } = source;
  return {
    era: profile.era,
    release: profile.release,
    cpu: current.cpu,
    pid: current.pid,
    comm: current.comm,
    tainted: taint.print(),
    ...(taint.mask !== 0 ? { taintedVerbose: taint.printVerbose() } : {}),
  };
}

/**
 * `dump_stack()` called by one of the kernel's own functions: the trace is `dump_stack()`'s frame
 * ({@link DUMP_STACK_FRAME}, first of `kernelFrames`), the frames of the kernel functions between it and the
 * caller's path (`bad_page`, `free_pages_check_bad`, `__free_pages_ok`, ...), then the caller's path from the shadow
 * stack. `kernelFrames` are innermost first, already symbolised.
 */
export function dumpStackWith(source: DumpStackSource, kernelFrames: readonly StackFrame[]): string[] {
  return formatDumpStack(dumpStackContext(source), [...kernelFrames, ...source.stackTrace()]);
}

function hex(value: number, digits: number): string {
  return value.toString(16).padStart(digits, '0');
}

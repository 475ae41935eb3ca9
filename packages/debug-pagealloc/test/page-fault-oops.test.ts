import { boot, type Kernel } from '@mm/kernel';
import { pageOwner } from '@mm/page-owner';
import { describe, expect, it } from 'vitest';
import { debugPagealloc } from '../src/index';

/**
 * The x86 page fault oops of a write (or read) after free, line for line. The truth is the kernel source, cited per
 * line: v6.18 arch/x86/mm/fault.c (`show_fault_oops()`, `dump_pagetable()`, `page_fault_oops()`),
 * arch/x86/kernel/dumpstack.c (`__die_header()`, `__die_body()`, `show_regs()`, `show_ip()`, `show_opcodes()`,
 * `show_iret_regs()`, `__show_trace_log_lvl()`, `printk_stack_address()`, `oops_end()`),
 * arch/x86/kernel/process_64.c `__show_regs()`, lib/dump_stack.c `dump_stack_print_info()`, kernel/panic.c
 * `print_oops_end_marker()`, kernel/exit.c `make_task_dead()`; v4.8 arch/x86/mm/fault.c (`show_fault_oops()`,
 * `dump_pagetable()`, `no_context()`), arch/x86/kernel/dumpstack.c (`__die()`, `printk_address()`,
 * `printk_stack_address()`), arch/x86/kernel/dumpstack_64.c (`show_regs()`, `show_stack_log_lvl()`),
 * arch/x86/kernel/process_64.c `__show_regs()`, kernel/printk/printk.c `dump_stack_print_info()` /
 * `show_regs_print_info()`, kernel/panic.c `print_oops_end_marker()`.
 */

/** The driver's ioctl path of the `uaf` workload (packages/workloads/src/driver-paths.ts), up to the faulting store. */
const ioctlFault = {
  'v4.8': [
    'entry_SYSCALL_64_fastpath+0x12/0x71',
    'SyS_ioctl+0x79/0x90',
    'do_vfs_ioctl+0x8e/0x6b0',
    'uaf_drv_ioctl+0x101/0x1a0 [uaf_drv]',
  ],
  'v6.18': [
    'entry_SYSCALL_64_after_hwframe+0x76',
    'do_syscall_64+0x71',
    '__x64_sys_ioctl+0x94/0xd0',
    'uaf_drv_ioctl+0x101/0x1a0 [uaf_drv]',
  ],
} as const;

function bootWith(profile: 'v4.8' | 'v6.18'): Kernel {
  const kernel = boot({
    memory: '512M',
    profile,
    cmdline: 'debug_pagealloc=on page_owner=on',
    features: [debugPagealloc(), pageOwner()],
  });
  kernel.memory.modules.push('uaf_drv');
  return kernel;
}

/** Allocates a GFP_KERNEL page and frees it: a pfn out of the direct map now. */
function freedPage(kernel: Kernel): number {
  const pfn = kernel.buddy.allocPages(kernel.profile.gfp.flags.GFP_KERNEL, 0);
  kernel.buddy.freePages(pfn, 0);
  return pfn;
}

/** The dmesg lines of a faulting access made as task `uaf-test` with `frames` (outermost first) on the stack. */
function oops(kernel: Kernel, pfn: number, frames: readonly string[], write = true, pid = 4242): string[] {
  const before = kernel.memory.log.lines().length;
  kernel.memory.current.runAs({ pid, tgid: pid, comm: 'uaf-test', cpu: 1 }, () => {
    const depth = kernel.stack.depth;
    kernel.stack.pushAll(kernel.text.sites(frames));
    if (write) kernel.memory.directMap.write(pfn, 0x10, Uint8Array.of(1, 0, 0, 0));
    else kernel.memory.directMap.read(pfn, 0x10, 4);
    kernel.stack.unwindTo(depth);
  });
  return kernel.memory.log
    .lines()
    .slice(before)
    .map((line) => line.replace(/^\[ *\d+\.\d+\] /, ''));
}

const gpr = [
  /^RAX: [0-9a-f]{16} RBX: [0-9a-f]{16} RCX: [0-9a-f]{16}$/,
  /^RDX: [0-9a-f]{16} RSI: [0-9a-f]{16} RDI: [0-9a-f]{16}$/,
  /^RBP: [0-9a-f]{16} R08: [0-9a-f]{16} R09: [0-9a-f]{16}$/,
  /^R10: [0-9a-f]{16} R11: [0-9a-f]{16} R12: [0-9a-f]{16}$/,
  /^R13: [0-9a-f]{16} R14: [0-9a-f]{16} R15: [0-9a-f]{16}$/,
];

function hex(value: number, digits: number): string {
  return value.toString(16).padStart(digits, '0');
}

describe('v6.18 page fault oops (arch/x86/mm/fault.c page_fault_oops())', () => {
  const kernel = bootWith('v6.18');
  const pfn = freedPage(kernel);
  const lines = oops(kernel, pfn, ioctlFault['v6.18']);
  const address = `ffff888${hex(pfn * 4096 + 0x10, 9)}`;
  const trace = lines.indexOf('Call Trace:');
  const end = lines.indexOf('---[ end trace 0000000000000000 ]---');

  it('opens with show_fault_oops(), dump_pagetable() and __die_header()', () => {
    expect(lines.slice(0, 5)).toEqual([
      // show_fault_oops(): pr_alert("BUG: unable to handle page fault for address: %px\n")
      `BUG: unable to handle page fault for address: ${address}`,
      // pr_alert("#PF: %s %s in %s mode\n"), pr_alert("#PF: error_code(0x%04lx) - %s\n")
      '#PF: supervisor write access in kernel mode',
      '#PF: error_code(0x0002) - not-present page',
      // dump_pagetable(): "PGD %lx " "P4D %lx " "PUD %lx " "PMD %lx " "PTE %lx"; the PTE of an unmapped page is the
      // L1TF-inverted pfn with NX|A|D
      `PGD 3c01067 P4D 3c01067 PUD 3c02067 PMD ${(pfn >>> 9).toString(16)}063 PTE 800${hex(0xffffffffff - pfn, 10)}060`,
      // __die_header(): "Oops: %s: %04lx [#%d]%s%s%s%s\n" with " SMP", " DEBUG_PAGEALLOC", " NOPTI"
      'Oops: Oops: 0002 [#1] SMP DEBUG_PAGEALLOC NOPTI',
    ]);
  });

  it('prints show_regs(): the task, RIP naming the faulting driver function, its code, the registers', () => {
    // dump_stack_print_info(): "%sCPU: %d UID: %u PID: %d Comm: %.20s %s%s %s %.*s %s " BUILD_ID_FMT "\n"
    expect(lines[5]).toBe('CPU: 1 UID: 0 PID: 4242 Comm: uaf-test Not tainted 6.18.2 #1 PREEMPT(voluntary) ');
    expect(lines[6]).toMatch(/^Hardware name: /);
    // show_ip(): "%sRIP: %04x:%pS\n": the innermost frame, the driver's function, with its module
    expect(lines[7]).toBe('RIP: 0010:uaf_drv_ioctl+0x101/0x1a0 [uaf_drv]');
    // show_opcodes(): "%sCode: %42ph <%02x> %21ph\n"
    expect(lines[8]).toMatch(/^Code: (?:[0-9a-f]{2} ){42}<89>(?: [0-9a-f]{2}){21}$/);
    // show_iret_regs(): "%sRSP: %04x:%016lx EFLAGS: %08lx", no ORIG_RAX for the #PF entry (orig_ax -1)
    expect(lines[9]).toMatch(/^RSP: 0018:ffffc900[0-9a-f]{8} EFLAGS: 00010246$/);
    // __show_regs(): five lines of three registers
    for (const [index, line] of lines.slice(10, 15).entries()) expect(line).toMatch(gpr[index]!);
    // RAX holds the page, the store goes to 0x10(%rax)
    expect(lines[10]).toMatch(new RegExp(`^RAX: ffff888${hex(pfn * 4096, 9)} `));
    // "%sFS:  %016lx(%04x) GS:%016lx(%04x) knlGS:%016lx\n", "%sCS:  %04x DS: %04x ES: %04x CR0: %016lx\n",
    // "%sCR2: %016lx CR3: %016lx CR4: %016lx\n"
    expect(lines[15]).toMatch(/^FS: {2}[0-9a-f]{16}\([0-9a-f]{4}\) GS:[0-9a-f]{16}\([0-9a-f]{4}\) knlGS:[0-9a-f]{16}$/);
    expect(lines[16]).toBe('CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033');
    expect(lines[17]).toMatch(new RegExp(`^CR2: ${address} CR3: [0-9a-f]{16} CR4: 00000000003706f0$`));
  });

  it('lists the exception frames and the driver function unreliably, then its callers, then the user registers', () => {
    expect(trace).toBe(18);
    // __show_trace_log_lvl(): "%sCall Trace:\n", "%s <%s>\n"; printk_stack_address(): "%s %s%pBb\n" with "? " for an
    // address found on the stack that the unwinder did not reach: the exception's frames and the faulting function
    // (real 6.x oopses: "? __die+0x1f/0x60", "? page_fault_oops+...", "? asm_exc_page_fault+...", "? fn+off/size
    // [mod]"), then the reliable callers.
    expect(lines.slice(18, 28)).toEqual([
      'Call Trace:',
      ' <TASK>',
      expect.stringMatching(/^ \? __die\+0x[0-9a-f]+\/0x[0-9a-f]+$/),
      expect.stringMatching(/^ \? page_fault_oops\+0x[0-9a-f]+\/0x[0-9a-f]+$/),
      expect.stringMatching(/^ \? exc_page_fault\+0x[0-9a-f]+\/0x[0-9a-f]+$/),
      expect.stringMatching(/^ \? asm_exc_page_fault\+0x[0-9a-f]+\/0x[0-9a-f]+$/),
      ' ? uaf_drv_ioctl+0x101/0x1a0 [uaf_drv]',
      ' __x64_sys_ioctl+0x94/0xd0',
      expect.stringMatching(/^ do_syscall_64\+0x71\/0x[0-9a-f]+$/),
      expect.stringMatching(/^ entry_SYSCALL_64_after_hwframe\+0x76\/0x[0-9a-f]+$/),
    ]);
    // show_regs_if_on_stack() → __show_regs(regs, SHOW_REGS_SHORT): the syscall's user registers, ORIG_RAX = 16 (ioctl)
    expect(lines[28]).toMatch(/^RIP: 0033:0x7f[0-9a-f]+$/);
    expect(lines[29]).toMatch(/^Code: (?:[0-9a-f]{2} ){42}<[0-9a-f]{2}>(?: [0-9a-f]{2}){21}$/);
    expect(lines[30]).toMatch(/^RSP: 002b:00007f[0-9a-f]{10} EFLAGS: 00000246 ORIG_RAX: 0000000000000010$/);
    for (const [index, line] of lines.slice(31, 36).entries()) expect(line).toMatch(gpr[index]!);
    expect(lines[31]).toMatch(/^RAX: ffffffffffffffda /);
    expect(lines[36]).toBe(' </TASK>');
  });

  it('ends with print_modules(), CR2, the end marker, the executive summary and make_task_dead()', () => {
    // __die_body(): print_modules() after show_regs()
    expect(lines[37]).toBe('Modules linked in: uaf_drv');
    // page_fault_oops(): printk(KERN_DEFAULT "CR2: %016lx\n", address)
    expect(lines[38]).toBe(`CR2: ${address}`);
    // print_oops_end_marker(): pr_warn("---[ end trace %016llx ]---\n", 0ULL)
    expect(end).toBe(39);
    // oops_end(): __show_regs(&exec_summary_regs, SHOW_REGS_ALL, KERN_DEFAULT): RIP, Code, RSP, 5 GPR, FS, CS, CR2
    expect(lines.slice(40, 51)).toEqual(lines.slice(7, 18));
    // make_task_dead(): pr_info("note: %s[%d] exited with irqs disabled\n")
    expect(lines.slice(51)).toEqual(['note: uaf-test[4242] exited with irqs disabled']);
  });

  it('prints no page_owner section: page_fault_oops() never calls dump_page()', () => {
    expect(lines.join('\n')).not.toMatch(/page_owner|page last|page allocated via|page dumped because/);
  });

  it('reads as a read access, and a second oops counts [#2], is tainted D and summarises the first', () => {
    const second = freedPage(kernel);
    const more = oops(
      kernel,
      second,
      [
        'entry_SYSCALL_64_after_hwframe+0x76',
        'do_syscall_64+0x71',
        'ksys_read+0x6f',
        'scribble_read+0x3a/0x120 [scribble]',
      ],
      false,
      4243,
    );
    expect(more[1]).toBe('#PF: supervisor read access in kernel mode');
    expect(more[2]).toBe('#PF: error_code(0x0000) - not-present page');
    expect(more[4]).toBe('Oops: Oops: 0000 [#2] SMP DEBUG_PAGEALLOC NOPTI');
    // print_tainted() / print_tainted_verbose(): TAINT_DIE from the first oops
    expect(more[5]).toMatch(/ Tainted: G {6}D {12} 6\.18\.2 #1 PREEMPT\(voluntary\) $/);
    expect(more[6]).toBe('Tainted: [D]=DIE');
    expect(more[8]).toBe('RIP: 0010:scribble_read+0x3a/0x120 [scribble]');
    expect(more[9]).toMatch(/<8b>/);
    // ksys_read → ORIG_RAX 0 (read)
    expect(more).toContainEqual(expect.stringMatching(/ ORIG_RAX: 0000000000000000$/));
    // The executive summary repeats the first oops's registers (exec_summary_regs is saved when die_counter is 0).
    const marker = more.indexOf('---[ end trace 0000000000000000 ]---');
    expect(more[marker + 1]).toBe('RIP: 0010:uaf_drv_ioctl+0x101/0x1a0 [uaf_drv]');
  });

  it('without any frame, RIP is 0x0 and its code unreadable', () => {
    const page = freedPage(kernel);
    const bare = oops(kernel, page, []);
    expect(bare).toContain('RIP: 0010:0x0');
    // show_opcodes(): "%sCode: Unable to access opcode bytes at 0x%lx.\n" of RIP - 42
    expect(bare).toContain('Code: Unable to access opcode bytes at 0xffffffffffffffd6.');
    // Only the exception's own frames are on the stack.
    const at = bare.indexOf('Call Trace:');
    expect(bare.slice(at, at + 7)).toEqual([
      'Call Trace:',
      ' <TASK>',
      expect.stringMatching(/^ \? __die\+/),
      expect.stringMatching(/^ \? page_fault_oops\+/),
      expect.stringMatching(/^ \? exc_page_fault\+/),
      expect.stringMatching(/^ \? asm_exc_page_fault\+/),
      ' </TASK>',
    ]);
  });
});

describe('v4.8 page fault oops (arch/x86/mm/fault.c no_context())', () => {
  const kernel = bootWith('v4.8');
  const pfn = freedPage(kernel);
  const lines = oops(kernel, pfn, ioctlFault['v4.8']);
  const address = `ffff8800${hex(pfn * 4096 + 0x10, 8)}`;
  const rip = kernel.text.site('uaf_drv_ioctl+0x101/0x1a0 [uaf_drv]');
  const ripHex = `ffffffff${hex(rip, 8)}`;
  const frame = (text: string) => ` [<ffffffff${hex(kernel.text.site(text), 8)}>] ${text}`;

  it('opens with show_fault_oops(): the address, IP naming the driver function, the page table walk', () => {
    expect(lines.slice(0, 5)).toEqual([
      // printk(KERN_ALERT "BUG: unable to handle kernel "), KERN_CONT "paging request", KERN_CONT " at %p\n"
      `BUG: unable to handle kernel paging request at ${address}`,
      // printk(KERN_ALERT "IP:"); printk_address(regs->ip): " [<%p>] %pS\n"
      `IP: [<${ripHex}>] uaf_drv_ioctl+0x101/0x1a0 [uaf_drv]`,
      // dump_pagetable(): "PGD %lx " "PUD %lx " "PMD %lx " "PTE %lx" (no P4D in 4.8); the PTE keeps the pfn
      `PGD 1e0c067 PUD 1e0d067 PMD ${(pfn >>> 9).toString(16)}063 PTE 8${hex(pfn * 4096 + 0x60, 15)}`,
      // __die(): "%s: %04lx [#%d]%s%s%s%s\n"; then print_modules() before show_regs()
      'Oops: 0002 [#1] SMP DEBUG_PAGEALLOC',
      'Modules linked in: uaf_drv',
    ]);
  });

  it('prints show_regs(): the task, task.stack, RIP twice, the registers', () => {
    // dump_stack_print_info(): "%sCPU: %d PID: %d Comm: %.20s %s %s %.*s\n"
    expect(lines[5]).toBe('CPU: 1 PID: 4242 Comm: uaf-test Not tainted 4.8.15 #1');
    expect(lines[6]).toMatch(/^Hardware name: /);
    // show_regs_print_info(): "%stask: %p task.stack: %p\n"
    expect(lines[7]).toMatch(/^task: ffff8800[0-9a-f]{8} task\.stack: ffff8800[0-9a-f]{4}[048c]000$/);
    // __show_regs(): "RIP: %04lx:[<%016lx>] " + printk_address()
    expect(lines[8]).toBe(`RIP: 0010:[<${ripHex}>]  [<${ripHex}>] uaf_drv_ioctl+0x101/0x1a0 [uaf_drv]`);
    // "RSP: %04lx:%016lx  EFLAGS: %08lx\n"
    expect(lines[9]).toMatch(/^RSP: 0018:ffff8800[0-9a-f]{8} {2}EFLAGS: 00010246$/);
    for (const [index, line] of lines.slice(10, 15).entries()) expect(line).toMatch(gpr[index]!);
    expect(lines[15]).toMatch(/^FS: {2}[0-9a-f]{16}\([0-9a-f]{4}\) GS:[0-9a-f]{16}\([0-9a-f]{4}\) knlGS:[0-9a-f]{16}$/);
    expect(lines[16]).toBe('CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033');
    expect(lines[17]).toMatch(new RegExp(`^CR2: ${address} CR3: [0-9a-f]{16} CR4: 00000000003606f0$`));
  });

  it('prints Stack: with 12 words, the callers in a non-empty call trace, then the code', () => {
    // show_regs(): printk(KERN_DEFAULT "Stack:\n"); show_stack_log_lvl(): " %016lx" and 3 × " %016lx" per line
    expect(lines[18]).toBe('Stack:');
    for (const line of lines.slice(19, 22)) expect(line).toMatch(/^(?: [0-9a-f]{16}){4}$/);
    // show_trace_log_lvl(): "%sCall Trace:\n"; printk_stack_address(): "%s [<%p>] %s%pB\n"
    expect(lines.slice(22, 26)).toEqual([
      'Call Trace:',
      frame('do_vfs_ioctl+0x8e/0x6b0'),
      frame('SyS_ioctl+0x79/0x90'),
      frame('entry_SYSCALL_64_fastpath+0x12/0x71'),
    ]);
    // The stack words hold the callers' return addresses.
    expect(lines[19]).toContain(frame('do_vfs_ioctl+0x8e/0x6b0').slice(3, 19));
    // show_regs(): "Code: " then 64 bytes from RIP - 43, "%02x " each, "<%02x> " at RIP: it ends in a space
    expect(lines[26]).toMatch(/^Code: (?:[0-9a-f]{2} ){43}<89> (?:[0-9a-f]{2} ){20}$/);
  });

  it('ends with the RIP/RSP summary, CR2 and the end marker', () => {
    expect(lines.slice(27)).toEqual([
      // __die(): printk(KERN_ALERT "RIP "); printk_address(regs->ip); printk(" RSP <%016lx>\n", regs->sp)
      `RIP  [<${ripHex}>] uaf_drv_ioctl+0x101/0x1a0 [uaf_drv]`,
      expect.stringMatching(/^ RSP <ffff8800[0-9a-f]{8}>$/),
      // no_context(): printk(KERN_DEFAULT "CR2: %016lx\n", address)
      `CR2: ${address}`,
      // print_oops_end_marker(): "---[ end trace %016llx ]---\n" of the random oops_id, plus one
      expect.stringMatching(/^---\[ end trace [0-9a-f]{16} \]---$/),
    ]);
    // the stack pointer of the RSP register line
    expect(lines.at(-3)).toBe(` RSP <${lines[9]!.slice(10, 26)}>`);
  });

  it('prints no page_owner section', () => {
    expect(lines.join('\n')).not.toMatch(/page_owner|page allocated via|page dumped because/);
  });

  it('without any frame, prints a NULL IP as 4.8 prints NULL pointers, and no code', () => {
    const page = freedPage(kernel);
    const bare = oops(kernel, page, []);
    // lib/vsprintf.c pointer(): "(null)" in the field width of a pointer
    expect(bare[1]).toBe('IP: [<          (null)>]           (null)');
    expect(bare).toContain('Code:  Bad RIP value.');
  });
});

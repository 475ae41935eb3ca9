import { describe, expect, it } from 'vitest';
import {
  DUMP_STACK_FRAME,
  type DumpStackContext,
  dumpStackWith,
  formatCallTrace,
  formatCodeV4,
  formatDumpStack,
  formatX86Regs,
  HARDWARE_NAME,
  type StackFrame,
  userEntryRegs,
  type X86Regs,
} from './dump-stack';
import { KernelTaint, Taint } from './kernel-taint';

/**
 * `dump_stack()` and the x86 register dump, line for line. Truth: v6.18 lib/dump_stack.c
 * (`dump_stack_print_info()`, `dump_stack_lvl()`), arch/x86/kernel/dumpstack.c (`show_stack()`,
 * `__show_trace_log_lvl()`, `printk_stack_address()`, `show_regs_if_on_stack()`, `show_ip()`, `show_opcodes()`,
 * `show_iret_regs()`), arch/x86/kernel/process_64.c `__show_regs()`; v4.8 kernel/printk/printk.c
 * `dump_stack_print_info()`, arch/x86/kernel/dumpstack.c (`show_stack()`, `printk_stack_address()`,
 * `printk_address()`), arch/x86/kernel/dumpstack_64.c (`show_stack_log_lvl()`, `show_regs()`),
 * arch/x86/kernel/process_64.c `__show_regs()`.
 */

const frame = (address: string, symbol: string): StackFrame => ({ address, symbol });

const v6Frames = [
  frame('ffffffff81e0ae3d', DUMP_STACK_FRAME.v6),
  frame('ffffffff8163a12b', 'bad_page+0x6b/0x110'),
  frame('ffffffff816310c1', '__free_frozen_pages+0x1f1/0x3e0'),
  frame('ffffffffc0000e1', 'uaf_drv_ioctl+0xe1/0x1a0 [uaf_drv]'),
  frame('ffffffff81700a94', '__x64_sys_ioctl+0x94/0xd0'),
  frame('ffffffff8225aa01', 'do_syscall_64+0x71/0x310'),
  frame('ffffffff81000130', 'entry_SYSCALL_64_after_hwframe+0x76/0xc0'),
];

function context(era: 'v4' | 'v6', tainted = 'Not tainted', verbose?: string): DumpStackContext {
  return {
    era,
    release: era === 'v4' ? '4.8.15' : '6.18.2',
    cpu: 1,
    pid: 1234,
    comm: 'uaf-test',
    tainted,
    ...(verbose !== undefined ? { taintedVerbose: verbose } : {}),
  };
}

describe('dump_stack() (v6.18 lib/dump_stack.c, arch/x86/kernel/dumpstack.c)', () => {
  const lines = formatDumpStack(context('v6'), v6Frames);

  it('prints the task line ending in a space (BUILD_ID_FMT "%s" of ""), then the hardware name', () => {
    expect(lines[0]).toBe('CPU: 1 UID: 0 PID: 1234 Comm: uaf-test Not tainted 6.18.2 #1 PREEMPT(voluntary) ');
    expect(lines[1]).toBe(`Hardware name: ${HARDWARE_NAME}`);
  });

  it('brackets the task stack with <TASK> and prints frames as " %s%pBb", the kernel’s own first', () => {
    expect(lines.slice(2, 11)).toEqual([
      'Call Trace:',
      ' <TASK>',
      ' dump_stack_lvl+0x5d/0x80',
      ' bad_page+0x6b/0x110',
      ' __free_frozen_pages+0x1f1/0x3e0',
      ' uaf_drv_ioctl+0xe1/0x1a0 [uaf_drv]',
      ' __x64_sys_ioctl+0x94/0xd0',
      ' do_syscall_64+0x71/0x310',
      ' entry_SYSCALL_64_after_hwframe+0x76/0xc0',
    ]);
  });

  it('prints the syscall entry’s user registers (SHOW_REGS_SHORT) before </TASK>', () => {
    const user = lines.slice(11);
    expect(user[0]).toMatch(/^RIP: 0033:0x7f[0-9a-f]{10}$/);
    // show_opcodes(): "%sCode: %42ph <%02x> %21ph\n"; the byte before RIP is the syscall instruction (0f 05)
    expect(user[1]).toMatch(/^Code: (?:[0-9a-f]{2} ){40}0f 05 <[0-9a-f]{2}>(?: [0-9a-f]{2}){21}$/);
    // "%sRSP: %04x:%016lx EFLAGS: %08lx" + " ORIG_RAX: %016lx\n": ioctl is syscall 16
    expect(user[2]).toMatch(/^RSP: 002b:00007ffd[0-9a-f]{8} EFLAGS: 00000246 ORIG_RAX: 0000000000000010$/);
    expect(user[3]).toMatch(/^RAX: ffffffffffffffda RBX: [0-9a-f]{16} RCX: 00007f[0-9a-f]{10}$/);
    expect(user[3]!.slice(-12)).toBe(user[0]!.slice(-12));
    expect(user[4]).toMatch(/^RDX: [0-9a-f]{16} RSI: [0-9a-f]{16} RDI: [0-9a-f]{16}$/);
    expect(user[5]).toMatch(/^RBP: [0-9a-f]{16} R08: [0-9a-f]{16} R09: [0-9a-f]{16}$/);
    expect(user[6]).toMatch(/^R10: [0-9a-f]{16} R11: 0000000000000246 R12: [0-9a-f]{16}$/);
    expect(user[7]).toMatch(/^R13: [0-9a-f]{16} R14: [0-9a-f]{16} R15: [0-9a-f]{16}$/);
    expect(user.slice(8)).toEqual([' </TASK>']);
  });

  it('prints print_tainted_verbose() when tainted', () => {
    const taint = new KernelTaint(20);
    taint.add(Taint.BAD_PAGE);
    const tainted = formatDumpStack(context('v6', taint.print(), taint.printVerbose()), []);
    expect(tainted.slice(0, 2)).toEqual([
      'CPU: 1 UID: 0 PID: 1234 Comm: uaf-test Tainted: G    B               6.18.2 #1 PREEMPT(voluntary) ',
      'Tainted: [B]=BAD_PAGE',
    ]);
  });

  it('shows no ORIG_RAX for a user page fault, and no user registers for a kernel thread', () => {
    const fault = [
      frame('ffffffff82260470', 'exc_page_fault+0x20/0x210'),
      frame('ffffffff81000c82', 'asm_exc_page_fault+0x22/0x30'),
    ];
    const trace = formatCallTrace('v6', fault);
    expect(trace[4]).toMatch(/^RIP: 0033:0x[0-9a-f]+$/);
    expect(trace[6]).toMatch(/^RSP: 002b:[0-9a-f]{16} EFLAGS: 00010246$/);
    expect(formatCallTrace('v6', [frame('ffffffff81000e00', 'ret_from_fork_asm+0x1a/0x30')])).toEqual([
      'Call Trace:',
      ' <TASK>',
      ' ret_from_fork_asm+0x1a/0x30',
      ' </TASK>',
    ]);
  });
});

describe('dump_stack() (v4.8 kernel/printk/printk.c, arch/x86/kernel/dumpstack_64.c)', () => {
  const frames = [
    frame('ffffffff813c8a53', DUMP_STACK_FRAME.v4),
    frame('ffffffff81163ef0', 'bad_page+0xc0/0x120'),
    frame('ffffffff81163fc7', 'free_pages_check_bad+0x77/0x80'),
    frame('ffffffff81166b76', 'free_hot_cold_page+0x106/0x180'),
    frame('ffffffff8158e781', 'do_vfs_ioctl+0x8e/0x6b0'),
  ];
  const lines = formatDumpStack(context('v4'), frames);

  it('prints "%sCPU: %d PID: %d Comm: %.20s %s %s %.*s" with no UID, model or trailing space', () => {
    expect(lines[0]).toBe('CPU: 1 PID: 1234 Comm: uaf-test Not tainted 4.8.15 #1');
    expect(lines[1]).toBe(`Hardware name: ${HARDWARE_NAME}`);
  });

  it('prints 12 raw stack words, 4 a line, before the call trace (show_stack_log_lvl())', () => {
    for (const line of lines.slice(2, 5)) expect(line).toMatch(/^(?: [0-9a-f]{16}){4}$/);
    expect(lines[2]!.endsWith(' ffffffff813c8a53')).toBe(true);
    expect(lines[5]).toBe('Call Trace:');
  });

  it('prints each frame as "%s [<%p>] %s%pB" with no <TASK> brackets nor entry registers', () => {
    expect(lines.slice(6)).toEqual([
      ' [<ffffffff813c8a53>] dump_stack+0x63/0x90',
      ' [<ffffffff81163ef0>] bad_page+0xc0/0x120',
      ' [<ffffffff81163fc7>] free_pages_check_bad+0x77/0x80',
      ' [<ffffffff81166b76>] free_hot_cold_page+0x106/0x180',
      ' [<ffffffff8158e781>] do_vfs_ioctl+0x8e/0x6b0',
    ]);
  });
});

describe('__show_regs() (arch/x86/kernel/process_64.c)', () => {
  const regs: X86Regs = {
    ip: 'ffffffffa0000101',
    ipSymbol: 'uaf_drv_ioctl+0x101/0x1a0 [uaf_drv]',
    cs: 0x10,
    ss: 0x18,
    sp: 'ffff88007b4fbe40',
    flags: '00010246',
    ax: 'ffff88007bb61000',
    bx: '0000000000000001',
    cx: '0000000000000002',
    dx: '0000000000000003',
    si: '0000000000000004',
    di: '0000000000000005',
    bp: 'ffff88007b4fbe50',
    r8: '0000000000000008',
    r9: '0000000000000009',
    r10: '000000000000000a',
    r11: '000000000000000b',
    r12: '000000000000000c',
    r13: '000000000000000d',
    r14: '000000000000000e',
    r15: '000000000000000f',
    code: {
      before: Array.from({ length: 43 }, (_, index) => index),
      at: 0xc7,
      after: Array.from({ length: 21 }, () => 0xff),
    },
    system: {
      fs: '00007f8e3c2ae700',
      fsIndex: 0,
      gs: 'ffff88007fd00000',
      gsIndex: 0,
      knlGs: '0000000000000000',
      ds: 0,
      es: 0,
      cr0: '0000000080050033',
      cr2: 'ffff88007bb61010',
      cr3: '000000007b5a2000',
      cr4: '00000000003606f0',
    },
  };

  it('v6.18 SHOW_REGS_ALL: show_ip(), show_opcodes(), show_iret_regs(), the registers, FS/CS/CR', () => {
    const code = `Code: ${Array.from({ length: 42 }, (_, index) => (index + 1).toString(16).padStart(2, '0')).join(' ')} <c7> ${new Array(21).fill('ff').join(' ')}`;
    expect(formatX86Regs('v6', regs, 'all')).toEqual([
      'RIP: 0010:uaf_drv_ioctl+0x101/0x1a0 [uaf_drv]',
      code,
      'RSP: 0018:ffff88007b4fbe40 EFLAGS: 00010246',
      'RAX: ffff88007bb61000 RBX: 0000000000000001 RCX: 0000000000000002',
      'RDX: 0000000000000003 RSI: 0000000000000004 RDI: 0000000000000005',
      'RBP: ffff88007b4fbe50 R08: 0000000000000008 R09: 0000000000000009',
      'R10: 000000000000000a R11: 000000000000000b R12: 000000000000000c',
      'R13: 000000000000000d R14: 000000000000000e R15: 000000000000000f',
      'FS:  00007f8e3c2ae700(0000) GS:ffff88007fd00000(0000) knlGS:0000000000000000',
      'CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033',
      'CR2: ffff88007bb61010 CR3: 000000007b5a2000 CR4: 00000000003606f0',
    ]);
    expect(formatX86Regs('v6', regs, 'short')).toHaveLength(8);
  });

  it('v4.8: "RIP: %04lx:[<%016lx>] " + printk_address(), "RSP: %04lx:%016lx  EFLAGS: %08lx", the code line apart', () => {
    const lines = formatX86Regs('v4', regs, 'all');
    expect(lines.slice(0, 2)).toEqual([
      'RIP: 0010:[<ffffffffa0000101>]  [<ffffffffa0000101>] uaf_drv_ioctl+0x101/0x1a0 [uaf_drv]',
      'RSP: 0018:ffff88007b4fbe40  EFLAGS: 00010246',
    ]);
    expect(lines).toHaveLength(10);
    // show_regs(): 43 bytes before RIP, "<%02x> " at RIP, 20 after, each "%02x ": the line ends in a space
    const code = formatCodeV4(regs.code);
    expect(code).toBe(
      `Code: ${Array.from({ length: 43 }, (_, index) => `${index.toString(16).padStart(2, '0')} `).join('')}<c7> ${'ff '.repeat(20)}`,
    );
    expect(formatCodeV4(undefined)).toBe('Code:  Bad RIP value.');
  });

  it('finds the syscall number of the syscall frame', () => {
    const read = userEntryRegs([frame('ffffffff816d6c4f', 'ksys_read+0x6f/0xb0'), v6Frames.at(-1)!], 1);
    expect(read?.origAx).toBe('0000000000000000');
    expect(userEntryRegs([frame('ffffffff816d6c4f', 'ksys_read+0x6f/0xb0')], 1)).toBeUndefined();
  });
});

describe('dumpStackWith()', () => {
  it('prints a machine’s dump_stack() with the kernel’s own frames above the caller’s path', () => {
    const taint = new KernelTaint(20);
    const lines = dumpStackWith(
      {
        profile: { era: 'v6', release: '6.18.2' },
        current: { cpu: 0, pid: 7, comm: 'leaky' },
        taint,
        stackTrace: () => [frame('ffffffffc00000e1', 'leaky_ioctl+0xe1/0x1a0 [leaky]')],
      },
      [frame('ffffffff81e0ae3d', DUMP_STACK_FRAME.v6), frame('ffffffff8163a12b', 'bad_page+0x6b/0x110')],
    );
    expect(lines).toEqual([
      'CPU: 0 UID: 0 PID: 7 Comm: leaky Not tainted 6.18.2 #1 PREEMPT(voluntary) ',
      `Hardware name: ${HARDWARE_NAME}`,
      'Call Trace:',
      ' <TASK>',
      ' dump_stack_lvl+0x5d/0x80',
      ' bad_page+0x6b/0x110',
      ' leaky_ioctl+0xe1/0x1a0 [leaky]',
      ' </TASK>',
    ]);
  });
});

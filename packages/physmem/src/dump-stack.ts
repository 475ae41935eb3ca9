/** One frame of a kernel call trace, already symbolised. */
export interface StackFrame {
  /** The return address as 16 hex digits (`ffffffff811682c4`). */
  readonly address: string;
  /** `symbol+0xoffset/0xsize`, as `%pS` prints it. */
  readonly symbol: string;
  /** The module the symbol belongs to, if not the core kernel. */
  readonly module?: string;
}

/** Prints one frame as an x86 call trace does: v4.x ` [<addr>] sym+off/size`, v6.x ` sym+off/size [module]`. */
export function formatStackFrame(frame: StackFrame, era: 'v4' | 'v6'): string {
  const module = frame.module === undefined ? '' : ` [${frame.module}]`;
  return era === 'v4' ? ` [<${frame.address}>] ${frame.symbol}${module}` : ` ${frame.symbol}${module}`;
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
 * `dump_stack()` (lib/dump_stack.c and arch/x86/kernel/dumpstack.c): the CPU/PID/Comm line, the taint line (v6),
 * the hardware name, then the call trace (v6 brackets it with `<TASK>`).
 */
export function formatDumpStack(context: DumpStackContext, frames: readonly StackFrame[]): string[] {
  const { era } = context;
  const lines: string[] = [];
  if (era === 'v4') {
    lines.push(
      `CPU: ${context.cpu} PID: ${context.pid} Comm: ${context.comm.slice(0, 20)} ${context.tainted} ${context.release} #1`,
    );
  } else {
    lines.push(
      `CPU: ${context.cpu} UID: 0 PID: ${context.pid} Comm: ${context.comm.slice(0, 20)} ${context.tainted} ${context.release} #1 PREEMPT(voluntary)`,
    );
    if (context.taintedVerbose !== undefined) lines.push(context.taintedVerbose);
  }
  lines.push(`Hardware name: ${HARDWARE_NAME}`);
  lines.push('Call Trace:');
  if (era === 'v6') lines.push(' <TASK>');
  for (const frame of frames) lines.push(formatStackFrame(frame, era));
  if (era === 'v6') lines.push(' </TASK>');
  return lines;
}

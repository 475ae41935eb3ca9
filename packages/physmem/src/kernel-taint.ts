/**
 * Kernel taint flags (kernel/panic.c `taint_flags`): the letters of `print_tainted()` and the names of
 * `print_tainted_verbose()`. v4.8 knew the first 16.
 */
export const taintFlags: readonly { readonly letter: string; readonly name: string }[] = [
  { letter: 'P', name: 'PROPRIETARY_MODULE' },
  { letter: 'F', name: 'FORCED_MODULE' },
  { letter: 'S', name: 'CPU_OUT_OF_SPEC' },
  { letter: 'R', name: 'FORCED_RMMOD' },
  { letter: 'M', name: 'MACHINE_CHECK' },
  { letter: 'B', name: 'BAD_PAGE' },
  { letter: 'U', name: 'USER' },
  { letter: 'D', name: 'DIE' },
  { letter: 'A', name: 'OVERRIDDEN_ACPI_TABLE' },
  { letter: 'W', name: 'WARN' },
  { letter: 'C', name: 'CRAP' },
  { letter: 'I', name: 'FIRMWARE_WORKAROUND' },
  { letter: 'O', name: 'OOT_MODULE' },
  { letter: 'E', name: 'UNSIGNED_MODULE' },
  { letter: 'L', name: 'SOFTLOCKUP' },
  { letter: 'K', name: 'LIVEPATCH' },
  { letter: 'X', name: 'AUX' },
  { letter: 'T', name: 'RANDSTRUCT' },
  { letter: 'N', name: 'TEST' },
  { letter: 'J', name: 'FWCTL' },
];

/** Taint bit numbers mmsim sets. */
export const Taint = { BAD_PAGE: 5, DIE: 7, WARN: 9 } as const;

/** The kernel's taint mask and the formatting of it (`add_taint`, `print_tainted`). */
export class KernelTaint {
  mask = 0;
  readonly #flagCount: number;

  /** `flagCount` is 16 for v4.8 and 20 for v6.18. */
  constructor(flagCount: number) {
    this.#flagCount = flagCount;
  }

  /** `add_taint()`: returns true the first time any taint is added (when lock debugging gets disabled). */
  add(bit: number): boolean {
    const first = this.mask === 0;
    this.mask |= 1 << bit;
    return first;
  }

  /** `print_tainted()`: `Not tainted`, or `Tainted: ` and a column per flag (`G` when P is clear). */
  print(): string {
    if (this.mask === 0) return 'Not tainted';
    let text = 'Tainted: ';
    for (let bit = 0; bit < this.#flagCount; bit++) {
      const set = (this.mask & (1 << bit)) !== 0;
      text += set ? taintFlags[bit]!.letter : bit === 0 ? 'G' : ' ';
    }
    return text;
  }

  /** `print_tainted_verbose()` (v6.x): `Tainted: [B]=BAD_PAGE, [W]=WARN`. */
  printVerbose(): string {
    const parts: string[] = [];
    for (let bit = 0; bit < this.#flagCount; bit++) {
      if ((this.mask & (1 << bit)) !== 0) parts.push(`[${taintFlags[bit]!.letter}]=${taintFlags[bit]!.name}`);
    }
    return `Tainted: ${parts.join(', ')}`;
  }
}

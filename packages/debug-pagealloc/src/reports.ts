import { type DirectMapFault, directMapAddress, type PhysicalMemory, Taint } from '@mm/physmem';

/** x86_64 `PAGE_OFFSET` (high 32 bits) without KASLR: v4.8 0xffff880000000000, v6.18 0xffff888000000000. */
export function pageOffsetHigh(memory: PhysicalMemory): number {
  return memory.profile.era === 'v4' ? 0xffff8800 : 0xffff8880;
}

/**
 * The oops of a kernel-mode access to a page debug_pagealloc removed from the direct map (arch/x86/mm/fault.c
 * `page_fault_oops()` / v4.8 `no_context()`, then `__die()`): the fault line, the page table walk (the PTE without
 * its present bit), the Oops line with the config tags, `dump_stack()`'s lines, modules, CR2 and the end marker.
 * `dieCount` is the `[#N]` counter.
 */
export function formatPageFaultOops(memory: PhysicalMemory, fault: DirectMapFault, dieCount: number): string[] {
  const address = directMapAddress(pageOffsetHigh(memory), fault.pfn, fault.offset);
  const errorCode = fault.write ? 0x0002 : 0x0000;
  const v4 = memory.profile.era === 'v4';
  // The faulting instruction is in the innermost frame.
  const rip = v4 ? memory.stackTrace().at(-1) : undefined;
  // The direct map's PTE after __set_pages_np(): NX, accessed|dirty, without present and RW; v6.18 stores the pfn
  // inverted in a not-present PTE (the L1TF mitigation, since 4.19).
  const pteValue = v4
    ? `8${(fault.pfn * 4096 + 0x60).toString(16).padStart(15, '0')}`
    : `800${(0xffffffffff - fault.pfn).toString(16).padStart(10, '0')}060`;
  const lines = v4
    ? [
        `BUG: unable to handle kernel paging request at ${address}`,
        `IP: [<${rip?.address ?? '0000000000000000'}>] ${rip?.symbol ?? 'unknown'}`,
        `PGD 1e0c067 PUD 1e0d067 PMD ${(fault.pfn >>> 9).toString(16)}063 PTE ${pteValue}`,
        `Oops: ${hex4(errorCode)} [#${dieCount}] SMP DEBUG_PAGEALLOC`,
      ]
    : [
        `BUG: unable to handle page fault for address: ${address}`,
        `#PF: supervisor ${fault.write ? 'write' : 'read'} access in kernel mode`,
        `#PF: error_code(0x${hex4(errorCode)}) - not-present page`,
        `PGD 3c01067 P4D 3c01067 PUD 3c02067 PMD ${(fault.pfn >>> 9).toString(16)}063 PTE ${pteValue}`,
        `Oops: Oops: ${hex4(errorCode)} [#${dieCount}] SMP DEBUG_PAGEALLOC NOPTI`,
      ];
  // The oops taints the kernel (TAINT_DIE) after the header is printed.
  const stack = memory.dumpStack();
  memory.taint.add(Taint.DIE);
  return [
    ...lines,
    ...stack,
    `Modules linked in:${memory.modules.map((name) => ` ${name}`).join('')}`,
    `CR2: ${address}`,
    v4 ? `---[ end trace ${endTrace(dieCount)} ]---` : '---[ end trace 0000000000000000 ]---',
  ];
}

/**
 * `check_poison_mem()` (mm/page_poison.c): `pagealloc: single bit error` when exactly one byte differs from the
 * poison by one bit, else `pagealloc: memory corruption`, then `print_hex_dump(KERN_ERR, "", DUMP_PREFIX_ADDRESS,
 * 16, 1, start, end - start + 1, 1)` of the damaged range.
 */
export function formatPoisonReport(
  memory: PhysicalMemory,
  pfn: number,
  range: { first: number; last: number },
  poison: number,
): string[] {
  const bytes = memory.directMap.contents.read(pfn, range.first, range.last - range.first + 1);
  const error = bytes[0]! ^ poison;
  const single = range.first === range.last && error !== 0 && (error & (error - 1)) === 0;
  const lines = [single ? 'pagealloc: single bit error' : 'pagealloc: memory corruption'];
  for (let row = 0; row < bytes.length; row += 16) {
    const chunk = bytes.subarray(row, Math.min(row + 16, bytes.length));
    const address = hexDumpAddress(memory, pfn, range.first + row);
    lines.push(`${address}: ${hexDumpLine(chunk)}`);
  }
  return lines;
}

/**
 * One row of `hex_dump_to_buffer(..., rowsize 16, groupsize 1, ascii true)` (lib/hexdump.c): the bytes as `%02x`
 * separated by spaces, padded to the ASCII column (49 for a 16-byte row), then each byte as itself if it is
 * printable ASCII, else `.`.
 */
export function hexDumpLine(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
  const ascii = Array.from(bytes, (byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.')).join('');
  return `${hex.padEnd(16 * 3 + 1)}${ascii}`;
}

/** The address prefix of a hex dump row: the real address in v4.8, a hashed `%p` in v6.18. */
function hexDumpAddress(memory: PhysicalMemory, pfn: number, offset: number): string {
  const address = directMapAddress(pageOffsetHigh(memory), pfn, offset);
  if (memory.profile.era === 'v4') return address;
  // %p prints a siphash of the pointer with a boot-time key: a stable 32-bit value, zero-extended.
  let hash = 0x811c9dc5;
  for (const char of address) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash.toString(16).padStart(16, '0');
}

function endTrace(count: number): string {
  return (0x2f3a4c5d + count).toString(16).padStart(16, '0');
}

function hex4(value: number): string {
  return value.toString(16).padStart(4, '0');
}

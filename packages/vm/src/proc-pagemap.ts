import { PAGE_SIZE } from '@mm/physmem';
import type { Vma } from './address-space';
import { MAX_RW_COUNT } from './proc-kpageflags';
import type { Vm, VmTask } from './vm';

/** Bits of a pagemap entry (fs/proc/task_mmu.c `PM_*`; Documentation/admin-guide/mm/pagemap.rst). */
export const PagemapBits = {
  /** Bits 0-54: the pfn of a present page (zero unless the reader has CAP_SYS_ADMIN). */
  PFRAME_BITS: 55,
  /** Bit 56 (since 4.2): the page is mapped exactly once. */
  MMAP_EXCLUSIVE: 56,
  /** Bit 61: a file page or shared anonymous memory (not `PageAnon`). */
  FILE: 61,
  /** Bit 62: swapped. */
  SWAP: 62,
  /** Bit 63: present. */
  PRESENT: 63,
} as const;

/** Bytes of one entry (`PM_ENTRY_BYTES`). */
export const PAGEMAP_ENTRY_BYTES = 8;
/** x86_64 `TASK_SIZE_MAX`: the file covers virtual pages below it. */
const TASK_SIZE = 0x7ffffffff000;

/** An error a pagemap read returns instead of bytes. */
export interface PagemapError {
  readonly errno: 'EINVAL';
}

/**
 * The high 32 bits and low 32 bits of one pagemap entry (`pte_to_pagemap_entry()`): present, file (the page is
 * not anonymous), exclusive (mapcount 1), and the pfn when `privileged`; 0 for a page that is not present or an
 * address no mapping covers. Two numbers, so that 64-bit entries need no BigInt.
 */
export function pagemapEntry(vm: Vm, vma: Vma | undefined, slot: number, privileged: boolean): [number, number] {
  const entry = vma?.pte[slot] ?? 0;
  if (entry === 0) return [0, 0];
  const pfn = entry - 1;
  let high = 1 << (PagemapBits.PRESENT - 32);
  if (!vm.isAnon(pfn)) high |= 1 << (PagemapBits.FILE - 32);
  if (vm.memory.pageMapcount(pfn) === 1) high |= 1 << (PagemapBits.MMAP_EXCLUSIVE - 32);
  if (!privileged) return [high >>> 0, 0];
  return [(high | Math.floor(pfn / 2 ** 32)) >>> 0, pfn >>> 0];
}

/**
 * `pagemap_read()`: `length` bytes of `/proc/PID/pagemap` from byte `position` (both multiples of 8, else EINVAL):
 * little-endian u64 entries, one per virtual page, the entry of page `vpn` at byte 8 * vpn. Reads stop at the end
 * of the user address space, and at `MAX_RW_COUNT` bytes (as `vfs_read()` cuts any read); NaN, infinite and
 * negative positions and lengths are EINVAL. `privileged` is CAP_SYS_ADMIN at open: without it pfns read as zero.
 */
export function readPagemap(
  vm: Vm,
  task: VmTask,
  position: number,
  length: number,
  privileged = true,
): Uint8Array | PagemapError {
  if (position % PAGEMAP_ENTRY_BYTES !== 0 || length % PAGEMAP_ENTRY_BYTES !== 0 || position < 0 || length < 0) {
    return { errno: 'EINVAL' };
  }
  const first = position / PAGEMAP_ENTRY_BYTES;
  const end = Math.min(first + Math.min(length, MAX_RW_COUNT) / PAGEMAP_ENTRY_BYTES, TASK_SIZE / PAGE_SIZE);
  if (end <= first) return new Uint8Array(0);
  const words = new Uint32Array((end - first) * 2);
  for (const vma of task.mm.vmas) {
    const from = Math.max(first, vma.start);
    const to = Math.min(end, vma.end);
    for (let vpn = from; vpn < to; vpn++) {
      const [high, low] = pagemapEntry(vm, vma, vpn - vma.start, privileged);
      words[(vpn - first) * 2] = low;
      words[(vpn - first) * 2 + 1] = high;
    }
  }
  return new Uint8Array(words.buffer);
}

/**
 * The entries of every mapping of `task`, in address order, and an index of where each mapping's entries start:
 * the shape of `samples/pagemap-6.18.bin` with its `.index.txt` (the real file is as large as the address
 * space, 256 GiB, and sparse; a dump keeps the mapped ranges).
 */
export function dumpPagemap(vm: Vm, task: VmTask, privileged = true): { entries: Uint8Array; index: string } {
  const total = task.mm.vmas.reduce((sum, vma) => sum + vma.pages, 0);
  const words = new Uint32Array(total * 2);
  let index =
    '# Each line: vma start-end (from maps) and the byte offset in pagemap where its 8-byte little-endian entries begin; one entry per 4 KiB page, in address order\n';
  let at = 0;
  for (const vma of task.mm.vmas) {
    const name = vma.file?.name ?? vma.name ?? '[anon]';
    index += `${(vma.start * PAGE_SIZE).toString(16)}-${(vma.end * PAGE_SIZE).toString(16)} ${name} offset=${
      at * PAGEMAP_ENTRY_BYTES
    } entries=${vma.pages}\n`;
    for (let slot = 0; slot < vma.pages; slot++, at++) {
      const [high, low] = pagemapEntry(vm, vma, slot, privileged);
      words[at * 2] = low;
      words[at * 2 + 1] = high;
    }
  }
  return { entries: new Uint8Array(words.buffer), index };
}

import { PteBits } from './pte';
import type { VmFile } from './vm-file';

/** Access rights and sharing of a mapping (`VM_READ`, `VM_WRITE`, `VM_EXEC`, `VM_SHARED`). */
export interface VmaProtection {
  readonly read: boolean;
  readonly write: boolean;
  readonly exec: boolean;
  readonly shared: boolean;
}

/**
 * A mapping (`struct vm_area_struct`): virtual pages [start, end) of one address space, anonymous or backed by a
 * file from page `pgoff`, and its page table entries, as two typed arrays (pfn + 1, 0 when not present; and the
 * {@link PteBits}). One table per mapping stands in for the kernel's four-level tables; the PTE pages the kernel
 * would allocate are allocated too (see `Vm`), so the simulated machine pays for them.
 */
export class Vma {
  /** Identifies the mapping in the reverse map of anonymous pages (`anon_vma`). */
  readonly id: number;
  readonly mm: AddressSpace;
  /** First virtual page number. */
  start: number;
  /** Virtual page number after the last page. */
  end: number;
  readonly protection: VmaProtection;
  /** The backing file; undefined for a private anonymous mapping. */
  readonly file: VmFile | undefined;
  /** File page of `start`. */
  pgoff: number;
  /** `[heap]`, `[stack]` or another name /proc/PID/maps prints instead of a path. */
  readonly name: string | undefined;
  /** pfn + 1 per page; 0 when the entry is not present. */
  pte: Uint32Array;
  /** {@link PteBits} per page. */
  bits: Uint8Array;
  constructor(
    id: number,
    mm: AddressSpace,
    range: { start: number; end: number },
    protection: VmaProtection,
    file: VmFile | undefined,
    pgoff: number,
    name: string | undefined,
  ) {
    this.id = id;
    this.mm = mm;
    this.start = range.start;
    this.end = range.end;
    this.protection = protection;
    this.file = file;
    this.pgoff = pgoff;
    this.name = name;
    this.pte = new Uint32Array(range.end - range.start);
    this.bits = new Uint8Array(range.end - range.start);
  }

  /** Pages spanned. */
  get pages(): number {
    return this.end - this.start;
  }

  /**
   * `ptep_clear_young_notify()`: clears the accessed bit of the entry at `slot` and says whether it was set (what
   * reclaim and idle tracking ask of each entry found by the rmap walk).
   */
  clearYoung(slot: number): boolean {
    const bits = this.bits[slot]!;
    if ((bits & PteBits.ACCESSED) === 0) return false;
    this.bits[slot] = bits & ~PteBits.ACCESSED;
    return true;
  }

  /** A private mapping whose pages are (or become, on write) anonymous. */
  get private(): boolean {
    return !this.protection.shared;
  }
}

/**
 * A process's address space (`struct mm_struct`): its mappings sorted by address, the PTE pages it holds (one per
 * 2 MiB of address space with mappings that faulted), and where the next mapping goes (top-down from
 * `mmap_base`, as x86_64's default layout places them).
 */
export class AddressSpace {
  readonly id: number;
  /** Sorted by start; never overlapping. */
  readonly vmas: Vma[] = [];
  /** pfn of the PTE page of each 512-page (2 MiB) span, by `vpn / 512`. */
  readonly pageTables = new Map<number, number>();
  /** Virtual page number below which the next top-down mapping ends. */
  mmapBase: number;
  /** Tasks sharing this address space (threads). */
  users = 1;
  /** `mm->rss_stat`: pages mapped, by kind (`MM_ANONPAGES`, `MM_FILEPAGES`, `MM_SHMEMPAGES`). */
  readonly rss = { anon: 0, file: 0, shmem: 0 };
  /** `hiwater_rss`: the most pages ever mapped. */
  hiwaterRss = 0;
  /** `hiwater_vm`: the most pages ever spanned by mappings. */
  hiwaterVm = 0;
  /** The OOM killer chose this address space (`MMF_OOM_SKIP` after the reaper): its task must exit. */
  oomKilled = false;
  #last: Vma | undefined;

  constructor(id: number, mmapBase: number) {
    this.id = id;
    this.mmapBase = mmapBase;
  }

  /** `find_vma()` for an exact hit: the mapping holding virtual page `vpn`, or undefined. */
  find(vpn: number): Vma | undefined {
    const last = this.#last;
    if (last !== undefined && vpn >= last.start && vpn < last.end) return last;
    const vmas = this.vmas;
    let low = 0;
    let high = vmas.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const vma = vmas[middle]!;
      if (vpn < vma.start) high = middle - 1;
      else if (vpn >= vma.end) low = middle + 1;
      else {
        this.#last = vma;
        return vma;
      }
    }
    return undefined;
  }

  /** Whether [start, end) overlaps a mapping. */
  overlaps(start: number, end: number): boolean {
    return this.vmas.some((vma) => vma.start < end && start < vma.end);
  }

  /** Adds a mapping, keeping the order. */
  insert(vma: Vma): void {
    let index = this.vmas.findIndex((other) => other.start > vma.start);
    if (index < 0) index = this.vmas.length;
    this.vmas.splice(index, 0, vma);
    this.hiwaterVm = Math.max(this.hiwaterVm, this.totalVm);
  }

  /** `total_vm`: pages spanned by the mappings. */
  get totalVm(): number {
    let pages = 0;
    for (const vma of this.vmas) pages += vma.pages;
    return pages;
  }

  /** `get_mm_rss()`: pages mapped. */
  get rssPages(): number {
    return this.rss.anon + this.rss.file + this.rss.shmem;
  }

  /** Removes a mapping. */
  remove(vma: Vma): void {
    const index = this.vmas.indexOf(vma);
    if (index >= 0) this.vmas.splice(index, 1);
    if (this.#last === vma) this.#last = undefined;
  }
}

import type { BuddyAllocator } from '@mm/buddy';
import { type EarlyAllocation, MAX_ORDER_NR_PAGES, type MemoryNode, PAGE_SIZE, type PhysicalMemory } from '@mm/physmem';
import type { PageExtClient } from './page-ext-client';
import { flagsBytes, type PageExtLayout } from './page-ext-layout';

/** A client that said yes, and where its part of the entry starts. */
export interface ActivePageExtClient {
  readonly client: PageExtClient;
  /** Byte offset of the client's data in the entry (offset scheme); 8 (after the flags) in the fixed layouts. */
  readonly offset: number;
}

/** What the `need()` callbacks decided: the entry size and the clients in it. */
export interface PageExtPlan {
  readonly entryBytes: number;
  readonly sharedFlags: boolean;
  readonly active: readonly ActivePageExtClient[];
}

/** The memory behind one section's page_ext (SPARSEMEM). */
export interface SectionPageExt {
  readonly section: number;
  /** Bytes the kernel asked for: PAGES_PER_SECTION × entry size. */
  readonly bytes: number;
  /** Blocks taken from the page allocator: one split `alloc_pages_exact` block, or vmalloc's order-0 pages. */
  readonly blocks: readonly { readonly pfn: number; readonly pages: number }[];
  /** Whether the allocation fell back to vzalloc. */
  readonly vmalloc: boolean;
}

/**
 * `invoke_need_callbacks()`: asks the built-in clients in `page_ext_ops[]` order (their places); returns undefined
 * when nobody needs page_ext (nothing at all is allocated then). In the fixed layouts the entry is the compile-time
 * struct: the flags word plus the fields of every built-in client, whoever asked; in the offset scheme it is the
 * flags word (if needed) plus the sizes of the clients that said yes.
 */
export function planPageExt(
  builtIn: readonly PageExtClient[],
  layout: PageExtLayout,
  bitsPerLong: 32 | 64,
): PageExtPlan | undefined {
  const clients = [...builtIn].sort((a, b) => a.place - b.place);
  const wanted = clients.filter((client) => client.need());
  if (wanted.length === 0) return undefined;
  const flags = flagsBytes(bitsPerLong);
  if (layout.scheme === 'fixed') {
    const fields = clients.reduce((sum, client) => sum + (client.fixedBytes?.(layout.version, bitsPerLong) ?? 0), 0);
    return {
      entryBytes: flags + fields,
      sharedFlags: true,
      active: wanted.map((client) => ({ client, offset: flags })),
    };
  }
  const sharedFlags = !layout.sharedFlagsOnDemand || wanted.some((client) => client.needSharedFlags);
  let offset = sharedFlags ? flags : 0;
  const active = wanted.map((client) => {
    const entry = { client, offset };
    offset += client.size;
    return entry;
  });
  return { entryBytes: offset, sharedFlags, active };
}

/**
 * FLATMEM (`page_ext_init_flatmem`): one memblock allocation per node for `node_spanned_pages` entries, plus
 * MAX_ORDER_NR_PAGES more when the node's start or end is not MAX_ORDER aligned (the buddy code may look just past
 * the node).
 */
export function flatmemPageExtAllocations(plan: PageExtPlan, nodes: readonly MemoryNode[]): EarlyAllocation[] {
  return nodes.map((node) => {
    let pages = node.endPfn - node.startPfn;
    if (node.startPfn % MAX_ORDER_NR_PAGES !== 0 || node.endPfn % MAX_ORDER_NR_PAGES !== 0) pages += MAX_ORDER_NR_PAGES;
    return { node: node.id, bytes: pages * plan.entryBytes, owner: 'page_ext' };
  });
}

/** `get_order()`. */
function getOrder(bytes: number): number {
  return Math.max(0, Math.ceil(Math.log2(Math.ceil(bytes / PAGE_SIZE))));
}

/**
 * page_ext (mm/page_ext.c): per-page data outside `struct page` for the clients that need it. This class does the
 * kernel's allocation and accounting: what it allocates is what the simulated machine loses. The clients keep
 * their own per-page state in host typed arrays, allocated for the same sections.
 */
export class PageExt {
  readonly memory: PhysicalMemory;
  readonly plan: PageExtPlan;
  /** Bytes the kernel allocated (`total_usage`, the `allocated %ld bytes of page_ext` line). */
  totalBytes = 0;
  /** SPARSEMEM: the page_ext memory of each section that has it. */
  readonly sections = new Map<number, SectionPageExt>();
  /** FLATMEM: the node tables (memblock regions owned by `page_ext`). */
  readonly flatmem: boolean;

  constructor(memory: PhysicalMemory, plan: PageExtPlan) {
    this.memory = memory;
    this.plan = plan;
    this.flatmem = memory.model === 'flatmem';
  }

  /** Bytes of an entry (`page_ext_size`). */
  get entryBytes(): number {
    return this.plan.entryBytes;
  }

  /**
   * Allocates the page_ext memory: on SPARSEMEM (`page_ext_init`) one table per present section, from the page
   * allocator with `alloc_pages_exact_nid(GFP_KERNEL|__GFP_ZERO|__GFP_NOWARN)` (a block of the next power of two,
   * split, the unused tail pages freed), falling back to vzalloc's order-0 pages; on FLATMEM the node tables were
   * taken from memblock at boot and are only counted. Prints `allocated N bytes of page_ext`.
   */
  allocate(buddy: BuddyAllocator): void {
    const { memory } = this;
    if (this.flatmem) {
      for (const allocation of flatmemPageExtAllocations(this.plan, memory.nodes)) this.totalBytes += allocation.bytes;
    } else {
      // Every section SPARSEMEM keeps has memory; the kernel skips only sections without a valid first pfn.
      for (const section of memory.sections) if (section !== undefined) this.#allocateSection(buddy, section.nr);
    }
    memory.log.printk(`allocated ${this.totalBytes} bytes of page_ext`);
  }

  /**
   * `invoke_init_callbacks()`: every active client's `init()`, in `page_ext_ops[]` order (the kernel calls every
   * client's, and each returns at once unless it asked).
   */
  initClients(): void {
    for (const { client } of this.plan.active) client.init?.(this);
  }

  /** `lookup_page_ext() != NULL`: whether `pfn` has a page_ext entry. */
  hasPageExt(pfn: number): boolean {
    if (!this.memory.pfnValid(pfn)) return false;
    if (this.flatmem) return true;
    return this.sections.has(Math.floor(pfn / this.memory.pagesPerSection));
  }

  /**
   * Memory hotplug offline (`__free_page_ext` at MEM_OFFLINE): gives a section's page_ext memory back and returns
   * the bytes freed.
   */
  freeSection(buddy: BuddyAllocator, section: number): number {
    const memory = this.sections.get(section);
    if (memory === undefined) return 0;
    for (const block of memory.blocks) {
      for (let pfn = block.pfn; pfn < block.pfn + block.pages; pfn++) buddy.freePages(pfn, 0);
    }
    this.sections.delete(section);
    this.totalBytes -= memory.bytes;
    return memory.bytes;
  }

  #allocateSection(buddy: BuddyAllocator, section: number): void {
    const { memory } = this;
    const bytes = memory.pagesPerSection * this.plan.entryBytes;
    const pages = Math.ceil(bytes / PAGE_SIZE);
    const g = memory.profile.gfp.flags;
    const node = memory.sections[section]!.node;
    const cpu = memory.current.cpu;
    // Allocate on the section's node: run on a CPU of that node, as alloc_pages_exact_nid's zonelist would.
    const nodeCpu = Array.from({ length: memory.cpus }, (_, index) => index).find(
      (index) => buddy.nodeOfCpu(index) === node,
    );
    if (nodeCpu !== undefined) memory.current.cpu = nodeCpu;
    try {
      const order = getOrder(bytes);
      const pfn = buddy.allocPages(g.GFP_KERNEL | g.ZERO | g.NOWARN, order);
      if (pfn >= 0) {
        buddy.makeAllocExact(pfn, order, pages);
        this.sections.set(section, { section, bytes, blocks: [{ pfn, pages }], vmalloc: false });
        this.totalBytes += bytes;
        return;
      }
      // vzalloc_node(): order-0 pages, wherever they are.
      const blocks: { pfn: number; pages: number }[] = [];
      for (let index = 0; index < pages; index++) {
        const page = buddy.allocPages(g.GFP_KERNEL | g.ZERO | g.HIGHMEM | g.NOWARN, 0);
        if (page < 0) {
          for (const block of blocks) buddy.freePages(block.pfn, 0);
          memory.log.printk('page ext allocation failure');
          throw new Error('Kernel panic - not syncing: Out of memory (page_ext)');
        }
        blocks.push({ pfn: page, pages: 1 });
      }
      this.sections.set(section, { section, bytes, blocks, vmalloc: true });
      this.totalBytes += bytes;
    } finally {
      memory.current.cpu = cpu;
    }
  }
}

import {
  formatGfp,
  formatPageFlagsV4,
  formatPageFlagsV6,
  hexPageFlagsWord,
  MEMCG_KMEM,
  MEMCG_OBJEXTS,
  type MemoryCgroups,
  migratetypeNames,
} from '@mm/physmem';
import { formatTrace } from '@mm/stacktrace';
import { InfoBits, orderOf, reasonOf } from './owner-records';
import type { PageOwner } from './page-owner';

/**
 * `print_page_owner()`: one record of /sys/kernel/debug/page_owner in the era's format, ending with its empty line.
 * Formatting is cached per stack handle, per gfp mask and per page->flags value, which is what makes dumping fast.
 */
export class RecordFormatter {
  readonly #owner: PageOwner;
  readonly #stacks = new Map<number, string>();
  readonly #gfp = new Map<number, string>();
  readonly #flags = new Map<number, string>();
  readonly #frames = new Uint32Array(64);

  constructor(owner: PageOwner) {
    this.#owner = owner;
  }

  /** The stack lines of a handle, each ` [<addr>] sym+off/size` (v4) or ` sym+off/size` (v6), newline-terminated. */
  stack(handle: number): string {
    let text = this.#stacks.get(handle);
    if (text === undefined) {
      const owner = this.#owner;
      const count = owner.depot.fetch(handle, this.#frames);
      text = formatTrace(owner.text, this.#frames, count, owner.memory.profile.era);
      this.#stacks.set(handle, text);
    }
    return text;
  }

  /** `%#x(%pGg)` of a gfp mask. */
  gfp(gfp: number): string {
    let text = this.#gfp.get(gfp);
    if (text === undefined) {
      text = `0x${gfp.toString(16)}(${formatGfp(gfp, this.#owner.memory.profile.gfp)})`;
      this.#gfp.set(gfp, text);
    }
    return text;
  }

  /** `Flags %#lx(%pGp)` (v4) or `Flags %pGp` (v6) of a page. */
  pageFlags(pfn: number): string {
    const memory = this.#owner.memory;
    const low = memory.pageFlags(pfn);
    const zone = memory.zoneOf(pfn)?.type.index ?? 0;
    const key = low + 2 ** 25 * (zone + 8 * memory.nodeOf(pfn));
    let text = this.#flags.get(key);
    if (text === undefined) {
      const word = memory.pageFlagsWord(pfn);
      const { profile } = memory;
      text =
        profile.era === 'v4'
          ? `${hexPageFlagsWord(word)}(${formatPageFlagsV4(word.low, profile.pageFlags)})`
          : formatPageFlagsV6(word, profile.pageFlags, profile.pageFlagsLayout);
      this.#flags.set(key, text);
    }
    return text;
  }

  /** The record of `pfn` (which must carry one). */
  record(pfn: number): string {
    const owner = this.#owner;
    const { records, memory } = owner;
    const nr = pfn >>> records.shift;
    const index = pfn & records.mask;
    const info = records.infoWord(nr, index);
    const handle = records.allocHandle(nr, index);
    const gfp = records.gfpOf(info);
    const order = orderOf(info);
    const pageType = migratetypeNames[(gfp & 0x18) >>> 3]!;
    const blockType = migratetypeNames[memory.pageblockMigratetype(pfn)]!;
    let text: string;
    if (owner.era.everyPage) {
      const context = records.allocContextOf(nr, index);
      const contexts = owner.contexts;
      text =
        `Page allocated via order ${order}, mask ${this.gfp(gfp)}, pid ${contexts.pid(context)}, tgid ${contexts.tgid(context)} (${contexts.comm(context)}), ts ${Math.floor(contexts.ts(context))} ns\n` +
        `PFN 0x${pfn.toString(16)} type ${pageType} Block ${pfn >>> 9} type ${blockType} Flags ${this.pageFlags(pfn)}\n`;
    } else {
      text =
        `Page allocated via order ${order}, mask ${this.gfp(gfp)}\n` +
        `PFN ${pfn} type ${pageType} Block ${pfn >>> 9} type ${blockType} Flags ${this.pageFlags(pfn)}\n`;
    }
    text += this.stack(handle);
    const reason = reasonOf(info);
    if (reason >= 0)
      text += `Page has been migrated, last migrate reason: ${memory.profile.migrateReasonNames[reason]}\n`;
    if (owner.era.everyPage) text += memcgLines(memory.memcg, pfn);
    return `${text}\n`;
  }

  /** Whether an info word marks a record the file shows (`OWNER`, and `OWNER_ALLOCATED` from v5). */
  shows(info: number): boolean {
    if ((info & InfoBits.OWNER) === 0) return false;
    return !this.#owner.era.everyPage || (info & InfoBits.OWNER_ALLOCATED) !== 0;
  }
}

/**
 * v6.18 `print_page_owner_memcg()`: `Slab cache page` for a slab page with object extensions, and `Charged [(via
 * objcg) ]to [offline ]memcg NAME` for a page charged to a cgroup (`page_memcg_check()`; a slab page has none).
 */
function memcgLines(memcg: MemoryCgroups, pfn: number): string {
  const data = memcg.pageData(pfn);
  if (data === 0) return '';
  if (data === MEMCG_OBJEXTS) return 'Slab cache page\n';
  const id = data & ~MEMCG_KMEM;
  const via = (data & MEMCG_KMEM) !== 0 ? '(via objcg) ' : '';
  return `Charged ${via}to ${memcg.online[id] ? '' : 'offline '}memcg ${memcg.names[id]}\n`;
}

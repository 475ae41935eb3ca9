/**
 * The (pid, tgid, comm, timestamp) of allocations and frees, and for frees the free stack's handle, interned and
 * shared by all the pages that carry them. v6.18's `struct page_owner` keeps these per page (56 of its 64 bytes);
 * sharing them is what keeps mmsim's page_owner at 16 host bytes a page.
 *
 * Simulated time advances between workload steps, so the allocations of one step (a page fault, a syscall) share
 * a timestamp, and so a context. Entries are reference-counted by the pages that use them and recycled at zero.
 */
export class TaskContexts {
  #pid = new Int32Array(256);
  #tgid = new Int32Array(256);
  #comm = new Int32Array(256);
  #ts = new Float64Array(256);
  #handle = new Uint32Array(256);
  #refcount = new Int32Array(256);
  #count = 1;
  readonly #free: number[] = [];
  readonly #comms: string[] = [''];
  readonly #commIds = new Map<string, number>([['', 0]]);
  #last = 0;

  /**
   * The context for these values, reusing the last one made when it matches (the usual case: many pages in one
   * step). Index 0 is the empty context (never set). The caller adds the references.
   */
  intern(pid: number, tgid: number, comm: string, ts: number, handle: number): number {
    const last = this.#last;
    if (
      last !== 0 &&
      this.#pid[last] === pid &&
      this.#tgid[last] === tgid &&
      this.#ts[last] === ts &&
      this.#handle[last] === handle &&
      this.#comms[this.#comm[last]!] === comm
    ) {
      return last;
    }
    // The previous "last" was kept out of the free list while it could be reused; retire it now if unused.
    if (last !== 0 && this.#refcount[last]! <= 0) this.#free.push(last);
    const index = this.#free.length > 0 ? this.#free.pop()! : this.#grow();
    this.#pid[index] = pid;
    this.#tgid[index] = tgid;
    this.#comm[index] = this.#commId(comm);
    this.#ts[index] = ts;
    this.#handle[index] = handle;
    this.#refcount[index] = 0;
    this.#last = index;
    return index;
  }

  /** Adds `count` references. */
  retain(index: number, count: number): void {
    if (index !== 0) this.#refcount[index]! += count;
  }

  /** Drops `count` references; the entry is recycled at zero. */
  release(index: number, count: number): void {
    if (index === 0) return;
    this.#refcount[index]! -= count;
    if (this.#refcount[index]! <= 0 && index !== this.#last) this.#free.push(index);
  }

  pid(index: number): number {
    return this.#pid[index]!;
  }

  tgid(index: number): number {
    return this.#tgid[index]!;
  }

  comm(index: number): string {
    return this.#comms[this.#comm[index]!]!;
  }

  ts(index: number): number {
    return this.#ts[index]!;
  }

  handle(index: number): number {
    return this.#handle[index]!;
  }

  /** Contexts in use. */
  get live(): number {
    return this.#count - 1 - this.#free.length;
  }

  /** Host bytes of the table. */
  hostBytes(): number {
    return this.#pid.length * (4 + 4 + 4 + 8 + 4 + 4);
  }

  #commId(comm: string): number {
    let id = this.#commIds.get(comm);
    if (id === undefined) {
      id = this.#comms.length;
      this.#comms.push(comm);
      this.#commIds.set(comm, id);
    }
    return id;
  }

  #grow(): number {
    if (this.#count === this.#pid.length) {
      const size = this.#pid.length * 2;
      const grow = <T extends Int32Array | Uint32Array | Float64Array>(array: T): T => {
        const grown = new (array.constructor as new (length: number) => T)(size);
        grown.set(array);
        return grown;
      };
      this.#pid = grow(this.#pid);
      this.#tgid = grow(this.#tgid);
      this.#comm = grow(this.#comm);
      this.#ts = grow(this.#ts);
      this.#handle = grow(this.#handle);
      this.#refcount = grow(this.#refcount);
    }
    return this.#count++;
  }
}

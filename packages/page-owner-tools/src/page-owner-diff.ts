import { PageOwnerSkips, type ParsedPageOwnerRecord, parsePageOwnerStream } from './parse-page-owner';

/** What one allocation stack holds in each of two dumps. */
export interface StackGrowth {
  /** The stack as the dumps print it, one frame a line, without addresses (they differ between boots). */
  readonly stack: string;
  readonly before: { readonly pages: number; readonly records: number };
  readonly after: { readonly pages: number; readonly records: number };
  /** Pages held in the second dump minus the first. */
  readonly growth: number;
}

/** A stack's key: its frames as `%pS` prints them, addresses left out. */
function stackKey(record: ParsedPageOwnerRecord): string {
  return record.frames
    .map((frame) => {
      let text = frame.symbol;
      if (frame.offset !== undefined) text += `+0x${frame.offset.toString(16)}/0x${(frame.size ?? 0).toString(16)}`;
      if (frame.module !== undefined) text += ` [${frame.module}]`;
      return text;
    })
    .join('\n');
}

/** The names of the two dumps, and where to hear what was skipped in them. */
export interface DiffPageOwnerOptions {
  /** The first dump's name in messages (default `<before>`). */
  readonly before?: string;
  /** The second dump's name (default `<after>`). */
  readonly after?: string;
  /** Called once for each dump in which lines were skipped, when it has been read. */
  readonly onSkipped?: (skipped: PageOwnerSkips) => void;
}

/**
 * Pages and records per stack of a dump, streamed. Records of freed pages (a kernel log's `page_owner tracks the
 * page as freed`) hold nothing and are left out. A dump of which nothing could be read throws at its first line.
 */
async function holdings(
  input: AsyncIterable<string | Uint8Array>,
  file: string,
  onSkipped: ((skipped: PageOwnerSkips) => void) | undefined,
): Promise<Map<string, { pages: number; records: number }>> {
  const byStack = new Map<string, { pages: number; records: number }>();
  const skipped = new PageOwnerSkips(file);
  for await (const record of parsePageOwnerStream(input, { file, skipped, requireRecord: true })) {
    if (record.allocated === false) continue;
    const key = stackKey(record);
    let entry = byStack.get(key);
    if (entry === undefined) {
      entry = { pages: 0, records: 0 };
      byStack.set(key, entry);
    }
    entry.pages += 2 ** record.order;
    entry.records++;
  }
  if (!skipped.empty) onSkipped?.(skipped);
  return byStack;
}

/**
 * Compares two page_owner dumps (of any era mmsim parses, simulated or real) stack by stack: the pages each
 * allocation stack holds in both, sorted by how much it grew from `before` to `after` (then by stack). A stack that
 * keeps growing between two dumps taken an interval apart is how a leak shows. Memory holds one entry per distinct
 * stack, not the dumps. Lines the parser cannot read are skipped and counted (`onSkipped` hears of them); a dump
 * with an over-long line, or of which nothing reads as a record, throws a `PageOwnerParseError` naming its file and
 * line.
 */
export async function diffPageOwner(
  before: AsyncIterable<string | Uint8Array>,
  after: AsyncIterable<string | Uint8Array>,
  options: DiffPageOwnerOptions = {},
): Promise<StackGrowth[]> {
  const first = await holdings(before, options.before ?? '<before>', options.onSkipped);
  const second = await holdings(after, options.after ?? '<after>', options.onSkipped);
  const none = { pages: 0, records: 0 };
  const stacks = new Set([...first.keys(), ...second.keys()]);
  return [...stacks]
    .map((stack) => {
      const a = first.get(stack) ?? none;
      const b = second.get(stack) ?? none;
      return { stack, before: a, after: b, growth: b.pages - a.pages };
    })
    .sort((x, y) => y.growth - x.growth || (x.stack < y.stack ? -1 : x.stack > y.stack ? 1 : 0));
}

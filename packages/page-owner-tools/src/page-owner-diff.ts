import { type ParsedPageOwnerRecord, parsePageOwnerStream } from './parse-page-owner';

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

/** Pages and records per stack of a dump, streamed. */
async function holdings(
  input: AsyncIterable<string | Uint8Array>,
  file: string,
): Promise<Map<string, { pages: number; records: number }>> {
  const byStack = new Map<string, { pages: number; records: number }>();
  for await (const record of parsePageOwnerStream(input, { file })) {
    const key = stackKey(record);
    const entry = byStack.get(key) ?? { pages: 0, records: 0 };
    entry.pages += 2 ** record.order;
    entry.records++;
    byStack.set(key, entry);
  }
  return byStack;
}

/**
 * Compares two page_owner dumps (of any era mmsim parses, simulated or real) stack by stack: the pages each
 * allocation stack holds in both, sorted by how much it grew from `before` to `after` (then by stack). A stack that
 * keeps growing between two dumps taken an interval apart is how a leak shows. Memory holds one entry per distinct
 * stack, not the dumps. Parse errors name the file and line.
 */
export async function diffPageOwner(
  before: AsyncIterable<string | Uint8Array>,
  after: AsyncIterable<string | Uint8Array>,
  names: { before?: string; after?: string } = {},
): Promise<StackGrowth[]> {
  const first = await holdings(before, names.before ?? '<before>');
  const second = await holdings(after, names.after ?? '<after>');
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

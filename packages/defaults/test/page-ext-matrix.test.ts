import { readFileSync } from 'node:fs';
import { debugPagealloc } from '@mm/debug-pagealloc';
import { boot } from '@mm/kernel';
import type { Feature } from '@mm/kernel-spec';
import { pageIdle } from '@mm/page-idle';
import { pageOwner } from '@mm/page-owner';
import type { ProfileName } from '@mm/physmem';
import { describe, expect, it } from 'vitest';

/**
 * The expectation: the table of docs/kernel-notes/page-ext-layouts.md, derived there from the kernel's structs. Each
 * row names the clients built in and enabled; each column a profile and architecture; a cell the bytes of a page_ext
 * entry, or `—` for no page_ext at all.
 */
function expectedTable(): { clients: string[]; cells: Map<string, number | undefined> }[] {
  const doc = readFileSync(new URL('../../../docs/kernel-notes/page-ext-layouts.md', import.meta.url), 'utf8');
  const table = /<!-- page-ext-matrix:start -->\n([\s\S]*?)<!-- page-ext-matrix:end -->/.exec(doc)?.[1];
  if (table === undefined) throw new Error('docs/kernel-notes/page-ext-layouts.md has no page-ext-matrix table');
  const [header, , ...rows] = table.trim().split('\n');
  const columns = header!
    .split('|')
    .slice(2, -1)
    .map((cell) => cell.trim());
  return rows.map((row) => {
    const cells = row
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    const clients = cells[0] === 'none' ? [] : cells[0]!.split(', ');
    return {
      clients,
      cells: new Map(
        columns.map((column, index) => [column, cells[index + 1] === '—' ? undefined : Number(cells[index + 1])]),
      ),
    };
  });
}

const factories: Readonly<Record<string, () => Feature>> = {
  debug_pagealloc: () => debugPagealloc(),
  page_owner: () => pageOwner(),
  page_idle: () => pageIdle(),
};
const parameters: Readonly<Record<string, string>> = {
  debug_pagealloc: 'debug_pagealloc=on',
  page_owner: 'page_owner=on',
};
const rows = expectedTable();

describe('page_ext bytes per page for every subset of clients (docs/kernel-notes/page-ext-layouts.md)', () => {
  it('covers every subset of the clients mmsim has', () => {
    expect(rows).toHaveLength(2 ** Object.keys(factories).length);
    expect(new Set(rows.map((row) => row.clients.join(','))).size).toBe(rows.length);
  });

  for (const profile of ['v4.7', 'v4.8', 'v6.18'] as ProfileName[]) {
    for (const arch of ['x86_64', 'i386'] as const) {
      it(`${profile} ${arch}`, () => {
        for (const { clients, cells } of rows) {
          const kernel = boot({
            memory: '256M',
            profile,
            arch,
            cmdline: clients.flatMap((client) => parameters[client] ?? []).join(' '),
            features: clients.map((client) => factories[client]!()),
          });
          const expected = cells.get(`${profile} ${arch}`);
          const allocated = /allocated (\d+) bytes of page_ext/.exec(kernel.dmesg());
          const perPage =
            kernel.pageExt === undefined
              ? undefined
              : kernel.pageExt.totalBytes / (kernel.pageExt.sections.size * kernel.memory.pagesPerSection);
          expect({ clients, perPage, entryBytes: kernel.pageExt?.entryBytes, logged: allocated !== null }).toEqual({
            clients,
            perPage: expected,
            entryBytes: expected,
            logged: expected !== undefined,
          });
        }
      });
    }
  }
});

import { parsePageOwner } from '@mm/page-owner-tools';
import { collectReport, renderReport } from '@mm/report';
import { bench, describe } from 'vitest';
import { syntheticPageOwnerRecord as record } from '../../../tools/synthetic-page-owner-record';

// A 4 GiB machine: 100k records of 500 stacks, and kpageflags/kpagecount with every page not owned free (BUDDY).
const RECORDS = 100_000;
const PAGES = 1 << 20;
const dump = Array.from({ length: RECORDS }, (_, index) => record(index, 'v6.18')).join('');
const kpageflags = new Uint8Array(PAGES * 8);
const view = new DataView(kpageflags.buffer);
for (let pfn = 0; pfn < PAGES; pfn++) view.setUint32(pfn * 8, 1 << 10, true);
const kpagecount = new Uint8Array(PAGES * 8);
const input = () => ({ title: 'bench', sources: [], records: parsePageOwner(dump), kpageflags, kpagecount });
const data = collectReport(input());
renderReport(data); // esbuild bundles the page's script once per process
const options = { warmupTime: 1000, time: 4000 };

describe('a report of a 4 GiB machine (100k page_owner records, 1 Mi pages of kpageflags)', () => {
  bench(
    'parsePageOwner alone (the baseline: reading the dump)',
    () => {
      let records = 0;
      for (const _ of parsePageOwner(dump)) records++;
      if (records !== RECORDS) throw new Error('records lost');
    },
    options,
  );
  bench(
    'collectReport (parse, intern stacks, per-page map, gzip the columns)',
    () => {
      if (collectReport(input()).records.count !== RECORDS) throw new Error('records lost');
    },
    options,
  );
  bench(
    'renderReport (the HTML around the collected data)',
    () => {
      if (renderReport(data).length < 100_000) throw new Error('no report');
    },
    options,
  );
});

import { parsePageOwner, sortPageOwner } from '@mm/page-owner-tools';
import { bench, describe } from 'vitest';
import { syntheticPageOwnerRecord as record } from '../../../tools/synthetic-page-owner-record';

const RECORDS = 100_000;

const dump = Array.from({ length: RECORDS }, (_, index) => record(index, 'v6.18')).join('');
const dumpV48 = Array.from({ length: RECORDS }, (_, index) => record(index, 'v4.8')).join('');
/** The v4.8 dump as the kernel writes it: each record has its PFN line (print_page_owner()), so none repeats. */
const dumpV48Pfn = Array.from({ length: RECORDS }, (_, index) =>
  record(index, 'v4.8').replace(
    '\n',
    `\nPFN ${0x10000 + index} type Movable Block ${(0x10000 + index) >>> 9} type Movable Flags 0x1fffff8000002c(referenced|uptodate|lru)\n`,
  ),
).join('');
const options = { warmupTime: 1000, time: 3000 };

describe('page_owner_sort on a 100k-record dump of 500 stacks (100k records)', () => {
  bench(
    'v6.18, default (times, descending)',
    () => {
      sortPageOwner('v6.18', ['in', 'out'], dump);
    },
    options,
  );
  bench(
    'v6.18, -m --cull stacktrace,pid',
    () => {
      sortPageOwner('v6.18', ['-m', '--cull', 'stacktrace,pid', 'in', 'out'], dump);
    },
    options,
  );
  bench(
    'v4.8 (a v4.8 dump without its PFN lines)',
    () => {
      sortPageOwner('v4.8', ['in', 'out'], dumpV48);
    },
    options,
  );
  bench(
    'v4.8, PFN lines kept (every record its own entry)',
    () => {
      sortPageOwner('v4.8', ['in', 'out'], dumpV48Pfn);
    },
    options,
  );
});

describe('parsePageOwner on the same dump (100k records)', () => {
  bench(
    'v6.18 records, parsed and counted',
    () => {
      let frames = 0;
      for (const parsed of parsePageOwner(dump)) frames += parsed.frames.length;
      if (frames === 0) throw new Error('no frames');
    },
    options,
  );
});

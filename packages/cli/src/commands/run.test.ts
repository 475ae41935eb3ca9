import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../cli-io';
import { main } from '../main';

const scratch = mkdtempSync(join(tmpdir(), 'mmsim-run-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every file under `directory`, relative, sorted. */
function listFiles(directory: string, prefix = ''): string[] {
  return readdirSync(join(directory, prefix), { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory() ? listFiles(directory, join(prefix, entry.name)) : [join(prefix, entry.name)],
    )
    .sort();
}

describe('mmsim run', () => {
  it.each(['v4.7', 'v4.8', 'v6.18'] as const)(
    '%s: writes the machine’s files, whole, and a summary',
    async (profile) => {
      const out = join(scratch, profile);
      const io = memoryIo();
      expect(await main(['run', '--mem', '512M', '--profile', profile, '--out', out, '--json'], io)).toBe(0);
      const summary = JSON.parse(io.out());
      const v6 = profile === 'v6.18';
      // make is still running: its /proc files are there too.
      const make = summary.files.find((file: string) => /^proc\/\d+\/status$/.test(file)).split('/')[1];
      const expected = [
        'cmdline',
        'dmesg',
        `proc/${make}/maps`,
        `proc/${make}/pagemap`,
        `proc/${make}/pagemap.index.txt`,
        `proc/${make}/status`,
        'proc/buddyinfo',
        'proc/kpagecount',
        'proc/kpageflags',
        'proc/meminfo',
        'proc/pagetypeinfo',
        ...(v6 ? ['proc/sys/vm/mem_profiling'] : []),
        'proc/vmstat',
        'proc/zoneinfo',
        'summary.json',
        'sys/kernel/debug/extfrag/extfrag_index',
        'sys/kernel/debug/extfrag/unusable_index',
        'sys/kernel/debug/page_owner',
        ...(v6
          ? [
              'sys/kernel/debug/page_owner_stacks/count_threshold',
              'sys/kernel/debug/page_owner_stacks/show_stacks',
              // v6.18 lib/stackdepot.c depot_debugfs_init().
              'sys/kernel/debug/stackdepot/stats',
            ]
          : []),
        'sys/kernel/mm/page_idle/bitmap',
      ];
      // Nothing else: no temporary files left behind.
      expect(listFiles(out)).toEqual(expected);
      expect([...summary.files].sort()).toEqual(expected);
      expect(readFileSync(join(out, 'cmdline'), 'utf8')).toBe('page_owner=on\n');
      const dump = readFileSync(join(out, 'sys/kernel/debug/page_owner'), 'utf8');
      expect(dump.startsWith('Page allocated via order ')).toBe(true);
      expect(dump.endsWith('\n\n')).toBe(true);
      expect(dump.split('\n\n').length - 1).toBeGreaterThan(10_000);
      // The allocations the workload made are in the dump with the real paths of the era.
      expect(dump).toMatch(v6 ? /^ do_anonymous_page\+0x/m : /alloc_pages_vma\+0xb5\/0x250/m);
      expect(dump).toMatch(/ \[(nvme|e1000e|xfs)\]$/m);
      expect(readFileSync(join(out, 'dmesg'), 'utf8')).toMatch(/allocated \d+ bytes of page_ext/);
      expect(readFileSync(join(out, 'proc/pagetypeinfo'), 'utf8')).toContain('Number of mixed blocks');
      expect(readFileSync(join(out, 'proc/buddyinfo'), 'utf8')).toMatch(/^Node 0, zone +DMA /);
      expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).profile).toBe(profile);
      expect(summary.pageExt.entryBytes).toBe({ 'v4.7': 88, 'v4.8': 24, 'v6.18': 72 }[profile]);
      expect(summary.stackDepot === null).toBe(profile === 'v4.7');
      if (v6) {
        const stacks = readFileSync(join(out, 'sys/kernel/debug/page_owner_stacks/show_stacks'), 'utf8');
        expect(stacks).toMatch(/^ post_alloc_hook\+0x177\/0x1a0\n/);
        expect(stacks).toMatch(/\nnr_base_pages: \d+\n\n$/);
      }
    },
  );

  it.each(['v4.8', 'v6.18'] as const)(
    '%s: page_owner adds at most 16 host bytes a page (4 GiB, kernel-build)',
    async (profile) => {
      const io = memoryIo();
      expect(await main(['run', '--mem', '4G', '--profile', profile, '--json'], io)).toBe(0);
      expect(JSON.parse(io.out()).pageOwner.hostBytesPerPage).toBeLessThanOrEqual(16);
    },
  );

  it('prints a text summary with the top stacks and the layout comparison', async () => {
    const io = memoryIo();
    expect(await main(['run', '--mem', '512M', '--profile', 'v4.8'], io)).toBe(0);
    const text = io.out();
    expect(text).toMatch(/^mmsim run: kernel-build on 512M \(v4\.8\), \d+ ms\n/);
    expect(text).toContain('page_ext: 3145728 bytes (3M), 24 bytes per page');
    expect(text).toMatch(/page_ext for page_owner under each layout: v3\.19 13M, v4\.7 11M, v4\.8 3M, v6\.18 9M/);
    expect(text).toMatch(/top allocation stacks by pages:\n {4}\d+ pages in \d+ records:\n {6}\[<ffffffff/);
  });

  it('runs without page_owner: no dump, no depot', async () => {
    const out = join(scratch, 'off');
    const io = memoryIo();
    expect(
      await main(['run', '--mem', '512M', '--cmdline', '', '--workload', 'boot', '--out', out, '--json'], io),
    ).toBe(0);
    const summary = JSON.parse(io.out());
    expect(summary.pageExt).toBeNull();
    expect(summary.stackDepot).toBeNull();
    expect(listFiles(out)).toEqual([
      'cmdline',
      'dmesg',
      'proc/buddyinfo',
      'proc/kpagecount',
      'proc/kpageflags',
      'proc/meminfo',
      'proc/pagetypeinfo',
      'proc/sys/vm/mem_profiling',
      'proc/vmstat',
      'proc/zoneinfo',
      'summary.json',
      'sys/kernel/debug/extfrag/extfrag_index',
      'sys/kernel/debug/extfrag/unusable_index',
      // The depot is built in (page_owner selects it) and not disabled, so its debugfs file is there, empty.
      'sys/kernel/debug/stackdepot/stats',
      'sys/kernel/mm/page_idle/bitmap',
    ]);
    expect(readFileSync(join(out, 'sys/kernel/debug/stackdepot/stats'), 'utf8')).toBe(
      'pools: 0\nrefcounted_allocations: 0\nrefcounted_frees: 0\nrefcounted_in_use: 0\nfreelist_size: 0\npersistent_count: 0\npersistent_bytes: 0\n',
    );
  });

  it.each([
    [['run', '--profile', 'v5.10'], /--profile must be one of/],
    [['run', '--workload', 'nope'], /--workload/],
    [['run', '--mem', '1X'], /^mmsim run: /],
    [['run', '--seed', 'x'], /--seed must be an integer/],
    [['run', 'extra'], /unexpected argument 'extra'/],
  ])('exits 2 for %j', async (argv, message) => {
    const io = memoryIo();
    expect(await main(argv, io)).toBe(2);
    expect(io.err()).toMatch(message);
  });
});

describe('mmsim run --workload uaf', () => {
  it.each([
    ['debug_pagealloc=on page_owner=on', 'faults'],
    ['page_poison=on page_owner=on', 'corruptions'],
  ] as const)('with %s catches every injected bug (%s), reports in dmesg, exit 0', async (cmdline, kind) => {
    const out = mkdtempSync(join(tmpdir(), 'mmsim-uaf-'));
    try {
      const io = memoryIo();
      expect(
        await main(['run', '--mem', '512M', '--workload', 'uaf', '--cmdline', cmdline, '--out', out, '--json'], io),
      ).toBe(0);
      const { debugPagealloc } = JSON.parse(io.out());
      expect(debugPagealloc.injected).toBeGreaterThan(0);
      expect(debugPagealloc.caught).toBe(debugPagealloc.injected);
      expect(debugPagealloc[kind]).toBe(debugPagealloc.injected);
      const dmesg = readFileSync(join(out, 'dmesg'), 'utf8');
      const reports =
        kind === 'faults' ? /BUG: unable to handle page fault for address/g : /pagealloc: memory corruption/g;
      expect(dmesg.match(reports)).toHaveLength(debugPagealloc.injected);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('mmsim run --workload fragment', () => {
  it('fails an order-9 allocation before compaction and succeeds after; the dump shows the migrations', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mmsim-fragment-'));
    try {
      const io = memoryIo();
      expect(await main(['run', '--mem', '512M', '--workload', 'fragment', '--out', out, '--json'], io)).toBe(0);
      const { compaction } = JSON.parse(io.out());
      expect(compaction.order9Before).toBe(false);
      expect(compaction.order9After).toBe(true);
      expect(compaction.migratedPages).toBeGreaterThan(1000);
      const dump = readFileSync(join(out, 'sys/kernel/debug/page_owner'), 'utf8');
      expect(dump.match(/Page has been migrated, last migrate reason: compaction\n/g)!.length).toBeGreaterThan(1000);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('mmsim run conveniences', () => {
  it('draws a progress bar on a terminal (stderr), not with --quiet', async () => {
    const tty = memoryIo(true);
    expect(await main(['run', '--mem', '512M', '--workload', 'leak'], tty)).toBe(0);
    expect(tty.err()).toMatch(/\rmmsim run: leak \[#{20}\] 100%/);
    const quiet = memoryIo(true);
    expect(await main(['run', '--mem', '512M', '--workload', 'leak', '--quiet'], quiet)).toBe(0);
    expect(quiet.err()).toBe('');
  });

  it('runs a workload module of the user’s own, and says clearly when a module is not one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmsim-own-'));
    try {
      const own = join(dir, 'mine.mjs');
      writeFileSync(
        own,
        `export default {
  name: 'mine',
  description: 'twenty page faults',
  run(sim) {
    const task = sim.spawn('mine');
    sim.run(task, () => sim.fault(task, 20));
    sim.count('mine.faults', 20);
  },
};
`,
      );
      const io = memoryIo();
      expect(await main(['run', '--mem', '512M', '--workload', own, '--json'], io)).toBe(0);
      expect(JSON.parse(io.out()).workload).toBe(own);
      const bad = join(dir, 'bad.mjs');
      writeFileSync(bad, 'export const nothing = 1;\n');
      const err = memoryIo();
      expect(await main(['run', '--workload', bad], err)).toBe(2);
      expect(err.err()).toMatch(/exports no workload/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses, before simulating, outputs it could not write and reports it could not read', async () => {
    const proc = memoryIo();
    expect(await main(['run', '--out', '/proc/mmsim-out'], proc)).toBe(1);
    expect(proc.err()).toBe(
      'mmsim run: /proc/mmsim-out: under /proc, a kernel file system: not a place for an output directory\n',
    );
    const file = join(scratch, 'a-file');
    writeFileSync(file, '');
    const notDirectory = memoryIo();
    expect(await main(['run', '--out', file], notDirectory)).toBe(1);
    expect(notDirectory.err()).toBe(`mmsim run: ${file}: not a directory (--out names the directory to write)\n`);
    const report = memoryIo();
    expect(await main(['run', '--mem', '4T', '--report', '--out', join(scratch, 'big')], report)).toBe(2);
    expect(report.err()).toMatch(/^mmsim run: --report reads \/proc\/kpageflags whole, 4G at most: 4T of RAM/);
    expect(readdirSync(scratch)).not.toContain('big');
  });

  it('dumps page_owner during the run (--dump-at) for a leak hunt with mmsim diff', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mmsim-dump-at-'));
    try {
      const io = memoryIo();
      const argv = ['run', '--mem', '512M', '--workload', 'leak', '--dump-at', '50%,100', '--out', out, '--json'];
      expect(await main(argv, io)).toBe(0);
      expect(JSON.parse(io.out()).files).toEqual(
        expect.arrayContaining(['dumps/page_owner-50%', 'dumps/page_owner-100%']),
      );
      // The dump at 100% is the one the run's end shows: the workload does nothing after its last progress report.
      const end = readFileSync(join(out, 'sys/kernel/debug/page_owner'), 'utf8');
      expect(readFileSync(join(out, 'dumps/page_owner-100%'), 'utf8')).toBe(end);
      const diff = memoryIo();
      expect(await main(['diff', join(out, 'dumps/page_owner-50%'), join(out, 'dumps/page_owner-100%')], diff)).toBe(0);
      // The leaking driver keeps pages: its stack grows between the two dumps.
      expect(diff.out()).toMatch(/^\+\d+ pages/m);
      const usage = memoryIo();
      expect(await main(['run', '--dump-at', '50%'], usage)).toBe(2);
      expect(usage.err()).toContain('mmsim run: --dump-at writes DIR/dumps/page_owner-N%: give --out DIR');
      expect(await main(['run', '--dump-at', '0,120%', '--out', out], usage)).toBe(2);
      expect(usage.err()).toContain("--dump-at takes percentages above 0 and up to 100 (50%,100%), not '0'");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('is reproducible: the same seed gives the same page_owner dump; the hog is OOM-killed', async () => {
    const dumps = [];
    for (let run = 0; run < 2; run++) {
      const out = mkdtempSync(join(tmpdir(), 'mmsim-seed-'));
      await main(['run', '--mem', '512M', '--workload', 'leak', '--seed', '9', '--out', out], memoryIo());
      dumps.push(readFileSync(join(out, 'sys/kernel/debug/page_owner'), 'utf8').replace(/, ts \d+ ns/g, ''));
      rmSync(out, { recursive: true, force: true });
    }
    expect(dumps[0]).toBe(dumps[1]);
    const io = memoryIo();
    const out = mkdtempSync(join(tmpdir(), 'mmsim-hog-'));
    expect(await main(['run', '--mem', '256M', '--workload', 'hog', '--json', '--out', out], io)).toBe(0);
    // The hog filled memory until the OOM killer killed it (mm/oom_kill.c); the run went on to its end.
    const summary = JSON.parse(io.out());
    expect(summary.oomKills).toBe(1);
    const dmesg = readFileSync(join(out, 'dmesg'), 'utf8');
    expect(dmesg).toMatch(/memhog invoked oom-killer: gfp_mask=0x[0-9a-f]+/);
    expect(dmesg).toMatch(/Out of memory: Killed process \d+ \(memhog\) total-vm:\d+kB, anon-rss:\d+kB/);
    expect(readFileSync(join(out, 'proc/vmstat'), 'utf8')).toMatch(/^oom_kill 1$/m);
    rmSync(out, { recursive: true, force: true });
  });
});

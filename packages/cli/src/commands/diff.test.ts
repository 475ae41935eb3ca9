import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allFeatures } from '@mm/defaults';
import { boot } from '@mm/kernel';
import { dumpPageOwner, pageOwner } from '@mm/page-owner';
import { LEAKED_COUNTER, leakWorkload, Simulation } from '@mm/workloads';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../cli-io';
import { main } from '../main';

const scratch = mkdtempSync(join(tmpdir(), 'mmsim-diff-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The page_owner dump of a kernel, as a file. */
function dumpTo(name: string, kernel: ReturnType<typeof boot>): string {
  const chunks: string[] = [];
  dumpPageOwner(kernel.feature(pageOwner)!, (chunk) =>
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()),
  );
  const path = join(scratch, name);
  writeFileSync(path, chunks.join(''));
  return path;
}

describe('mmsim diff', () => {
  it.each(['v4.8', 'v6.18'] as const)(
    '%s: names the leaking driver’s stack from two dumps an interval apart',
    async (profile) => {
      const kernel = boot({ memory: '512M', profile, cmdline: 'page_owner=on', features: allFeatures() });
      const sim = new Simulation(kernel, { seed: 2 });
      leakWorkload(10).run(sim);
      const before = dumpTo(`before-${profile}`, kernel);
      leakWorkload(20).run(sim);
      const after = dumpTo(`after-${profile}`, kernel);
      expect(sim.counters.get(LEAKED_COUNTER)).toBe(30);
      const io = memoryIo();
      expect(await main(['diff', before, after, '--json'], io)).toBe(0);
      const { stacks } = JSON.parse(io.out());
      expect(stacks[0].stack).toContain('leaky_drv_ioctl+0x5a/0x1c0 [leaky_drv]');
      expect(stacks[0]).toMatchObject({
        before: { pages: 10, records: 10 },
        after: { pages: 30, records: 30 },
        growth: 20,
      });
      const text = memoryIo();
      expect(await main(['diff', before, after, '--top', '1'], text)).toBe(0);
      expect(text.out()).toMatch(
        /^Stacks holding more pages in .* than in .* \(\d+ grew\):\n\n\+20 pages \(10 -> 30\), \+20 records:\n/,
      );
    },
  );

  it('reports a malformed dump with its file and line (exit 1), and bad usage (exit 2)', async () => {
    const good = join(scratch, 'empty');
    writeFileSync(good, '');
    const bad = join(scratch, 'bad');
    writeFileSync(bad, 'Page allocated via order 0, mask 0x0()\nnot a PFN line\n');
    const io = memoryIo();
    expect(await main(['diff', good, bad], io)).toBe(1);
    expect(io.err()).toMatch(/^mmsim diff: .*bad:2: /);
    const missing = memoryIo();
    expect(await main(['diff', good, join(scratch, 'nope')], missing)).toBe(1);
    expect(missing.err()).toBe(`mmsim diff: ${join(scratch, 'nope')}: No such file or directory\n`);
    // A directory opens, and its read fails: the message names it all the same.
    const directory = memoryIo();
    expect(await main(['diff', good, scratch], directory)).toBe(1);
    expect(directory.err()).toBe(`mmsim diff: ${scratch}: Is a directory\n`);
    const usage = memoryIo();
    expect(await main(['diff', good], usage)).toBe(2);
    expect(usage.err()).toMatch(/expected two dumps/);
  });
});

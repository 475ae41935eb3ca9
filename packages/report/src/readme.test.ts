import { writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readReportSource, renderReport } from '@mm/report';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  const cwd = process.cwd();
  let scratch = '';
  afterEach(async () => {
    vi.restoreAllMocks();
    process.chdir(cwd);
    await rm(scratch, { recursive: true, force: true });
  });

  it('reads a v6.18 dump and writes its report', async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmsim-report-readme-'));
    process.chdir(scratch);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const golden = new URL('../../page-owner/test/__fixtures__/records-v6.18.golden.txt', import.meta.url);
    writeFileSync(join(scratch, 'page_owner.txt'), await readFile(golden));
    // The README example, line for line:
    const dump = 'page_owner.txt'; // on the machine: cat /sys/kernel/debug/page_owner > page_owner.txt
    const data = readReportSource(dump); // or a run's output directory (mmsim run --out DIR)
    console.log(data.format, data.records.count, data.stacks.length); // v6.18 5 2
    console.log(data.tasks); // [ 'pid 4242, tgid 4242 (cat)', 'pid 77, tgid 77 (cat)', 'pid 0, tgid 0 (swapper)' ]
    writeFileSync('report.html', renderReport(data)); // open it in a browser

    expect(log.mock.calls[0]).toEqual(['v6.18', 5, 2]);
    expect(log.mock.calls[1]).toEqual([
      ['pid 4242, tgid 4242 (cat)', 'pid 77, tgid 77 (cat)', 'pid 0, tgid 0 (swapper)'],
    ]);
    expect(await readFile(join(scratch, 'report.html'), 'utf8')).toContain(
      '<title>mmsim report: page_owner.txt</title>',
    );
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});

/**
 * The report's figures for machines of several sizes (default 4G and 64G), from source:
 * - the run (`mmsim run --mem SIZE --out DIR`, kernel-build), then the report of its directory built alone, timed;
 * - the size of report.html;
 * - in Chromium (tools/chromium.ts), the time from opening the file to the map, flame graph and
 *   charts drawn (the median of three loads), and the page's JS heap then.
 *
 *   node --conditions=@mm/source --import tsx tools/report-figures.ts [4G 64G ...]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readReportSource, renderReport } from '@mm/report';
import { launchChromium } from './chromium';

/** The page's `document`, for the callbacks `page.evaluate()` runs there (this program has no DOM types). */
declare const document: { body: { dataset: Record<string, string | undefined> } };

const sizes = process.argv.length > 2 ? process.argv.slice(2) : ['4G', '64G'];
const bin = new URL('../packages/cli/src/bin.ts', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'mmsim-report-figures-'));
const browser = await launchChromium(['--enable-precise-memory-info']);

console.log('| memory | records | report.html | build the report | open in Chromium (median of 3) | page JS heap |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
try {
  for (const size of sizes) {
    const out = join(scratch, size);
    execFileSync(
      process.execPath,
      ['--conditions=@mm/source', '--import', 'tsx', bin, 'run', '--mem', size, '--out', out, '--quiet'],
      { stdio: 'ignore' },
    );
    renderReport(readReportSource(join(scratch, sizes[0]!))); // warm: esbuild's bundle is built once per process
    const started = performance.now();
    const html = renderReport(readReportSource(out));
    const buildMs = performance.now() - started;
    const file = join(out, 'report.html');
    (await import('node:fs')).writeFileSync(file, html);
    const loads: number[] = [];
    let heap = 0;
    for (let load = 0; load < 3; load++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      const opened = performance.now();
      await page.goto(pathToFileURL(file).href);
      await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 120_000 });
      loads.push(performance.now() - opened);
      heap = await page.evaluate(
        () => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize,
      );
      await page.close();
    }
    loads.sort((a, b) => a - b);
    const records = JSON.parse(/id="report-data">(.*?)<\/script>/s.exec(html)![1]!).records.count;
    console.log(
      `| ${size} | ${records} | ${(html.length / 1024).toFixed(0)} KiB | ${(buildMs / 1000).toFixed(2)} s | ${(loads[1]! / 1000).toFixed(2)} s | ${(heap / 2 ** 20).toFixed(0)} MiB |`,
    );
  }
} finally {
  await browser.close();
  rmSync(scratch, { recursive: true, force: true });
}

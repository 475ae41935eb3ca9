import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, haveChromium, launchChromium } from '../../../tools/chromium';
import { memoryIo } from '../src/cli-io';
import { main } from '../src/main';

/** The page's `document`, for the callbacks `page.evaluate()` runs there (this program has no DOM types). */
declare const document: {
  getElementById(id: string): {
    width: number;
    height: number;
    getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
  };
  body: { dataset: Record<string, string | undefined> };
};

// The report end to end, in Debian's Chromium driven by playwright-core (tools/install-chromium.sh installs it;
// playwright never downloads a browser). Without the browser these tests are skipped, except under CI, where
// they fail.
if (!haveChromium && process.env.CI !== undefined) {
  throw new Error(`CI needs Chromium at ${chromiumPath} for the report's browser tests: run tools/install-chromium.sh`);
}
const repository = fileURLToPath(new URL('../../../', import.meta.url));
const screenshots = process.env.MMSIM_SCREENSHOTS ?? join(repository, '.tmp', 'screenshots');
const fixture = (name: string) =>
  readFileSync(new URL(`../../page-owner/test/__fixtures__/${name}`, import.meta.url), 'utf8');

const scratch = mkdtempSync(join(tmpdir(), 'mmsim-report-browser-'));
const EVIL_COMM = '<img src=x onerror=alert(1)>';
const EVIL_SYMBOL = '<svg/onload=alert(2)>';
const EVIL_FILE = '<img src=x onerror=alert(3)>';

/** A page with what went wrong on it: script errors, dialogs (a sign of injected script) and requests. */
interface Opened {
  page: Page;
  errors: string[];
  dialogs: string[];
  requests: string[];
}

/** Pixels of the memory map: drawn (not blank) and in the filter's colour. */
function mapPixels(page: Page): Promise<{ drawn: number; matching: number }> {
  return page.evaluate(() => {
    const canvas = document.getElementById('memory-map');
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let drawn = 0;
    let matching = 0;
    for (let at = 0; at < pixels.length; at += 4) {
      const [red, green, blue, alpha] = [pixels[at]!, pixels[at + 1]!, pixels[at + 2]!, pixels[at + 3]!];
      if (alpha > 0 && red + green + blue < 3 * 245) drawn++;
      if (alpha > 0 && red > 200 && green < 120 && blue > 200) matching++;
    }
    return { drawn, matching };
  });
}

describe.skipIf(!haveChromium)('the report in Chromium', () => {
  let browser: Browser;
  const reports: Record<string, string> = {};

  beforeAll(async () => {
    const run = join(scratch, 'wss');
    expect(await main(['run', '--workload', 'wss', '--mem', '512M', '--out', run, '--report'], memoryIo())).toBe(0);
    reports.wss = join(run, 'report.html');
    for (const era of ['v4.8', 'v6.18']) {
      const dump = join(scratch, `page_owner-${era}`);
      writeFileSync(dump, fixture(`records-${era}.golden.txt`));
      expect(await main(['report', dump], memoryIo())).toBe(0);
      reports[era] = `${dump}.html`;
    }
    const evil = join(scratch, EVIL_FILE);
    writeFileSync(
      evil,
      fixture('records-v6.18.golden.txt')
        .replaceAll('(cat)', `(${EVIL_COMM})`)
        .replaceAll('filemap_read+', `${EVIL_SYMBOL}+`),
    );
    reports.evil = join(scratch, 'evil.html');
    expect(await main(['report', evil, '-o', reports.evil], memoryIo())).toBe(0);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function open(report: string): Promise<Opened> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const opened: Opened = { page, errors: [], dialogs: [], requests: [] };
    page.on('pageerror', (error) => opened.errors.push(String(error)));
    page.on('dialog', (dialog) => {
      opened.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) opened.requests.push(request.url());
    });
    await page.goto(pathToFileURL(report).href);
    await page.waitForFunction(() => document.body.dataset.ready !== undefined);
    expect(await page.evaluate(() => document.body.dataset.ready)).toBe('true');
    return opened;
  }

  it('draws the map and the flame graph of a run, filters the map to a clicked frame, and shows details on hover', async () => {
    const { page, errors, requests } = await open(reports.wss!);
    const frames = page.locator('#flame-graph svg g.frame');
    expect(await frames.count()).toBeGreaterThan(10);
    const before = await mapPixels(page);
    expect(before.drawn).toBeGreaterThan(100);
    expect(before.matching).toBe(0);
    for (const chart of ['depot-growth', 'layouts', 'mixed-blocks', 'idle']) {
      expect(await page.locator(`#${chart}`).isVisible(), chart).toBe(true);
    }

    await page.locator('#flame-graph g.frame[name="do_anonymous_page"]').first().click();
    await expect.poll(() => page.locator('#map-filter').isVisible()).toBe(true);
    expect(await page.textContent('#map-filter-text')).toMatch(
      /^Showing the \d+ pages allocated through do_anonymous_page/,
    );
    const canvas = page.locator('#memory-map');
    const matchingPages = Number(await canvas.getAttribute('data-matching-pages'));
    expect(matchingPages).toBeGreaterThan(0);
    const after = await mapPixels(page);
    expect(after.matching).toBeGreaterThan(0);
    expect(after.matching).toBeLessThan(before.drawn);
    mkdirSync(screenshots, { recursive: true });
    const screenshot = join(screenshots, 'report-wss-filtered.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);

    await page.click('#map-filter-clear');
    expect(await page.locator('#map-filter').isVisible()).toBe(false);
    expect((await mapPixels(page)).matching).toBe(0);

    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + 3, box.y + 3);
    expect(await page.textContent('#map-details')).toMatch(/^pfn 0x0-0x1ff, pageblock 0, zone DMA/);
    await canvas.click({ position: { x: 3, y: 3 } });
    expect(await canvas.getAttribute('data-scale')).toBe('64');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
  });

  it.each(['v4.8', 'v6.18'])('renders the report of a real %s page_owner dump', async (era) => {
    const { page, errors, requests } = await open(reports[era]!);
    expect(await page.locator('#flame-graph svg g.frame').count()).toBeGreaterThan(5);
    expect((await mapPixels(page)).drawn).toBeGreaterThan(0);
    expect(await page.locator('#depot-growth-none').isVisible()).toBe(true);
    await page.screenshot({ path: join(screenshots, `report-dump-${era}.png`), fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('shows names from a malicious dump as text and runs none of them', async () => {
    const { page, errors, dialogs } = await open(reports.evil!);
    expect(await page.title()).toBe(`mmsim report: ${EVIL_FILE}`);
    expect(await page.textContent('#flame-graph')).toContain(EVIL_SYMBOL);
    // The first record of pageblock 20 (pfn 0x29fe) was allocated by the task with the malicious comm.
    const canvas = page.locator('#memory-map');
    const cell = Number(await canvas.getAttribute('data-cell-pixels'));
    await canvas.hover({ position: { x: 20 * cell + cell / 2, y: cell / 2 } });
    expect(await page.textContent('#map-details')).toContain(`tgid 4242 (${EVIL_COMM})`);
    expect(await page.locator('img, svg[onload], [onerror]').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'report-malicious-names.png'), fullPage: true });
  });
});

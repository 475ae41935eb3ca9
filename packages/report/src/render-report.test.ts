import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium } from '../../../tools/chromium';
import { formatTick } from '../browser/format';
import { isEarlyBootStack, stackLabels } from '../browser/stack-names';
import { collectReport } from './collect-report';
import { readReportSource } from './read-report-source';
import { escapeHtml, renderReport, scriptJson } from './render-report';
import type { ReportData } from './report-data';

describe('scriptJson', () => {
  it('never lets data end the script element, and parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (value, text) => {
        for (const data of [value, { text, markup: `</script><!--${text}` }]) {
          const json = scriptJson(data);
          expect(json).not.toMatch(/[<\u2028\u2029]/);
          expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(data)));
        }
      }),
    );
  });
});

describe('escapeHtml', () => {
  it('escapes markup characters', () => {
    expect(escapeHtml(`<img src=x onerror="alert('1')">&`)).toBe(
      '&#60;img src=x onerror=&#34;alert(&#39;1&#39;)&#34;&#62;&#38;',
    );
  });
});

describe('renderReport', () => {
  const data = collectReport({ title: '<img src=x onerror=alert(1)>', sources: ['</script><b>'] });
  const html = renderReport(data);

  it('is one file that asks for nothing over the network', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(
      `content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"`,
    );
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i);
    // d3-flame-graph and Chart.js are inlined, with their licence comments.
    expect(html).toContain('d3-flame-graph');
    expect(html).toContain('Chart.js');
  });

  it('escapes the title and embeds the data as inert JSON', () => {
    expect(html).not.toContain('<img');
    expect(html).toContain('<title>mmsim report: &#60;img src=x onerror=alert(1)&#62;</title>');
    const embedded = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!;
    expect(JSON.parse(embedded)).toEqual(JSON.parse(JSON.stringify(data)));
    // Exactly the data script and the app script: nothing in the data opened or closed another.
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
  });
});

describe('the page around the data', () => {
  const html = renderReport(collectReport({ title: 'run', sources: [] }));

  it('has the early boot pages control, the map outlines and a viewport for narrow screens', () => {
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toMatch(/<input id="hide-early" type="checkbox">/);
    expect(html).toContain('id="early-status"');
    expect(html).toMatch(/<div class="map-canvas"><canvas id="memory-map"[^>]*><\/canvas><div id="map-hover-block"/);
    expect(html).toContain('id="map-hover" class="map-outline" hidden');
    // The details go under the map on a narrow screen.
    expect(html).toMatch(
      /@media \(max-width: ?820px\)\s*\{\s*\.map-area\s*\{\s*grid-template-columns: ?minmax\(0, ?1fr\)/,
    );
  });
});

describe('early boot stacks', () => {
  it("are page_owner's early stack (v6.18) and its sweep of early pages (v4.x), not its dummy or failure stacks", () => {
    expect(isEarlyBootStack(['register_early_stack', 'init_page_owner', 'page_ext_init', 'mm_core_init'])).toBe(true);
    expect(
      isEarlyBootStack(['save_stack_trace', 'save_stack', '__set_page_owner', 'init_page_owner', 'page_ext_init']),
    ).toBe(true);
    expect(isEarlyBootStack(['register_dummy_stack', 'init_page_owner', 'page_ext_init'])).toBe(false);
    expect(isEarlyBootStack(['register_failure_stack', 'init_page_owner', 'page_ext_init'])).toBe(false);
    expect(isEarlyBootStack(['post_alloc_hook', 'get_page_from_freelist', 'do_anonymous_page'])).toBe(false);
  });
});

describe('stackLabels', () => {
  const allocator = ['post_alloc_hook+0x177/0x1a0', 'get_page_from_freelist+0xd01/0x2140'];
  const frames = [
    ...allocator,
    'filemap_alloc_folio_noprof+0x34/0x100',
    '__filemap_get_folio+0x12c/0x350',
    'ext4_write_begin+0x1b5/0x6d0',
    'generic_perform_write+0x10/0x200',
    'vfs_write+0x29c/0x370',
    'do_splice+0x2ac/0x890',
    'ext4_write_begin+0x1f8/0x6d0',
    'do_anonymous_page+0x10/0x300',
  ];
  const stack = (...lines: string[]) => lines.map((line) => frames.indexOf(line));
  const data = {
    frames,
    stacks: [
      stack(...allocator, frames[2]!, frames[3]!, frames[4]!, frames[5]!, frames[6]!),
      stack(...allocator, frames[2]!, frames[3]!, frames[4]!, frames[5]!, frames[7]!),
      stack(...allocator, frames[9]!),
      stack(...allocator),
    ],
  } as unknown as ReportData;

  it('start below the allocator, and name where stacks with the same first functions part', () => {
    expect(stackLabels(data, [0, 1, 2, 3])).toEqual([
      'filemap_alloc_folio_noprof < __filemap_get_folio < ext4_write_begin < ... < vfs_write',
      'filemap_alloc_folio_noprof < __filemap_get_folio < ext4_write_begin < ... < do_splice',
      'do_anonymous_page',
      'post_alloc_hook < get_page_from_freelist',
    ]);
    expect(stackLabels(data, [0, 2])[0]).toBe('filemap_alloc_folio_noprof < __filemap_get_folio < ext4_write_begin');
  });

  it('name the call site where two stacks go through the same functions', () => {
    const twoSites = {
      frames,
      stacks: [stack(...allocator, frames[2]!, frames[4]!), stack(...allocator, frames[2]!, frames[8]!)],
    } as unknown as ReportData;
    expect(stackLabels(twoSites, [0, 1])).toEqual([
      'filemap_alloc_folio_noprof < ext4_write_begin+0x1b5/0x6d0',
      'filemap_alloc_folio_noprof < ext4_write_begin+0x1f8/0x6d0',
    ]);
  });
});

describe('formatTick', () => {
  it('gives a tick the decimals its step needs, and its unit', () => {
    expect([0, 0.5, 1, 1.5].map((value) => formatTick(value, 0.5, 's'))).toEqual(['0 s', '0.5 s', '1 s', '1.5 s']);
    expect(formatTick(0.1 + 0.2, 0.1)).toBe('0.3');
    expect(formatTick(1200, 200, 's')).toBe('1,200 s');
    expect(formatTick(0.0126, 0.0025)).toBe('0.013');
    expect(formatTick(3, 0)).toBe('3');
  });
});

/**
 * A replay's run directory (summary.json's workload `replay ...`) whose page_owner dump holds 30 early boot pages
 * (page_owner's early stack, task swapper) and 12 pages of 12 stacks of the trace, one of 4 pages.
 */
function replayRun(directory: string): void {
  const record = (pfn: number, order: number, head: string, stack: readonly string[]) =>
    `Page allocated via order ${order}, ${head}, ts 1000 ns\n` +
    `PFN 0x${pfn.toString(16)} type Unmovable Block ${pfn >> 9} type Unmovable Flags 0xfffffc0000000(node=0|zone=1)\n` +
    `${stack.map((line) => ` ${line}\n`).join('')}\n`;
  const early = ['register_early_stack+0x8a/0xd0', 'init_page_owner+0x52/0x7b0', 'page_ext_init+0x7aa/0xcc0'];
  const traced = (caller: string) => [
    'post_alloc_hook+0x177/0x1a0',
    'get_page_from_freelist+0xd01/0x2140',
    `${caller}+0x10/0x100`,
    'do_syscall_64+0x71/0x310',
  ];
  let dump = '';
  for (let page = 0; page < 30; page++) {
    dump += record(0x3000 + page, 0, 'mask 0x0(), pid 0, tgid 0 (swapper)', early);
  }
  for (let stack = 0; stack < 12; stack++) {
    dump += record(
      0x4000 + stack * 8,
      stack === 0 ? 2 : 0,
      'mask 0xcc0(GFP_KERNEL), pid 7, tgid 7 (dd)',
      traced(`caller_${stack}`),
    );
  }
  mkdirSync(join(directory, 'sys/kernel/debug'), { recursive: true });
  writeFileSync(join(directory, 'sys/kernel/debug/page_owner'), dump);
  writeFileSync(
    join(directory, 'summary.json'),
    JSON.stringify({
      profile: 'v6.18',
      memoryBytes: 2 ** 28,
      workload: 'replay trace.txt',
      seed: 0,
      stackDepot: { stacks: 13, bytes: 2048, pages: 1 },
      timeline: [
        { ns: 1e8, stacks: 1, depotBytes: 128 },
        { ns: 2.5e9, stacks: 13, depotBytes: 2048 },
      ],
    }),
  );
}

/** Where an element is on the page, in CSS pixels (null when it is not displayed). */
interface Box {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  readonly width: number;
}

const boxOf = (page: Page, selector: string): Promise<Box | null> =>
  page.evaluate(`(() => {
    const element = document.querySelector(${JSON.stringify(selector)});
    if (element === null || element.offsetParent === null) return null;
    const { left, top, right, bottom, width } = element.getBoundingClientRect();
    return { left, top, right, bottom, width };
  })()`);

describe.skipIf(!haveChromium)('the report in Chromium, on every screen', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'mmsim-report-screens-'));
  const report = join(scratch, 'report.html');
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    replayRun(scratch);
    writeFileSync(report, renderReport(readReportSource(scratch)));
    browser = await launchChromium();
    // A high-density screen: the map's canvas must be drawn at twice its CSS size.
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 2 });
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) requests.push(request.url());
    });
    await page.goto(pathToFileURL(report).href);
    await page.waitForFunction('document.body.dataset.ready !== undefined');
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('fits 1440, 390 and 768 px wide, redrawn as the window changes: no sideways scrolling, the map and the flame graph as wide as their boxes, the details beside the map or under it', async () => {
    expect(await page.evaluate('document.body.dataset.ready')).toBe('true');
    for (const width of [1440, 390, 768]) {
      // 390 x 844: a phone held upright.
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      // The map and the flame graph each redraw in a frame after the resize: the layout is checked once both have.
      await expect
        .poll(() =>
          page.evaluate(
            'Math.floor(document.querySelector(".map-canvas").getBoundingClientRect().width) === document.getElementById("memory-map").getBoundingClientRect().width && Number(document.querySelector("#flame-graph svg").getAttribute("width")) === document.getElementById("flame-graph").clientWidth',
          ),
        )
        .toBe(true);
      // The charts (Chart.js) follow in frames of their own: polled, as the window would show them settled.
      await expect
        .poll(() => page.evaluate('document.documentElement.scrollWidth'), { message: `${width}` })
        .toBeLessThanOrEqual(width);
      // No element reaches past the viewport's right edge (what sideways scrolling would have to show).
      await expect
        .poll(
          () =>
            page.evaluate(`[...document.querySelectorAll('body *')]
          .filter((element) => {
            const box = element.getBoundingClientRect();
            return box.width > 0 && box.height > 0 && box.right > innerWidth + 0.5;
          })
          .map((element) => element.tagName + (element.id ? '#' + element.id : ''))`),
          { message: `${width}` },
        )
        .toEqual([]);
      const map = (await boxOf(page, '#memory-map'))!;
      const details = (await boxOf(page, '#map-details'))!;
      expect(await page.evaluate('document.getElementById("memory-map").width')).toBe(Math.round(map.width * 2));
      if (width >= 1440) {
        expect(details.top).toBe(map.top);
        expect(details.left).toBeGreaterThan(map.right);
        expect(details.width).toBeGreaterThan(250);
      } else {
        expect(details.top).toBeGreaterThanOrEqual(map.bottom);
        expect(Math.abs(details.width - map.width)).toBeLessThan(1);
      }
      // Cells big enough to point at.
      expect(Number(await page.evaluate('document.getElementById("memory-map").dataset.cellPixels'))).toBeGreaterThan(
        5,
      );
    }
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
  });

  it("hides a replay's early boot pages from the stacks by default, with the counts, and shows them on request", async () => {
    const early = page.locator('#flame-graph g.frame[name="register_early_stack"]');
    expect(await page.isChecked('#hide-early')).toBe(true);
    expect(await page.textContent('#early-status')).toBe('42 records, 30 of them early boot pages: hidden.');
    expect(await early.count()).toBe(0);
    expect(await page.textContent('#top-stacks')).not.toContain('register_early_stack');
    await page.click('#hide-early');
    expect(await page.textContent('#early-status')).toBe('42 records, 30 of them early boot pages: shown.');
    expect(await early.count()).toBe(1);
    expect(await page.textContent('#top-stacks li:first-child')).toMatch(/^30 pages: register_early_stack/);
    await page.click('#hide-early');
    expect(await early.count()).toBe(0);
  });

  it('keys the colours by stack: the largest stacks, "other" and the hidden early boot pages', async () => {
    await page.selectOption('#map-mode', 'stack');
    const legend = await page.locator('#map-legend li').allTextContents();
    expect(legend[0]).toBe('caller_0 < do_syscall_64 (4 pages)');
    expect(legend.slice(0, 10).every((item) => /^caller_\d+ < do_syscall_64 \(\d+ pages?\)$/.test(item))).toBe(true);
    expect(legend).toContain('other: 2 stacks (2 pages)');
    expect(legend).toContain('early boot pages, hidden from the stacks (30 pages)');
    await page.selectOption('#map-mode', 'migratetype');
    expect(await page.locator('#map-legend li').allTextContents()).toContain('Unmovable');
  });

  it('outlines the hovered cell, and its pageblock when zoomed in', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    const canvas = page.locator('#memory-map');
    await page.selectOption('#map-zoom', '8');
    await canvas.scrollIntoViewIfNeeded();
    const cell = Number(await canvas.getAttribute('data-cell-pixels'));
    await canvas.hover({ position: { x: 3 * cell + cell / 2, y: cell / 2 } });
    const map = (await boxOf(page, '#memory-map'))!;
    const outline = (await boxOf(page, '#map-hover'))!;
    expect(outline.left - map.left).toBeCloseTo(3 * cell, 3);
    expect(outline.width).toBeCloseTo(cell, 3);
    expect(await page.textContent('#map-details')).toMatch(/^pfn 0x18-0x1f, pageblock 0/);
    const block = (await boxOf(page, '#map-hover-block'))!;
    expect(block.left).toBe(map.left);
    expect(block.width).toBeCloseTo(64 * cell, 3);
    await page.mouse.move(0, 0);
    expect(await boxOf(page, '#map-hover')).toBeNull();
    expect(errors).toEqual([]);
  });
});

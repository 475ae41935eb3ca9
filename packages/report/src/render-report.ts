import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import type { ReportData } from './report-data';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/**
 * JSON that is safe inside `<script type="application/json">`: no `<` (so no `</script>` or `<!--`), and no
 * U+2028/U+2029.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<\u2028\u2029]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

let bundled: { script: string; style: string } | undefined;

/**
 * The report's script and style: `browser/app.ts` with d3-flame-graph and Chart.js bundled and minified by esbuild
 * (once per process), and the CSS they import with the report's own.
 */
export function reportBundle(): { script: string; style: string } {
  if (bundled !== undefined) return bundled;
  const entry = fileURLToPath(new URL('../browser/app.ts', import.meta.url));
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    // d3-hierarchy's nodes are recognised by their constructor's name.
    keepNames: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    write: false,
    outdir: 'report',
    legalComments: 'eof',
    logLevel: 'silent',
  });
  const output = (extension: string) =>
    result.outputFiles
      .filter((file) => file.path.endsWith(extension))
      .map((file) => file.text)
      .join('\n');
  const style = output('.css') + readFileSync(fileURLToPath(new URL('../browser/report.css', import.meta.url)), 'utf8');
  // A script element ends at the first `</script`, whatever the JavaScript around it means.
  bundled = {
    script: output('.js')
      .replace(/<\/(script)/gi, '<\\/$1')
      .replace(/<!--/g, '<\\!--'),
    style,
  };
  return bundled;
}

/**
 * The report as one self-contained HTML file: no request leaves it (its Content-Security-Policy forbids any), so it
 * works opened from disk. Input names reach the page only as JSON data, which the script sets as text.
 */
export function renderReport(data: ReportData): string {
  const { script, style } = reportBundle();
  const title = escapeHtml(data.title);
  const missing = (id: string, why: string) => `<p id="${id}-none" class="none" hidden>${why}</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="mmsim report">
<title>mmsim report: ${title}</title>
<style>${style}</style>
</head>
<body>
<header>
<h1>mmsim report: ${title}</h1>
<p id="report-error" role="alert"></p>
<dl id="facts"></dl>
<details><summary>Sources</summary><ul id="sources"></ul></details>
</header>
<section>
<h2>Physical memory map</h2>
<div class="controls">
<label>colour by <select id="map-mode"><option value="migratetype">pageblock migratetype</option><option value="stack">allocation stack</option><option value="idle">idle (page_idle)</option></select></label>
<label>zoom <select id="map-zoom"><option value="512">a pageblock per cell</option><option value="64">64 pages per cell</option><option value="8">8 pages per cell</option><option value="1">a page per cell</option></select></label>
<button id="map-earlier" type="button">&#9664; earlier</button><span id="map-range"></span><button id="map-later" type="button">later &#9654;</button>
<button id="map-whole" type="button">whole memory</button>
</div>
<p id="map-filter" hidden><span id="map-filter-text"></span> <button id="map-filter-clear" type="button">show all pages</button></p>
<div class="map-area">
<div class="map-canvas"><canvas id="memory-map" width="768" height="6" role="img" aria-label="physical memory map: a cell per pageblock or fewer pages; details in the panel beside or below it"></canvas><div id="map-hover-block" class="map-outline" hidden></div><div id="map-hover" class="map-outline" hidden></div></div>
<ul id="map-legend"></ul>
<pre id="map-details" aria-live="polite">Hover over the map for details; click to zoom in.</pre>
</div>
</section>
<section>
<h2>Allocation stacks, weighted by pages</h2>
<div class="controls"><label><input id="hide-early" type="checkbox"> hide early boot pages</label><span id="early-status"></span></div>
<p class="hint">Early boot pages are those the kernel allocated before page_owner started: it records each with its early stack (<code>register_early_stack</code>, or v4.x's <code>init_page_owner</code>), task swapper. Hidden by default in a replay's report, where they are the simulated machine's own boot, not the trace's.</p>
<p>Click a frame to show the pages allocated through it on the map; click the root to show all.</p>
<div id="flame-graph"></div>
${missing('flame-graph', 'No page_owner records: boot with page_owner=on.')}
<div id="top-stacks-block"><p>The largest stacks (innermost frame first):</p><ol id="top-stacks"></ol></div>
</section>
<section class="charts">
<figure><figcaption>Stack depot growth over the run</figcaption><div class="chart"><canvas id="depot-growth"></canvas></div>${missing('depot-growth', 'Only a run records depot growth (summary.json of mmsim run, with page_owner on a depot era).')}</figure>
<figure><figcaption>page_ext memory: page_owner under each layout, then v6.18's clients in every combination</figcaption><div class="chart"><canvas id="layouts"></canvas></div>${missing('layouts', 'Only a run knows its page_ext (summary.json); see also mmsim layouts.')}</figure>
<figure><figcaption>Mixed pageblocks per zone</figcaption><div class="chart"><canvas id="mixed-blocks"></canvas></div>${missing('mixed-blocks', 'No page_owner records.')}</figure>
<figure><figcaption>Idle working set (page_idle)</figcaption><div class="chart"><canvas id="idle"></canvas></div>${missing('idle', 'No idle tracking to show: no /sys/kernel/mm/page_idle/bitmap, or no page on an LRU list (try the wss workload).')}</figure>
</section>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${script}</script>
</body>
</html>
`;
}

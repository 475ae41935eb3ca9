import type { ReportData } from '../src/report-data';
import { depotGrowthChart, idleChart, layoutsChart, mixedBlocksChart } from './charts';
import { drawFlameGraph, type FlameNode, stacksUnder, stackTree } from './flame-graph';
import { frameFunction, loadReport } from './loaded-report';
import { type ColourMode, MemoryMap, MIGRATETYPE_COLOURS, SCALES, STATE_COLOURS } from './memory-map';

// The report's script: everything that comes from the input is set with textContent, never as HTML.

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function text(tag: string, content: string): HTMLElement {
  const element = document.createElement(tag);
  element.textContent = content;
  return element;
}

function showFacts(data: ReportData): void {
  const facts = byId('facts');
  for (const [name, value] of data.facts) facts.append(text('dt', name), text('dd', value));
  const sources = byId('sources');
  for (const source of data.sources) sources.append(text('li', source));
}

function legend(data: ReportData): void {
  const list = byId('map-legend');
  const item = (colour: string, label: string) => {
    const entry = text('li', label);
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = colour;
    entry.prepend(swatch);
    list.append(entry);
  };
  data.migratetypes.forEach((name, index) => {
    if (index < MIGRATETYPE_COLOURS.length) item(MIGRATETYPE_COLOURS[index]!, name);
  });
  item(STATE_COLOURS.allocated, 'allocated, no page_owner record');
  item(STATE_COLOURS.reserved, 'reserved');
  item(STATE_COLOURS.free, 'free');
  item(STATE_COLOURS.unknown, 'not listed');
  item(STATE_COLOURS.mixed, 'mixed pageblock (corner)');
  item(STATE_COLOURS.active, 'idle view: accessed');
  item(STATE_COLOURS.idle, 'idle view: idle');
  item(STATE_COLOURS.match, 'filter: pages of the chosen stacks');
}

function setUpMap(map: MemoryMap, canvas: HTMLCanvasElement, pages: number): (node: FlameNode | null) => void {
  const details = byId<HTMLPreElement>('map-details');
  const range = byId('map-range');
  const zoom = byId<HTMLSelectElement>('map-zoom');
  const filterBox = byId('map-filter');
  const filterText = byId('map-filter-text');
  const redraw = () => {
    map.draw();
    range.textContent = `pfn 0x${map.start.toString(16)}-0x${Math.max(map.start, map.viewEnd - 1).toString(16)}, ${map.scale} page${map.scale === 1 ? '' : 's'} per cell`;
    zoom.value = String(map.scale);
  };
  const zoomTo = (scale: number, around: number) => {
    map.scale = scale;
    const row = map.columns * scale;
    map.start = Math.max(0, Math.floor(around / row) * row - 8 * row);
    redraw();
  };
  byId<HTMLSelectElement>('map-mode').addEventListener('change', (event) => {
    map.mode = (event.target as HTMLSelectElement).value as ColourMode;
    redraw();
  });
  zoom.addEventListener('change', () => zoomTo(Number(zoom.value), map.start));
  byId('map-earlier').addEventListener('click', () => {
    map.start = Math.max(0, map.start - map.cellsInView * map.scale);
    redraw();
  });
  byId('map-later').addEventListener('click', () => {
    if (map.viewEnd < pages) map.start = map.viewEnd;
    redraw();
  });
  byId('map-whole').addEventListener('click', () => zoomTo(SCALES[0], 0));
  const pointer = (event: MouseEvent) => {
    const bounds = canvas.getBoundingClientRect();
    return map.pfnAt(
      ((event.clientX - bounds.left) * canvas.width) / bounds.width,
      ((event.clientY - bounds.top) * canvas.height) / bounds.height,
    );
  };
  canvas.addEventListener('mousemove', (event) => {
    const pfn = pointer(event);
    if (pfn >= 0) details.textContent = map.describe(pfn);
  });
  canvas.addEventListener('click', (event) => {
    const pfn = pointer(event);
    const next = SCALES[SCALES.indexOf(map.scale as (typeof SCALES)[number]) + 1];
    if (pfn >= 0 && next !== undefined) zoomTo(next, pfn);
  });
  const select = (node: FlameNode | null) => {
    let matching = 0;
    if (node === null) {
      map.filter = null;
      filterBox.hidden = true;
    } else {
      const stacks = stacksUnder(node);
      map.filter = new Uint8Array(map.filterSize);
      for (const stack of stacks) map.filter[stack] = 1;
      matching = map.matchingPages();
      filterText.textContent = `Showing the ${matching} pages allocated through ${node.name} (${stacks.length} stack${stacks.length === 1 ? '' : 's'}).`;
      filterBox.hidden = false;
    }
    canvas.dataset.matchingPages = String(matching);
    redraw();
  };
  byId('map-filter-clear').addEventListener('click', () => select(null));
  redraw();
  return select;
}

function chart(id: string, available: boolean, draw: (canvas: HTMLCanvasElement) => void): void {
  const canvas = byId<HTMLCanvasElement>(id);
  if (available) draw(canvas);
  else {
    canvas.parentElement!.hidden = true;
    byId(`${id}-none`).hidden = false;
  }
}

async function main(): Promise<void> {
  const data = JSON.parse(byId('report-data').textContent!) as ReportData;
  showFacts(data);
  legend(data);
  const report = await loadReport(data);
  const canvas = byId<HTMLCanvasElement>('memory-map');
  const map = new MemoryMap(report, canvas);
  const select = setUpMap(map, canvas, data.pages);
  const tree = stackTree(report);
  if (tree.value > 0) drawFlameGraph(byId('flame-graph'), tree, select);
  else {
    byId('flame-graph-none').hidden = false;
    byId('top-stacks-block').hidden = true;
  }
  chart('depot-growth', data.depotGrowth !== null && data.depotGrowth.length > 0, (element) =>
    depotGrowthChart(element, data.depotGrowth!),
  );
  chart('layouts', data.layouts !== null, (element) => layoutsChart(element, data.layouts!));
  chart('mixed-blocks', data.records.count > 0, (element) => mixedBlocksChart(element, data));
  chart('idle', data.idle !== null && data.idle.lruPages > 0, (element) => idleChart(element, data.idle!));
  byId('top-stacks').append(
    ...[...report.stackPages.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([stack, pages]) =>
        text(
          'li',
          `${pages} pages: ${data.stacks[stack]!.map((frame) => frameFunction(data.frames[frame]!)).join(' < ')}`,
        ),
      ),
  );
}

main().then(
  () => {
    document.body.dataset.ready = 'true';
  },
  (error: unknown) => {
    byId('report-error').textContent = `The report could not be drawn: ${(error as Error).message}`;
    document.body.dataset.ready = 'error';
  },
);

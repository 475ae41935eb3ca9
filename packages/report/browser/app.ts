import type { ReportData } from '../src/report-data';
import { depotGrowthChart, idleChart, layoutsChart, mixedBlocksChart } from './charts';
import { FlameGraphView, type FlameNode, stacksUnder, stackTree } from './flame-graph';
import { formatCount as count, plural } from './format';
import { type LoadedReport, loadReport } from './loaded-report';
import {
  type ColourMode,
  EARLY_BOOT_COLOUR,
  MemoryMap,
  MIGRATETYPE_COLOURS,
  OTHER_STACK_COLOUR,
  SCALES,
  STACK_COLOURS,
  STATE_COLOURS,
} from './memory-map';
import { frameFunction, stackLabels } from './stack-names';

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

/** Whether the report is of `mmsim replay`'s run (summary.json's workload `replay TRACE`, shown in the facts). */
function isReplay(data: ReportData): boolean {
  return data.facts.some(([name, value]) => name === 'workload' && value.startsWith('replay '));
}

/**
 * What the stacks show: all of them, or all but the early boot pages' (which dominate a replay: the simulated
 * machine's own boot, not the trace's).
 */
interface StackView {
  /** Per stack, 1 when left out of the flame graph and the lists; null when none is. */
  readonly hidden: Uint8Array | null;
  /** Stacks by pages, largest first, without the hidden ones. */
  readonly ranked: readonly number[];
  /** Per stack, its colour on the map coloured by stack. */
  readonly colours: readonly string[];
}

function stackView(report: LoadedReport, hideEarly: boolean): StackView {
  const hidden = hideEarly && report.earlyRecords > 0 ? report.earlyStack : null;
  const ranked = [...report.stackPages.keys()]
    .filter((stack) => report.stackPages[stack]! > 0 && hidden?.[stack] !== 1)
    .sort((a, b) => report.stackPages[b]! - report.stackPages[a]! || a - b);
  const colours = new Array<string>(report.stackPages.length).fill(OTHER_STACK_COLOUR);
  if (hidden !== null) {
    hidden.forEach((early, stack) => {
      if (early === 1) colours[stack] = EARLY_BOOT_COLOUR;
    });
  }
  ranked.slice(0, STACK_COLOURS.length).forEach((stack, index) => {
    colours[stack] = STACK_COLOURS[index]!;
  });
  return { hidden, ranked, colours };
}

function swatch(colour: string): HTMLElement {
  const element = document.createElement('span');
  element.className = 'swatch';
  element.style.background = colour;
  return element;
}

/** The map's key: what its colours mean in the current mode, with the top stacks' colours in the stack mode. */
function showLegend(report: LoadedReport, mode: ColourMode, filtered: boolean, view: StackView): void {
  const { data } = report;
  const list = byId('map-legend');
  list.replaceChildren();
  list.className = mode === 'stack' && !filtered ? 'stacks' : '';
  const item = (colour: string, label: string, title?: string) => {
    const entry = text('li', label);
    entry.prepend(swatch(colour));
    if (title !== undefined) entry.title = title;
    list.append(entry);
  };
  if (filtered) {
    item(STATE_COLOURS.match, 'pages of the chosen stacks (darker: more of the cell)');
    item(STATE_COLOURS.dimmed, 'other pages');
    item(STATE_COLOURS.unknown, 'not listed');
    return;
  }
  if (mode === 'idle') {
    item(STATE_COLOURS.active, 'accessed (most of the cell\u2019s LRU pages)');
    item(STATE_COLOURS.idle, 'idle (most of the cell\u2019s LRU pages)');
    item(STATE_COLOURS.notLru, 'no page on an LRU list');
    return;
  }
  if (mode === 'stack') {
    const shown = view.ranked.slice(0, STACK_COLOURS.length);
    const labels = stackLabels(data, shown);
    shown.forEach((stack, index) => {
      const frames = data.stacks[stack]!.map((frame) => frameFunction(data.frames[frame]!)).join('\n');
      item(view.colours[stack]!, `${labels[index]} (${plural(report.stackPages[stack]!, 'page')})`, frames);
    });
    const others = view.ranked.slice(STACK_COLOURS.length);
    const otherPages = others.reduce((sum, stack) => sum + report.stackPages[stack]!, 0);
    if (others.length > 0) {
      item(
        OTHER_STACK_COLOUR,
        `other: ${plural(others.length, 'stack')} (${plural(otherPages, 'page')})`,
        'every stack but the largest, in one colour',
      );
    }
    if (view.hidden !== null) {
      item(
        EARLY_BOOT_COLOUR,
        `early boot pages, hidden from the stacks (${plural(report.earlyPages, 'page')})`,
        'allocated before page_owner started; it recorded them with its early stack when it did',
      );
    }
  } else {
    data.migratetypes.forEach((name, index) => {
      if (index < MIGRATETYPE_COLOURS.length) item(MIGRATETYPE_COLOURS[index]!, name);
    });
  }
  item(STATE_COLOURS.allocated, 'allocated, no page_owner record');
  item(STATE_COLOURS.reserved, 'reserved');
  item(STATE_COLOURS.free, 'free');
  item(STATE_COLOURS.unknown, 'not listed');
  item(STATE_COLOURS.mixed, 'mixed pageblock (corner)');
}

/**
 * Calls `callback` once per animation frame at most, after the element's width (or the screen's pixel ratio)
 * changed: the map and the flame graph follow the window.
 */
function onWidthChange(element: HTMLElement, callback: () => void): void {
  let width = element.clientWidth;
  let ratio = window.devicePixelRatio;
  let pending = false;
  const check = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      // Not laid out (hidden, or between two layouts): nothing to fit.
      if (element.clientWidth === 0) return;
      if (element.clientWidth === width && window.devicePixelRatio === ratio) return;
      width = element.clientWidth;
      ratio = window.devicePixelRatio;
      callback();
    });
  };
  if (typeof ResizeObserver === 'function') new ResizeObserver(check).observe(element);
  window.addEventListener('resize', check);
}

/** Places an outline element over a rectangle of the map, or hides it. */
function outline(element: HTMLElement, rect: { x: number; y: number; width: number; height: number } | null): void {
  element.hidden = rect === null;
  if (rect === null) return;
  element.style.left = `${rect.x}px`;
  element.style.top = `${rect.y}px`;
  element.style.width = `${rect.width}px`;
  element.style.height = `${rect.height}px`;
}

interface MapControls {
  /** Filters the map to the pages of a flame graph node's stacks, or shows all (null). */
  select(node: FlameNode | null): void;
  /** Redraws the map and its key after the stacks' colours changed. */
  restyle(view: StackView): void;
}

function setUpMap(map: MemoryMap, canvas: HTMLCanvasElement, report: LoadedReport, view: StackView): MapControls {
  const { pages, pageblockOrder } = report.data;
  const details = byId<HTMLPreElement>('map-details');
  const range = byId('map-range');
  const zoom = byId<HTMLSelectElement>('map-zoom');
  const filterBox = byId('map-filter');
  const filterText = byId('map-filter-text');
  const hoverCell = byId('map-hover');
  const hoverBlock = byId('map-hover-block');
  let stacks = view;
  const hideHover = () => {
    outline(hoverCell, null);
    outline(hoverBlock, null);
  };
  const redraw = () => {
    map.draw();
    hideHover();
    range.textContent =
      pages === 0
        ? map.describeView()
        : `${map.describeView()}, ${map.scale} page${map.scale === 1 ? '' : 's'} per cell`;
    zoom.value = String(map.scale);
  };
  const zoomTo = (scale: number, around: number) => {
    map.scale = scale;
    // A row start of both layouts (64 and 128 cells a row), a few rows above the cell asked for.
    const row = 128 * scale;
    map.start = Math.max(0, Math.floor(around / row) * row - 4 * row);
    redraw();
  };
  const modeSelect = byId<HTMLSelectElement>('map-mode');
  modeSelect.addEventListener('change', () => {
    map.mode = modeSelect.value as ColourMode;
    showLegend(report, map.mode, map.filter !== null, stacks);
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
  const cellAt = (event: MouseEvent) => {
    const bounds = canvas.getBoundingClientRect();
    return map.cellAt(event.clientX - bounds.left, event.clientY - bounds.top);
  };
  canvas.addEventListener('pointermove', (event) => {
    const cell = cellAt(event);
    if (cell < 0) {
      hideHover();
      return;
    }
    details.textContent = map.describe(cell);
    outline(hoverCell, map.cellRect(cell, cell + map.scale));
    // Zoomed in, the pageblock around the cell too (spans start on pageblock boundaries, so cells are aligned).
    const blockPages = 2 ** pageblockOrder;
    const block = Math.floor(cell / blockPages) * blockPages;
    outline(hoverBlock, map.scale < blockPages ? map.cellRect(block, block + blockPages) : null);
  });
  canvas.addEventListener('pointerleave', hideHover);
  canvas.addEventListener('click', (event) => {
    const cell = cellAt(event);
    const next = SCALES[SCALES.indexOf(map.scale as (typeof SCALES)[number]) + 1];
    if (cell >= 0 && next !== undefined) zoomTo(next, cell);
  });
  const select = (node: FlameNode | null) => {
    let matching = 0;
    if (node === null) {
      map.filter = null;
      filterBox.hidden = true;
    } else {
      const chosen = stacksUnder(node);
      map.filter = new Uint8Array(map.filterSize);
      for (const stack of chosen) map.filter[stack] = 1;
      matching = map.matchingPages();
      filterText.textContent = `Showing the ${matching} pages allocated through ${node.name} (${chosen.length} stack${chosen.length === 1 ? '' : 's'}).`;
      filterBox.hidden = false;
    }
    canvas.dataset.matchingPages = String(matching);
    showLegend(report, map.mode, map.filter !== null, stacks);
    redraw();
  };
  byId('map-filter-clear').addEventListener('click', () => select(null));
  onWidthChange(canvas.parentElement!, redraw);
  map.stackColours = view.colours;
  showLegend(report, map.mode, false, view);
  redraw();
  return {
    select,
    restyle(next: StackView) {
      stacks = next;
      map.stackColours = next.colours;
      map.recolour();
      showLegend(report, map.mode, map.filter !== null, next);
      redraw();
    },
  };
}

function chart(id: string, available: boolean, draw: (canvas: HTMLCanvasElement) => void): void {
  const canvas = byId<HTMLCanvasElement>(id);
  if (available) draw(canvas);
  else {
    canvas.parentElement!.hidden = true;
    byId(`${id}-none`).hidden = false;
  }
}

/** The largest stacks as a list, with their colours on the map coloured by stack. */
function showTopStacks(report: LoadedReport, view: StackView): void {
  const { data } = report;
  byId('top-stacks').replaceChildren(
    ...view.ranked.slice(0, 5).map((stack) => {
      const frames = data.stacks[stack]!.map((frame) => frameFunction(data.frames[frame]!)).join(' < ');
      const entry = text('li', `${count(report.stackPages[stack]!)} pages: ${frames}`);
      const key = swatch(view.colours[stack]!);
      key.title = 'its colour on the map coloured by allocation stack';
      entry.prepend(key);
      return entry;
    }),
  );
}

/**
 * The flame graph and the lists of stacks, with the early boot pages' control: hidden by default in a replay's
 * report (where they are most of the records), shown otherwise.
 */
function setUpStacks(report: LoadedReport, controls: MapControls, initial: StackView): void {
  const { data } = report;
  const box = byId<HTMLInputElement>('hide-early');
  const status = byId('early-status');
  const flame = new FlameGraphView(byId('flame-graph'), (node) => controls.select(node));
  onWidthChange(byId('flame-graph'), () => flame.resize());
  const show = (view: StackView) => {
    const hiding = view.hidden !== null;
    const records = plural(data.records.count, 'record');
    status.textContent =
      report.earlyRecords === 0
        ? `${records}, none of them early boot pages.`
        : `${records}, ${count(report.earlyRecords)} of them early boot pages: ${hiding ? 'hidden' : 'shown'}.`;
    const tree = stackTree(
      report,
      view.hidden,
      hiding ? 'all pages with a page_owner record but the early boot pages' : undefined,
    );
    byId('flame-graph').hidden = tree.value === 0;
    byId('top-stacks-block').hidden = tree.value === 0;
    byId('flame-graph-none').hidden = tree.value > 0;
    byId('flame-graph-none').textContent =
      data.records.count === 0
        ? 'No page_owner records: boot with page_owner=on.'
        : 'Every page_owner record is of an early boot page: show them to see their stack.';
    if (tree.value > 0) flame.show(tree);
    showTopStacks(report, view);
    document.body.dataset.earlyBoot = hiding ? 'hidden' : 'shown';
  };
  box.disabled = report.earlyRecords === 0;
  box.checked = initial.hidden !== null;
  box.addEventListener('change', () => {
    const view = stackView(report, box.checked);
    controls.select(null);
    controls.restyle(view);
    show(view);
  });
  show(initial);
}

async function main(): Promise<void> {
  const data = JSON.parse(byId('report-data').textContent!) as ReportData;
  showFacts(data);
  const report = await loadReport(data);
  const canvas = byId<HTMLCanvasElement>('memory-map');
  const map = new MemoryMap(report, canvas);
  const view = stackView(report, isReplay(data));
  const controls = setUpMap(map, canvas, report, view);
  setUpStacks(report, controls, view);
  chart('depot-growth', data.depotGrowth !== null && data.depotGrowth.length > 0, (element) =>
    depotGrowthChart(element, data.depotGrowth!),
  );
  chart('layouts', data.layouts !== null, (element) => layoutsChart(element, data.layouts!));
  chart('mixed-blocks', data.records.count > 0, (element) => mixedBlocksChart(element, data));
  chart('idle', data.idle !== null && data.idle.lruPages > 0, (element) => idleChart(element, data.idle!));
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

import flamegraph, { type FlameGraph } from 'd3-flame-graph';
import { select } from 'd3-selection';
import type { LoadedReport } from './loaded-report';
import { frameFunction } from './stack-names';

/** A flame graph node: a function, the pages allocated through it, and the stacks that end at it. */
export interface FlameNode {
  name: string;
  value: number;
  children: FlameNode[];
  /** Stacks whose innermost frame is this node. */
  stacks: number[];
}

/**
 * The stacks as a tree weighted by pages, outermost caller at the root: one path per stack, merged where stacks
 * share callers (by function, not by return address). Stacks `hidden` marks (1) are left out.
 */
export function stackTree(report: LoadedReport, hidden: Uint8Array | null = null, rootName?: string): FlameNode {
  const root: FlameNode = {
    name: rootName ?? 'all pages with a page_owner record',
    value: 0,
    children: [],
    stacks: [],
  };
  const { stacks, frames } = report.data;
  stacks.forEach((stack, index) => {
    const pages = report.stackPages[index]!;
    if (pages === 0 || hidden?.[index] === 1) return;
    root.value += pages;
    let node = root;
    for (let depth = stack.length - 1; depth >= 0; depth--) {
      const name = frameFunction(frames[stack[depth]!]!);
      let child = node.children.find((candidate) => candidate.name === name);
      if (child === undefined) {
        child = { name, value: 0, children: [], stacks: [] };
        node.children.push(child);
      }
      child.value += pages;
      node = child;
    }
    node.stacks.push(index);
  });
  return root;
}

/** Every stack in a node's subtree. */
export function stacksUnder(node: FlameNode): number[] {
  const found: number[] = [...node.stacks];
  for (const child of node.children) found.push(...stacksUnder(child));
  return found;
}

/** The narrowest the flame graph gets (CSS pixels): below it, its container scrolls. */
const MIN_WIDTH = 280;

/**
 * The flame graph (d3-flame-graph, SVG) in `element`, as wide as the element: {@link resize} redraws it at the
 * element's new width (keeping the zoom), {@link show} draws another tree. `onSelect` is told the node clicked, or
 * null when the root is (which clears the selection). Labels are set as text by d3, so input names cannot inject
 * markup.
 */
export class FlameGraphView {
  readonly #element: HTMLElement;
  readonly #onSelect: (node: FlameNode | null) => void;
  #chart: FlameGraph | null = null;
  #width = 0;

  constructor(element: HTMLElement, onSelect: (node: FlameNode | null) => void) {
    this.#element = element;
    this.#onSelect = onSelect;
  }

  #elementWidth(): number {
    return Math.max(MIN_WIDTH, Math.floor(this.#element.clientWidth || 960));
  }

  /** Draws `tree` afresh (its height from its depth), unzoomed. */
  show(tree: FlameNode): void {
    this.#chart?.destroy();
    this.#width = this.#elementWidth();
    this.#chart = flamegraph()
      .width(this.#width)
      .cellHeight(18)
      .transitionDuration(0)
      .minFrameSize(2)
      .sort(true)
      .title('')
      .onClick((node: { data: FlameNode; depth: number }) => this.#onSelect(node.depth === 0 ? null : node.data));
    select(this.#element).datum(tree).call(this.#chart);
  }

  /** Redraws at the element's width when it changed (not while it has none: hidden). */
  resize(): void {
    if (this.#element.clientWidth === 0) return;
    const width = this.#elementWidth();
    if (this.#chart === null || width === this.#width) return;
    this.#width = width;
    this.#chart.width(width).update();
  }
}

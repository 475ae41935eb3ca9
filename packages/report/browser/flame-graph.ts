import flamegraph from 'd3-flame-graph';
import { select } from 'd3-selection';
import { frameFunction, type LoadedReport } from './loaded-report';

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
 * share callers (by function, not by return address).
 */
export function stackTree(report: LoadedReport): FlameNode {
  const root: FlameNode = { name: 'all pages with a page_owner record', value: 0, children: [], stacks: [] };
  const { stacks, frames } = report.data;
  stacks.forEach((stack, index) => {
    const pages = report.stackPages[index]!;
    if (pages === 0) return;
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

/**
 * Draws the flame graph (d3-flame-graph, SVG) into `element`; `onSelect` is told the node clicked, or null when
 * the root is (which clears the selection). Labels are set as text by d3, so input names cannot inject markup.
 */
export function drawFlameGraph(
  element: HTMLElement,
  tree: FlameNode,
  onSelect: (node: FlameNode | null) => void,
): void {
  const chart = flamegraph()
    .width(Math.max(600, element.clientWidth || 960))
    .cellHeight(18)
    .transitionDuration(0)
    .minFrameSize(2)
    .sort(true)
    .title('')
    .onClick((node: { data: FlameNode; depth: number }) => onSelect(node.depth === 0 ? null : node.data));
  select(element).datum(tree).call(chart);
}

// The part of d3-flame-graph's API the report uses (the package ships no types).
declare module 'd3-flame-graph' {
  export interface FlameGraph {
    (selection: unknown): void;
    width(width: number): FlameGraph;
    cellHeight(height: number): FlameGraph;
    transitionDuration(milliseconds: number): FlameGraph;
    minFrameSize(pixels: number): FlameGraph;
    sort(sort: boolean): FlameGraph;
    title(title: string): FlameGraph;
    // biome-ignore lint/suspicious/noExplicitAny: the node is d3-hierarchy's, typed by the caller.
    onClick(handler: (node: any) => void): FlameGraph;
    /** Redraws (at the current width, keeping the zoom), or with new data. */
    update(data?: unknown): FlameGraph;
    /** Removes the SVG. */
    destroy(): FlameGraph;
  }
  export default function flamegraph(): FlameGraph;
}

/**
 * The graph batch format. A batch holds many graphs as one big disconnected
 * graph: node features stacked on axis 0, edges as index pairs into that
 * stack (each graph's indices shifted by the number of nodes before it),
 * and a graph-id per node, so one segment reduction pools every graph at once.
 *
 * Edges are directed, [2, E] int32 as in PyTorch Geometric: row 0 holds the
 * source j, row 1 the target i, and messages flow j → i (a layer aggregates
 * at the target). An undirected edge is two directed ones.
 */
import { ConcreteTensor, Tensor, type NestedArray } from "../core/tensor.js";
import { DTypeError, IndexError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { PYTREE, type PytreeNode } from "../core/tree.js";
import { tensor } from "../ops/creation.js";
import { add } from "../ops/elementwise.js";
import { concatenate } from "../ops/shape.js";
import { slice } from "../ops/indexing.js";

/** One graph as plain data (tensors or nested arrays). */
export interface GraphData {
  /** Node features [n, F]. */
  nodes: Tensor | NestedArray;
  /** Edges [2, E] (sources; targets), integers in [0, n). */
  edgeIndex: Tensor | number[][];
  /** Edge features [E, Fe], optional. */
  edgeFeatures?: Tensor | NestedArray | null;
}

const asT = (x: Tensor | NestedArray) => (x instanceof Tensor ? x : tensor(x as NestedArray));
const asIndex = (x: Tensor | number[][]) => (x instanceof Tensor ? x : tensor(x, { dtype: "int32" }));

/**
 *   const g = graph.batch([
 *     { nodes: [[1], [2], [3]], edgeIndex: [[0, 1], [1, 2]] },   // 0→1, 1→2
 *     { nodes: [[4], [5]], edgeIndex: [[1], [0]] },              // 1→0
 *   ]);
 *   g.edgeIndex.toArray(); // [[0, 1, 4], [1, 2, 3]]  (the second graph's nodes start at 3)
 *   g.graphIds.toArray();  // [0, 0, 0, 1, 1]
 */
export class GraphBatch implements PytreeNode {
  /** Node features [N, F] of all graphs. */
  readonly nodes: Tensor;
  /** [2, E] int32: sources (row 0) and targets (row 1), as batch-wide node ids. */
  readonly edgeIndex: Tensor;
  /** Edge features [E, Fe] or null. */
  readonly edgeFeatures: Tensor | null;
  /** [N] int32: which graph each node belongs to. */
  readonly graphIds: Tensor;
  /** Nodes per graph (static: shapes depend on it). */
  readonly nodeCounts: readonly number[];
  /** Edges per graph (static). */
  readonly edgeCounts: readonly number[];
  /**
   * The most edges any node receives (static; null when the batch was built
   * from traced edges). Segment max over targets uses it under `jit`.
   */
  readonly maxInDegree: number | null;

  constructor(f: { nodes: Tensor; edgeIndex: Tensor; edgeFeatures?: Tensor | null; graphIds: Tensor; nodeCounts: readonly number[]; edgeCounts: readonly number[]; maxInDegree?: number | null }) {
    this.nodes = f.nodes;
    this.edgeIndex = f.edgeIndex;
    this.edgeFeatures = f.edgeFeatures ?? null;
    this.graphIds = f.graphIds;
    this.nodeCounts = [...f.nodeCounts];
    this.edgeCounts = [...f.edgeCounts];
    this.maxInDegree = f.maxInDegree ?? (f.edgeIndex instanceof ConcreteTensor ? maxInDegreeOf(f.edgeIndex) : null);
  }

  get numGraphs(): number {
    return this.nodeCounts.length;
  }

  get numNodes(): number {
    return this.nodes.shape[0]!;
  }

  get numEdges(): number {
    return this.edgeIndex.shape[1]!;
  }

  /** Source node of every edge, [E]. */
  get sources(): Tensor {
    return this.edgeIndex.slice(0);
  }

  /** Target node of every edge, [E]. */
  get targets(): Tensor {
    return this.edgeIndex.slice(1);
  }

  /** Index of each graph's first node, [numGraphs] (static). */
  get nodeOffsets(): number[] {
    return offsets(this.nodeCounts);
  }

  /** The same graphs with new node features [N, F'] (e.g. a layer's output). */
  withNodes(nodes: Tensor): GraphBatch {
    if (nodes.ndim < 1 || nodes.shape[0] !== this.numNodes) throw new ShapeError(`GraphBatch.withNodes: expected ${this.numNodes} rows, got node features of shape ${fmtShape(nodes.shape)}`);
    return new GraphBatch({ ...this, nodes });
  }

  /** The graphs one by one, with their own node numbering. */
  unbatch(): { nodes: Tensor; edgeIndex: Tensor; edgeFeatures: Tensor | null }[] {
    const nOff = offsets(this.nodeCounts), eOff = offsets(this.edgeCounts);
    return this.nodeCounts.map((n, g) => {
      const e0 = eOff[g]!, e1 = e0 + this.edgeCounts[g]!;
      return {
        nodes: slice(this.nodes, [nOff[g]!, nOff[g]! + n]),
        edgeIndex: add(slice(this.edgeIndex, ":", [e0, e1]), -nOff[g]!),
        edgeFeatures: this.edgeFeatures ? slice(this.edgeFeatures, [e0, e1]) : null,
      };
    });
  }

  [PYTREE]() {
    const { nodeCounts, edgeCounts, maxInDegree } = this;
    return {
      children: [this.nodes, this.edgeIndex, this.edgeFeatures, this.graphIds],
      aux: { nodeCounts, edgeCounts, maxInDegree },
      rebuild: ([nodes, edgeIndex, edgeFeatures, graphIds]: unknown[]) =>
        new GraphBatch({ nodes: nodes as Tensor, edgeIndex: edgeIndex as Tensor, edgeFeatures: edgeFeatures as Tensor | null, graphIds: graphIds as Tensor, nodeCounts, edgeCounts, maxInDegree }),
    };
  }
}

/** The largest number of edges with the same target (row 1). */
function maxInDegreeOf(edgeIndex: ConcreteTensor): number {
  const d = edgeIndex.data(), E = edgeIndex.shape[1]!;
  const counts = new Map<number, number>();
  let most = 0;
  for (let e = 0; e < E; e++) {
    const c = (counts.get(d[E + e]!) ?? 0) + 1;
    counts.set(d[E + e]!, c);
    if (c > most) most = c;
  }
  return most;
}

function offsets(counts: readonly number[]): number[] {
  const out: number[] = [];
  let s = 0;
  for (const c of counts) {
    out.push(s);
    s += c;
  }
  return out;
}

/** Checks one graph's tensors; reads edge indices when they are concrete (outside jit). */
function checkGraph(g: number, nodes: Tensor, edgeIndex: Tensor, edgeFeatures: Tensor | null): void {
  const where = `graph.batch: graph ${g}`;
  if (nodes.ndim < 1) throw new ShapeError(`${where}: node features must be [n, ...], got shape ${fmtShape(nodes.shape)}`);
  if (edgeIndex.dtype !== "int32") throw new DTypeError(`${where}: edgeIndex must be int32, got ${edgeIndex.dtype}`);
  if (edgeIndex.ndim !== 2 || edgeIndex.shape[0] !== 2) throw new ShapeError(`${where}: edgeIndex must be [2, E] (sources; targets), got shape ${fmtShape(edgeIndex.shape)}`);
  const n = nodes.shape[0]!;
  if (edgeIndex instanceof ConcreteTensor) {
    const d = edgeIndex.data();
    for (let i = 0; i < d.length; i++) {
      if (d[i]! < 0 || d[i]! >= n) throw new IndexError(`${where}: edge ${i % edgeIndex.shape[1]!} ${i < edgeIndex.shape[1]! ? "source" : "target"} is node ${d[i]}, but the graph has ${n} nodes`);
    }
  }
  if (edgeFeatures && (edgeFeatures.ndim < 1 || edgeFeatures.shape[0] !== edgeIndex.shape[1])) {
    throw new ShapeError(`${where}: edgeFeatures must have one row per edge (${edgeIndex.shape[1]}), got shape ${fmtShape(edgeFeatures.shape)}`);
  }
}

/** Batches graphs into one GraphBatch (node ids shifted by each graph's offset). */
export function batch(graphs: readonly GraphData[]): GraphBatch {
  if (graphs.length === 0) throw new ValueError("graph.batch: needs at least one graph");
  const nodes: Tensor[] = [], edges: Tensor[] = [], feats: Tensor[] = [];
  const nodeCounts: number[] = [], edgeCounts: number[] = [];
  const withFeatures = graphs.map((g) => g.edgeFeatures !== undefined && g.edgeFeatures !== null);
  if (withFeatures.some((w) => w !== withFeatures[0])) throw new ValueError("graph.batch: either every graph has edgeFeatures or none has");
  let offset = 0;
  graphs.forEach((g, i) => {
    const x = asT(g.nodes), e = asIndex(g.edgeIndex);
    const ef = g.edgeFeatures ? asT(g.edgeFeatures) : null;
    checkGraph(i, x, e, ef);
    if (i > 0 && (x.dtype !== nodes[0]!.dtype || x.shape.slice(1).join() !== nodes[0]!.shape.slice(1).join())) {
      throw new ShapeError(`graph.batch: graph ${i} has node features ${x.dtype}${fmtShape(x.shape)}, graph 0 has ${nodes[0]!.dtype}${fmtShape(nodes[0]!.shape)}; features must agree after axis 0`);
    }
    nodes.push(x);
    edges.push(offset === 0 ? e : add(e, offset));
    if (ef) feats.push(ef);
    nodeCounts.push(x.shape[0]!);
    edgeCounts.push(e.shape[1]!);
    offset += x.shape[0]!;
  });
  const ids = new Int32Array(offset);
  let k = 0;
  nodeCounts.forEach((n, g) => ids.fill(g, k, (k += n)));
  return new GraphBatch({
    nodes: concatenate(nodes, 0),
    edgeIndex: concatenate(edges, 1),
    edgeFeatures: feats.length ? concatenate(feats, 0) : null,
    graphIds: tensor(ids, { dtype: "int32" }),
    nodeCounts,
    edgeCounts,
  });
}

/** One graph as a batch of one. */
export function single(g: GraphData): GraphBatch {
  return batch([g]);
}

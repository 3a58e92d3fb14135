/** What the graph layers share: reading edges from a GraphBatch or a bare edge index. */
import { DTypeError, ShapeError, fmtShape } from "../../core/errors.js";
import { Tensor } from "../../core/tensor.js";
import { GraphBatch } from "../../graph/batch.js";

export interface Edges {
  /** Source node of each edge, [E]. */
  sources: Tensor;
  /** Target node of each edge, [E]. */
  targets: Tensor;
  edgeFeatures: Tensor | null;
  edgeIndex: Tensor;
  /** The most edges any node receives, when known statically (see GraphBatch.maxInDegree). */
  maxInDegree: number | undefined;
}

/** The edges of `graph` (a GraphBatch or an edge index [2, E]) for node features x [N, F]. */
export function edgesOf(op: string, x: Tensor, graph: GraphBatch | Tensor): Edges {
  if (x.ndim !== 2) throw new ShapeError(`${op}: node features must be [nodes, features], got ${fmtShape(x.shape)}`);
  const edgeIndex = graph instanceof GraphBatch ? graph.edgeIndex : graph;
  if (!(edgeIndex instanceof Tensor)) throw new ShapeError(`${op}: expected a GraphBatch or an edge index tensor [2, E]`);
  if (edgeIndex.dtype !== "int32") throw new DTypeError(`${op}: the edge index must be int32, got ${edgeIndex.dtype}`);
  if (edgeIndex.ndim !== 2 || edgeIndex.shape[0] !== 2) throw new ShapeError(`${op}: the edge index must be [2, E] (sources; targets), got ${fmtShape(edgeIndex.shape)}`);
  if (graph instanceof GraphBatch && graph.numNodes !== x.shape[0]) {
    throw new ShapeError(`${op}: the graph has ${graph.numNodes} nodes but the node features are ${fmtShape(x.shape)}`);
  }
  return {
    sources: edgeIndex.slice(0),
    targets: edgeIndex.slice(1),
    edgeFeatures: graph instanceof GraphBatch ? graph.edgeFeatures : null,
    edgeIndex,
    maxInDegree: graph instanceof GraphBatch ? graph.maxInDegree ?? undefined : undefined,
  };
}

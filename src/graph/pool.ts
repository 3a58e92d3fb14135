/**
 * Readouts: one vector per graph from its nodes' vectors, for graph-level
 * prediction. out[g] = Σ / mean / max over the nodes of graph g.
 *
 *   const perGraph = graph.meanPool(h, g); // [g.numGraphs, F]
 */
import type { Tensor } from "../core/tensor.js";
import type { GraphBatch } from "./batch.js";
import { segmentMax, segmentMean, segmentSum } from "./segment.js";

export const sumPool = (x: Tensor, g: GraphBatch): Tensor => segmentSum(x, g.graphIds, g.numGraphs);
export const meanPool = (x: Tensor, g: GraphBatch): Tensor => segmentMean(x, g.graphIds, g.numGraphs);
export const maxPool = (x: Tensor, g: GraphBatch): Tensor => segmentMax(x, g.graphIds, g.numGraphs, { maxSegmentSize: Math.max(1, ...g.nodeCounts) });

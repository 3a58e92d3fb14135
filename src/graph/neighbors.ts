/** Building edges from geometry: k nearest neighbours within each graph, and self-loops. */
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import * as lax from "../primitives/lax.js";
import { arange, eye, tensor } from "../ops/creation.js";
import { add, logicalNot, logicalOr, mul, sub, where } from "../ops/elementwise.js";
import { matmul } from "../ops/matmul.js";
import { sum } from "../ops/reduce.js";
import { concatenate, expandDims, reshape, repeat, stack, swapaxes } from "../ops/shape.js";
import { slice } from "../ops/indexing.js";
import { stopGradient } from "../transforms/custom.js";
import { denseMask, fromDense, maxNodesOf, toDense } from "./dense.js";

export interface KnnOptions {
  /** Nodes per graph when `points` stacks several graphs (default: one graph). */
  nodeCounts?: readonly number[];
  /** Count a point as its own neighbour (default false). */
  loop?: boolean;
}

/**
 * For every point, the indices of its k nearest points (Euclidean, same
 * graph only), nearest first: [N, k] int32 in batch-wide numbering. An index
 * computation, so it carries no gradient; layers that weight neighbours by
 * distance recompute the distances from the points they gather.
 *
 *   graph.knn(fx.tensor([[0], [1], [3], [10]]), 1).toArray(); // [[1], [0], [1], [2]]
 */
export function knn(points: Tensor, k: number, opts: KnnOptions = {}): Tensor {
  if (points.ndim !== 2) throw new ShapeError(`knn: points must be [N, D], got shape ${fmtShape(points.shape)}`);
  const N = points.shape[0]!;
  const counts = opts.nodeCounts ?? [N];
  const loop = opts.loop ?? false;
  const smallest = Math.min(...counts);
  if (!Number.isInteger(k) || k < 1 || k > smallest - (loop ? 0 : 1)) {
    throw new ValueError(`knn: k must be an integer from 1 to ${smallest - (loop ? 0 : 1)} (the smallest graph has ${smallest} points${loop ? "" : ", not counting the point itself"}), got ${k}`);
  }
  const M = maxNodesOf(counts), B = counts.length;
  const p = toDense(stopGradient(points), counts); // [B, M, D]
  const sq = sum(mul(p, p), -1); // [B, M]
  const d2 = sub(add(expandDims(sq, 2), expandDims(sq, 1)), mul(matmul(p, swapaxes(p, 1, 2)), 2)); // [B, M, M]
  // Padding slots and (without loops) the point itself go last.
  let excluded = logicalNot(expandDims(denseMask(counts), 1)); // [B, 1, M]
  if (!loop) excluded = logicalOr(excluded, eye(M, M, 0, "bool"));
  const order = lax.argsort(where(excluded, Infinity, d2), 2);
  const nearest = slice(order, ":", ":", [0, k]); // [B, M, k] local ids
  const offsets = new Int32Array(B);
  for (let g = 1; g < B; g++) offsets[g] = offsets[g - 1]! + counts[g - 1]!;
  const global = add(nearest, reshape(tensor(offsets, { dtype: "int32" }), [B, 1, 1]));
  return fromDense(global, counts);
}

/**
 * Edges [2, N·k] from each point's k nearest neighbours to the point itself
 * (sources = neighbours, targets = the point), ready for a message-passing layer.
 */
export function knnGraph(points: Tensor, k: number, opts: KnnOptions = {}): Tensor {
  const nbr = knn(points, k, opts);
  const N = points.shape[0]!;
  return stack([reshape(nbr, [N * k]), repeat(arange(0, N, 1, "int32"), k, 0)], 0);
}

/** edgeIndex [2, E] with an edge i → i appended for every node: [2, E + numNodes]. */
export function addSelfLoops(edgeIndex: Tensor, numNodes: number): Tensor {
  if (edgeIndex.ndim !== 2 || edgeIndex.shape[0] !== 2) throw new ShapeError(`addSelfLoops: edgeIndex must be [2, E], got shape ${fmtShape(edgeIndex.shape)}`);
  const ids = arange(0, numNodes, 1, "int32");
  return concatenate([edgeIndex, stack([ids, ids], 0)], 1);
}

/**
 * Between the ragged node stack [N, ...] of a graph batch and a padded
 * per-graph layout [numGraphs, maxNodes, ...], for work that is dense within
 * a graph (pairwise distances, nearest neighbours). Both directions are a
 * gather/scatter with indices computed from the static node counts, so they
 * are differentiable and need no data-dependent shapes.
 */
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { tensor, zeros } from "../ops/creation.js";
import { scatterAdd, take } from "../ops/indexing.js";
import { reshape } from "../ops/shape.js";

/** Row of each node in the flattened padded layout [numGraphs · maxNodes]. */
function denseRows(nodeCounts: readonly number[], maxNodes: number): Int32Array {
  const total = nodeCounts.reduce((a, b) => a + b, 0);
  const rows = new Int32Array(total);
  let i = 0;
  nodeCounts.forEach((n, g) => {
    for (let p = 0; p < n; p++) rows[i++] = g * maxNodes + p;
  });
  return rows;
}

const isUniform = (counts: readonly number[]) => counts.every((c) => c === counts[0]);

export function maxNodesOf(nodeCounts: readonly number[]): number {
  return nodeCounts.reduce((a, b) => Math.max(a, b), 0);
}

/**
 * x [N, ...] → [numGraphs, maxNodes, ...], zero rows after each graph's nodes.
 *
 *   graph.toDense(fx.tensor([[1], [2], [3]]), [2, 1]).toArray(); // [[[1], [2]], [[3], [0]]]
 */
export function toDense(x: Tensor, nodeCounts: readonly number[]): Tensor {
  const N = nodeCounts.reduce((a, b) => a + b, 0);
  if (nodeCounts.length === 0) throw new ValueError("toDense: needs at least one graph");
  if (x.ndim < 1 || x.shape[0] !== N) throw new ShapeError(`toDense: node counts [${nodeCounts.join(", ")}] add up to ${N} nodes, got a tensor of shape ${fmtShape(x.shape)}`);
  const M = maxNodesOf(nodeCounts), B = nodeCounts.length, rest = x.shape.slice(1);
  if (isUniform(nodeCounts)) return reshape(x, [B, M, ...rest]);
  const rows = tensor(denseRows(nodeCounts, M), { dtype: "int32" });
  return reshape(scatterAdd(zeros([B * M, ...rest], x.dtype), rows, x, 0), [B, M, ...rest]);
}

/** The inverse of toDense: [numGraphs, maxNodes, ...] → [N, ...], dropping the padding rows. */
export function fromDense(d: Tensor, nodeCounts: readonly number[]): Tensor {
  const M = maxNodesOf(nodeCounts), B = nodeCounts.length;
  if (d.ndim < 2 || d.shape[0] !== B || d.shape[1] !== M) throw new ShapeError(`fromDense: expected [${B}, ${M}, ...] for node counts [${nodeCounts.join(", ")}], got ${fmtShape(d.shape)}`);
  const rest = d.shape.slice(2);
  const flat = reshape(d, [B * M, ...rest]);
  if (isUniform(nodeCounts)) return flat;
  return take(flat, tensor(denseRows(nodeCounts, M), { dtype: "int32" }), 0);
}

/** [numGraphs, maxNodes] bool: true where a padded slot holds a real node. */
export function denseMask(nodeCounts: readonly number[]): Tensor {
  const M = maxNodesOf(nodeCounts);
  const m = new Uint8Array(nodeCounts.length * M);
  nodeCounts.forEach((n, g) => m.fill(1, g * M, g * M + n));
  return tensor(m, { dtype: "bool", shape: [nodeCounts.length, M] });
}

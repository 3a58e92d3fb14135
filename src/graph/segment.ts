/**
 * Segment reductions: combine the rows of `data` that share a segment id.
 * They are the aggregation step of message passing (messages along edges
 * → one value per target node) and the readout of graph batches (nodes →
 * one value per graph). All are composites of primitives (scatter-add,
 * gather, argsort, max, where), so grad, vmap and jit apply.
 */
import { DTypeError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { ConcreteTensor, type Tensor } from "../core/tensor.js";
import { isFloat } from "../core/dtype.js";
import * as lax from "../primitives/lax.js";
import { asTensor, type ArrayLike } from "../ops/convert.js";
import { arange, zeros } from "../ops/creation.js";
import { add, div, equal, exp, greater, less, maximum, mul, sub, where } from "../ops/elementwise.js";
import { scatterAdd, take } from "../ops/indexing.js";
import { pad, reshape } from "../ops/shape.js";
import { cumsum, max } from "../ops/reduce.js";
import { stopGradient } from "../transforms/custom.js";

function checkSegments(op: string, data: Tensor, ids: Tensor, numSegments: number): void {
  if (ids.dtype !== "int32" && ids.dtype !== "uint8") throw new DTypeError(`${op}: segment ids must be int32, got ${ids.dtype}`);
  if (ids.ndim !== 1) throw new ShapeError(`${op}: segment ids must be 1-D, got shape ${fmtShape(ids.shape)}`);
  if (data.ndim < 1 || data.shape[0] !== ids.shape[0]) {
    throw new ShapeError(`${op}: data of shape ${fmtShape(data.shape)} needs one segment id per row on axis 0, got ids of shape ${fmtShape(ids.shape)}`);
  }
  if (!Number.isInteger(numSegments) || numSegments < 0) throw new ValueError(`${op}: numSegments must be a non-negative integer, got ${numSegments}`);
}

/** ids as int32 (uint8 ids are accepted too). */
const idsOf = (segmentIds: ArrayLike) => {
  const t = asTensor(segmentIds);
  return t.dtype === "uint8" ? lax.cast(t, "int32") : t;
};

/**
 * out[s] = Σ_{i : ids[i] = s} data[i]; out has shape [numSegments, ...data.shape[1:]].
 * Ids outside [0, numSegments) throw (scatter-add checks them).
 *
 *   graph.segmentSum(fx.tensor([1, 2, 3]), fx.tensor([0, 0, 2], { dtype: "int32" }), 3); // [3, 0, 3]
 */
export function segmentSum(data: ArrayLike, segmentIds: ArrayLike, numSegments: number): Tensor {
  const x = asTensor(data), ids = idsOf(segmentIds);
  checkSegments("segmentSum", x, ids, numSegments);
  return scatterAdd(zeros([numSegments, ...x.shape.slice(1)], x.dtype), ids, x, 0);
}

/** The number of rows in each segment, as a float tensor [numSegments] of `dtype`. */
export function segmentCount(segmentIds: ArrayLike, numSegments: number, dtype: "float32" | "float64" = "float32"): Tensor {
  const ids = idsOf(segmentIds);
  return scatterAdd(zeros([numSegments], dtype), ids, 1, 0);
}

/** Broadcasts a per-segment [numSegments] vector against [numSegments, ...rest]. */
function perRow(v: Tensor, like: Tensor): Tensor {
  return reshape(v, [v.shape[0]!, ...like.shape.slice(1).map(() => 1)]);
}

/** out[s] = mean of the rows of segment s; 0 for an empty segment. */
export function segmentMean(data: ArrayLike, segmentIds: ArrayLike, numSegments: number): Tensor {
  const x = asTensor(data), ids = idsOf(segmentIds);
  checkSegments("segmentMean", x, ids, numSegments);
  if (!isFloat(x.dtype)) throw new DTypeError(`segmentMean: data must be float32 or float64, got ${x.dtype}`);
  const sum = segmentSum(x, ids, numSegments);
  const count = segmentCount(ids, numSegments, x.dtype as "float32" | "float64");
  return div(sum, perRow(maximum(count, 1), sum));
}

export interface SegmentMaxOptions {
  /**
   * An upper bound on the rows per segment (e.g. a graph's largest in-degree)
   * when the ids are only known while tracing under `jit`; with concrete ids
   * it is computed. Rows beyond the bound would be dropped, so it must hold.
   */
  maxSegmentSize?: number;
}

/**
 * out[s] = elementwise max of the rows of segment s; 0 for an empty segment.
 * The gradient flows to the maximal row (split evenly on exact ties).
 *
 * When the largest segment size L is known (concrete ids, or
 * `maxSegmentSize`) and the padding stays small, rows are scattered into a
 * padded [numSegments, L, ...] block (each row at its rank within its
 * segment) and reduced with one max — two passes over the data. Otherwise
 * rows are sorted by segment (argsort of the ids) and a running max doubles
 * its reach each step — after step k, row i holds the max of the up-to-2^k
 * rows of its segment ending at i — so ⌈log₂ E⌉ elementwise steps reach
 * every segment's last row, which is gathered. The windows combined in a
 * step never overlap, so no row competes with itself.
 */
export function segmentMax(data: ArrayLike, segmentIds: ArrayLike, numSegments: number, opts: SegmentMaxOptions = {}): Tensor {
  const x = asTensor(data), ids = idsOf(segmentIds);
  checkSegments("segmentMax", x, ids, numSegments);
  const E = x.shape[0]!;
  const outShape = [numSegments, ...x.shape.slice(1)];
  if (E === 0 || numSegments === 0) return zeros(outShape, x.dtype);
  let L = opts.maxSegmentSize;
  if (L !== undefined && (!Number.isInteger(L) || L < 1)) throw new ValueError(`segmentMax: maxSegmentSize must be a positive integer, got ${L}`);
  if (ids instanceof ConcreteTensor) L = largestSegment(ids.data(), numSegments);
  const count = scatterAdd(zeros([numSegments], "int32"), ids, 1, 0);
  const order = lax.argsort(ids, 0);
  const result = L !== undefined && numSegments * L <= 4 * E + 64 ? paddedMax(x, ids, count, order, numSegments, L) : doublingMax(x, ids, count, order);
  return where(perRow(greater(count, 0), result), result, 0);
}

function largestSegment(ids: { readonly length: number; readonly [i: number]: number }, numSegments: number): number {
  const counts = new Int32Array(numSegments);
  let L = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id >= 0 && id < numSegments) L = Math.max(L, ++counts[id]!);
  }
  return Math.max(L, 1);
}

/** Each row's rank within its segment: its position in the sorted order minus where its segment starts. */
function rankInSegment(ids: Tensor, count: Tensor, order: Tensor): Tensor {
  const E = ids.shape[0]!;
  const positions = scatterAdd(zeros([E], "int32"), order, arange(0, E, 1, "int32"), 0);
  const starts = sub(cumsum(count, 0), count);
  return sub(positions, take(starts, ids, 0));
}

function paddedMax(x: Tensor, ids: Tensor, count: Tensor, order: Tensor, S: number, L: number): Tensor {
  const rest = x.shape.slice(1);
  const slot = add(mul(ids, L), rankInSegment(ids, count, order));
  const block = reshape(scatterAdd(zeros([S * L, ...rest], x.dtype), slot, x, 0), [S, L, ...rest]);
  const filled = less(reshape(arange(0, L, 1, "int32"), [1, L]), reshape(count, [S, 1]));
  return max(where(reshape(filled, [S, L, ...rest.map(() => 1)]), block, -Infinity), 1);
}

function doublingMax(x: Tensor, ids: Tensor, count: Tensor, order: Tensor): Tensor {
  const E = x.shape[0]!;
  const sortedIds = take(ids, order, 0);
  let run = take(x, order, 0);
  const rowPad = (t: Tensor, d: number): [number, number][] => t.shape.map((_, a) => (a === 0 ? [d, 0] : [0, 0]) as [number, number]);
  const mask = (m: Tensor) => reshape(m, [E, ...x.shape.slice(1).map(() => 1)]);
  for (let d = 1; d < E; d *= 2) {
    const prevIds = pad(lax.slice(sortedIds, [0], [E - d]), [[d, 0]], -1);
    const prev = pad(lax.slice(run, run.shape.map(() => 0), [E - d, ...run.shape.slice(1)]), rowPad(run, d));
    run = where(mask(equal(prevIds, sortedIds)), maximum(run, prev), run);
  }
  // The last sorted row of segment s is at (rows in segments ≤ s) − 1; empty segments read row 0 and are zeroed by the caller.
  const last = maximum(sub(cumsum(count, 0), 1), 0);
  return take(run, last, 0);
}

/** out[s] = elementwise min of the rows of segment s; 0 for an empty segment. */
export function segmentMin(data: ArrayLike, segmentIds: ArrayLike, numSegments: number, opts: SegmentMaxOptions = {}): Tensor {
  return segmentMax(asTensor(data).neg(), segmentIds, numSegments, opts).neg();
}

/**
 * Softmax within each segment: out[i] = exp(x[i]) / Σ_{j : ids[j] = ids[i]} exp(x[j]),
 * for every column of x [E, ...]. Used for attention over a node's incoming
 * edges. The per-segment max is subtracted first (softmax does not change
 * when a constant is subtracted), so large logits do not overflow.
 */
export function segmentSoftmax(data: ArrayLike, segmentIds: ArrayLike, numSegments: number, opts: SegmentMaxOptions = {}): Tensor {
  const x = asTensor(data), ids = idsOf(segmentIds);
  checkSegments("segmentSoftmax", x, ids, numSegments);
  if (!isFloat(x.dtype)) throw new DTypeError(`segmentSoftmax: data must be float32 or float64, got ${x.dtype}`);
  const m = stopGradient(segmentMax(x, ids, numSegments, opts));
  const e = exp(sub(x, take(m, ids, 0)));
  const total = segmentSum(e, ids, numSegments);
  return div(e, take(total, ids, 0));
}

/** log-sum-exp, softmax and log-softmax, stable for logits of any magnitude: each subtracts the max first. */
import { isFloat } from "../core/dtype.js";
import { normalizeAxes, normalizeAxis } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import * as lax from "../primitives/lax.js";
import { asTensor, type ArrayLike } from "./convert.js";
import type { Axis } from "./reduce.js";

/**
 * log softmax(x) = x − logsumexp(x), computed as (x − m) − log Σ exp(x − m)
 * with m the (constant) max, so the result is accurate for logits of any
 * magnitude, not just finite: large logits lose no precision to the subtraction.
 */
export function logSoftmax(x: ArrayLike, axis = -1): Tensor {
  let t = asTensor(x);
  if (!isFloat(t.dtype)) t = lax.cast(t, "float32");
  const a = normalizeAxis("logSoftmax", axis, t.ndim);
  const shifted = lax.sub(t, maxShift(t, [a]));
  const lse = logsumexp(shifted, a, true);
  // A slice of all −∞ has lse = −∞; subtracting 0 instead keeps it −∞ (softmax 0) rather than NaN.
  const safe = lax.select(lax.eq(lse, lax.cst(-Infinity, lse)), lax.cst(0, lse), lse);
  return lax.sub(shifted, safe);
}

/** softmax(x)_i = e^(x_i − max x) / Σ_j e^(x_j − max x). */
export function softmax(x: ArrayLike, axis = -1): Tensor {
  const t = asTensor(x);
  normalizeAxis("softmax", axis, t.ndim);
  return lax.exp(logSoftmax(t, axis));
}

/**
 * The max over `axes` (kept as size-1 axes), treated as a constant, to subtract
 * before exponentiating. 0 where the max is ±∞ (so ∞ − ∞ never happens) and on
 * an empty axis (max has no identity there).
 */
function maxShift(t: Tensor, axes: number[]): Tensor {
  const keptShape = t.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  if (axes.some((a) => t.shape[a] === 0)) return lax.broadcastTo(lax.cst(0, t), keptShape);
  const mk = lax.reshape(lax.stopGradient(lax.unaryReduce("reduce_max", t, axes)), keptShape);
  const finite = lax.lt(lax.abs(mk), lax.cst(Infinity, mk));
  return lax.select(finite, mk, lax.cst(0, mk));
}

/**
 * log Σ exp(x), stable for any magnitude: the max is subtracted first (and
 * treated as a constant, so the gradient is exactly softmax). A slice of all
 * −∞ (or an empty one) gives −∞ with a zero gradient, not NaN.
 */
export function logsumexp(x: ArrayLike, axis?: Axis, keepdims = false): Tensor {
  let t = asTensor(x);
  if (!isFloat(t.dtype)) t = lax.cast(t, "float32");
  const axes = normalizeAxes("logsumexp", axis, t.ndim);
  const shift = maxShift(t, axes);
  const s = lax.unaryReduce("reduce_sum", lax.exp(lax.sub(t, shift)), axes);
  // An empty sum (every element −∞) gives −∞; log is taken of 1 there so no ∞·0 reaches the gradient.
  const empty = lax.eq(s, lax.cst(0, s));
  const logS = lax.log(lax.select(empty, lax.cst(1, s), s));
  const out = lax.select(empty, lax.cst(-Infinity, s), lax.add(logS, lax.reshape(shift, s.shape)));
  return keepdims ? lax.reshape(out, shift.shape) : out;
}

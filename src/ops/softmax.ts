/** Softmax and log-softmax over an axis, stable for logits of any magnitude. */
import { isFloat } from "../core/dtype.js";
import { normalizeAxis } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import * as lax from "../primitives/lax.js";
import { asTensor, type ArrayLike } from "./convert.js";
import { logsumexp, maxShift } from "./reduce.js";

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

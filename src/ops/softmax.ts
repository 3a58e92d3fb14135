/** Softmax and log-softmax over an axis, stable for logits of any magnitude. */
import { isFloat } from "../core/dtype.js";
import { normalizeAxis } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import * as lax from "../primitives/lax.js";
import { asTensor, type ArrayLike } from "./convert.js";
import { logsumexp } from "./reduce.js";

/** log softmax(x) = x − logsumexp(x). */
export function logSoftmax(x: ArrayLike, axis = -1): Tensor {
  let t = asTensor(x);
  if (!isFloat(t.dtype)) t = lax.cast(t, "float32");
  const a = normalizeAxis("logSoftmax", axis, t.ndim);
  const lse = logsumexp(t, a, true);
  // A slice of all −∞ has lse = −∞; subtracting 0 instead keeps it −∞ (softmax 0) rather than NaN.
  const safe = lax.select(lax.eq(lse, lax.cst(-Infinity, lse)), lax.cst(0, lse), lse);
  return lax.sub(t, safe);
}

/** softmax(x)_i = e^(x_i − max x) / Σ_j e^(x_j − max x). */
export function softmax(x: ArrayLike, axis = -1): Tensor {
  return lax.exp(logSoftmax(x, axis));
}

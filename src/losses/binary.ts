/** Binary classification losses, on probabilities and on logits. */
import type { Tensor } from "../core/tensor.js";
import type { ArrayLike } from "../ops/convert.js";
import { add, clip, log, mul, neg, softplus, sub } from "../ops/elementwise.js";
import { pairOf, reduce, type LossOptions } from "./reduction.js";

/** Probabilities are kept this far from 0 and 1 so the logs stay finite. */
export function probabilityEpsilon(dtype: Tensor["dtype"]): number {
  return dtype === "float64" ? 1e-12 : 1e-7;
}

/**
 * Binary cross-entropy of probabilities p against targets z ∈ [0, 1]:
 * −(z·log p + (1 − z)·log(1 − p)). p is first clipped to [ε, 1 − ε]
 * (ε = 1e-7 in float32, 1e-12 in float64) so p = 0 or 1 gives a large finite
 * loss, not ∞; the gradient is 0 where the clip is active. Prefer
 * `sigmoidBinaryCrossEntropy` on logits, which needs no clipping.
 *
 *   losses.binaryCrossEntropy(fx.tensor([0.9]), fx.tensor([1])).item(); // −log 0.9 ≈ 0.105
 */
export function binaryCrossEntropy(pred: ArrayLike, target: ArrayLike, opts: LossOptions = {}): Tensor {
  const [p, z] = pairOf("binaryCrossEntropy", pred, target);
  const eps = probabilityEpsilon(p.dtype);
  const pc = clip(p, eps, 1 - eps);
  const losses = neg(add(mul(z, log(pc)), mul(sub(1, z), log(sub(1, pc)))));
  return reduce("binaryCrossEntropy", losses, opts.reduction);
}

/**
 * Binary cross-entropy of logits x against targets z ∈ [0, 1], i.e. of
 * σ(x): softplus(x) − x·z, which equals max(x, 0) − x·z + log(1 + e^(−|x|))
 * and never overflows. The gradient is σ(x) − z everywhere, including x = 0
 * (where it is exactly ½ − z).
 *
 *   losses.sigmoidBinaryCrossEntropy(fx.tensor([0]), fx.tensor([1])).item(); // log 2
 */
export function sigmoidBinaryCrossEntropy(logits: ArrayLike, target: ArrayLike, opts: LossOptions = {}): Tensor {
  const [x, z] = pairOf("sigmoidBinaryCrossEntropy", logits, target);
  return reduce("sigmoidBinaryCrossEntropy", sub(softplus(x), mul(x, z)), opts.reduction);
}

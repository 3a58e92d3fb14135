/** Regression losses: squared, absolute and Huber error. */
import type { Tensor } from "../core/tensor.js";
import type { ArrayLike } from "../ops/convert.js";
import { abs, add, minimum, mul, square, sub } from "../ops/elementwise.js";
import { ValueError } from "../core/errors.js";
import { pairOf, reduce, type LossOptions } from "./reduction.js";

/**
 * Mean squared error: (pred − target)², reduced.
 *
 *   losses.mse(fx.tensor([1, 2]), fx.tensor([1, 4])).item(); // (0 + 4) / 2 = 2
 */
export function mse(pred: ArrayLike, target: ArrayLike, opts: LossOptions = {}): Tensor {
  const [p, t] = pairOf("mse", pred, target);
  return reduce("mse", square(sub(p, t)), opts.reduction);
}

/**
 * Mean absolute error: |pred − target|, reduced (its gradient at 0 is 0).
 *
 *   losses.mae(fx.tensor([1, 2]), fx.tensor([0, 4])).item(); // (1 + 2) / 2 = 1.5
 */
export function mae(pred: ArrayLike, target: ArrayLike, opts: LossOptions = {}): Tensor {
  const [p, t] = pairOf("mae", pred, target);
  return reduce("mae", abs(sub(p, t)), opts.reduction);
}

export interface HuberOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (default 1). */
  delta?: number;
}

/**
 * Huber loss with d = pred − target: ½d² where |d| ≤ δ, else δ(|d| − ½δ)
 * (PyTorch's `HuberLoss`). Written as ½q² + δ(|d| − q) with q = min(|d|, δ),
 * which is the same function with a gradient that stays continuous at |d| = δ.
 *
 *   losses.huber(fx.tensor([0.5, 3]), fx.tensor([0, 0]), { delta: 1 }).item(); // (0.125 + 2.5) / 2
 */
export function huber(pred: ArrayLike, target: ArrayLike, opts: HuberOptions = {}): Tensor {
  const delta = opts.delta ?? 1;
  if (!(delta > 0) || !Number.isFinite(delta)) throw new ValueError(`huber: delta must be a positive finite number, got ${delta}`);
  const [p, t] = pairOf("huber", pred, target);
  const a = abs(sub(p, t));
  const q = minimum(a, delta);
  const losses = add(mul(square(q), 0.5), mul(sub(a, q), delta));
  return reduce("huber", losses, opts.reduction);
}

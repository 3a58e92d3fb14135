/** Margin losses. */
import type { Tensor } from "../core/tensor.js";
import type { ArrayLike } from "../ops/convert.js";
import { mul, relu, sub } from "../ops/elementwise.js";
import { pairOf, reduce, type LossOptions } from "./reduction.js";

/**
 * Hinge loss of scores s against labels y ∈ {−1, +1}: max(0, 1 − y·s),
 * elementwise (the loss of a linear SVM).
 *
 *   losses.hinge(fx.tensor([0.5, -2]), fx.tensor([1, -1])).item(); // (0.5 + 0) / 2
 */
export function hinge(scores: ArrayLike, target: ArrayLike, opts: LossOptions = {}): Tensor {
  const [s, y] = pairOf("hinge", scores, target);
  return reduce("hinge", relu(sub(1, mul(y, s))), opts.reduction);
}

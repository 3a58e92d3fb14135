/** Kullback–Leibler divergence between distributions. */
import { ShapeError, fmtShape } from "../core/errors.js";
import { normalizeAxis, shapesEqual } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { asTensor, type ArrayLike } from "../ops/convert.js";
import { astype, greater, log, mul, sub, where } from "../ops/elementwise.js";
import { sum } from "../ops/reduce.js";
import { floatInput, reduce } from "./reduction.js";
import type { CategoricalOptions } from "./categorical.js";

/**
 * KL(target ‖ pred) = Σ_c target_c · (log target_c − logPred_c) over the class
 * axis, with pred given as log-probabilities (as PyTorch's `KLDivLoss` and
 * Optax's `kl_divergence`) and target as probabilities. Terms with
 * target_c = 0 count as 0 (0·log 0 = 0) and do not produce NaN gradients.
 * Per example with reduction "none"; "mean" averages over examples
 * (PyTorch's "batchmean").
 *
 *   const logP = fx.logSoftmax(fx.tensor([[0, 0]]));
 *   losses.klDivergence(logP, fx.tensor([[1, 0]])).item(); // log 2
 */
export function klDivergence(logPred: ArrayLike, target: ArrayLike, opts: CategoricalOptions = {}): Tensor {
  const lp = floatInput(logPred);
  const t = astype(asTensor(target), lp.dtype);
  if (!shapesEqual(lp.shape, t.shape)) {
    throw new ShapeError(`klDivergence: log-prediction shape ${fmtShape(lp.shape)} and target shape ${fmtShape(t.shape)} must be equal`);
  }
  const axis = normalizeAxis("klDivergence", opts.axis ?? -1, lp.ndim);
  const positive = greater(t, 0);
  // log of 1 where target is 0, so neither the value nor the gradient sees log 0.
  const tLogT = where(positive, mul(t, log(where(positive, t, 1))), 0);
  const perExample = sum(sub(tLogT, mul(t, lp)), axis);
  return reduce("klDivergence", perExample, opts.reduction);
}

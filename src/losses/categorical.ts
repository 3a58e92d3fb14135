/** Multi-class losses: softmax cross-entropy (one-hot or integer labels) and NLL. */
import { shapesEqual, normalizeAxis } from "../core/shape.js";
import { ShapeError, fmtShape } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { asTensor, type ArrayLike } from "../ops/convert.js";
import { arange } from "../ops/creation.js";
import { equal, mul, neg, where } from "../ops/elementwise.js";
import { sum } from "../ops/reduce.js";
import { expandDims, reshape } from "../ops/shape.js";
import { logSoftmax } from "../ops/softmax.js";
import { astype } from "../ops/elementwise.js";
import { checkLabels, floatInput, reduce, type LossOptions } from "./reduction.js";

export interface CategoricalOptions extends LossOptions {
  /** The class axis of the scores (default −1, the last). */
  axis?: number;
}

/**
 * A boolean mask of the scores' shape, true at each example's label: labels
 * expanded on the class axis compared with 0..C−1 laid along that axis.
 */
function labelMask(scores: Tensor, labels: Tensor, axis: number): Tensor {
  const n = scores.shape[axis]!;
  const classes = reshape(arange(0, n, 1, "int32"), scores.shape.map((d, i) => (i === axis ? n : 1)));
  return equal(astype(expandDims(labels, axis), "int32"), classes);
}

/** Σ over the class axis of the scores at the labels (a select, so −∞ elsewhere is harmless). */
function pickLabels(scores: Tensor, labels: Tensor, axis: number): Tensor {
  return sum(where(labelMask(scores, labels, axis), scores, 0), axis);
}

/**
 * Cross-entropy of softmax(logits) against target distributions (one-hot or
 * any probabilities) on the class axis: −Σ_c target_c · log softmax(logits)_c.
 * Computed through log-softmax, so logits of any magnitude stay finite.
 * With reduction "none" the result has one loss per example (the class axis
 * removed); "mean" averages those.
 *
 *   losses.softmaxCrossEntropy(fx.tensor([[2, 0]]), fx.tensor([[1, 0]])).item(); // log(1 + e^−2)
 */
export function softmaxCrossEntropy(logits: ArrayLike, targets: ArrayLike, opts: CategoricalOptions = {}): Tensor {
  const x = floatInput(logits);
  const t = astype(asTensor(targets), x.dtype);
  if (!shapesEqual(x.shape, t.shape)) {
    throw new ShapeError(`softmaxCrossEntropy: logits shape ${fmtShape(x.shape)} and targets shape ${fmtShape(t.shape)} must be equal (for integer labels use softmaxCrossEntropyWithIntegerLabels)`);
  }
  const axis = normalizeAxis("softmaxCrossEntropy", opts.axis ?? -1, x.ndim);
  const perExample = neg(sum(mul(t, logSoftmax(x, axis)), axis));
  return reduce("softmaxCrossEntropy", perExample, opts.reduction);
}

/**
 * Cross-entropy of softmax(logits) against integer class labels:
 * logsumexp(logits) − logits[label], per example. `labels` has the logits'
 * shape without the class axis (int32 or uint8; plain JS arrays are taken as
 * int32). Out-of-range labels throw an IndexError (checked when the labels are
 * concrete values, i.e. outside jit).
 *
 *   losses.softmaxCrossEntropyWithIntegerLabels(fx.tensor([[2, 0]]), [0]).item(); // log(1 + e^−2)
 */
export function softmaxCrossEntropyWithIntegerLabels(logits: ArrayLike, labels: ArrayLike, opts: CategoricalOptions = {}): Tensor {
  const op = "softmaxCrossEntropyWithIntegerLabels";
  const x = floatInput(logits);
  const axis = normalizeAxis(op, opts.axis ?? -1, x.ndim);
  const l = checkLabels(op, x, labels, axis);
  return reduce(op, neg(pickLabels(logSoftmax(x, axis), l, axis)), opts.reduction);
}

/**
 * Negative log-likelihood of log-probabilities (e.g. the output of
 * `fx.logSoftmax`) at integer labels: −logProbs[label], per example, as
 * PyTorch's `NLLLoss`. Labels as in `softmaxCrossEntropyWithIntegerLabels`.
 *
 *   losses.nll(fx.log(fx.tensor([[0.25, 0.75]])), [1]).item(); // −log 0.75
 */
export function nll(logProbs: ArrayLike, labels: ArrayLike, opts: CategoricalOptions = {}): Tensor {
  const x = floatInput(logProbs);
  const axis = normalizeAxis("nll", opts.axis ?? -1, x.ndim);
  const l = checkLabels("nll", x, labels, axis);
  return reduce("nll", neg(pickLabels(x, l, axis)), opts.reduction);
}

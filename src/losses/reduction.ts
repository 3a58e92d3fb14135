/** Shared plumbing of the losses: the `reduction` option and input checks. */
import { isFloat, isInteger } from "../core/dtype.js";
import { DTypeError, IndexError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { shapesEqual } from "../core/shape.js";
import { ConcreteTensor, type Tensor } from "../core/tensor.js";
import { asTensor, type ArrayLike } from "../ops/convert.js";
import { astype } from "../ops/elementwise.js";
import { mean, sum } from "../ops/reduce.js";

/** How per-element (or per-example) losses become the returned value. */
export type Reduction = "mean" | "sum" | "none";

export interface LossOptions {
  /** "mean" (default) averages, "sum" adds, "none" returns the unreduced losses. */
  reduction?: Reduction;
}

/** Applies the reduction to a tensor of per-element or per-example losses. */
export function reduce(op: string, losses: Tensor, reduction: Reduction | undefined): Tensor {
  const r = reduction ?? "mean";
  switch (r) {
    case "mean": return mean(losses);
    case "sum": return sum(losses);
    case "none": return losses;
    default:
      r satisfies never;
      throw new ValueError(`${op}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(r)}`);
  }
}

/** Predictions as a float tensor (integers compute in float32, as elsewhere in fx). */
export function floatInput(x: ArrayLike): Tensor {
  const t = asTensor(x);
  return isFloat(t.dtype) ? t : astype(t, "float32");
}

/**
 * Prediction and target of an elementwise loss, as tensors of the prediction's
 * float dtype. Shapes must match exactly: a silent broadcast of [N, 1] against
 * [N] would compute an N × N loss.
 */
export function pairOf(op: string, pred: ArrayLike, target: ArrayLike): [Tensor, Tensor] {
  const p = floatInput(pred);
  const t = astype(asTensor(target), p.dtype);
  if (!shapesEqual(p.shape, t.shape)) {
    throw new ShapeError(`${op}: prediction shape ${fmtShape(p.shape)} and target shape ${fmtShape(t.shape)} must be equal (reshape one of them; broadcasting here is almost always a bug)`);
  }
  return [p, t];
}

/**
 * Integer class labels for scores of shape `scores.shape` with classes on
 * `axis`: labels must have the scores' shape without that axis. When the labels
 * are concrete (not traced under jit) their values are checked to be in range.
 */
export function checkLabels(op: string, scores: Tensor, labels: ArrayLike, axis: number): Tensor {
  if (Array.isArray(labels) || typeof labels === "number") {
    const bad = [labels].flat(Infinity as 1).find((v) => typeof v !== "number" || !Number.isInteger(v));
    if (bad !== undefined) throw new DTypeError(`${op}: labels must be integers, got ${String(bad)}`);
  }
  const l = asTensor(labels, Array.isArray(labels) || typeof labels === "number" ? "int32" : undefined);
  if (!isInteger(l.dtype)) {
    throw new DTypeError(`${op}: labels must be an integer tensor (int32 or uint8), got ${l.dtype}${fmtShape(l.shape)}; for one-hot or probability targets use softmaxCrossEntropy`);
  }
  const expected = scores.shape.filter((_, i) => i !== axis);
  if (!shapesEqual(l.shape, expected)) {
    throw new ShapeError(`${op}: labels of shape ${fmtShape(l.shape)} do not fit scores of shape ${fmtShape(scores.shape)} with classes on axis ${axis}: expected labels of shape ${fmtShape(expected)}`);
  }
  if (l instanceof ConcreteTensor) {
    const n = scores.shape[axis]!;
    const values = l.data();
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < 0 || v >= n) throw new IndexError(`${op}: label ${v} (at flat position ${i}) is out of range for ${n} classes on axis ${axis} of scores ${fmtShape(scores.shape)}`);
    }
  }
  return l;
}

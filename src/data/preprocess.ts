/** Common preprocessing: one-hot labels and standardized features. */
import { isInteger } from "../core/dtype.js";
import { DTypeError, IndexError, ValueError, fmtShape } from "../core/errors.js";
import { ConcreteTensor, type Tensor } from "../core/tensor.js";
import { asTensor, type ArrayLike } from "../ops/convert.js";
import { arange } from "../ops/creation.js";
import { astype, div, equal, sub, where } from "../ops/elementwise.js";
import { mean as meanOf, std as stdOf } from "../ops/reduce.js";
import { expandDims } from "../ops/shape.js";
import type { DType } from "../core/dtype.js";

/**
 * One-hot encoding: out[..., c] = 1 where labels[...] = c, else 0. The result
 * has one more axis (of size numClasses) than `labels`. Works under `jit` and
 * `vmap`; on concrete labels, values outside [0, numClasses) throw.
 *
 *   data.oneHot(fx.tensor([2, 0], { dtype: "int32" }), 3).toArray(); // [[0, 0, 1], [1, 0, 0]]
 */
export function oneHot(labels: ArrayLike, numClasses: number, dtype: DType = "float32"): Tensor {
  if (Array.isArray(labels) || typeof labels === "number") {
    const bad = flatValues(labels).find((v) => typeof v !== "number" || !Number.isInteger(v));
    if (bad !== undefined) throw new ValueError(`oneHot: labels must be integers, got ${String(bad)}`);
  }
  const t = asTensor(labels, Array.isArray(labels) || typeof labels === "number" ? "int32" : undefined);
  if (!isInteger(t.dtype)) throw new DTypeError(`oneHot: labels must be int32 or uint8, got ${t.dtype} with shape ${fmtShape(t.shape)}`);
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new ValueError(`oneHot: numClasses must be a positive integer, got ${numClasses}`);
  if (t instanceof ConcreteTensor) {
    const values = t.data();
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < 0 || v >= numClasses) throw new IndexError(`oneHot: label ${v} at flat index ${i} is outside [0, ${numClasses}) (labels shape ${fmtShape(t.shape)})`);
    }
  }
  return astype(equal(expandDims(astype(t, "int32"), -1), arange(0, numClasses, 1, "int32")), dtype);
}

export interface StandardizeOptions {
  /** Axes the statistics are taken over (default 0: per feature, across examples). */
  axis?: number | number[];
  /** Statistics from elsewhere (e.g. the training set), to standardize test data the same way. */
  mean?: Tensor;
  std?: Tensor;
}

/**
 * z = (x − mean) / std, with mean and (population) std taken over `axis`.
 * Features whose std is 0 are divided by 1, so they become 0 rather than NaN.
 * Returns the statistics too, with kept dims so they broadcast against x.
 *
 *   const { x: xTrainZ, mean, std } = data.standardize(xTrain);
 *   const { x: xTestZ } = data.standardize(xTest, { mean, std });
 */
export function standardize(x: ArrayLike, opts: StandardizeOptions = {}): { x: Tensor; mean: Tensor; std: Tensor } {
  const t = asTensor(x);
  const axis = opts.axis ?? 0;
  if ((opts.mean === undefined) !== (opts.std === undefined)) throw new ValueError("standardize: pass both mean and std, or neither");
  const mean = opts.mean ?? meanOf(t, axis, true);
  const std = opts.std ?? stdOf(t, axis, true);
  const safeStd = where(equal(std, 0), 1, std);
  return { x: div(sub(t, mean), safeStd), mean, std };
}

function flatValues(x: unknown): unknown[] {
  return Array.isArray(x) ? x.flatMap(flatValues) : [x];
}

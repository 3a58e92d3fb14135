/**
 * Estimator inputs as dense row-major Float64Array matrices. Estimators take
 * tensors (or nested arrays) in their public API and do their heavy loops on
 * these plain arrays, where that is much faster than many small tensor ops.
 */
import { ShapeError, ValueError, fmtShape } from "../../core/errors.js";
import { Tensor } from "../../core/tensor.js";
import type { DType } from "../../core/dtype.js";
import { asTensor, type ArrayLike } from "../../ops/convert.js";
import { tensor } from "../../ops/creation.js";

export interface Matrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** The float dtype results come back in: float64 if the input was float64, else float32. */
export function outDType(x: ArrayLike): "float32" | "float64" {
  return x instanceof Tensor && x.dtype === "float64" ? "float64" : "float32";
}

/** A 2-D input [nSamples, nFeatures] with finite values, as a Float64Array matrix. */
export function toMatrix(op: string, x: ArrayLike, name = "X"): Matrix {
  const t = asTensor(x);
  if (t.ndim !== 2) throw new ShapeError(`${op}: ${name} must be 2-D [nSamples, nFeatures], got ${fmtShape(t.shape)}`);
  const [rows, cols] = t.shape as [number, number];
  if (rows === 0) throw new ValueError(`${op}: ${name} has no samples (shape ${fmtShape(t.shape)})`);
  const src = t.data();
  const data = src instanceof Float64Array ? src : Float64Array.from(src as globalThis.ArrayLike<number>);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new ValueError(`${op}: ${name} has a non-finite value ${data[i]} at row ${Math.floor(i / cols)}, column ${i % cols}`);
    }
  }
  return { data, rows, cols };
}

/** A 1-D input of length n (targets, weights) as a Float64Array. */
export function toVector(op: string, y: ArrayLike, n: number, name = "y"): Float64Array {
  const t = asTensor(y);
  if (t.ndim !== 1) throw new ShapeError(`${op}: ${name} must be 1-D [${n}], got ${fmtShape(t.shape)}`);
  if (t.shape[0] !== n) throw new ShapeError(`${op}: X has ${n} samples but ${name} has ${t.shape[0]} (shape ${fmtShape(t.shape)})`);
  const out = Float64Array.from(t.data() as globalThis.ArrayLike<number>);
  for (let i = 0; i < n; i++) if (!Number.isFinite(out[i]!)) throw new ValueError(`${op}: ${name} has a non-finite value ${out[i]} at index ${i}`);
  return out;
}

/** Checks that X at predict time has the number of features seen in fit. */
export function checkFeatures(op: string, m: Matrix, expected: number): void {
  if (m.cols !== expected) {
    throw new ShapeError(`${op}: X has ${m.cols} features (shape [${m.rows}, ${m.cols}]) but the estimator was fitted on ${expected}`);
  }
}

export function matrixToTensor(data: Float64Array, shape: number[], dtype: DType): Tensor {
  return tensor(dtype === "float64" ? data : new Float32Array(data), { shape, dtype });
}

/** Column means of a matrix. */
export function columnMeans(m: Matrix): Float64Array {
  const mean = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) {
    const o = i * m.cols;
    for (let j = 0; j < m.cols; j++) mean[j]! += m.data[o + j]!;
  }
  for (let j = 0; j < m.cols; j++) mean[j]! /= m.rows;
  return mean;
}

/** A copy of the matrix with `mean` subtracted from every row. */
export function centered(m: Matrix, mean: Float64Array): Matrix {
  const data = new Float64Array(m.data.length);
  for (let i = 0; i < m.rows; i++) {
    const o = i * m.cols;
    for (let j = 0; j < m.cols; j++) data[o + j] = m.data[o + j]! - mean[j]!;
  }
  return { data, rows: m.rows, cols: m.cols };
}

/** Rows `indices` of a matrix. */
export function takeRows(m: Matrix, indices: globalThis.ArrayLike<number>): Matrix {
  const data = new Float64Array(indices.length * m.cols);
  for (let r = 0; r < indices.length; r++) data.set(m.data.subarray(indices[r]! * m.cols, (indices[r]! + 1) * m.cols), r * m.cols);
  return { data, rows: indices.length, cols: m.cols };
}

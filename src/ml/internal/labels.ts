/** Class labels: the sorted distinct values seen in fit, and each sample's index among them. */
import { ShapeError, ValueError, fmtShape } from "../../core/errors.js";
import type { Tensor } from "../../core/tensor.js";
import { asTensor, type ArrayLike } from "../../ops/convert.js";
import { tensor } from "../../ops/creation.js";

export interface EncodedLabels {
  /** Distinct labels in increasing order (whole numbers). */
  classes: number[];
  /** codes[i] = index of sample i's label in `classes`. */
  codes: Int32Array;
}

/** Encodes integer class labels (int tensors, or floats holding whole numbers). */
export function encodeLabels(op: string, y: ArrayLike, n: number, minClasses = 2): EncodedLabels {
  const t = asTensor(y);
  if (t.ndim !== 1) throw new ShapeError(`${op}: y must be 1-D class labels [${n}], got ${fmtShape(t.shape)}`);
  if (t.shape[0] !== n) throw new ShapeError(`${op}: X has ${n} samples but y has ${t.shape[0]} labels`);
  const raw = t.data();
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const v = Number(raw[i]);
    if (!Number.isInteger(v)) throw new ValueError(`${op}: class labels must be whole numbers, got ${v} at index ${i}`);
    seen.add(v);
  }
  const classes = [...seen].sort((a, b) => a - b);
  if (classes.length < minClasses) {
    throw new ValueError(`${op}: needs samples of at least ${minClasses} classes, got ${classes.length} (${classes.join(", ")})`);
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) codes[i] = index.get(Number(raw[i]))!;
  return { classes, codes };
}

/** Predicted class indices back to the original labels, as an int32 tensor. */
export function decodeLabels(classes: readonly number[], codes: globalThis.ArrayLike<number>): Tensor {
  const out = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = classes[codes[i]!]!;
  return tensor(out, { dtype: "int32", shape: [codes.length] });
}

/** Fraction of samples whose predicted label equals the true one. */
export function accuracyOf(pred: Tensor, y: ArrayLike): number {
  const p = pred.data();
  const t = asTensor(y).data();
  if (p.length !== t.length) throw new ShapeError(`score: ${p.length} predictions but ${t.length} labels`);
  let hit = 0;
  for (let i = 0; i < p.length; i++) if (Number(p[i]) === Number(t[i])) hit++;
  return hit / p.length;
}

/**
 * Coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)², averaged over
 * the columns when there are several targets (`outputs` > 1, row-major [n, outputs]).
 */
export function r2Of(pred: Tensor, y: ArrayLike, outputs = 1): number {
  const p = pred.data();
  const t = asTensor(y).data();
  if (p.length !== t.length) throw new ShapeError(`score: ${p.length} predictions but ${t.length} targets`);
  const n = t.length / outputs;
  let total = 0;
  for (let c = 0; c < outputs; c++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += Number(t[i * outputs + c]);
    mean /= n;
    let ssRes = 0, ssTot = 0;
    for (let i = 0; i < n; i++) {
      const yi = Number(t[i * outputs + c]);
      ssRes += (yi - Number(p[i * outputs + c])) ** 2;
      ssTot += (yi - mean) ** 2;
    }
    total += ssTot === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / ssTot;
  }
  return total / outputs;
}

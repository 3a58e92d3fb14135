/**
 * Classification metrics (`fx.metrics`). Predictions may be class labels
 * (int, shape [N]) or scores/logits (float, shape [N, C], argmax taken).
 * Results are plain JS numbers: metrics are read, not differentiated.
 *
 *   fx.metrics.accuracy(fx.tensor([[2, 1], [0, 3]]), fx.tensor([0, 0], { dtype: "int32" })) // 0.5
 */
import { isFloat } from "../core/dtype.js";
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { asTensor, type ArrayLike } from "../ops/convert.js";
import { argmax } from "../ops/reduce.js";

/** Class labels from labels or from [N, C] scores. */
export function toLabels(op: string, pred: ArrayLike): Int32Array {
  const t = asTensor(pred);
  if (t.ndim === 2) return Int32Array.from(argmax(t, 1).data());
  if (t.ndim !== 1) throw new ShapeError(`${op}: predictions must be labels [N] or scores [N, C], got ${fmtShape(t.shape)}`);
  if (isFloat(t.dtype)) {
    const d = t.data();
    for (const v of d) if (!Number.isInteger(v)) throw new ValueError(`${op}: 1-D float predictions must be whole class labels, got ${v}`);
  }
  return Int32Array.from(t.data());
}

function pair(op: string, pred: ArrayLike, target: ArrayLike): [Int32Array, Int32Array] {
  const p = toLabels(op, pred);
  const y = toLabels(op, target);
  if (p.length !== y.length) throw new ShapeError(`${op}: ${p.length} predictions but ${y.length} targets`);
  return [p, y];
}

/** Fraction of predictions equal to the targets. */
export function accuracy(pred: ArrayLike, target: ArrayLike): number {
  const [p, y] = pair("accuracy", pred, target);
  if (p.length === 0) return NaN;
  let hit = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === y[i]) hit++;
  return hit / p.length;
}

/** counts[i][j] = number of examples of true class i predicted as j. */
export function confusionMatrix(pred: ArrayLike, target: ArrayLike, numClasses?: number): number[][] {
  const [p, y] = pair("confusionMatrix", pred, target);
  let k = numClasses ?? 0;
  if (numClasses === undefined) for (let i = 0; i < p.length; i++) k = Math.max(k, p[i]! + 1, y[i]! + 1);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < p.length; i++) {
    if (y[i]! < 0 || y[i]! >= k || p[i]! < 0 || p[i]! >= k) throw new ValueError(`confusionMatrix: label ${y[i]} or prediction ${p[i]} is outside 0..${k - 1}`);
    m[y[i]!]![p[i]!]!++;
  }
  return m;
}

export type Average = "macro" | "micro" | "binary" | "none";

interface PRF {
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
}

function perClass(pred: ArrayLike, target: ArrayLike, numClasses?: number): PRF & { tp: number[]; fp: number[]; fn: number[] } {
  const m = confusionMatrix(pred, target, numClasses);
  const k = m.length;
  const tp = m.map((row, i) => row[i]!);
  const fp = Array.from({ length: k }, (_, j) => m.reduce((s, row, i) => s + (i === j ? 0 : row[j]!), 0));
  const fn = m.map((row, i) => row.reduce((s, v, j) => s + (i === j ? 0 : v), 0));
  const safe = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const precision = tp.map((t, i) => safe(t, t + fp[i]!));
  const recall = tp.map((t, i) => safe(t, t + fn[i]!));
  const f1 = precision.map((p, i) => safe(2 * p * recall[i]!, p + recall[i]!));
  return { precision, recall, f1, support: m.map((row) => row.reduce((s, v) => s + v, 0)), tp, fp, fn };
}

function averaged(name: keyof PRF, pred: ArrayLike, target: ArrayLike, average: Average, numClasses?: number): number | number[] {
  const r = perClass(pred, target, numClasses);
  const values = r[name];
  switch (average) {
    case "none": return values;
    case "binary": return values[1] ?? 0;
    case "macro": return values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
    case "micro": {
      const tp = r.tp.reduce((s, v) => s + v, 0), fp = r.fp.reduce((s, v) => s + v, 0), fn = r.fn.reduce((s, v) => s + v, 0);
      const p = tp + fp === 0 ? 0 : tp / (tp + fp), rc = tp + fn === 0 ? 0 : tp / (tp + fn);
      if (name === "precision") return p;
      if (name === "recall") return rc;
      return p + rc === 0 ? 0 : (2 * p * rc) / (p + rc);
    }
    default: return average satisfies never;
  }
}

/** TP / (TP + FP); `average` "binary" (class 1, default for 2 classes), "macro", "micro" or "none". */
export const precision = (pred: ArrayLike, target: ArrayLike, opts: { average?: Average; numClasses?: number } = {}) =>
  averaged("precision", pred, target, opts.average ?? "binary", opts.numClasses);
/** TP / (TP + FN). */
export const recall = (pred: ArrayLike, target: ArrayLike, opts: { average?: Average; numClasses?: number } = {}) =>
  averaged("recall", pred, target, opts.average ?? "binary", opts.numClasses);
/** Harmonic mean of precision and recall. */
export const f1 = (pred: ArrayLike, target: ArrayLike, opts: { average?: Average; numClasses?: number } = {}) =>
  averaged("f1", pred, target, opts.average ?? "binary", opts.numClasses);

/**
 * Area under the ROC curve for binary targets (0/1) and scores (higher = class 1):
 * the probability that a random positive scores above a random negative (ties count 1/2).
 */
export function rocAuc(scores: ArrayLike, target: ArrayLike): number {
  const s = asTensor(scores).data();
  const y = asTensor(target).data();
  if (s.length !== y.length) throw new ShapeError(`rocAuc: ${s.length} scores but ${y.length} targets`);
  const order = Array.from(s.keys()).sort((a, b) => s[a]! - s[b]!);
  // Rank-sum (Mann–Whitney U) with average ranks for ties.
  const ranks = new Float64Array(s.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && s[order[j + 1]!] === s[order[i]!]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = r;
    i = j + 1;
  }
  let pos = 0, rankSum = 0;
  for (let i = 0; i < y.length; i++) if (y[i]) { pos++; rankSum += ranks[i]!; }
  const neg = y.length - pos;
  if (pos === 0 || neg === 0) throw new ValueError("rocAuc: needs at least one positive and one negative target");
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export type { Tensor };

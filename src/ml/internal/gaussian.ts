/** Shared pieces of the Gaussian generative classifiers (GDA, naive Bayes). */
import { ValueError } from "../../core/errors.js";
import { cholesky } from "../../ops/linalg.js";
import { tensor } from "../../ops/creation.js";
import type { Matrix } from "./matrix.js";

/** Per-class sample counts and means [k, d]. */
export function classMeans(m: Matrix, codes: Int32Array, k: number): { counts: Float64Array; means: Float64Array } {
  const d = m.cols;
  const counts = new Float64Array(k), means = new Float64Array(k * d);
  for (let i = 0; i < m.rows; i++) {
    const c = codes[i]!;
    counts[c]!++;
    const xo = i * d, mo = c * d;
    for (let j = 0; j < d; j++) means[mo + j]! += m.data[xo + j]!;
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) means[c * d + j]! /= counts[c]!;
  return { counts, means };
}

/**
 * The lower Cholesky factor of Σ + λI, with λ = reg · (mean of Σ's diagonal)
 * (so reg is relative to the data's scale); λ grows if Σ + λI is not positive
 * definite (e.g. a feature that is constant within a class). `what` names the matrix in errors.
 */
export function regularizedCholesky(op: string, what: string, sigma: Float64Array, d: number, reg: number): { l: Float64Array; logDet: number; ridge: number } {
  let meanDiag = 0;
  for (let j = 0; j < d; j++) meanDiag += sigma[j * d + j]!;
  meanDiag = meanDiag / d || 1;
  let lambda = reg * meanDiag;
  for (let attempt = 0; attempt < 12; attempt++) {
    const a = sigma.slice();
    for (let j = 0; j < d; j++) a[j * d + j]! += lambda;
    let l: Float64Array;
    try {
      l = cholesky(tensor(a, { shape: [d, d], dtype: "float64" })).data() as Float64Array;
    } catch (e) {
      if (!(e instanceof ValueError)) throw e;
      lambda = Math.max(lambda * 10, 1e-10 * meanDiag);
      continue;
    }
    let logDet = 0, ok = true;
    for (let j = 0; j < d; j++) {
      const v = l[j * d + j]!;
      if (!(v > 0) || !Number.isFinite(v)) { ok = false; break; }
      logDet += 2 * Math.log(v);
    }
    if (ok && l.every(Number.isFinite)) return { l, logDet, ridge: lambda };
    lambda = Math.max(lambda * 10, 1e-10 * meanDiag);
  }
  throw new ValueError(`${op}: the ${what} [${d}, ${d}] is not positive definite even with ${lambda.toExponential(2)} added to its diagonal`);
}

/** Row-wise softmax of log-scores [n, k] into probabilities. */
export function softmaxRows(scores: Float64Array, n: number, k: number): Float64Array {
  const p = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let c = 0; c < k; c++) m = Math.max(m, scores[i * k + c]!);
    let total = 0;
    for (let c = 0; c < k; c++) total += p[i * k + c] = Math.exp(scores[i * k + c]! - m);
    for (let c = 0; c < k; c++) p[i * k + c]! /= total;
  }
  return p;
}

/** Index of the largest entry of each row of [n, k]. */
export function argmaxRows(scores: Float64Array, n: number, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (scores[i * k + c]! > scores[i * k + best]!) best = c;
    out[i] = best;
  }
  return out;
}

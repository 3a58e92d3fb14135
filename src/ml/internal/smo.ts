/**
 * Sequential minimal optimisation for the soft-margin SVM dual
 *
 *   min_α ½ αᵀQα − Σα   s.t. 0 ≤ αᵢ ≤ C, Σ yᵢαᵢ = 0,   Qᵢⱼ = yᵢ yⱼ K(xᵢ, xⱼ)
 *
 * Each step optimises two multipliers analytically. The pair is chosen by
 * Fan, Chen & Lin's second-order working set selection (JMLR 2005): i is the
 * most violating index, i = argmax_{t ∈ I_up} −y_t G_t, and j maximises the
 * decrease of the objective, j = argmin_{t ∈ I_low, −y_t G_t < −y_i G_i} −b²/a with
 * b = −y_i G_i + y_t G_t and a = K_ii + K_tt − 2K_it. It stops when the
 * maximal violation m(α) − M(α) ≤ tol (the KKT conditions hold to tol).
 */
import type { KernelRows } from "./kernel-matrix.js";

export interface SmoResult {
  /** Multipliers for the problem's samples. */
  alpha: Float64Array;
  /** The threshold ρ: f(x) = Σ αᵢ yᵢ K(xᵢ, x) − ρ. */
  rho: number;
  iterations: number;
  converged: boolean;
}

const TAU = 1e-12;

/**
 * Solves the dual for the samples `index` (into the kernel rows) with labels y ∈ {−1, +1}.
 */
export function smo(kernel: KernelRows, index: Int32Array, y: Int8Array, C: number, tol: number, maxIter: number): SmoResult {
  const n = index.length;
  const alpha = new Float64Array(n);
  const G = new Float64Array(n).fill(-1); // gradient Qα − e at α = 0
  const diag = new Float64Array(n);
  for (let t = 0; t < n; t++) diag[t] = kernel.diagonal[index[t]!]!;
  const localRow = (i: number): Float64Array => {
    const full = kernel.row(index[i]!);
    const out = new Float64Array(n);
    for (let t = 0; t < n; t++) out[t] = full[index[t]!]!;
    return out;
  };
  // Rows restricted to this problem, cached locally too (the same rows come back often).
  const rows = new Map<number, Float64Array>();
  const rowOf = (i: number) => {
    let r = rows.get(i);
    if (!r) {
      if (rows.size > 4096) rows.delete(rows.keys().next().value!);
      r = localRow(i);
      rows.set(i, r);
    }
    return r;
  };
  const isUp = (t: number) => (y[t] === 1 ? alpha[t]! < C : alpha[t]! > 0);
  const isLow = (t: number) => (y[t] === 1 ? alpha[t]! > 0 : alpha[t]! < C);

  let iter = 0, converged = false;
  for (; iter < maxIter; iter++) {
    let gmax = -Infinity, i = -1;
    for (let t = 0; t < n; t++) {
      if (isUp(t) && -y[t]! * G[t]! >= gmax) { gmax = -y[t]! * G[t]!; i = t; }
    }
    if (i < 0) { converged = true; break; }
    const Ki = rowOf(i);
    let gmin = Infinity, j = -1, best = Infinity;
    for (let t = 0; t < n; t++) {
      if (!isLow(t)) continue;
      const v = -y[t]! * G[t]!;
      if (v < gmin) gmin = v;
      const b = gmax - v;
      if (b > 0) {
        let a = diag[i]! + diag[t]! - 2 * Ki[t]!;
        if (a <= 0) a = TAU;
        const score = -(b * b) / a;
        if (score <= best) { best = score; j = t; }
      }
    }
    if (gmax - gmin <= tol || j < 0) { converged = true; break; }
    const Kj = rowOf(j);
    const yi = y[i]!, yj = y[j]!;
    const oldAi = alpha[i]!, oldAj = alpha[j]!;
    // Q_ij = y_i y_j K_ij; the two cases keep Σ yα fixed.
    if (yi !== yj) {
      let quad = diag[i]! + diag[j]! - 2 * Ki[j]!;
      if (quad <= 0) quad = TAU;
      const delta = (-G[i]! - G[j]!) / quad;
      const diff = oldAi - oldAj;
      let ai = oldAi + delta, aj = oldAj + delta;
      if (diff > 0) { if (aj < 0) { aj = 0; ai = diff; } } else if (ai < 0) { ai = 0; aj = -diff; }
      if (diff > 0) { if (ai > C) { ai = C; aj = C - diff; } } else if (aj > C) { aj = C; ai = C + diff; }
      alpha[i] = ai; alpha[j] = aj;
    } else {
      let quad = diag[i]! + diag[j]! - 2 * Ki[j]!;
      if (quad <= 0) quad = TAU;
      const delta = (G[i]! - G[j]!) / quad;
      const sum = oldAi + oldAj;
      let ai = oldAi - delta, aj = oldAj + delta;
      if (sum > C) { if (ai > C) { ai = C; aj = sum - C; } } else if (aj < 0) { aj = 0; ai = sum; }
      if (sum > C) { if (aj > C) { aj = C; ai = sum - C; } } else if (ai < 0) { ai = 0; aj = sum; }
      alpha[i] = ai; alpha[j] = aj;
    }
    const dAi = alpha[i]! - oldAi, dAj = alpha[j]! - oldAj;
    // G_t += Q_ti Δα_i + Q_tj Δα_j
    for (let t = 0; t < n; t++) G[t]! += y[t]! * (yi * Ki[t]! * dAi + yj * Kj[t]! * dAj);
  }

  // ρ: the average of y_t G_t over free multipliers, else the middle of the feasible interval.
  let sumFree = 0, nFree = 0, ub = Infinity, lb = -Infinity;
  for (let t = 0; t < n; t++) {
    const yG = y[t]! * G[t]!;
    if (alpha[t]! > 0 && alpha[t]! < C) { sumFree += yG; nFree++; continue; }
    const atUpper = alpha[t]! >= C;
    if ((y[t] === 1) === atUpper) lb = Math.max(lb, yG);
    else ub = Math.min(ub, yG);
  }
  const rho = nFree > 0 ? sumFree / nFree : (ub + lb) / 2;
  return { alpha, rho, iterations: iter, converged };
}

/**
 * t-SNE input affinities. For each point i, a Gaussian over its neighbours,
 * P(j | i) ∝ exp(−βᵢ ‖xᵢ − xⱼ‖²), with βᵢ found by binary search so that the
 * entropy H(P(· | i)) = log(perplexity) (natural logs). The joint
 * P_ij = (P(j | i) + P(i | j)) / 2n is symmetric and sums to 1.
 */
import { squaredDistances } from "../internal/blas.js";
import { smallestK } from "../internal/select.js";

/** A symmetric sparse matrix in CSR form (rows sum with their transposes already folded in). */
export interface SparseP {
  rowPtr: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

/**
 * Fills `out` with P(· | i) for squared distances d2 (length m) and returns nothing;
 * the binary search on β stops when |H − log perplexity| < 1e-5 or after 100 steps.
 */
export function conditionalRow(d2: Float64Array, out: Float64Array, perplexity: number): void {
  const m = d2.length;
  const target = Math.log(perplexity);
  let dmin = Infinity;
  for (let j = 0; j < m; j++) if (d2[j]! < dmin) dmin = d2[j]!;
  let beta = 1, lo = 0, hi = Infinity;
  for (let step = 0; step < 100; step++) {
    let sum = 0, sumDP = 0;
    for (let j = 0; j < m; j++) {
      const p = Math.exp(-beta * (d2[j]! - dmin)); // shifting by dmin cancels in the normalisation
      out[j] = p;
      sum += p;
      sumDP += (d2[j]! - dmin) * p;
    }
    const entropy = Math.log(sum) + (beta * sumDP) / sum;
    for (let j = 0; j < m; j++) out[j]! /= sum;
    const diff = entropy - target;
    if (Math.abs(diff) < 1e-5) return;
    if (diff > 0) { lo = beta; beta = hi === Infinity ? beta * 2 : (beta + hi) / 2; } // too flat: sharpen
    else { hi = beta; beta = (beta + lo) / 2; }
  }
}

/** Dense joint P [n, n] from all pairwise distances (the exact method). */
export function denseP(x: Float64Array, n: number, d: number, perplexity: number): Float64Array {
  const d2 = squaredDistances(x, x, n, n, d);
  const cond = new Float64Array(n * n);
  const row = new Float64Array(n - 1), out = new Float64Array(n - 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0, t = 0; j < n; j++) if (j !== i) row[t++] = d2[i * n + j]!;
    conditionalRow(row, out, perplexity);
    for (let j = 0, t = 0; j < n; j++) if (j !== i) cond[i * n + j] = out[t++]!;
  }
  const p = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) p[i * n + j] = (cond[i * n + j]! + cond[j * n + i]!) / (2 * n);
  return p;
}

/**
 * Sparse joint P from each point's k nearest neighbours (Barnes–Hut t-SNE:
 * k = 3·perplexity, exact neighbours by blocked distance products).
 */
export function sparseP(x: Float64Array, n: number, d: number, perplexity: number, k: number): SparseP {
  const nbr = new Int32Array(n * k);
  const cond = new Float64Array(n * k);
  const block = Math.max(1, Math.floor((1 << 22) / n));
  const row = new Float64Array(k), out = new Float64Array(k);
  for (let start = 0; start < n; start += block) {
    const rows = Math.min(block, n - start);
    const d2 = squaredDistances(x.subarray(start * d, (start + rows) * d), x, rows, n, d);
    for (let r = 0; r < rows; r++) {
      const i = start + r;
      const nearest = smallestK(d2, r * n, n, k, i);
      for (let t = 0; t < k; t++) {
        nbr[i * k + t] = nearest[t]!;
        row[t] = d2[r * n + nearest[t]!]!;
      }
      conditionalRow(row, out, perplexity);
      cond.set(out, i * k);
    }
  }
  // Symmetrise: P_ij = (P(j|i) + P(i|j)) / 2n over the union of both neighbour lists.
  const maps: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = nbr[i * k + t]!, v = cond[i * k + t]! / (2 * n);
      maps[i]!.set(j, (maps[i]!.get(j) ?? 0) + v);
      maps[j]!.set(i, (maps[j]!.get(i) ?? 0) + v);
    }
  }
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowPtr[i + 1] = rowPtr[i]! + maps[i]!.size;
  const cols = new Int32Array(rowPtr[n]!), vals = new Float64Array(rowPtr[n]!);
  for (let i = 0; i < n; i++) {
    let at = rowPtr[i]!;
    for (const [j, v] of [...maps[i]!.entries()].sort((a, b) => a[0] - b[0])) { cols[at] = j; vals[at++] = v; }
  }
  return { rowPtr, cols, vals };
}

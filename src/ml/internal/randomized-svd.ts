/**
 * Randomized truncated SVD (Halko, Martinsson & Tropp 2011): find an
 * orthonormal basis Q of the range of A by multiplying A with a random
 * Gaussian matrix and a few power iterations (A Aᵀ)^q, then take the exact
 * SVD of the small matrix B = Qᵀ A. Accurate for the leading singular values
 * when the spectrum decays, at O(n d (k + p) (2q + 2)) cost.
 */
import { tensor } from "../../ops/creation.js";
import { svd } from "../../ops/linalg.js";
import type { Key } from "../../random/keys.js";
import { matmulNN, matmulTN } from "./blas.js";
import { normals } from "./keyed.js";

/** Orthonormalises the columns of Y [n, l] in place (modified Gram–Schmidt, twice for stability). */
export function orthonormalizeColumns(y: Float64Array, n: number, l: number): Float64Array {
  const col = new Float64Array(n);
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < l; c++) {
      for (let i = 0; i < n; i++) col[i] = y[i * l + c]!;
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += y[i * l + p]! * col[i]!;
        for (let i = 0; i < n; i++) col[i]! -= dot * y[i * l + p]!;
      }
      let norm = 0;
      for (let i = 0; i < n; i++) norm += col[i]! * col[i]!;
      norm = Math.sqrt(norm);
      for (let i = 0; i < n; i++) y[i * l + c] = norm > 1e-300 ? col[i]! / norm : 0;
    }
  }
  return y;
}

/** The top `k` singular values S [k] and right singular vectors Vt [k, d] of A [n, d]. */
export function randomizedSvd(a: Float64Array, n: number, d: number, k: number, key: Key, powerIterations: number, oversample = 10): { s: Float64Array; vt: Float64Array } {
  const l = Math.min(k + oversample, n, d);
  const omega = normals(key, d * l); // [d, l]
  let y = orthonormalizeColumns(matmulNN(a, omega, n, d, l), n, l); // [n, l]
  for (let q = 0; q < powerIterations; q++) {
    const z = orthonormalizeColumns(matmulTN(a, y, n, d, l), d, l); // Aᵀ Q: [d, l]
    y = orthonormalizeColumns(matmulNN(a, z, n, d, l), n, l);
  }
  const b = matmulTN(y, a, n, l, d); // Qᵀ A: [l, d]
  const [, s, vt] = svd(tensor(b, { shape: [l, d], dtype: "float64" }));
  return { s: (s.data() as Float64Array).slice(0, k), vt: (vt.data() as Float64Array).slice(0, k * d) };
}

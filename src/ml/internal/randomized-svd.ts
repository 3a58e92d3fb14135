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
import { matmulNT, matmulTN } from "./blas.js";
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

/** Orthonormalises the rows of Z [l, d] in place (modified Gram–Schmidt, twice). */
export function orthonormalizeRows(z: Float64Array, l: number, d: number): Float64Array {
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < l; c++) {
      const co = c * d;
      for (let p = 0; p < c; p++) {
        const po = p * d;
        let dot = 0;
        for (let j = 0; j < d; j++) dot += z[po + j]! * z[co + j]!;
        for (let j = 0; j < d; j++) z[co + j]! -= dot * z[po + j]!;
      }
      let norm = 0;
      for (let j = 0; j < d; j++) norm += z[co + j]! * z[co + j]!;
      norm = Math.sqrt(norm);
      for (let j = 0; j < d; j++) z[co + j] = norm > 1e-300 ? z[co + j]! / norm : 0;
    }
  }
  return z;
}

/**
 * The top `k` singular values S [k] and right singular vectors Vt [k, d] of A [n, d].
 * Products are arranged so every inner loop runs along a row of A (length d).
 */
export function randomizedSvd(a: Float64Array, n: number, d: number, k: number, key: Key, powerIterations: number, oversample = 10): { s: Float64Array; vt: Float64Array } {
  const l = Math.min(k + oversample, n, d);
  const omegaT = normals(key, l * d); // Ωᵀ [l, d]
  let y = orthonormalizeColumns(matmulNT(a, omegaT, n, d, l), n, l); // Q = orth(A Ω): [n, l]
  for (let q = 0; q < powerIterations; q++) {
    const zt = orthonormalizeRows(matmulTN(y, a, n, l, d), l, d); // orth(Aᵀ Q)ᵀ: [l, d]
    y = orthonormalizeColumns(matmulNT(a, zt, n, d, l), n, l);
  }
  const b = matmulTN(y, a, n, l, d); // Qᵀ A: [l, d]
  const [, s, vt] = svd(tensor(b, { shape: [l, d], dtype: "float64" }));
  return { s: (s.data() as Float64Array).slice(0, k), vt: (vt.data() as Float64Array).slice(0, k * d) };
}

/**
 * Dense products on row-major Float64Arrays, for the estimators' inner loops
 * (k-means, SMO, t-SNE) where building tensors per step would dominate.
 * Loop orders keep the innermost loop on contiguous memory.
 */

/** C[m, n] = A[m, k] · B[k, n]. */
export function matmulNN(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const co = i * n, ao = i * k;
    for (let p = 0; p < k; p++) {
      const aip = a[ao + p]!;
      if (aip === 0) continue;
      const bo = p * n;
      for (let j = 0; j < n; j++) c[co + j]! += aip * b[bo + j]!;
    }
  }
  return c;
}

/** C[m, n] = A[m, k] · B[n, k]ᵀ (row-by-row dot products, four rows of B at a time). */
export function matmulNT(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const ao = i * k, co = i * n;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const av = a[ao + p]!;
        s0 += av * b[b0 + p]!;
        s1 += av * b[b1 + p]!;
        s2 += av * b[b2 + p]!;
        s3 += av * b[b3 + p]!;
      }
      c[co + j] = s0; c[co + j + 1] = s1; c[co + j + 2] = s2; c[co + j + 3] = s3;
    }
    for (; j < n; j++) {
      const bo = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ao + p]! * b[bo + p]!;
      c[co + j] = s;
    }
  }
  return c;
}

/** C[m, n] = A[k, m]ᵀ · B[k, n] (a sum of k rank-one updates). */
export function matmulTN(a: Float64Array, b: Float64Array, k: number, m: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let p = 0; p < k; p++) {
    const ao = p * m, bo = p * n;
    for (let i = 0; i < m; i++) {
      const api = a[ao + i]!;
      if (api === 0) continue;
      const co = i * n;
      for (let j = 0; j < n; j++) c[co + j]! += api * b[bo + j]!;
    }
  }
  return c;
}

/** Squared Euclidean norm of each row of A[m, k]. */
export function rowSquaredNorms(a: Float64Array, m: number, k: number): Float64Array {
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let p = i * k, e = p + k; p < e; p++) s += a[p]! * a[p]!;
    out[i] = s;
  }
  return out;
}

/**
 * Squared distances D[i, j] = ‖aᵢ − bⱼ‖² = ‖aᵢ‖² + ‖bⱼ‖² − 2 aᵢ·bⱼ between the rows
 * of A[m, k] and B[n, k], clamped at 0 (the expansion can round slightly below).
 */
export function squaredDistances(a: Float64Array, b: Float64Array, m: number, n: number, k: number): Float64Array {
  const d = matmulNT(a, b, m, k, n);
  const na = rowSquaredNorms(a, m, k), nb = rowSquaredNorms(b, n, k);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const v = na[i]! + nb[j]! - 2 * d[i * n + j]!;
      d[i * n + j] = v > 0 ? v : 0;
    }
  }
  return d;
}

/** Aᵀ for A[m, n]. */
export function transposed(a: Float64Array, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j]!;
  return t;
}

/** The Gram matrix AᵀA [k, k] of A[m, k], computing one triangle and mirroring it. */
export function gram(a: Float64Array, m: number, k: number): Float64Array {
  const c = new Float64Array(k * k);
  for (let p = 0; p < m; p++) {
    const ao = p * k;
    for (let i = 0; i < k; i++) {
      const api = a[ao + i]!;
      if (api === 0) continue;
      const co = i * k;
      for (let j = i; j < k; j++) c[co + j]! += api * a[ao + j]!;
    }
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) c[i * k + j] = c[j * k + i]!;
  return c;
}

/** Solves L z = b in place for a lower-triangular L [d, d] (forward substitution). */
export function forwardSubstitute(l: Float64Array, d: number, b: Float64Array): Float64Array {
  for (let i = 0; i < d; i++) {
    let s = b[i]!;
    const lo = i * d;
    for (let j = 0; j < i; j++) s -= l[lo + j]! * b[j]!;
    b[i] = s / l[lo + i]!;
  }
  return b;
}

/**
 * Symmetric eigendecomposition and SVD of one float64 matrix, both by Jacobi
 * rotations: slow (O(n³) per sweep, a handful of sweeps) but accurate to
 * float64 rounding, simple, and free of special cases.
 */

const MAX_SWEEPS = 60;

/**
 * A power of two that brings the largest |entry| near 1, so sums of squares
 * neither overflow nor underflow; multiplying by it is exact.
 */
function unitScale(X: Float64Array): number {
  let big = 0;
  for (const x of X) big = Math.max(big, Math.abs(x));
  return big > 0 && Number.isFinite(big) ? 2 ** -Math.ceil(Math.log2(big)) : 1;
}

/** tan of the Jacobi angle that zeroes the off-diagonal of [[app, apq], [apq, aqq]]. */
function jacobiTangent(app: number, aqq: number, apq: number): number {
  const theta = (aqq - app) / (2 * apq);
  if (Math.abs(theta) > 1e150) return 1 / (2 * theta); // θ² would overflow; t ≈ 1/(2θ)
  const sign = theta >= 0 ? 1 : -1;
  return sign / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
}

/**
 * Eigenvalues (ascending) and eigenvectors (columns of v, row-major n×n) of the
 * symmetric part of A. Each eigenvector's largest-magnitude component is made
 * positive, so the output does not depend on rotation order.
 */
export function eighMatrix(A: Float64Array, n: number): { w: Float64Array; v: Float64Array } {
  const S = new Float64Array(n * n);
  const scale = unitScale(A);
  let frob = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      S[i * n + j] = (A[i * n + j]! * scale + A[j * n + i]! * scale) / 2;
      frob = Math.hypot(frob, S[i * n + j]!);
    }
  }
  if (!Number.isFinite(frob)) return { w: new Float64Array(n).fill(NaN), v: new Float64Array(n * n).fill(NaN) };
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = S[p * n + q]!, app = S[p * n + p]!, aqq = S[q * n + q]!;
        // Negligible both relative to the diagonal (high relative accuracy) and to the whole matrix.
        if (Math.abs(apq) <= 1e-17 * Math.sqrt(Math.abs(app)) * Math.sqrt(Math.abs(aqq)) || Math.abs(apq) <= 1e-20 * frob) continue;
        rotated = true;
        const t = jacobiTangent(app, aqq, apq);
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        rotateColumns(S, n, n, p, q, c, s);
        for (let k = 0; k < n; k++) {
          const spk = S[p * n + k]!, sqk = S[q * n + k]!;
          S[p * n + k] = c * spk - s * sqk;
          S[q * n + k] = s * spk + c * sqk;
        }
        S[p * n + q] = 0;
        S[q * n + p] = 0;
        rotateColumns(V, n, n, p, q, c, s);
      }
    }
    if (!rotated) break;
  }
  const order = [...Array(n).keys()].sort((i, j) => S[i * n + i]! - S[j * n + j]!);
  const w = new Float64Array(n);
  const v = new Float64Array(n * n);
  order.forEach((src, dst) => {
    w[dst] = S[src * n + src]! / scale;
    copyColumn(V, n, src, v, n, dst, n, signOfLargest(V, n, src, n));
  });
  return { w, v };
}

/**
 * Thin SVD of an m×n matrix by one-sided (Hestenes) Jacobi: rotate pairs of
 * columns until all are orthogonal; their norms are the singular values.
 * Returns U (m×k), S (k, descending), Vᵀ (k×n), k = min(m, n), row-major.
 */
export function svdMatrix(A: Float64Array, m: number, n: number): { u: Float64Array; s: Float64Array; vt: Float64Array } {
  if (m < n) {
    // A = (Aᵀ)ᵀ = (U' S V'ᵀ)ᵀ = V' S U'ᵀ.
    const t = svdMatrix(transposed(A, m, n), n, m);
    return { u: transposed(t.vt, m, m), s: t.s, vt: transposed(t.u, n, m) };
  }
  const scale = unitScale(A);
  const W = A.map((x) => x * scale);
  if (!W.every(Number.isFinite)) {
    return { u: new Float64Array(m * n).fill(NaN), s: new Float64Array(n).fill(NaN), vt: new Float64Array(n * n).fill(NaN) };
  }
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0, beta = 0, gamma = 0;
        for (let i = 0; i < m; i++) {
          const wp = W[i * n + p]!, wq = W[i * n + q]!;
          alpha += wp * wp;
          beta += wq * wq;
          gamma += wp * wq;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const t = jacobiTangent(alpha, beta, gamma);
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        rotateColumns(W, m, n, p, q, c, s);
        rotateColumns(V, n, n, p, q, c, s);
      }
    }
    if (!rotated) break;
  }
  const norms = [...Array(n).keys()].map((j) => {
    let s = 0;
    for (let i = 0; i < m; i++) s = Math.hypot(s, W[i * n + j]!);
    return s;
  });
  const order = [...Array(n).keys()].sort((i, j) => norms[j]! - norms[i]!);
  const u = new Float64Array(m * n), s = new Float64Array(n), vt = new Float64Array(n * n);
  const missing: number[] = [];
  order.forEach((src, dst) => {
    const sigma = norms[src]!;
    s[dst] = sigma / scale;
    if (sigma > 0) copyColumn(W, n, src, u, n, dst, m, 1 / sigma);
    else missing.push(dst);
    for (let j = 0; j < n; j++) vt[dst * n + j] = V[j * n + src]!;
  });
  for (const col of missing) completeColumn(u, m, n, col, s);
  return { u, s, vt };
}

/** Columns p, q of the rows×cols matrix X ← (c·x_p − s·x_q, s·x_p + c·x_q). */
function rotateColumns(X: Float64Array, rows: number, cols: number, p: number, q: number, c: number, s: number): void {
  for (let k = 0; k < rows; k++) {
    const xp = X[k * cols + p]!, xq = X[k * cols + q]!;
    X[k * cols + p] = c * xp - s * xq;
    X[k * cols + q] = s * xp + c * xq;
  }
}

function copyColumn(src: Float64Array, srcCols: number, from: number, dst: Float64Array, dstCols: number, to: number, rows: number, scale: number): void {
  for (let i = 0; i < rows; i++) dst[i * dstCols + to] = src[i * srcCols + from]! * scale;
}

/** +1 or −1: the sign of the largest-magnitude entry of a column (the first one on ties). */
function signOfLargest(X: Float64Array, cols: number, col: number, rows: number): number {
  let best = 0;
  for (let i = 0; i < rows; i++) if (Math.abs(X[i * cols + col]!) > Math.abs(best)) best = X[i * cols + col]!;
  return best < 0 ? -1 : 1;
}

function transposed(X: Float64Array, rows: number, cols: number): Float64Array {
  const T = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) T[j * rows + i] = X[i * cols + j]!;
  return T;
}

/**
 * A zero singular value leaves its U column undetermined: fill it with a unit
 * vector orthogonal to the other columns (Gram–Schmidt on the standard basis).
 */
function completeColumn(u: Float64Array, m: number, k: number, col: number, s: Float64Array): void {
  const others = [...Array(k).keys()].filter((j) => j !== col && (s[j]! > 0 || j < col));
  for (let e = 0; e < m; e++) {
    const v = new Float64Array(m);
    v[e] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (const j of others) {
        let d = 0;
        for (let i = 0; i < m; i++) d += u[i * k + j]! * v[i]!;
        for (let i = 0; i < m; i++) v[i]! -= d * u[i * k + j]!;
      }
    }
    const norm = Math.hypot(...v);
    if (norm > 0.5) {
      for (let i = 0; i < m; i++) u[i * k + col] = v[i]! / norm;
      return;
    }
  }
}

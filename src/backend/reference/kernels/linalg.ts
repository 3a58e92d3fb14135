/**
 * Reference kernels for the matrix factorizations. Every kernel loops over the
 * leading (batch) axes, copies one matrix at a time into a Float64Array,
 * factors it in float64 and writes the results in the output dtype.
 */
import { allocate, type TypedArray } from "../../../core/dtype.js";
import { sizeOf } from "../../../core/shape.js";
import type { Aval } from "../../../core/tensor.js";
import type { KernelInput, PrimParams } from "../../spec.js";
import { eighMatrix, svdMatrix } from "./eigen.js";

/** The batch size, rows and columns of a [..., m, n] input. */
function dims(x: KernelInput): [number, number, number] {
  const r = x.shape.length;
  const m = x.shape[r - 2]!, n = x.shape[r - 1]!;
  return [sizeOf(x.shape.slice(0, r - 2)), m, n];
}

/** Matrix `b` of a batch as a float64 copy. */
function matrixAt(x: KernelInput, b: number, size: number): Float64Array {
  return Float64Array.from(x.data.subarray(b * size, (b + 1) * size));
}

export function choleskyKernel([a]: KernelInput[], _p: unknown, [out]: Aval[]): TypedArray[] {
  const [batch, n] = dims(a!);
  const dst = allocate(out!.dtype, batch * n * n);
  for (let b = 0; b < batch; b++) {
    const A = matrixAt(a!, b, n * n);
    const L = new Float64Array(n * n);
    // The factor of the symmetric part (A + Aᵀ)/2: the primitive is defined on every matrix.
    let ok = true;
    for (let j = 0; j < n && ok; j++) {
      let d = A[j * n + j]!;
      for (let k = 0; k < j; k++) d -= L[j * n + k]! * L[j * n + k]!;
      if (!(d > 0)) { ok = false; break; }
      const ljj = Math.sqrt(d);
      L[j * n + j] = ljj;
      for (let i = j + 1; i < n; i++) {
        let s = (A[i * n + j]! + A[j * n + i]!) / 2;
        for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
        L[i * n + j] = s / ljj;
      }
    }
    // Not positive definite: the whole factor is NaN (as JAX does), so nothing half-valid leaks out.
    if (!ok) L.fill(NaN);
    dst.set(L, b * n * n);
  }
  return [dst];
}

export function triangularSolveKernel([a, rhs]: KernelInput[], p: PrimParams["triangular_solve"], [out]: Aval[]): TypedArray[] {
  const [batch, n] = dims(a!);
  const k = rhs!.shape[rhs!.shape.length - 1]!;
  const dst = allocate(out!.dtype, batch * n * k);
  // Transposing swaps which triangle op(A) has filled.
  const opLower = p.lower !== p.transposeA;
  for (let b = 0; b < batch; b++) {
    const A = matrixAt(a!, b, n * n);
    const X = matrixAt(rhs!, b, n * k);
    const at = p.transposeA ? (i: number, j: number) => A[j * n + i]! : (i: number, j: number) => A[i * n + j]!;
    const order = opLower ? [...Array(n).keys()] : [...Array(n).keys()].reverse();
    for (const i of order) {
      for (let c = 0; c < k; c++) {
        let s = X[i * k + c]!;
        if (opLower) for (let j = 0; j < i; j++) s -= at(i, j) * X[j * k + c]!;
        else for (let j = i + 1; j < n; j++) s -= at(i, j) * X[j * k + c]!;
        X[i * k + c] = p.unitDiagonal ? s : s / at(i, i);
      }
    }
    dst.set(X, b * n * k);
  }
  return [dst];
}

/** P A = L U with partial pivoting; L (unit diagonal, strictly lower) and U packed in one matrix. */
export function luKernel([a]: KernelInput[], _p: unknown, [outLu, outPerm]: Aval[]): TypedArray[] {
  const [batch, n] = dims(a!);
  const lu = allocate(outLu!.dtype, batch * n * n);
  const perm = allocate(outPerm!.dtype, batch * n);
  for (let b = 0; b < batch; b++) {
    const M = matrixAt(a!, b, n * n);
    const P = Array.from({ length: n }, (_, i) => i);
    for (let j = 0; j < n; j++) {
      let piv = j;
      for (let i = j + 1; i < n; i++) if (Math.abs(M[i * n + j]!) > Math.abs(M[piv * n + j]!)) piv = i;
      if (piv !== j) {
        for (let c = 0; c < n; c++) [M[j * n + c], M[piv * n + c]] = [M[piv * n + c]!, M[j * n + c]!];
        [P[j], P[piv]] = [P[piv]!, P[j]!];
      }
      const d = M[j * n + j]!;
      // A zero pivot means the column below is zero too: nothing to eliminate, U gets a zero on its diagonal.
      if (d === 0) continue;
      for (let i = j + 1; i < n; i++) {
        const f = M[i * n + j]! / d;
        M[i * n + j] = f;
        if (f !== 0) for (let c = j + 1; c < n; c++) M[i * n + c]! -= f * M[j * n + c]!;
      }
    }
    lu.set(M, b * n * n);
    perm.set(P, b * n);
  }
  return [lu, perm];
}

/** Reduced QR by Householder reflections, normalized so R's diagonal is ≥ 0 (which makes it unique). */
export function qrKernel([a]: KernelInput[], _p: unknown, [outQ, outR]: Aval[]): TypedArray[] {
  const [batch, m, n] = dims(a!);
  const k = Math.min(m, n);
  const qs = allocate(outQ!.dtype, batch * m * k);
  const rs = allocate(outR!.dtype, batch * k * n);
  for (let b = 0; b < batch; b++) {
    const R = matrixAt(a!, b, m * n);
    const vs: Float64Array[] = [];
    for (let j = 0; j < k; j++) {
      const v = new Float64Array(m); // zero above row j
      let norm = 0;
      for (let i = j; i < m; i++) norm = Math.hypot(norm, R[i * n + j]!);
      const x0 = R[j * n + j]!;
      const alpha = x0 >= 0 ? -norm : norm; // the sign that avoids cancellation in v = x − αe₁
      for (let i = j; i < m; i++) v[i] = R[i * n + j]!;
      v[j] = x0 - alpha;
      let vn = 0;
      for (let i = j; i < m; i++) vn += v[i]! * v[i]!;
      if (vn > 0) {
        for (let c = j; c < n; c++) reflect(v, vn, R, n, c, j, m);
      }
      vs.push(vn > 0 ? v.map((x) => x / Math.sqrt(vn)) : v.fill(0));
    }
    // Q = H₀ H₁ … H_{k−1} applied to the first k columns of the identity.
    const Q = new Float64Array(m * k);
    for (let i = 0; i < k; i++) Q[i * k + i] = 1;
    for (let j = k - 1; j >= 0; j--) {
      const v = vs[j]!;
      for (let c = 0; c < k; c++) reflect(v, 1, Q, k, c, j, m);
    }
    for (let i = 0; i < k; i++) {
      const flip = R[i * n + i]! < 0;
      for (let c = 0; c < n; c++) rs[b * k * n + i * n + c] = c < i ? 0 : flip ? -R[i * n + c]! : R[i * n + c]!;
      for (let r = 0; r < m; r++) qs[b * m * k + r * k + i] = flip ? -Q[r * k + i]! : Q[r * k + i]!;
    }
  }
  return [qs, rs];
}

/** Column c of X (row length `stride`) ← (I − 2vvᵀ/‖v‖²) times it, touching rows from..m−1. */
function reflect(v: Float64Array, vn: number, X: Float64Array, stride: number, c: number, from: number, m: number): void {
  let s = 0;
  for (let i = from; i < m; i++) s += v[i]! * X[i * stride + c]!;
  const f = (2 * s) / vn;
  if (f !== 0) for (let i = from; i < m; i++) X[i * stride + c]! -= f * v[i]!;
}

export function eighKernel([a]: KernelInput[], _p: unknown, [outW, outV]: Aval[]): TypedArray[] {
  const [batch, n] = dims(a!);
  const ws = allocate(outW!.dtype, batch * n);
  const vs = allocate(outV!.dtype, batch * n * n);
  for (let b = 0; b < batch; b++) {
    const { w, v } = eighMatrix(matrixAt(a!, b, n * n), n);
    ws.set(w, b * n);
    vs.set(v, b * n * n);
  }
  return [ws, vs];
}

export function svdKernel([a]: KernelInput[], _p: unknown, [outU, outS, outVt]: Aval[]): TypedArray[] {
  const [batch, m, n] = dims(a!);
  const k = Math.min(m, n);
  const us = allocate(outU!.dtype, batch * m * k);
  const ss = allocate(outS!.dtype, batch * k);
  const vts = allocate(outVt!.dtype, batch * k * n);
  for (let b = 0; b < batch; b++) {
    const { u, s, vt } = svdMatrix(matrixAt(a!, b, m * n), m, n);
    us.set(u, b * m * k);
    ss.set(s, b * k);
    vts.set(vt, b * k * n);
  }
  return [us, ss, vts];
}

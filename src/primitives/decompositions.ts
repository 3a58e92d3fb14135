/**
 * QR, symmetric eigendecomposition and SVD primitives with their derivative
 * rules (the standard formulas for real matrices; see each doc comment). All
 * are batched over leading axes. The rules for eigh and svd divide by gaps
 * between eigenvalues (or squared singular values) and are valid only where
 * those are distinct, as with every AD system.
 */
import type { MaybeTensor, Primitive } from "../core/primitive.js";
import type { Tensor } from "../core/tensor.js";
import * as lax from "./lax.js";
import { batchLeading, checkMatrix, diagMatrix, diagOf, inverseGaps, masked, mm, orZeros, scaleColumns, scaleRows, solveRight, sym } from "./matrix.js";

type None = Record<string, never>;

/** 1/s, only built where a rule needs it (square matrices never divide by S). */
const reciprocal = (s: Tensor) => lax.div(lax.cst(1, s), s);

/** x[..., :, lo:hi]. */
function columns(x: Tensor, lo: number, hi: number): Tensor {
  const r = x.ndim;
  return lax.slice(x, x.shape.map((_, i) => (i === r - 1 ? lo : 0)), x.shape.map((d, i) => (i === r - 1 ? hi : d)));
}

/**
 * Q̇, Ṙ for a tall or square A = QR (m ≥ n). With C = Qᵀ Ȧ R⁻¹ and
 * Ω = strictLower(C) − strictLower(C)ᵀ (Qᵀ Q̇, antisymmetric):
 *   Q̇ = Ȧ R⁻¹ + Q (Ω − C),  Ṙ = (C − Ω) R.
 */
function qrJvpTall(q: Tensor, r: Tensor, dA: Tensor): [Tensor, Tensor] {
  const dAR = solveRight(r, dA, false);
  const c = mm(lax.mT(q), dAR);
  const low = masked(c, "strictLower");
  const omega = lax.sub(low, lax.mT(low));
  return [lax.add(dAR, mm(q, lax.sub(omega, c))), mm(lax.sub(c, omega), r)];
}

/**
 * Ā for a tall or square A = QR: with M = R R̄ᵀ − Q̄ᵀ Q and copyltu(M) the
 * symmetric matrix built from M's lower triangle,
 *   Ā = (Q̄ + Q copyltu(M)) R⁻ᵀ.
 */
function qrVjpTall(q: Tensor, r: Tensor, ctQ: Tensor, ctR: Tensor): Tensor {
  const m = lax.sub(mm(r, lax.mT(ctR)), mm(lax.mT(ctQ), q));
  const copyltu = lax.add(masked(m, "lower"), lax.mT(masked(m, "strictLower")));
  return solveRight(r, lax.add(ctQ, mm(q, copyltu)), false, true);
}

/**
 * Reduced QR: A [..., m, n] = Q [..., m, k] R [..., k, n], k = min(m, n),
 * Householder reflections, R's diagonal made ≥ 0. Derivatives need A of full
 * rank k. A wide A = [X | Y] (m < n) is differentiated as X = Q R₁ (square)
 * and R₂ = Qᵀ Y.
 */
export const qr: Primitive<None> = {
  name: "qr",
  abstractEval([a]) {
    const [m, n] = checkMatrix("qr", a!, false);
    const k = Math.min(m, n), batch = a!.shape.slice(0, -2);
    return [{ shape: [...batch, m, k], dtype: a!.dtype }, { shape: [...batch, k, n], dtype: a!.dtype }];
  },
  jvp([a], [t], _p, [q, r]) {
    if (t === null) return [null, null];
    const m = a!.shape[a!.ndim - 2]!, n = a!.shape[a!.ndim - 1]!;
    if (m >= n) return qrJvpTall(q!, r!, t);
    const [dQ, dR1] = qrJvpTall(q!, columns(r!, 0, m), columns(t, 0, m));
    const y = columns(a!, m, n);
    const dR2 = lax.add(mm(lax.mT(dQ), y), mm(lax.mT(q!), columns(t, m, n)));
    return [dQ, lax.concatenate([dR1, dR2], a!.ndim - 1)];
  },
  vjp([ctQ, ctR], [a], [q, r]) {
    if (ctQ === null && ctR === null) return [null];
    const cq = orZeros(ctQ, q!), cr = orZeros(ctR, r!);
    const m = a!.shape[a!.ndim - 2]!, n = a!.shape[a!.ndim - 1]!;
    if (m >= n) return [qrVjpTall(q!, r!, cq, cr)];
    const y = columns(a!, m, n), cr2 = columns(cr, m, n);
    const ctX = qrVjpTall(q!, columns(r!, 0, m), lax.add(cq, mm(y, lax.mT(cr2))), columns(cr, 0, m));
    return [lax.concatenate([ctX, mm(q!, cr2)], a!.ndim - 1)];
  },
  batch: (args, dims, _p, size) => batchLeading(([a]) => lax.qr(a!), args, dims, size),
};

/**
 * Eigenvalues w (ascending) and orthonormal eigenvectors V (columns) of the
 * symmetric part of A, by Jacobi rotations in float64. With Ã = Vᵀ sym(Ȧ) V and
 * F[i, j] = 1/(w_j − w_i) off the diagonal (0 on it):
 *   ẇ = diag(Ã),  V̇ = V (F ∘ Ã),  Ā = sym(V (diag(w̄) + F ∘ Vᵀ V̄) Vᵀ).
 * Valid for distinct eigenvalues.
 */
export const eigh: Primitive<None> = {
  name: "eigh",
  abstractEval([a]) {
    const [n] = checkMatrix("eigh", a!, true);
    return [{ shape: [...a!.shape.slice(0, -2), n], dtype: a!.dtype }, { shape: a!.shape, dtype: a!.dtype }];
  },
  jvp(_p, [t], _params, [w, v]) {
    if (t === null) return [null, null];
    const inner = mm(lax.mT(v!), mm(sym(t), v!));
    return [diagOf(inner), mm(v!, lax.mul(inverseGaps(w!), inner))];
  },
  vjp([ctW, ctV], _p, [w, v]) {
    if (ctW === null && ctV === null) return [null];
    let inner: Tensor | null = ctW === null ? null : diagMatrix(ctW);
    if (ctV !== null) {
      const rot = lax.mul(inverseGaps(w!), mm(lax.mT(v!), ctV));
      inner = inner === null ? rot : lax.add(inner, rot);
    }
    return [sym(mm(v!, mm(inner!, lax.mT(v!))))];
  },
  batch: (args, dims, _p, size) => batchLeading(([a]) => lax.eigh(a!), args, dims, size),
};

/**
 * Thin SVD A = U diag(S) Vᵀ: U [..., m, k], S [..., k] descending, Vᵀ [..., k, n].
 * With P = Uᵀ Ȧ V and F[i, j] = 1/(s_j² − s_i²) off the diagonal:
 *   Ṡ = diag(P),
 *   U̇ = U (F ∘ (P S + S Pᵀ)) + (I − U Uᵀ) Ȧ V S⁻¹,
 *   V̇ = V (F ∘ (S P + Pᵀ S)) + (I − V Vᵀ) Ȧᵀ U S⁻¹,
 * and the VJP is their adjoint. Valid for distinct, nonzero singular values
 * (the S⁻¹ terms appear only for non-square A).
 */
export const svd: Primitive<None> = {
  name: "svd",
  abstractEval([a]) {
    const [m, n] = checkMatrix("svd", a!, false);
    const k = Math.min(m, n), batch = a!.shape.slice(0, -2);
    return [
      { shape: [...batch, m, k], dtype: a!.dtype },
      { shape: [...batch, k], dtype: a!.dtype },
      { shape: [...batch, k, n], dtype: a!.dtype },
    ];
  },
  jvp([a], [t], _p, [u, s, vt]) {
    if (t === null) return [null, null, null];
    const m = a!.shape[a!.ndim - 2]!, n = a!.shape[a!.ndim - 1]!;
    const v = lax.mT(vt!);
    const dAV = mm(t, v);
    const p = mm(lax.mT(u!), dAV);
    const f = inverseGaps(lax.mul(s!, s!));
    const pS = scaleColumns(p, s!), sP = scaleRows(p, s!);
    let dU = mm(u!, lax.mul(f, lax.add(pS, lax.mT(pS))));
    let dV = mm(v, lax.mul(f, lax.add(sP, lax.mT(sP))));
    if (m > n) dU = lax.add(dU, scaleColumns(lax.sub(dAV, mm(u!, p)), reciprocal(s!)));
    if (n > m) dV = lax.add(dV, scaleColumns(lax.sub(mm(lax.mT(t), u!), mm(v, lax.mT(p))), reciprocal(s!)));
    return [dU, diagOf(p), lax.mT(dV)];
  },
  vjp([ctU, ctS, ctVt], [a], [u, s, vt]): MaybeTensor[] {
    if (ctU === null && ctS === null && ctVt === null) return [null];
    const m = a!.shape[a!.ndim - 2]!, n = a!.shape[a!.ndim - 1]!;
    const v = lax.mT(vt!);
    // Built only when a singular vector has a cotangent: S alone needs no gaps.
    const f = ctU === null && ctVt === null ? null : inverseGaps(lax.mul(s!, s!));
    let ctP = diagMatrix(orZeros(ctS, s!));
    let extra: Tensor | null = null;
    if (ctU !== null) {
      const j = lax.mul(f!, mm(lax.mT(u!), ctU));
      ctP = lax.add(ctP, scaleColumns(lax.add(j, lax.mT(j)), s!));
      if (m > n) extra = mm(scaleColumns(lax.sub(ctU, mm(u!, mm(lax.mT(u!), ctU))), reciprocal(s!)), vt!);
    }
    if (ctVt !== null) {
      const ctV = lax.mT(ctVt);
      const k = lax.mul(f!, mm(lax.mT(v), ctV));
      ctP = lax.add(ctP, scaleRows(lax.add(k, lax.mT(k)), s!));
      if (n > m) {
        const side = mm(u!, lax.mT(scaleColumns(lax.sub(ctV, mm(v, mm(vt!, ctV))), reciprocal(s!))));
        extra = extra === null ? side : lax.add(extra, side);
      }
    }
    const core = mm(u!, mm(ctP, vt!));
    return [extra === null ? core : lax.add(core, extra)];
  },
  batch: (args, dims, _p, size) => batchLeading(([a]) => lax.svd(a!), args, dims, size),
};

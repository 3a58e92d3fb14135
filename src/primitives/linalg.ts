/**
 * Linear-algebra primitives: Cholesky, triangular solve and LU here; QR, eigh
 * and SVD in decompositions.ts. Each works on [..., m, n] with every leading
 * axis a batch axis, so batching is only moving the vmapped axis to the front.
 * The derivative rules are the standard published ones, written with lax so
 * they can be differentiated again.
 */
import { DTypeError, ShapeError, fmtShape } from "../core/errors.js";
import type { MaybeTensor, Primitive } from "../core/primitive.js";
import type { Tensor } from "../core/tensor.js";
import type { PrimParams } from "../backend/spec.js";
import * as lax from "./lax.js";
import { batchLeading, checkMatrix, eye, masked, mm, permutationMatrix, solveRight, sym, type Part } from "./matrix.js";

export { qr, eigh, svd } from "./decompositions.js";

type None = Record<string, never>;

/**
 * L with L Lᵀ = (A + Aᵀ)/2, lower triangular with a positive diagonal; NaN
 * everywhere when the symmetric part is not positive definite. Derivatives
 * (Murray 2016, "Differentiation of the Cholesky decomposition"), with Φ the
 * lower triangle with the diagonal halved:
 *   L̇ = L Φ(L⁻¹ Ȧ L⁻ᵀ),  Ā = sym(L⁻ᵀ Φ(Lᵀ L̄) L⁻¹).
 */
export const cholesky: Primitive<None> = {
  name: "cholesky",
  abstractEval([a]) {
    checkMatrix("cholesky", a!, true);
    return [{ shape: a!.shape, dtype: a!.dtype }];
  },
  jvp(_p, [t], _params, [l]) {
    if (t === null) return [null];
    const y = lax.triangularSolve(l!, sym(t), true); // L⁻¹ Ȧ
    const inner = solveRight(l!, y, true, true); // L⁻¹ Ȧ L⁻ᵀ
    return [mm(l!, masked(inner, "lowerHalfDiagonal"))];
  },
  vjp([ct], _p, [l]) {
    if (ct === null) return [null];
    const phi = masked(mm(lax.mT(l!), ct), "lowerHalfDiagonal");
    const left = lax.triangularSolve(l!, phi, true, true); // L⁻ᵀ Φ
    return [sym(solveRight(l!, left, true))]; // · L⁻¹
  },
  batch: (args, dims, _p, size) => batchLeading(([a]) => [lax.cholesky(a!)], args, dims, size),
};

/** The part of A that triangular_solve reads (the diagonal is implicit when unitDiagonal). */
function readPart(lower: boolean, unitDiagonal: boolean): Part {
  if (lower) return unitDiagonal ? "strictLower" : "lower";
  return unitDiagonal ? "strictUpper" : "upper";
}

/**
 * X = op(A)⁻¹ B for triangular A (op(A) = Aᵀ when transposeA), A [..., n, n],
 * B [..., n, k]. Only A's triangle is read. Derivatives:
 *   Ẋ = op(A)⁻¹ (Ḃ − op(Ȧ) X),  B̄ = op(A)⁻ᵀ X̄,  op(A)‾ = −B̄ Xᵀ (kept to the triangle read).
 */
export const triangularSolve: Primitive<PrimParams["triangular_solve"]> = {
  name: "triangular_solve",
  abstractEval([a, b]) {
    const [n] = checkMatrix("triangularSolve", a!, true, "matrix A");
    checkMatrix("triangularSolve", b!, false, "right-hand side B");
    if (a!.dtype !== b!.dtype) throw new DTypeError(`triangularSolve: A and B must have one dtype, got ${a!.dtype} and ${b!.dtype}`);
    const ra = a!.shape.length, rb = b!.shape.length;
    const sameBatch = ra === rb && a!.shape.slice(0, -2).every((d, i) => d === b!.shape[i]);
    if (!sameBatch || b!.shape[rb - 2] !== n) {
      throw new ShapeError(
        `triangularSolve: A ${fmtShape(a!.shape)} and B ${fmtShape(b!.shape)} do not fit: B needs shape [..., ${n}, k] with the batch axes of A`,
      );
    }
    return [{ shape: b!.shape, dtype: b!.dtype }];
  },
  jvp([a], [ta, tb], p, [x]) {
    if (ta === null && tb === null) return [null];
    let rhs: Tensor | null = tb;
    if (ta !== null) {
      const dA = masked(ta, readPart(p.lower, p.unitDiagonal));
      const prod = mm(p.transposeA ? lax.mT(dA) : dA, x!);
      rhs = rhs === null ? lax.neg(prod) : lax.sub(rhs, prod);
    }
    return [lax.triangularSolve(a!, rhs!, p.lower, p.transposeA, p.unitDiagonal)];
  },
  vjp([ct], [a], [x], p) {
    if (ct === null) return [null, null];
    const ctB = lax.triangularSolve(a!, ct, p.lower, !p.transposeA, p.unitDiagonal);
    const ctOp = lax.neg(mm(ctB, lax.mT(x!)));
    const ctA = masked(p.transposeA ? lax.mT(ctOp) : ctOp, readPart(p.lower, p.unitDiagonal));
    return [ctA, ctB];
  },
  batch: (args, dims, p, size) =>
    batchLeading(([a, b]) => [lax.triangularSolve(a!, b!, p.lower, p.transposeA, p.unitDiagonal)], args, dims, size),
};

/**
 * LU with partial pivoting: P A = L U. Outputs the packed factors (L's strict
 * lower triangle, its unit diagonal implied, and U's upper triangle) and
 * `perm` (int32) with A[perm] = L U. With X = L⁻¹ P Ȧ U⁻¹:
 *   L̇U = L·strictLower(X) + upper(X)·U,
 *   Ā = Pᵀ L⁻ᵀ (strictLower(Lᵀ L̄U) + upper(L̄U Uᵀ)) U⁻ᵀ.
 * Valid where A is nonsingular (U has no zero on its diagonal).
 */
export const lu: Primitive<None> = {
  name: "lu",
  abstractEval([a]) {
    const [n] = checkMatrix("lu", a!, true);
    return [{ shape: a!.shape, dtype: a!.dtype }, { shape: [...a!.shape.slice(0, -2), n], dtype: "int32" }];
  },
  jvp(_p, [t], _params, [packed, perm]): MaybeTensor[] {
    if (t === null) return [null, null];
    const { l, u } = unpack(packed!);
    const pA = mm(permutationMatrix(perm!, t.dtype), t);
    const x = solveRight(packed!, lax.triangularSolve(packed!, pA, true, false, true), false); // L⁻¹ P Ȧ U⁻¹
    return [lax.add(mm(l, masked(x, "strictLower")), mm(masked(x, "upper"), u)), null];
  },
  vjp([ct], _p, [packed, perm]): MaybeTensor[] {
    if (ct === null) return [null];
    const { l, u } = unpack(packed!);
    const ctX = lax.add(masked(mm(lax.mT(l), ct), "strictLower"), masked(mm(ct, lax.mT(u)), "upper"));
    const left = lax.triangularSolve(packed!, ctX, true, true, true); // L⁻ᵀ X̄
    const both = solveRight(packed!, left, false, true); // · U⁻ᵀ
    return [mm(lax.mT(permutationMatrix(perm!, ct.dtype)), both)];
  },
  batch: (args, dims, _p, size) => batchLeading(([a]) => lax.lu(a!), args, dims, size),
};

/** L (unit lower) and U from the packed LU matrix. */
export function unpack(packed: Tensor): { l: Tensor; u: Tensor } {
  const n = packed.shape[packed.ndim - 1]!;
  return { l: lax.add(masked(packed, "strictLower"), eye(n, packed.dtype)), u: masked(packed, "upper") };
}

/**
 * `fx.linalg`: factorizations (cholesky, qr, svd, eigh, luFactor), solves,
 * inverse, determinants, norms, trace and diagonals. Every function takes
 * batches of matrices (leading axes are batch axes), works under every
 * transform, and computes in float64 inside its kernels whatever the dtype.
 * Integer and bool inputs are converted to float32 first.
 *
 *   const a = fx.tensor([[4, 2], [2, 3]], { dtype: "float64" });
 *   fx.linalg.det(a).item();           // 8
 *   fx.linalg.solve(a, [2, 1]);         // [0.5, 0]
 *   fx.grad((m) => fx.linalg.det(m))(a); // det(a)·a⁻ᵀ
 */
import { isFloat } from "../core/dtype.js";
import { ShapeError, TransformError, ValueError, fmtShape } from "../core/errors.js";
import { broadcastShapes } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import * as lax from "../primitives/lax.js";
import { diagOf, eye, maskOf, mm, permutationMatrix } from "../primitives/matrix.js";
import { asTensor, unify, type ArrayLike } from "./convert.js";

export { norm, type NormOrder } from "./norm.js";

/** x as a float tensor (ints and bools become float32), checked to be a (batch of) matrices. */
export function asMatrix(op: string, x: ArrayLike, square: boolean): Tensor {
  let t = asTensor(x);
  if (!isFloat(t.dtype)) t = lax.cast(t, "float32");
  if (t.ndim < 2) throw new ShapeError(`linalg.${op}: needs a matrix or a batch of matrices (rank ≥ 2), got shape ${fmtShape(t.shape)}`);
  const m = t.shape[t.ndim - 2]!, n = t.shape[t.ndim - 1]!;
  if (square && m !== n) {
    throw new ShapeError(`linalg.${op}: needs square matrices, got shape ${fmtShape(t.shape)} (axis -2 has ${m} rows, axis -1 has ${n} columns)`);
  }
  return t;
}

/** The values behind t when they exist now (eagerly, or under grad/jvp); null under jit and vmap. */
function valuesNow(t: Tensor): Float64Array | null {
  try {
    return Float64Array.from(t.concrete().data());
  } catch (e) {
    if (e instanceof TransformError) return null; // no values under jit (ConcretizationError) or vmap
    throw e;
  }
}

/** Which matrix of a batch, for error messages. */
const batchIndex = (flat: number, batch: readonly number[]) =>
  batch.length === 0 ? "" : ` (matrix ${flat} of the batch ${fmtShape(batch)}, flattened)`;

/** Throws when a packed LU factorization has a zero pivot (only when values are available). */
function requireNonsingular(op: string, packed: Tensor): void {
  const data = valuesNow(packed);
  if (data === null) return;
  const n = packed.shape[packed.ndim - 1]!;
  for (let b = 0; b * n * n < data.length; b++) {
    for (let i = 0; i < n; i++) {
      if (data[b * n * n + i * n + i] === 0) {
        throw new ValueError(
          `linalg.${op}: the matrix is singular${batchIndex(b, packed.shape.slice(0, -2))}: its LU factorization has a zero pivot at ` +
            `row ${i}. Use linalg.det or linalg.slogdet to test for singularity, or linalg.svd for a least-squares answer.`,
        );
      }
    }
  }
}

/**
 * Cholesky factor L (lower triangular, positive diagonal) with L Lᵀ = A for a
 * symmetric positive-definite A. Only the symmetric part (A + Aᵀ)/2 is used,
 * so the gradient is symmetric. A matrix that is not positive definite throws
 * a ValueError when values are available (eagerly, under grad/jvp) and gives
 * NaN under jit and vmap.
 *
 *   fx.linalg.cholesky([[4, 2], [2, 5]]); // [[2, 0], [1, 2]]
 */
export function cholesky(a: ArrayLike): Tensor {
  const t = asMatrix("cholesky", a, true);
  const l = lax.cholesky(t);
  const out = valuesNow(l), input = out && valuesNow(t);
  if (out && input && out.some(Number.isNaN) && input.every(Number.isFinite)) {
    const n = t.shape[t.ndim - 1]!;
    const first = Math.floor(out.findIndex(Number.isNaN) / Math.max(1, n * n));
    throw new ValueError(`linalg.cholesky: the matrix is not positive definite${batchIndex(first, t.shape.slice(0, -2))}`);
  }
  return l;
}

/**
 * Reduced QR: A [..., m, n] = Q R with Q [..., m, k] orthonormal columns and
 * R [..., k, n] upper triangular with a non-negative diagonal, k = min(m, n).
 * Gradients need A of full rank.
 */
export function qr(a: ArrayLike): [Tensor, Tensor] {
  const [q, r] = lax.qr(asMatrix("qr", a, false));
  return [q!, r!];
}

/**
 * Thin SVD: A = U diag(S) Vᵀ with U [..., m, k], S [..., k] descending and
 * ≥ 0, Vt [..., k, n], k = min(m, n). Gradients through U and Vt need
 * distinct singular values (and nonzero ones for non-square A); gradients
 * through S alone are always defined.
 *
 *   const [u, s, vt] = fx.linalg.svd(a);
 */
export function svd(a: ArrayLike): [Tensor, Tensor, Tensor] {
  const [u, s, vt] = lax.svd(asMatrix("svd", a, false));
  return [u!, s!, vt!];
}

/**
 * Eigenvalues (ascending) and eigenvectors (the columns of V) of a symmetric
 * matrix: A = V diag(w) Vᵀ. Uses (A + Aᵀ)/2. Each eigenvector is signed so its
 * largest component is positive. Gradients through V need distinct eigenvalues.
 */
export function eigh(a: ArrayLike): [Tensor, Tensor] {
  const [w, v] = lax.eigh(asMatrix("eigh", a, true));
  return [w!, v!];
}

/**
 * LU factorization with partial pivoting, A[perm] = L U: returns the packed
 * factors (L's strict lower triangle with its unit diagonal implied, U's
 * upper triangle) and the row permutation `perm` (int32).
 */
export function luFactor(a: ArrayLike): [Tensor, Tensor] {
  const [packed, perm] = lax.lu(asMatrix("luFactor", a, true));
  return [packed!, perm!];
}

export interface TriangularSolveOptions {
  /** A is lower triangular (default true); only that triangle is read. */
  lower?: boolean;
  /** Solve Aᵀ x = b instead. */
  transpose?: boolean;
  /** Treat A's diagonal as ones without reading it. */
  unitDiagonal?: boolean;
}

/** A and b with one float dtype and broadcast batch axes; b as [..., n, k] plus whether it was a vector. */
function systemOf(op: string, a: ArrayLike, b: ArrayLike): { a: Tensor; b: Tensor; vector: boolean } {
  let [ta, tb] = unify([a, b]) as [Tensor, Tensor];
  if (!isFloat(ta.dtype)) [ta, tb] = [lax.cast(ta, "float32"), lax.cast(tb, "float32")];
  ta = asMatrix(op, ta, true);
  const n = ta.shape[ta.ndim - 1]!;
  const vector = tb.ndim === 1;
  if (vector) tb = lax.reshape(tb, [tb.shape[0]!, 1]);
  if (tb.ndim < 2 || tb.shape[tb.ndim - 2] !== n) {
    throw new ShapeError(
      `linalg.${op}: A ${fmtShape(ta.shape)} and b ${fmtShape(vector ? [tb.shape[0]!] : tb.shape)} do not fit: b needs ${n} rows ` +
        `(shape [${n}] or [..., ${n}, k]; a batch of vectors is [..., ${n}, 1])`,
    );
  }
  const batch = broadcastShapes(`linalg.${op}`, ta.shape.slice(0, -2), tb.shape.slice(0, -2));
  ta = lax.broadcastTo(ta, [...batch, n, n]);
  tb = lax.broadcastTo(tb, [...batch, ...tb.shape.slice(-2)]);
  return { a: ta, b: tb, vector };
}

const unvector = (x: Tensor, vector: boolean) => (vector ? lax.reshape(x, x.shape.slice(0, -1)) : x);

/**
 * x with op(A) x = b for a triangular A (op(A) = Aᵀ with `transpose`), by
 * substitution. b is a vector [n] or a batch of matrices [..., n, k].
 *
 *   fx.linalg.triangularSolve([[2, 0], [1, 1]], [4, 3]); // [2, 1]
 */
export function triangularSolve(a: ArrayLike, b: ArrayLike, opts: TriangularSolveOptions = {}): Tensor {
  const sys = systemOf("triangularSolve", a, b);
  const x = lax.triangularSolve(sys.a, sys.b, opts.lower ?? true, opts.transpose ?? false, opts.unitDiagonal ?? false);
  return unvector(x, sys.vector);
}

/** x = A⁻¹ b through the LU factors: b ← P b, then L y = b, then U x = y. */
function luSolve(op: string, a: Tensor, b: Tensor): Tensor {
  const [packed, perm] = lax.lu(a) as [Tensor, Tensor];
  requireNonsingular(op, packed);
  const pb = mm(permutationMatrix(perm, b.dtype), b);
  return lax.triangularSolve(packed, lax.triangularSolve(packed, pb, true, false, true), false);
}

/**
 * The solution of A x = b (A square, nonsingular), by LU with partial
 * pivoting. b is a vector [n] or a batch of matrices [..., n, k] (NumPy 2's
 * rule; a batch of vectors is [..., n, 1]); batch axes broadcast. A singular
 * A throws a ValueError when values are available (eagerly, under grad/jvp)
 * and gives inf/NaN under jit and vmap.
 *
 *   fx.linalg.solve([[3, 1], [1, 2]], [9, 8]); // [2, 3]
 */
export function solve(a: ArrayLike, b: ArrayLike): Tensor {
  const sys = systemOf("solve", a, b);
  return unvector(luSolve("solve", sys.a, sys.b), sys.vector);
}

/**
 * The inverse A⁻¹ (solving A X = I by LU). Derivative: d(A⁻¹) = −A⁻¹ dA A⁻¹.
 * Singular matrices: as for `solve`.
 */
export function inv(a: ArrayLike): Tensor {
  const t = asMatrix("inv", a, true);
  const n = t.shape[t.ndim - 1]!;
  return luSolve("inv", t, lax.broadcastTo(eye(n, t.dtype), t.shape));
}

/** (−1)^(number of inversions) of each permutation [..., n], in `like`'s dtype. */
function permutationSign(perm: Tensor, like: Tensor): Tensor {
  const n = perm.shape[perm.ndim - 1]!;
  const before = lax.gt(lax.reshape(perm, [...perm.shape, 1]), lax.reshape(perm, [...perm.shape.slice(0, -1), 1, n]));
  const inversions = lax.mul(lax.cast(before, "int32"), maskOf("strictUpper", n, "int32"));
  const count = lax.reduceSum(inversions, [perm.ndim - 1, perm.ndim]);
  const odd = lax.cast(lax.binary("rem", count, lax.cst(2, count)), like.dtype);
  return lax.sub(lax.cst(1, like), lax.mul(lax.cst(2, like), odd));
}

/**
 * The determinant, as sign(P)·∏ diag(U) from P A = L U. Exactly 0 for a
 * matrix whose elimination meets a zero pivot. Gradient: det(A)·A⁻ᵀ (through
 * the LU rules, so it is not finite at singular A).
 *
 *   fx.linalg.det([[1, 2], [3, 4]]).item(); // −2
 */
export function det(a: ArrayLike): Tensor {
  const t = asMatrix("det", a, true);
  const [packed, perm] = lax.lu(t) as [Tensor, Tensor];
  const d = diagOf(packed);
  return plusZero(lax.mul(permutationSign(perm, d), lax.reduceProd(d, [d.ndim - 1])));
}

/** x + 0 turns −0 into +0 (a singular matrix's det reads as 0, not −0). */
const plusZero = (x: Tensor) => lax.add(x, lax.cst(0, x));

/**
 * [sign, log|det A|], which stays finite where det over- or underflows. A
 * singular matrix gives [0, −∞]. Gradient of the log: A⁻ᵀ.
 */
export function slogdet(a: ArrayLike): [Tensor, Tensor] {
  const t = asMatrix("slogdet", a, true);
  const [packed, perm] = lax.lu(t) as [Tensor, Tensor];
  const d = diagOf(packed);
  const last = [d.ndim - 1];
  const sign = plusZero(lax.mul(permutationSign(perm, d), lax.reduceProd(lax.sign(d), last)));
  return [sign, lax.reduceSum(lax.log(lax.abs(d)), last)];
}

/** The offset diagonal of the last two axes: [..., m, n] → [..., len]. */
export function diagonal(x: ArrayLike, offset = 0): Tensor {
  const t = asTensor(x);
  if (t.ndim < 2) throw new ShapeError(`linalg.diagonal: needs rank ≥ 2, got shape ${fmtShape(t.shape)}`);
  if (!Number.isInteger(offset)) throw new ValueError(`linalg.diagonal: offset must be an integer, got ${offset}`);
  const m = t.shape[t.ndim - 2]!, n = t.shape[t.ndim - 1]!;
  const row0 = Math.max(-offset, 0), col0 = Math.max(offset, 0);
  const len = Math.max(0, Math.min(m - row0, n - col0));
  const r = t.ndim;
  const square = lax.slice(
    t,
    t.shape.map((_, i) => (i === r - 2 ? Math.min(row0, m) : i === r - 1 ? Math.min(col0, n) : 0)),
    t.shape.map((d, i) => (i === r - 2 ? Math.min(row0, m) + len : i === r - 1 ? Math.min(col0, n) + len : d)),
  );
  if (t.dtype !== "bool") return diagOf(square);
  const d = diagOf(lax.cast(square, "int32")); // no multiplication of bools
  return lax.ne(d, lax.cst(0, d));
}

/** Sum of the offset diagonal of the last two axes (NumPy 2's linalg.trace). */
export function trace(x: ArrayLike, offset = 0): Tensor {
  let d = diagonal(x, offset);
  if (d.dtype === "bool" || d.dtype === "uint8") d = lax.cast(d, "int32");
  return lax.reduceSum(d, [d.ndim - 1]);
}

/**
 * A raised to an integer power by repeated squaring; a negative power inverts
 * first, 0 gives the identity.
 *
 *   fx.linalg.matrixPower([[1, 1], [1, 0]], 10); // [[89, 55], [55, 34]]
 */
export function matrixPower(a: ArrayLike, power: number): Tensor {
  if (!Number.isInteger(power)) throw new ValueError(`linalg.matrixPower: the power must be an integer, got ${power}`);
  let base = asMatrix("matrixPower", a, true);
  const n = base.shape[base.ndim - 1]!;
  if (power < 0) base = inv(base);
  let result: Tensor | null = null;
  for (let k = Math.abs(power); k > 0; k >>= 1) {
    if (k & 1) result = result === null ? base : lax.dot(result, base);
    if (k > 1) base = lax.dot(base, base);
  }
  return result ?? lax.broadcastTo(eye(n, base.dtype), base.shape);
}

/**
 * Matrix helpers for the linear-algebra rules, written with lax so the rules
 * stay differentiable. All work on batches [..., m, n]; constants (identity,
 * triangle masks) are [n, n] and broadcast against the batch.
 */
import { allocate, isFloat, type DType } from "../core/dtype.js";
import { DTypeError, ShapeError, fmtShape } from "../core/errors.js";
import type { Aval, Tensor } from "../core/tensor.js";
import * as lax from "./lax.js";
import { fromTypedArray } from "./constant.js";
import { broadcastBatch, toFront, type BatchResult } from "./batching.js";

/** The shape/dtype checks every linalg primitive shares; returns [m, n]. */
export function checkMatrix(op: string, x: Aval, square: boolean, what = "input"): [number, number] {
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: needs a float32 or float64 ${what}, got ${x.dtype}${fmtShape(x.shape)}`);
  const r = x.shape.length;
  if (r < 2) throw new ShapeError(`${op}: needs a matrix or a batch of matrices (rank ≥ 2) as ${what}, got shape ${fmtShape(x.shape)}`);
  const m = x.shape[r - 2]!, n = x.shape[r - 1]!;
  if (square && m !== n) {
    throw new ShapeError(`${op}: needs square matrices, got shape ${fmtShape(x.shape)} (axis -2 has ${m} rows, axis -1 has ${n} columns)`);
  }
  return [m, n];
}

/** Batching for primitives already batched over leading axes: batch axis to the front, unbatched operands broadcast. */
export function batchLeading(apply: (args: Tensor[]) => Tensor[], args: Tensor[], dims: (number | null)[], size: number): BatchResult {
  const front = toFront(args, dims).map((a, i) => (dims[i] === null ? broadcastBatch(a, size) : a));
  const outs = apply(front);
  return [outs, outs.map(() => 0)];
}


/** Which part of a square matrix a mask keeps. */
export type Part = "lower" | "strictLower" | "upper" | "strictUpper" | "diagonal" | "lowerHalfDiagonal";

function keeps(part: Part, i: number, j: number): number {
  switch (part) {
    case "lower": return i >= j ? 1 : 0;
    case "strictLower": return i > j ? 1 : 0;
    case "upper": return i <= j ? 1 : 0;
    case "strictUpper": return i < j ? 1 : 0;
    case "diagonal": return i === j ? 1 : 0;
    case "lowerHalfDiagonal": return i > j ? 1 : i === j ? 0.5 : 0; // Murray's Φ
    default: return part satisfies never;
  }
}

/** An [n, n] constant: 1 where `part` keeps the entry, 0 elsewhere (0.5 on the diagonal for Φ). */
export function maskOf(part: Part, n: number, dtype: DType): Tensor {
  const data = allocate(dtype, n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data[i * n + j] = keeps(part, i, j);
  return fromTypedArray(data, [n, n], dtype);
}

const sizeN = (x: Tensor) => x.shape[x.ndim - 1]!;

/** The entries of a square batch x in `part`, zeros elsewhere. */
export const masked = (x: Tensor, part: Part) => lax.mul(x, maskOf(part, sizeN(x), x.dtype));

export const eye = (n: number, dtype: DType) => maskOf("diagonal", n, dtype);

/** Batched matrix product with the batch axes of either side broadcast. */
export function mm(a: Tensor, b: Tensor): Tensor {
  const batch = a.ndim >= b.ndim ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
  const aa = lax.broadcastTo(a, [...batch, ...a.shape.slice(-2)]);
  const bb = lax.broadcastTo(b, [...batch, ...b.shape.slice(-2)]);
  return lax.dot(aa, bb);
}

/** (x + xᵀ) / 2. */
export const sym = (x: Tensor) => lax.mul(lax.add(x, lax.mT(x)), lax.cst(0.5, x));

/** The diagonal of each matrix, [..., n, n] → [..., n]. */
export function diagOf(x: Tensor): Tensor {
  return lax.reduceSum(lax.mul(x, eye(sizeN(x), x.dtype)), [x.ndim - 1]);
}

/** A batch of diagonal matrices from [..., n]. */
export function diagMatrix(d: Tensor): Tensor {
  const n = d.shape[d.ndim - 1]!;
  return lax.mul(lax.reshape(d, [...d.shape, 1]), eye(n, d.dtype));
}

/** x scaled column by column: x · diag(d) for x [..., m, n], d [..., n]. */
export const scaleColumns = (x: Tensor, d: Tensor) => lax.mul(x, lax.reshape(d, [...d.shape.slice(0, -1), 1, d.shape[d.ndim - 1]!]));

/** x scaled row by row: diag(d) · x for x [..., m, n], d [..., m]. */
export const scaleRows = (x: Tensor, d: Tensor) => lax.mul(x, lax.reshape(d, [...d.shape, 1]));

/**
 * x · op(T)⁻¹ for a triangular T (a solve from the right), through the
 * identity X op(T) = B ⇔ op(T)ᵀ Xᵀ = Bᵀ.
 */
export function solveRight(t: Tensor, b: Tensor, lower: boolean, transposeA = false, unitDiagonal = false): Tensor {
  return lax.mT(lax.triangularSolve(t, lax.mT(b), lower, !transposeA, unitDiagonal));
}

/**
 * F with F[i, j] = 1 / (d[j] − d[i]) off the diagonal and 0 on it: the factor
 * in the eigenvector and singular-vector derivatives. Infinite where values repeat.
 */
export function inverseGaps(d: Tensor): Tensor {
  const n = d.shape[d.ndim - 1]!;
  const row = lax.reshape(d, [...d.shape.slice(0, -1), 1, n]);
  const col = lax.reshape(d, [...d.shape, 1]);
  const onDiag = lax.ne(eye(n, d.dtype), lax.cst(0, d));
  const gaps = lax.sub(row, col);
  return lax.select(onDiag, lax.cst(0, d), lax.div(lax.cst(1, d), lax.select(onDiag, lax.cst(1, d), gaps)));
}

/** A permutation as a matrix: P[..., i, j] = 1 where perm[..., i] = j, so P·A = A[perm]. */
export function permutationMatrix(perm: Tensor, dtype: DType): Tensor {
  const n = perm.shape[perm.ndim - 1]!;
  const cols = lax.reshape(fromTypedArray(Int32Array.from({ length: n }, (_, i) => i), [n], "int32"), [1, n]);
  return lax.cast(lax.eq(lax.reshape(perm, [...perm.shape, 1]), cols), dtype);
}

/** The tensor, or zeros of its output's shape when a cotangent is symbolically zero. */
export const orZeros = (ct: Tensor | null, like: Tensor) => ct ?? lax.zerosLike(like);

/** `linalg.norm`: vector and matrix norms with NumPy's (x, ord, axis, keepdims). */
import { isFloat } from "../core/dtype.js";
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { normalizeAxes, normalizeAxis } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import * as lax from "../primitives/lax.js";
import { asTensor, type ArrayLike } from "./convert.js";

/** A p for vector norms (any nonzero number, ±Infinity, 0 counts nonzeros), or "fro"/"nuc" and ±1, ±2, ±Infinity for matrices. */
export type NormOrder = number | "fro" | "nuc";

/**
 * √(Σ x²) over `axes` whose gradient at x = 0 is 0 rather than NaN: the square
 * root is taken of 1 where the sum is 0, and that branch is discarded.
 */
function safeEuclidean(x: Tensor, axes: number[]): Tensor {
  const s = lax.reduceSum(lax.mul(x, x), axes);
  const zero = lax.eq(s, lax.cst(0, s));
  return lax.select(zero, lax.cst(0, s), lax.sqrt(lax.select(zero, lax.cst(1, s), s)));
}

function vectorNorm(x: Tensor, ord: NormOrder | null | undefined, axis: number): Tensor {
  if (ord === undefined || ord === null || ord === 2) return safeEuclidean(x, [axis]);
  if (typeof ord !== "number") throw new ValueError(`linalg.norm: ord "${ord}" is a matrix norm; give two axes (axis: [r, c]) or a 2-D tensor`);
  const a = lax.abs(x);
  if (ord === Infinity) return lax.reduceMax(a, [axis]);
  if (ord === -Infinity) return lax.reduceMin(a, [axis]);
  if (ord === 0) return lax.reduceSum(lax.cast(lax.ne(x, lax.cst(0, x)), x.dtype), [axis]);
  if (ord === 1) return lax.reduceSum(a, [axis]);
  if (Number.isNaN(ord)) throw new ValueError(`linalg.norm: ord must be a number, "fro" or "nuc", got NaN`);
  // (Σ |x|^p)^(1/p), with the same guard at 0 as the Euclidean norm.
  const s = lax.reduceSum(lax.pow(a, lax.cst(ord, a)), [axis]);
  const zero = lax.eq(s, lax.cst(0, s));
  return lax.select(zero, lax.cst(0, s), lax.pow(lax.select(zero, lax.cst(1, s), s), lax.cst(1 / ord, s)));
}

/** Singular values of x [..., m, n] (descending). */
const singularValues = (x: Tensor) => lax.svd(x)[1]!;

function matrixNorm(x: Tensor, ord: NormOrder | null | undefined): Tensor {
  const r = x.ndim - 2, c = x.ndim - 1;
  const a = () => lax.abs(x);
  switch (ord) {
    case undefined: case null: case "fro": return safeEuclidean(x, [r, c]);
    case "nuc": return lax.reduceSum(singularValues(x), [r]);
    case 1: return lax.reduceMax(lax.reduceSum(a(), [r]), [r]); // largest column sum
    case -1: return lax.reduceMin(lax.reduceSum(a(), [r]), [r]);
    case Infinity: return lax.reduceMax(lax.reduceSum(a(), [c]), [r]); // largest row sum
    case -Infinity: return lax.reduceMin(lax.reduceSum(a(), [c]), [r]);
    case 2: case -2: {
      const s = singularValues(x);
      const k = s.shape[s.ndim - 1]!;
      if (k === 0) throw new ValueError(`linalg.norm: the ${ord}-norm of an empty matrix ${fmtShape(x.shape)} is undefined`);
      const at = ord === 2 ? 0 : k - 1;
      const one = lax.slice(s, s.shape.map((_, i) => (i === s.ndim - 1 ? at : 0)), s.shape.map((d, i) => (i === s.ndim - 1 ? at + 1 : d)));
      return lax.reshape(one, s.shape.slice(0, -1));
    }
    default:
      throw new ValueError(`linalg.norm: ord ${String(ord)} is not a matrix norm (use "fro", "nuc", 1, -1, 2, -2, Infinity or -Infinity)`);
  }
}

/**
 * Vector or matrix norm, as NumPy's `norm(x, ord, axis, keepdims)`:
 * - no `axis`, no `ord`: the 2-norm of all elements (Frobenius for a matrix);
 * - `axis` a number (or x 1-D): the vector norm (Σ|x|^p)^(1/p), p = `ord` (default 2);
 * - `axis` a pair (or x 2-D with an `ord`): a matrix norm: "fro" (default),
 *   "nuc" (Σ singular values), 2 / −2 (largest / smallest singular value),
 *   1 / −1 (max / min column sum of |x|), ±Infinity (max / min row sum).
 * The gradient of the 2-norm and Frobenius norm at 0 is 0, not NaN.
 *
 *   fx.linalg.norm([3, 4]).item();                 // 5
 *   fx.linalg.norm([[1, 2], [3, 4]], 1).item();    // 6
 *   fx.linalg.norm(x, 2, -1, true);                // row norms, kept as [..., 1]
 */
export function norm(x: ArrayLike, ord?: NormOrder | null, axis?: number | readonly number[] | null, keepdims = false): Tensor {
  let t = asTensor(x);
  if (!isFloat(t.dtype)) t = lax.cast(t, "float32");
  let axes: number[];
  if (axis === undefined || axis === null) {
    if (ord === undefined || ord === null) {
      const all = t.shape.map((_, i) => i);
      const out = safeEuclidean(t, all);
      return keepdims ? lax.reshape(out, t.shape.map(() => 1)) : out;
    }
    if (t.ndim !== 1 && t.ndim !== 2) {
      throw new ShapeError(`linalg.norm: with ord ${String(ord)} and no axis the input must be 1-D or 2-D, got shape ${fmtShape(t.shape)}; pass axis`);
    }
    axes = t.shape.map((_, i) => i);
  } else if (typeof axis === "number") {
    axes = [normalizeAxis("linalg.norm", axis, t.ndim)];
  } else {
    if (axis.length !== 1 && axis.length !== 2) throw new ValueError(`linalg.norm: axis must be one axis or a pair, got ${fmtShape(axis)}`);
    axes = axis.map((a) => normalizeAxis("linalg.norm", a, t.ndim));
    normalizeAxes("linalg.norm", axes, t.ndim); // rejects a repeated axis
  }
  let out: Tensor;
  if (axes.length === 1) {
    out = vectorNorm(t, ord, axes[0]!);
  } else {
    const rest = t.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    out = matrixNorm(lax.transpose(t, [...rest, axes[0]!, axes[1]!]), ord);
  }
  return keepdims ? lax.reshape(out, t.shape.map((d, i) => (axes.includes(i) ? 1 : d))) : out;
}

/** Reductions with NumPy's `axis` (number, list, negative, or all) and `keepdims`. */
import { isFloat } from "../core/dtype.js";
import { ValueError, fmtShape } from "../core/errors.js";
import { normalizeAxes, normalizeAxis } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import * as lax from "../primitives/lax.js";
import { asTensor, type ArrayLike } from "./convert.js";

export type Axis = number | number[] | null | undefined;

function keep(r: Tensor, x: Tensor, axes: number[], keepdims: boolean): Tensor {
  return keepdims ? lax.reshape(r, x.shape.map((d, i) => (axes.includes(i) ? 1 : d))) : r;
}

function reducer(name: "reduce_sum" | "reduce_max" | "reduce_min" | "reduce_prod", op: string) {
  return (x: ArrayLike, axis?: Axis, keepdims = false): Tensor => {
    let t = asTensor(x);
    const axes = normalizeAxes(op, axis, t.ndim);
    // Sums of bools count; sums of uint8 widen to int32 (as NumPy).
    if ((name === "reduce_sum" || name === "reduce_prod") && (t.dtype === "bool" || t.dtype === "uint8")) t = lax.cast(t, "int32");
    if ((name === "reduce_max" || name === "reduce_min") && t.dtype === "bool") t = lax.cast(t, "uint8");
    return keep(lax.unaryReduce(name, t, axes), t, axes, keepdims);
  };
}

export const sum = reducer("reduce_sum", "sum");
export const max = reducer("reduce_max", "max");
export const min = reducer("reduce_min", "min");
export const prod = reducer("reduce_prod", "prod");

function countOf(t: Tensor, axes: number[]): number {
  return axes.reduce((n, a) => n * t.shape[a]!, 1);
}

export function mean(x: ArrayLike, axis?: Axis, keepdims = false): Tensor {
  let t = asTensor(x);
  if (!isFloat(t.dtype)) t = lax.cast(t, "float32");
  const axes = normalizeAxes("mean", axis, t.ndim);
  const s = sum(t, axes, keepdims);
  return lax.div(s, lax.cst(countOf(t, axes), s));
}

/** Variance with `ddof` (0: population, 1: sample), as NumPy. */
export function variance(x: ArrayLike, axis?: Axis, keepdims = false, ddof = 0): Tensor {
  let t = asTensor(x);
  if (!isFloat(t.dtype)) t = lax.cast(t, "float32");
  const axes = normalizeAxes("var", axis, t.ndim);
  const mu = mean(t, axes, true);
  const d = lax.sub(t, mu);
  const ss = sum(lax.mul(d, d), axes, keepdims);
  return lax.div(ss, lax.cst(Math.max(0, countOf(t, axes) - ddof), ss));
}

/**
 * √var. Where the variance is 0 (one element, or all equal) the gradient is
 * taken as 0, not NaN (√ has an infinite slope at 0; a constant has none).
 */
export function std(x: ArrayLike, axis?: Axis, keepdims = false, ddof = 0): Tensor {
  const v = variance(x, axis, keepdims, ddof);
  const zero = lax.eq(v, lax.cst(0, v));
  return lax.select(zero, lax.cst(0, v), lax.sqrt(lax.select(zero, lax.cst(1, v), v)));
}

function argReducer(name: "argmax" | "argmin") {
  return (x: ArrayLike, axis?: number | null, keepdims = false): Tensor => {
    let t = asTensor(x);
    if (t.dtype === "bool") t = lax.cast(t, "uint8");
    if (axis === undefined || axis === null) {
      if (t.size === 0) throw new ValueError(`${name}: cannot take ${name} of an empty tensor of shape ${fmtShape(t.shape)}`);
      const flat = lax.reshape(t, [t.size]);
      const r = name === "argmax" ? lax.argmax(flat, 0) : lax.argmin(flat, 0);
      return keepdims ? lax.reshape(r, t.shape.map(() => 1)) : r;
    }
    const a = normalizeAxis(name, axis, t.ndim);
    const r = name === "argmax" ? lax.argmax(t, a) : lax.argmin(t, a);
    return keepdims ? lax.reshape(r, t.shape.map((d, i) => (i === a ? 1 : d))) : r;
  };
}

export const argmax = argReducer("argmax");
export const argmin = argReducer("argmin");

/** True where every element along the axes is true (true for an empty axis). */
export function all(x: ArrayLike, axis?: Axis, keepdims = false): Tensor {
  const t = asTensor(x);
  const b = t.dtype === "bool" ? t : lax.ne(t, lax.cst(0, t));
  const falses = sum(lax.cast(lax.not(b), "int32"), axis, keepdims);
  return lax.eq(falses, lax.cst(0, falses));
}

/** True where some element along the axes is true (false for an empty axis). */
export function any(x: ArrayLike, axis?: Axis, keepdims = false): Tensor {
  const t = asTensor(x);
  const b = t.dtype === "bool" ? t : lax.ne(t, lax.cst(0, t));
  const trues = sum(lax.cast(b, "int32"), axis, keepdims);
  return lax.gt(trues, lax.cst(0, trues));
}

export function cumsum(x: ArrayLike, axis?: number | null): Tensor {
  let t = asTensor(x);
  if (t.dtype === "bool" || t.dtype === "uint8") t = lax.cast(t, "int32");
  if (axis === undefined || axis === null) return lax.cumsum(lax.reshape(t, [t.size]), 0);
  return lax.cumsum(t, normalizeAxis("cumsum", axis, t.ndim));
}

/** Argument handling shared by the convolution and pooling ops (not public API). */
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import * as lax from "../primitives/lax.js";
import { dilateDim } from "../primitives/conv-shape.js";

/**
 * Padding of the spatial axes: one number for every side, one number per
 * axis (both sides), a `[lo, hi]` pair per axis, `"valid"` (none), or
 * `"same"` (output size ⌈input / stride⌉; an odd total puts the extra on
 * the high side, as TensorFlow and JAX do).
 */
export type ConvPadding = number | "same" | "valid" | readonly number[] | readonly (readonly [number, number])[];

/** One positive (or non-negative) integer per spatial axis, from a number or a list. */
export function perAxis(op: string, what: string, v: number | readonly number[], nd: number, min = 1): number[] {
  const list = typeof v === "number" ? new Array<number>(nd).fill(v) : [...v];
  if (list.length !== nd) throw new ValueError(`${op}: ${what} needs ${nd} entries (one per spatial axis), got ${fmtShape(list)}`);
  for (const d of list) {
    if (typeof d !== "number" || !Number.isInteger(d) || d < min) {
      throw new ValueError(`${op}: ${what} must hold integers ≥ ${min}, got ${fmtShape(list)}`);
    }
  }
  return list;
}

/** Padding as a `[lo, hi]` pair per spatial axis. */
export function resolvePadding(
  op: string, padding: ConvPadding, inSp: readonly number[], kSp: readonly number[], strides: number[], dilation: number[],
): [number, number][] {
  const nd = inSp.length;
  if (padding === "valid") return inSp.map(() => [0, 0]);
  if (padding === "same") {
    return inSp.map((I, a) => {
      const out = Math.ceil(I / strides[a]!);
      const total = Math.max(0, (out - 1) * strides[a]! + dilateDim(kSp[a]!, dilation[a]!) - I);
      const lo = Math.floor(total / 2);
      return [lo, total - lo];
    });
  }
  if (typeof padding === "number" || padding.every((p) => typeof p === "number")) {
    return perAxis(op, "padding", padding as number | number[], nd, 0).map((p) => [p, p]);
  }
  const pairs = padding as readonly (readonly [number, number])[];
  if (pairs.length !== nd || pairs.some((p) => !Array.isArray(p) || p.length !== 2)) {
    throw new ValueError(`${op}: padding needs one [lo, hi] pair per spatial axis (${nd}), got ${JSON.stringify(padding)}`);
  }
  return pairs.map((p, a) => {
    const [lo, hi] = perAxis(op, `padding of spatial axis ${a}`, p, 2, 0) as [number, number];
    return [lo, hi];
  });
}

/** Adds a batch axis to an unbatched input; returns the batched input and whether it was added. */
export function batchedInput(op: string, x: Tensor, nd: number, layout: string): [Tensor, boolean] {
  if (x.ndim === nd + 2) return [x, false];
  if (x.ndim === nd + 1) return [lax.reshape(x, [1, ...x.shape]), true];
  throw new ShapeError(`${op}: expected an input ${layout} or unbatched without N, got ${fmtShape(x.shape)}`);
}


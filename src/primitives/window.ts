/**
 * `reduce_window_max`: the maximum over sliding windows, with a window size
 * and a stride for EVERY axis (use 1 for axes not pooled, e.g. N and C):
 *
 *   out[y] = max_{k < window} x[y·strides + k],   out size ⌊(d − window)/stride⌋ + 1.
 *
 * No padding: callers pad with −∞ first. The derivative sends each window's
 * cotangent to the position of its maximum; on ties, to the first in
 * row-major window order (as PyTorch's max pooling does).
 */
import { isFloat } from "../core/dtype.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import type { Primitive } from "../core/primitive.js";
import type { Tensor } from "../core/tensor.js";
import type { PrimParams } from "../backend/spec.js";
import * as lax from "./lax.js";
import { toFront } from "./batching.js";

type WindowParams = PrimParams["reduce_window_max"];

/** Every offset inside a window, in row-major order. */
function windowOffsets(window: readonly number[]): number[][] {
  let offsets: number[][] = [[]];
  for (const w of window) offsets = offsets.flatMap((o) => Array.from({ length: w }, (_, k) => [...o, k]));
  return offsets;
}

/** The element at window offset `k` of every window: a strided slice of x. */
function atOffset(x: Tensor, k: number[], out: readonly number[], strides: number[]): Tensor {
  const limits = k.map((o, a) => o + (out[a]! - 1) * strides[a]! + 1);
  return lax.slice(x, k, limits, strides);
}

/** Transpose of `atOffset`: puts each window's value back at offset `k` of its window, zeros elsewhere. */
function scatterAtOffset(v: Tensor, k: number[], shape: readonly number[], strides: number[]): Tensor {
  const hi = k.map((o, a) => shape[a]! - (o + (v.shape[a]! - 1) * strides[a]! + 1));
  return lax.pad(v, k, hi, strides.map((s) => s - 1));
}

/**
 * One boolean mask per window offset: true where that offset holds the
 * window's maximum and no earlier offset does (so ties go to the first).
 */
function firstMaxMasks(x: Tensor, out: Tensor, { window, strides }: WindowParams): { k: number[]; mask: Tensor }[] {
  let taken: Tensor | null = null;
  return windowOffsets(window).map((k) => {
    const hit = lax.eq(atOffset(x, k, out.shape, strides), out);
    const mask: Tensor = taken === null ? hit : lax.and(hit, lax.not(taken));
    taken = taken === null ? hit : lax.or(taken, hit);
    return { k, mask };
  });
}

export const reduceWindowMax: Primitive<WindowParams> = {
  name: "reduce_window_max",
  abstractEval([x], { window, strides }) {
    const shape = x!.shape;
    if (x!.dtype === "bool") throw new DTypeError(`maxPool: does not take bool tensors`);
    if (window.length !== shape.length || strides.length !== shape.length) {
      throw new ShapeError(`maxPool: window ${fmtShape(window)} and strides ${fmtShape(strides)} need one entry per axis of the input ${fmtShape(shape)}`);
    }
    const out = shape.map((d, a) => {
      const w = window[a]!, s = strides[a]!;
      if (!Number.isInteger(w) || w < 1 || !Number.isInteger(s) || s < 1) {
        throw new ValueError(`maxPool: window and stride must be positive integers, got window ${w}, stride ${s} on axis ${a}`);
      }
      if (w > d) throw new ShapeError(`maxPool: window ${w} is larger than axis ${a} of size ${d} (input ${fmtShape(shape)}, window ${fmtShape(window)})`);
      return Math.floor((d - w) / s) + 1;
    });
    return [{ shape: out, dtype: x!.dtype }];
  },
  jvp([x], [t], params, [out]) {
    if (!isFloat(x!.dtype) || t === null) return [null];
    let acc: Tensor | null = null;
    for (const { k, mask } of firstMaxMasks(x!, out!, params)) {
      const picked = lax.select(mask, atOffset(t, k, out!.shape, params.strides), lax.cst(0, t));
      acc = acc === null ? picked : lax.add(acc, picked);
    }
    return [acc];
  },
  vjp([ct], [x], [out], params) {
    if (!isFloat(x!.dtype) || ct === null) return [null];
    let acc: Tensor | null = null;
    for (const { k, mask } of firstMaxMasks(x!, out!, params)) {
      const back = scatterAtOffset(lax.select(mask, ct, lax.cst(0, ct)), k, x!.shape, params.strides);
      acc = acc === null ? back : lax.add(acc, back);
    }
    return [acc];
  },
  batch([x], [d], { window, strides }) {
    const [xf] = toFront([x!], [d!]);
    return [[lax.reduceWindowMax(xf!, [1, ...window], [1, ...strides])], [0]];
  },
};

/**
 * `reduce_window_max`: the maximum over sliding windows, with a window size
 * and a stride for EVERY axis (use 1 for axes not pooled, e.g. N and C):
 *
 *   out[y] = max_{k < window} x[y·strides + k],   out size ⌊(d − window)/stride⌋ + 1.
 *
 * No padding: callers pad with −∞ first. The derivative sends each window's
 * cotangent to the position of its maximum; on ties, to the first in
 * row-major window order (as PyTorch's max pooling does), through two
 * primitives that transpose each other (XLA's pair): select_and_gather_add
 * (the tangent) and select_and_scatter_add (the cotangent). Each finds the
 * maxima again from x, so no index tensor is kept between forward and backward.
 */
import { isFloat } from "../core/dtype.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import type { Primitive } from "../core/primitive.js";
import type { Tensor } from "../core/tensor.js";
import type { PrimParams } from "../backend/spec.js";
import * as lax from "./lax.js";
import { broadcastBatch, toFront } from "./batching.js";

type WindowParams = PrimParams["reduce_window_max"];

function windowShape(op: string, shape: readonly number[], { window, strides }: WindowParams): number[] {
  if (window.length !== shape.length || strides.length !== shape.length) {
    throw new ShapeError(`${op}: window ${fmtShape(window)} and strides ${fmtShape(strides)} need one entry per axis of the input ${fmtShape(shape)}`);
  }
  return shape.map((d, a) => {
    const w = window[a]!, s = strides[a]!;
    if (!Number.isInteger(w) || w < 1 || !Number.isInteger(s) || s < 1) {
      throw new ValueError(`${op}: window and stride must be positive integers, got window ${w}, stride ${s} on axis ${a}`);
    }
    if (w > d) throw new ShapeError(`${op}: window ${w} is larger than axis ${a} of size ${d} (input ${fmtShape(shape)}, window ${fmtShape(window)})`);
    return Math.floor((d - w) / s) + 1;
  });
}

/** Batch rule shared by the three window primitives: batch axes to the front, a window of 1 over them. */
function batchWindow(args: Tensor[], dims: (number | null)[], { window, strides }: WindowParams, size: number, f: (xs: Tensor[], p: WindowParams) => Tensor): [Tensor[], number[]] {
  const front = toFront(args, dims).map((a, i) => (dims[i] === null ? broadcastBatch(a, size) : a));
  return [[f(front, { window: [1, ...window], strides: [1, ...strides] })], [0]];
}

export const reduceWindowMax: Primitive<WindowParams> = {
  name: "reduce_window_max",
  abstractEval([x], params) {
    if (x!.dtype === "bool") throw new DTypeError(`maxPool: does not take bool tensors`);
    return [{ shape: windowShape("maxPool", x!.shape, params), dtype: x!.dtype }];
  },
  jvp([x], [t], { window, strides }) {
    if (!isFloat(x!.dtype) || t === null) return [null];
    return [lax.selectAndGatherAdd(t, x!, window, strides)];
  },
  vjp([ct], [x], _outs, { window, strides }) {
    if (!isFloat(x!.dtype) || ct === null) return [null];
    return [lax.selectAndScatterAdd(ct, x!, window, strides)];
  },
  batch([x], [d], params, size) {
    return batchWindow([x!], [d!], params, size, ([xf], p) => lax.reduceWindowMax(xf!, p.window, p.strides));
  },
};

/**
 * `select_and_gather_add(t, x)`: t at the position of x's maximum in each
 * window. Linear in t; x only selects, so its derivative is zero.
 */
export const selectAndGatherAdd: Primitive<WindowParams> = {
  name: "select_and_gather_add",
  abstractEval([t, x], params) {
    if (!lax.sameShape(t!.shape, x!.shape) || t!.dtype !== x!.dtype) {
      throw new ShapeError(`maxPool gradient: tangent ${fmtShape(t!.shape)} ${t!.dtype} must match the input ${fmtShape(x!.shape)} ${x!.dtype}`);
    }
    return [{ shape: windowShape("maxPool", x!.shape, params), dtype: t!.dtype }];
  },
  jvp([, x], [dt], { window, strides }) {
    return [dt === null ? null : lax.selectAndGatherAdd(dt, x!, window, strides)];
  },
  vjp([ct], [, x], _outs, { window, strides }) {
    return [ct === null ? null : lax.selectAndScatterAdd(ct, x!, window, strides), null];
  },
  batch(args, dims, params, size) {
    return batchWindow(args, dims, params, size, ([t, x], p) => lax.selectAndGatherAdd(t!, x!, p.window, p.strides));
  },
};

/**
 * `select_and_scatter_add(s, x)`: each window's s added at the position of
 * x's maximum in that window, zeros elsewhere (the transpose of the gather).
 */
export const selectAndScatterAdd: Primitive<WindowParams> = {
  name: "select_and_scatter_add",
  abstractEval([s, x], params) {
    const want = windowShape("maxPool", x!.shape, params);
    if (!lax.sameShape(s!.shape, want) || s!.dtype !== x!.dtype) {
      throw new ShapeError(`maxPool gradient: cotangent ${fmtShape(s!.shape)} ${s!.dtype} must have the pooled shape ${fmtShape(want)} ${x!.dtype}`);
    }
    return [{ shape: x!.shape, dtype: s!.dtype }];
  },
  jvp([, x], [ds], { window, strides }) {
    return [ds === null ? null : lax.selectAndScatterAdd(ds, x!, window, strides)];
  },
  vjp([ct], [, x], _outs, { window, strides }) {
    return [ct === null ? null : lax.selectAndGatherAdd(ct, x!, window, strides), null];
  },
  batch(args, dims, params, size) {
    return batchWindow(args, dims, params, size, ([s, x], p) => lax.selectAndScatterAdd(s!, x!, p.window, p.strides));
  },
};

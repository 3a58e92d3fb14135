/**
 * Max and average pooling over the trailing spatial axes, PyTorch's
 * `max_pool`/`avg_pool` (floor mode: windows that run past the padded edge
 * are dropped). Inputs are [N, C, ...spatial] or [C, ...spatial].
 */
import { isFloat, type DType } from "../core/dtype.js";
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import * as lax from "../primitives/lax.js";
import { filled } from "../primitives/constant.js";
import { asTensor, type ArrayLike } from "./convert.js";
import { perAxis } from "./conv-args.js";
import { pad } from "./shape.js";

export interface PoolOptions {
  /** Step between windows, per spatial axis or one for all (default: the window size). */
  stride?: number | readonly number[];
  /** Implicit padding on both sides, at most half the window (default 0). */
  padding?: number | readonly number[];
}

export interface AvgPoolOptions extends PoolOptions {
  /** Divide by the whole window even where it covers padding (default true, as PyTorch). */
  countIncludePad?: boolean;
}

interface PoolSpec {
  window: number[];
  strides: number[];
  padding: number[];
  /** Axes in front of the pooled ones (N and C, or just C). */
  lead: number[];
}

function poolSpec(op: string, x: Tensor, kernel: number | readonly number[], opts: PoolOptions, nd: number): PoolSpec {
  if (x.ndim !== nd + 1 && x.ndim !== nd + 2) {
    throw new ShapeError(`${op}: expected an input [N, C, ...${nd} spatial] or [C, ...${nd} spatial], got ${fmtShape(x.shape)}`);
  }
  const window = perAxis(op, "kernel size", kernel, nd);
  const strides = perAxis(op, "stride", opts.stride ?? window, nd);
  const padding = perAxis(op, "padding", opts.padding ?? 0, nd, 0);
  const lead = x.shape.slice(0, x.ndim - nd);
  padding.forEach((p, a) => {
    if (p > Math.floor(window[a]! / 2)) {
      throw new ValueError(`${op}: padding ${p} on spatial axis ${a} is more than half the window ${window[a]} (a window could see only padding)`);
    }
    const size = x.shape[lead.length + a]! + 2 * p;
    if (size < window[a]!) {
      throw new ShapeError(`${op}: window ${window[a]} is larger than axis ${lead.length + a} of the input ${fmtShape(x.shape)} plus padding ${p} on each side`);
    }
  });
  return { window, strides, padding, lead };
}

function lowest(dtype: DType): number {
  if (isFloat(dtype)) return -Infinity;
  return dtype === "int32" ? -2147483648 : 0;
}

function maxPoolND(op: string, x: ArrayLike, kernel: number | readonly number[], opts: PoolOptions, nd: number): Tensor {
  const t = asTensor(x);
  const { window, strides, padding, lead } = poolSpec(op, t, kernel, opts, nd);
  const padded = padding.some((p) => p > 0)
    ? pad(t, [...lead.map(() => [0, 0] as [number, number]), ...padding.map((p) => [p, p] as [number, number])], lowest(t.dtype))
    : t;
  return lax.reduceWindowMax(padded, [...lead.map(() => 1), ...window], [...lead.map(() => 1), ...strides]);
}

function avgPoolND(op: string, x: ArrayLike, kernel: number | readonly number[], opts: AvgPoolOptions, nd: number): Tensor {
  let t = asTensor(x);
  if (!isFloat(t.dtype)) t = lax.cast(t, "float32");
  const { window, strides, padding, lead } = poolSpec(op, t, kernel, opts, nd);
  const spatial = t.shape.slice(lead.length);
  // Window sums as a one-channel convolution with a kernel of ones, every (n, c) image apart.
  const ones = filled([1, 1, ...window], 1, t.dtype);
  const params = {
    strides, padding: padding.map((p): [number, number] => [p, p]),
    lhsDilation: window.map(() => 1), rhsDilation: window.map(() => 1), groups: 1,
  };
  const images = lax.reshape(t, [lead.reduce((a, b) => a * b, 1), 1, ...spatial]);
  const sums = lax.conv(images, ones, params);
  const outSp = sums.shape.slice(2);
  const total = lax.reshape(sums, [...lead, ...outSp]);
  if (opts.countIncludePad ?? true) return lax.div(total, lax.cst(window.reduce((a, b) => a * b, 1), total));
  // How many real (unpadded) elements each window covers.
  const counts = lax.conv(filled([1, 1, ...spatial], 1, t.dtype), ones, params);
  return lax.div(total, lax.reshape(counts, [...lead.map(() => 1), ...outSp]));
}

/**
 * 2-D max pooling: out[n, c, i, j] = max over the kH×kW window at (i·sH − pH, j·sW − pW);
 * padding counts as −∞. The gradient goes to each window's maximum (the first on ties).
 * @example fx.maxPool2d(fx.arange(16).reshape([1, 1, 4, 4]), 2).toArray(); // [[[[5, 7], [13, 15]]]]
 */
export function maxPool2d(x: ArrayLike, kernel: number | readonly [number, number], opts: PoolOptions = {}): Tensor {
  return maxPoolND("maxPool2d", x, kernel, opts, 2);
}

/** 1-D max pooling over the last axis of [N, C, L] or [C, L]. */
export function maxPool1d(x: ArrayLike, kernel: number | readonly [number], opts: PoolOptions = {}): Tensor {
  return maxPoolND("maxPool1d", x, kernel, opts, 1);
}

/**
 * 2-D average pooling: the mean of each kH×kW window (padding counts as 0
 * and, unless `countIncludePad` is false, in the divisor).
 * @example fx.avgPool2d(fx.arange(16).reshape([1, 1, 4, 4]), 2).toArray(); // [[[[2.5, 4.5], [10.5, 12.5]]]]
 */
export function avgPool2d(x: ArrayLike, kernel: number | readonly [number, number], opts: AvgPoolOptions = {}): Tensor {
  return avgPoolND("avgPool2d", x, kernel, opts, 2);
}

/** 1-D average pooling over the last axis of [N, C, L] or [C, L]. */
export function avgPool1d(x: ArrayLike, kernel: number | readonly [number], opts: AvgPoolOptions = {}): Tensor {
  return avgPoolND("avgPool1d", x, kernel, opts, 1);
}

/**
 * Convolutions with PyTorch's layouts: inputs [N, C, ...spatial] (or
 * unbatched [C, ...spatial]), weights [O, C/groups, ...kernel], and
 * cross-correlation (the kernel is not flipped), as `torch.nn.functional`.
 */
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import * as lax from "../primitives/lax.js";
import { dilateDim } from "../primitives/conv-shape.js";
import { batchedInput, perAxis, resolvePadding, type ConvPadding } from "./conv-args.js";
import { asTensor, unify, type ArrayLike } from "./convert.js";
import { add } from "./elementwise.js";

export type { ConvPadding };

export interface ConvOptions {
  /** Step between windows, per spatial axis or one for all (default 1). */
  stride?: number | readonly number[];
  padding?: ConvPadding;
  /** Spacing between kernel taps (à trous), per axis or one for all (default 1). */
  dilation?: number | readonly number[];
  /** Channels split into this many independent groups (default 1; C for depthwise). */
  groups?: number;
  /** Added per output channel: shape [O]. */
  bias?: ArrayLike;
}

function addBias(op: string, out: Tensor, bias: ArrayLike | undefined): Tensor {
  if (bias === undefined) return out;
  const b = asTensor(bias);
  const O = out.shape[1]!;
  if (b.ndim !== 1 || b.shape[0] !== O) throw new ShapeError(`${op}: bias must have shape [${O}] (one per output channel), got ${fmtShape(b.shape)}`);
  return add(out, lax.reshape(b, [O, ...out.shape.slice(2).map(() => 1)]));
}

function convND(op: string, x: ArrayLike, w: ArrayLike, opts: ConvOptions, ndFixed?: number): Tensor {
  const [xt, wt] = unify([x, w]) as [Tensor, Tensor];
  const nd = ndFixed ?? wt.ndim - 2;
  if (nd < 1 || wt.ndim !== nd + 2) {
    throw new ShapeError(`${op}: weight must be [O, C/groups, ...${ndFixed ?? "k"} kernel axes], got ${fmtShape(wt.shape)}`);
  }
  const [xb, unbatched] = batchedInput(op, xt, nd, `[N, C, ...${nd} spatial]`);
  const strides = perAxis(op, "stride", opts.stride ?? 1, nd);
  const dilation = perAxis(op, "dilation", opts.dilation ?? 1, nd);
  const groups = opts.groups ?? 1;
  const padding = resolvePadding(op, opts.padding ?? 0, xb.shape.slice(2), wt.shape.slice(2), strides, dilation);
  let out = lax.conv(xb, wt, { strides, padding, lhsDilation: strides.map(() => 1), rhsDilation: dilation, groups });
  out = addBias(op, out, opts.bias);
  return unbatched ? lax.reshape(out, out.shape.slice(1)) : out;
}

/**
 * N-d convolution; the number of spatial axes is the weight's rank − 2.
 *
 *   out[n, o, y] = bias[o] + Σ_{c, k} xpad[n, g(o)·C/G + c, y·stride + k·dilation] · w[o, c, k]
 *
 * @example
 *   const x = fx.ones([1, 1, 4, 4]), w = fx.ones([2, 1, 3, 3]);
 *   fx.conv(x, w, { padding: "same" }).shape; // [1, 2, 4, 4]
 */
export function conv(x: ArrayLike, w: ArrayLike, opts: ConvOptions = {}): Tensor {
  return convND("conv", x, w, opts);
}

/**
 * 1-D convolution: x [N, C, L] (or [C, L]), w [O, C/groups, K] → [N, O, L'].
 * @example fx.conv1d(fx.ones([1, 2, 5]), fx.ones([3, 2, 3])).shape; // [1, 3, 3]
 */
export function conv1d(x: ArrayLike, w: ArrayLike, opts: ConvOptions = {}): Tensor {
  return convND("conv1d", x, w, opts, 1);
}

/**
 * 2-D convolution: x [N, C, H, W] (or [C, H, W]), w [O, C/groups, kH, kW] → [N, O, H', W'].
 * @example fx.conv2d(fx.ones([1, 3, 8, 8]), fx.ones([4, 3, 3, 3]), { stride: 2, padding: 1 }).shape; // [1, 4, 4, 4]
 */
export function conv2d(x: ArrayLike, w: ArrayLike, opts: ConvOptions = {}): Tensor {
  return convND("conv2d", x, w, opts, 2);
}

/** 3-D convolution: x [N, C, D, H, W], w [O, C/groups, kD, kH, kW]. */
export function conv3d(x: ArrayLike, w: ArrayLike, opts: ConvOptions = {}): Tensor {
  return convND("conv3d", x, w, opts, 3);
}

export interface ConvTransposeOptions {
  stride?: number | readonly number[];
  /** Removed from each side of the full output (PyTorch's meaning), per axis or one for all. */
  padding?: number | readonly number[];
  /** Extra size added to the high side of each output axis (must be < stride or dilation). */
  outputPadding?: number | readonly number[];
  dilation?: number | readonly number[];
  groups?: number;
  bias?: ArrayLike;
}

function convTransposeND(op: string, x: ArrayLike, w: ArrayLike, opts: ConvTransposeOptions, nd: number): Tensor {
  const [xt, wt] = unify([x, w]) as [Tensor, Tensor];
  if (wt.ndim !== nd + 2) throw new ShapeError(`${op}: weight must be [C_in, C_out/groups, ...${nd} kernel axes], got ${fmtShape(wt.shape)}`);
  const [xb, unbatched] = batchedInput(op, xt, nd, `[N, C_in, ...${nd} spatial]`);
  const strides = perAxis(op, "stride", opts.stride ?? 1, nd);
  const dilation = perAxis(op, "dilation", opts.dilation ?? 1, nd);
  const pad = perAxis(op, "padding", opts.padding ?? 0, nd, 0);
  const outPad = perAxis(op, "outputPadding", opts.outputPadding ?? 0, nd, 0);
  outPad.forEach((p, a) => {
    if (p >= Math.max(strides[a]!, dilation[a]!)) {
      throw new ValueError(`${op}: outputPadding ${p} on spatial axis ${a} must be smaller than the stride (${strides[a]}) or the dilation (${dilation[a]})`);
    }
  });
  const G = opts.groups ?? 1;
  const [Cin, CoutG, ...k] = wt.shape as number[];
  if (!Number.isInteger(G) || G < 1 || Cin! % G !== 0) {
    throw new ShapeError(`${op}: groups ${G} must be a positive integer dividing the weight's ${Cin} input channels (axis 0 of ${fmtShape(wt.shape)})`);
  }
  if (xb.shape[1] !== Cin) {
    throw new ShapeError(`${op}: channel mismatch: the input ${fmtShape(xt.shape)} has ${xb.shape[1]} channels but the weight ${fmtShape(wt.shape)} expects ${Cin} (axis 0)`);
  }
  // The transpose of a strided convolution is a convolution of the input
  // dilated by the strides with the flipped kernel, channels swapped per group.
  const spatial = k.map((_, a) => a + 2);
  let kern = lax.reshape(wt, [G, Cin! / G, CoutG!, ...k]);
  kern = lax.transpose(kern, [0, 2, 1, ...k.map((_, a) => a + 3)]);
  kern = lax.rev(lax.reshape(kern, [G * CoutG!, Cin! / G, ...k]), spatial);
  const padding = k.map((K, a): [number, number] => {
    const edge = dilateDim(K, dilation[a]!) - 1 - pad[a]!;
    return [edge, edge + outPad[a]!];
  });
  let out = lax.conv(xb, kern, { strides: strides.map(() => 1), padding, lhsDilation: strides, rhsDilation: dilation, groups: G });
  out = addBias(op, out, opts.bias);
  return unbatched ? lax.reshape(out, out.shape.slice(1)) : out;
}

/**
 * Transposed convolution (the gradient of `conv` with respect to its input),
 * PyTorch's `conv_transpose`: x [N, C_in, ...], w [C_in, C_out/groups, ...k],
 * output size (I − 1)·stride − 2·padding + dilation·(K − 1) + outputPadding + 1.
 * @example fx.convTranspose2d(fx.ones([1, 2, 3, 3]), fx.ones([2, 4, 2, 2]), { stride: 2 }).shape; // [1, 4, 6, 6]
 */
export function convTranspose2d(x: ArrayLike, w: ArrayLike, opts: ConvTransposeOptions = {}): Tensor {
  return convTransposeND("convTranspose2d", x, w, opts, 2);
}

/** 1-D transposed convolution: x [N, C_in, L], w [C_in, C_out/groups, K]. */
export function convTranspose1d(x: ArrayLike, w: ArrayLike, opts: ConvTransposeOptions = {}): Tensor {
  return convTransposeND("convTranspose1d", x, w, opts, 1);
}

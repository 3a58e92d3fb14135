/**
 * General dilated, grouped N-d convolution (cross-correlation, as PyTorch):
 *
 *   out[n, o, y] = Σ_{c, k} xp[n, g·C/G + c, y·stride + k·rhsDilation] · w[o, c, k]
 *
 * with x [N, C, ...spatial], w [O, C/G, ...kernel], g = ⌊o / (O/G)⌋ the group
 * of output channel o, and xp the input dilated by `lhsDilation` and padded.
 * Its derivatives are convolutions again, written with `lax.conv`, so they
 * differentiate to any order.
 */
import { isFloat } from "../core/dtype.js";
import { needsCotangent, type Primitive } from "../core/primitive.js";
import type { Tensor } from "../core/tensor.js";
import type { ConvParams } from "../backend/spec.js";
import * as lax from "./lax.js";
import { toFront } from "./batching.js";
import { convOutputShape, inputGradPadding, weightGradPadding } from "./conv-shape.js";

export { reduceWindowMax, selectAndGatherAdd, selectAndScatterAdd } from "./window.js";

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const hasZeroSize = (...ts: { shape: readonly number[] }[]) => ts.some((t) => t.shape.includes(0));

/**
 * Cotangent of the input: a transposed convolution. The kernel is flipped in
 * space and has its channel roles swapped within each group
 * ([O, C/G, k] → [C, O/G, k]); the cotangent is dilated by the strides.
 */
function inputCotangent(ct: Tensor, w: Tensor, x: Tensor, p: ConvParams): Tensor {
  if (hasZeroSize(ct, w, x)) return lax.zerosLike(x);
  const nd = p.strides.length;
  const [O, Cg, ...k] = w.shape as number[];
  const G = p.groups;
  const spatial = range(2, 2 + nd);
  let wt = lax.reshape(w, [G, O! / G, Cg!, ...k]);
  wt = lax.transpose(wt, [0, 2, 1, ...range(3, 3 + nd)]);
  wt = lax.rev(lax.reshape(wt, [G * Cg!, O! / G, ...k]), spatial);
  return lax.conv(ct, wt, {
    strides: [...p.lhsDilation],
    padding: inputGradPadding(x.shape.slice(2), k, ct.shape.slice(2), p),
    lhsDilation: [...p.strides],
    rhsDilation: [...p.rhsDilation],
    groups: G,
  });
}

/**
 * Cotangent of the weight: the input correlated with the output cotangent,
 * with the batch axis playing the role of channels. Groups stay groups: the
 * input becomes [C/G, G·N, ...] and the cotangent a kernel [O, N, ...].
 */
function weightCotangent(ct: Tensor, x: Tensor, w: Tensor, p: ConvParams): Tensor {
  if (hasZeroSize(ct, w, x)) return lax.zerosLike(w);
  const nd = p.strides.length;
  const [N, C, ...sp] = x.shape as number[];
  const G = p.groups;
  let xt = lax.reshape(x, [N!, G, C! / G, ...sp]);
  xt = lax.transpose(xt, [2, 1, 0, ...range(3, 3 + nd)]);
  xt = lax.reshape(xt, [C! / G, G * N!, ...sp]);
  const ctT = lax.transpose(ct, [1, 0, ...range(2, 2 + nd)]);
  const res = lax.conv(xt, ctT, {
    strides: [...p.rhsDilation],
    padding: weightGradPadding(sp, w.shape.slice(2), ct.shape.slice(2), p),
    lhsDilation: [...p.lhsDilation],
    rhsDilation: [...p.strides],
    groups: G,
  }); // [C/G, O, ...kernel]
  return lax.transpose(res, [1, 0, ...range(2, 2 + nd)]);
}

export const conv: Primitive<ConvParams> = {
  name: "conv",
  abstractEval([x, w], p) {
    return [{ shape: convOutputShape(x!, w!, p), dtype: x!.dtype }];
  },
  // Bilinear: d(x ⋆ w) = dx ⋆ w + x ⋆ dw.
  jvp([x, w], [tx, tw], p) {
    if (!isFloat(x!.dtype)) return [null];
    const a = tx && lax.conv(tx, w!, p);
    const b = tw && lax.conv(x!, tw, p);
    return [a === null ? b : b === null ? a : lax.add(a, b)];
  },
  vjp([ct], [x, w], _outs, p, needed) {
    if (ct === null || !isFloat(x!.dtype)) return [null, null];
    // A network's input image needs no cotangent: skipping it saves a whole convolution.
    return [needsCotangent(needed, 0) ? inputCotangent(ct, w!, x!, p) : null, needsCotangent(needed, 1) ? weightCotangent(ct, x!, w!, p) : null];
  },
  batch([x, w], [dx, dw], p) {
    const [xf, wf] = toFront([x!, w!], [dx!, dw!]) as [Tensor, Tensor];
    const nd = p.strides.length;
    const G = p.groups;
    if (dw === null) {
      // Batch folds into N: [B, N, C, ...] → [B·N, C, ...].
      const [B, N, ...rest] = xf.shape as number[];
      const out = lax.conv(lax.reshape(xf, [B! * N!, ...rest]), wf, p);
      return [[lax.reshape(out, [B!, N!, ...out.shape.slice(1)])], [0]];
    }
    const [B, O, Cg, ...k] = wf.shape as number[];
    const Og = O! / G;
    if (dx === null) {
      // Batch folds into the output channels, kept inside each group: [G, B, O/G].
      let wg = lax.reshape(wf, [B!, G, Og, Cg!, ...k]);
      wg = lax.reshape(lax.transpose(wg, [1, 0, ...range(2, 4 + nd)]), [G * B! * Og, Cg!, ...k]);
      const out = lax.conv(xf, wg, p); // [N, G·B·Og, ...]
      const [N, , ...os] = out.shape as number[];
      let r = lax.reshape(out, [N!, G, B!, Og, ...os]);
      r = lax.transpose(r, [0, 2, 1, ...range(3, 4 + nd)]);
      return [[lax.reshape(r, [N!, B!, O!, ...os])], [1]];
    }
    // Both batched: each example becomes its own set of groups.
    const [, N, C, ...sp] = xf.shape as number[];
    const xg = lax.reshape(lax.transpose(xf, [1, 0, ...range(2, 3 + nd)]), [N!, B! * C!, ...sp]);
    const wg = lax.reshape(wf, [B! * O!, Cg!, ...k]);
    const out = lax.conv(xg, wg, { ...p, groups: B! * G });
    return [[lax.reshape(out, [N!, B!, O!, ...out.shape.slice(2)])], [1]];
  },
};

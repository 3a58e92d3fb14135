/**
 * Scaled dot-product attention, the composite every attention layer uses:
 *
 *   Attention(Q, K, V) = softmax(Q·Kᵀ · scale + mask) · V,  scale = 1/√d (d = head size)
 *
 * Written for speed as a short chain: Q is scaled (Tq·d products, not Tq·Tk),
 * one batched matmul gives all scores, a boolean mask is applied with one
 * `where` that puts a large negative number at masked scores, the softmax
 * subtracts a stop-gradient row max (exact: softmax ignores a constant
 * shift) so it needs one exp and no log, and one batched matmul applies the
 * weights to V. Every step is a primitive, so grad, vmap and jit apply.
 */
import { isFloat } from "../core/dtype.js";
import { DTypeError, ShapeError, fmtShape } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import type { Key } from "../random/index.js";
import { add, div, exp, mul, sub, where } from "../ops/elementwise.js";
import { matmul } from "../ops/matmul.js";
import { max, sum } from "../ops/reduce.js";
import { swapaxes } from "../ops/shape.js";
import { stopGradient } from "../transforms/custom.js";
import { Dropout } from "./layers/dropout.js";

export interface AttentionOptions {
  /**
   * Boolean, true = may attend (see `nn.masks`), or a float tensor added to the
   * scores (a bias); broadcast against [..., queries, keys].
   */
  mask?: Tensor | null;
  /** Multiplies Q·Kᵀ (default 1/√d, d = the last axis of Q). */
  scale?: number;
  /** Dropout on the attention weights (training only; needs `key`). */
  dropout?: number;
  training?: boolean;
  key?: Key;
}

/** Large enough to zero a weight after softmax, small enough not to overflow (float32 max ≈ 3.4e38). */
const MASKED = -1e30;

function checkQKV(q: Tensor, k: Tensor, v: Tensor): void {
  for (const [n, t] of [["q", q], ["k", k], ["v", v]] as const) {
    if (t.ndim < 2) throw new ShapeError(`scaledDotProductAttention: ${n} must be [..., length, features], got ${fmtShape(t.shape)}`);
    if (!isFloat(t.dtype)) throw new DTypeError(`scaledDotProductAttention: ${n} must be float32 or float64, got ${t.dtype}`);
  }
  if (q.shape[q.ndim - 1] !== k.shape[k.ndim - 1]) {
    throw new ShapeError(`scaledDotProductAttention: q and k need the same feature size on axis -1, got q ${fmtShape(q.shape)} and k ${fmtShape(k.shape)}`);
  }
  if (k.shape[k.ndim - 2] !== v.shape[v.ndim - 2]) {
    throw new ShapeError(`scaledDotProductAttention: k and v need the same length on axis -2, got k ${fmtShape(k.shape)} and v ${fmtShape(v.shape)}`);
  }
}

/**
 * The attention weights softmax(Q·Kᵀ · scale + mask): [..., queries, keys],
 * each row summing to 1 (a row whose keys are all masked is uniform).
 */
export function attentionWeights(q: Tensor, k: Tensor, opts: AttentionOptions = {}): Tensor {
  const d = q.shape[q.ndim - 1]!;
  let s = matmul(mul(q, opts.scale ?? 1 / Math.sqrt(d)), swapaxes(k, -1, -2));
  if (opts.mask) s = opts.mask.dtype === "bool" ? where(opts.mask, s, MASKED) : add(s, opts.mask);
  const e = exp(sub(s, stopGradient(max(s, -1, true))));
  let w = div(e, sum(e, -1, true));
  if (opts.training && opts.dropout) w = new Dropout(opts.dropout).forward(w, { training: true, key: opts.key });
  return w;
}

/**
 * q [..., Tq, d], k [..., Tk, d], v [..., Tk, dv] → [..., Tq, dv]; leading
 * (batch, head) axes broadcast.
 *
 *   const out = nn.scaledDotProductAttention(q, k, v, { mask: nn.masks.causal(T) });
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  return scaledDotProductAttentionWithWeights(q, k, v, opts)[0];
}

/** Like scaledDotProductAttention, also returning the weights [..., Tq, Tk]. */
export function scaledDotProductAttentionWithWeights(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): [Tensor, Tensor] {
  checkQKV(q, k, v);
  const w = attentionWeights(q, k, opts);
  return [matmul(w, v), w];
}

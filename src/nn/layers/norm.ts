/** Normalization layers: BatchNorm (with running statistics) and LayerNorm. */
import type { DType } from "../../core/dtype.js";
import { ShapeError, ValueError, fmtShape } from "../../core/errors.js";
import type { Tensor } from "../../core/tensor.js";
import { full } from "../../ops/creation.js";
import { add, div, mul, rsqrt, sub } from "../../ops/elementwise.js";
import { mean, variance } from "../../ops/reduce.js";
import { reshape } from "../../ops/shape.js";
import { stopGradient } from "../../transforms/custom.js";
import { Module, type ForwardOptions } from "../module.js";
import { positiveInt } from "./common.js";

export interface BatchNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running averages (default 0.1, PyTorch's convention). */
  momentum?: number;
  /** Learn a per-channel scale and shift (default true). */
  affine?: boolean;
  dtype?: DType;
}

/**
 * Batch normalization over the channel axis 1 of [N, C], [N, C, L] or
 * [N, C, H, W] (BatchNorm1d/2d by input rank):
 *   y = (x − μ) / √(σ² + ε) · weight + bias.
 *
 * Training (`{ training: true }`): μ and σ² are the batch's, over every axis
 * but 1. The running statistics are buffers updated as
 *   running ← (1 − momentum)·running + momentum·batch
 * (with the unbiased batch variance, as PyTorch). Modules are immutable, so
 * the update is returned, not stored: call the model through `nn.call`,
 * which gives `[y, modelWithNewStatistics]`. A plain `forward` in training
 * mode normalizes with batch statistics and drops the update.
 * Eval (the default): μ and σ² are the running statistics.
 *
 *   let bn = new nn.BatchNorm(16);
 *   let y; [y, bn] = nn.call(bn, x, { training: true });   // bn now has updated statistics
 *   const z = bn.forward(x);                                // eval mode
 */
export class BatchNorm extends Module {
  static override buffers = ["runningMean", "runningVar"] as const;

  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;

  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    this.numFeatures = positiveInt("BatchNorm", "numFeatures", numFeatures);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    if (!(this.eps > 0)) throw new ValueError(`BatchNorm: eps must be positive, got ${this.eps}`);
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new ValueError(`BatchNorm: momentum must be in [0, 1], got ${this.momentum}`);
    const dtype = opts.dtype ?? "float32";
    const affine = opts.affine ?? true;
    this.weight = affine ? full([numFeatures], 1, dtype) : null;
    this.bias = affine ? full([numFeatures], 0, dtype) : null;
    this.runningMean = full([numFeatures], 0, dtype);
    this.runningVar = full([numFeatures], 1, dtype);
  }

  override forward(x: Tensor, opts: ForwardOptions = {}): Tensor {
    if (x.ndim < 2 || x.shape[1] !== this.numFeatures) {
      throw new ShapeError(`BatchNorm: expected an input [N, ${this.numFeatures}, ...] (channels on axis 1), got ${fmtShape(x.shape)}`);
    }
    const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
    const bshape = x.shape.map((d, i) => (i === 1 ? d : 1));
    let mu: Tensor, varc: Tensor;
    if (opts.training) {
      const n = axes.reduce((k, a) => k * x.shape[a]!, 1);
      if (n < 2) throw new ValueError(`BatchNorm: training needs more than one value per channel to estimate a variance, got an input of shape ${fmtShape(x.shape)}`);
      mu = mean(x, axes);
      varc = variance(x, axes);
      if (opts.state) {
        const m = this.momentum;
        const unbiased = mul(stopGradient(varc), n / (n - 1));
        opts.state.set(this, "runningMean", add(mul(this.runningMean, 1 - m), mul(stopGradient(mu), m)));
        opts.state.set(this, "runningVar", add(mul(this.runningVar, 1 - m), mul(unbiased, m)));
      }
    } else {
      mu = this.runningMean;
      varc = this.runningVar;
    }
    let y = mul(sub(x, reshape(mu, bshape)), reshape(rsqrt(add(varc, this.eps)), bshape));
    if (this.weight) y = mul(y, reshape(this.weight, bshape));
    if (this.bias) y = add(y, reshape(this.bias, bshape));
    return y;
  }
}

export interface LayerNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn a scale and shift of the normalized shape (default true). */
  elementwiseAffine?: boolean;
  dtype?: DType;
}

/**
 * Layer normalization over the trailing axes `normalizedShape` (PyTorch's
 * `LayerNorm`): y = (x − mean) / √(var + ε) · weight + bias, each example
 * on its own, the same in training and eval.
 *
 *   new nn.LayerNorm(8).forward(fx.ones([2, 5, 8])).shape; // [2, 5, 8]
 */
export class LayerNorm extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly normalizedShape: number[];
  readonly eps: number;

  constructor(normalizedShape: number | number[], opts: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    this.normalizedShape.forEach((d) => positiveInt("LayerNorm", "normalizedShape entry", d));
    this.eps = opts.eps ?? 1e-5;
    if (!(this.eps > 0)) throw new ValueError(`LayerNorm: eps must be positive, got ${this.eps}`);
    const dtype = opts.dtype ?? "float32";
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? full(this.normalizedShape, 1, dtype) : null;
    this.bias = affine ? full(this.normalizedShape, 0, dtype) : null;
  }

  override forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    const tail = x.shape.slice(x.ndim - k);
    if (x.ndim < k || tail.some((d, i) => d !== this.normalizedShape[i])) {
      throw new ShapeError(`LayerNorm: the input's trailing axes must be ${fmtShape(this.normalizedShape)}, got an input of shape ${fmtShape(x.shape)}`);
    }
    const axes = tail.map((_, i) => x.ndim - k + i);
    const mu = mean(x, axes, true);
    const v = variance(x, axes, true);
    let y = div(sub(x, mu), add(v, this.eps).sqrt());
    if (this.weight) y = mul(y, this.weight);
    if (this.bias) y = add(y, this.bias);
    return y;
  }
}

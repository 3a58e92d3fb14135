/** Convolution layers (PyTorch layouts: inputs [N, C, ...spatial], weights [O, C/groups, ...kernel]). */
import type { DType } from "../../core/dtype.js";
import { ValueError } from "../../core/errors.js";
import type { Tensor } from "../../core/tensor.js";
import type { Key } from "../../random/index.js";
import { conv, type ConvPadding } from "../../ops/conv.js";
import { Module } from "../module.js";
import { torchBias, torchDefault, fans, type Initializer } from "../init.js";
import { expectAxis, positiveInt, requireKey, splitKey } from "./common.js";

export interface ConvLayerOptions {
  key: Key;
  /** Step between windows, one for all axes or one per axis (default 1). */
  stride?: number | number[];
  /** A number, one per axis, [lo, hi] pairs, "valid" or "same" (default 0). */
  padding?: ConvPadding;
  /** Spacing between kernel taps (default 1). */
  dilation?: number | number[];
  /** Channel groups (default 1; inChannels for depthwise). */
  groups?: number;
  bias?: boolean;
  dtype?: DType;
  weightInit?: Initializer;
  biasInit?: Initializer;
}

function kernelSizes(op: string, kernel: number | readonly number[], nd: number): number[] {
  const ks = typeof kernel === "number" ? new Array<number>(nd).fill(kernel) : [...kernel];
  if (ks.length !== nd) throw new ValueError(`${op}: kernel size needs ${nd} entries, got [${ks.join(", ")}]`);
  ks.forEach((k) => positiveInt(op, "kernel size", k));
  return ks;
}

/** The N-d convolution layer behind Conv1d and Conv2d. */
abstract class ConvNd extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number | number[];
  readonly padding: ConvPadding;
  readonly dilation: number | number[];
  readonly groups: number;

  protected constructor(op: string, nd: number, inChannels: number, outChannels: number, kernel: number | readonly number[], opts: ConvLayerOptions) {
    super();
    this.inChannels = positiveInt(op, "inChannels", inChannels);
    this.outChannels = positiveInt(op, "outChannels", outChannels);
    this.kernelSize = kernelSizes(op, kernel, nd);
    this.groups = positiveInt(op, "groups", opts?.groups ?? 1);
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0) {
      throw new ValueError(`${op}: inChannels (${inChannels}) and outChannels (${outChannels}) must both be divisible by groups (${this.groups})`);
    }
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    const [wKey, bKey] = splitKey(requireKey(op, opts.key), 2);
    const dtype = opts.dtype ?? "float32";
    const shape = [outChannels, inChannels / this.groups, ...this.kernelSize];
    this.weight = (opts.weightInit ?? torchDefault)(wKey!, shape, { dtype });
    this.bias = opts.bias === false ? null : opts.biasInit ? opts.biasInit(bKey!, [outChannels], { dtype }) : torchBias(bKey!, outChannels, fans(op, shape).fanIn, dtype);
  }

  override forward(x: Tensor): Tensor {
    expectAxis(this.constructor.name, x, x.ndim === this.kernelSize.length + 1 ? 0 : 1, this.inChannels, "channels");
    return conv(x, this.weight, {
      stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups,
      ...(this.bias ? { bias: this.bias } : {}),
    });
  }
}

/**
 * 1-D convolution: x [N, C_in, L] → [N, C_out, L'], weight [C_out, C_in/groups, k].
 *
 *   new nn.Conv1d(2, 4, 3, { key, padding: "same" }).forward(fx.ones([1, 2, 10])).shape; // [1, 4, 10]
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernel: number | [number], opts: ConvLayerOptions) {
    super("Conv1d", 1, inChannels, outChannels, kernel, opts);
  }
}

/**
 * 2-D convolution: x [N, C_in, H, W] → [N, C_out, H', W'], weight
 * [C_out, C_in/groups, kH, kW]; H' = ⌊(H + padLo + padHi − dilation·(kH − 1) − 1) / stride⌋ + 1.
 *
 *   const conv = new nn.Conv2d(1, 8, 3, { key, padding: 1 });
 *   conv.forward(fx.ones([2, 1, 28, 28])).shape; // [2, 8, 28, 28]
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernel: number | [number, number], opts: ConvLayerOptions) {
    super("Conv2d", 2, inChannels, outChannels, kernel, opts);
  }
}

/** Pooling layers: no parameters, just configuration. */
import type { Tensor } from "../../core/tensor.js";
import { avgPool2d, maxPool2d } from "../../ops/pool.js";
import { Module } from "../module.js";

export interface PoolLayerOptions {
  /** Step between windows (default: the kernel size). */
  stride?: number | [number, number];
  /** Implicit padding on each side, at most half the window (default 0). */
  padding?: number | [number, number];
}

/**
 * 2-D max pooling over [N, C, H, W] (padding counts as −∞).
 *
 *   new nn.MaxPool2d(2).forward(fx.ones([1, 3, 8, 8])).shape; // [1, 3, 4, 4]
 */
export class MaxPool2d extends Module {
  readonly kernelSize: number | [number, number];
  readonly stride: number | [number, number];
  readonly padding: number | [number, number];

  constructor(kernelSize: number | [number, number], opts: PoolLayerOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
  }

  override forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding });
  }
}

/**
 * 2-D average pooling over [N, C, H, W]; padding counts as 0 and, unless
 * `countIncludePad` is false, in the divisor (PyTorch's default).
 */
export class AvgPool2d extends Module {
  readonly kernelSize: number | [number, number];
  readonly stride: number | [number, number];
  readonly padding: number | [number, number];
  readonly countIncludePad: boolean;

  constructor(kernelSize: number | [number, number], opts: PoolLayerOptions & { countIncludePad?: boolean } = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.countIncludePad = opts.countIncludePad ?? true;
  }

  override forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding, countIncludePad: this.countIncludePad });
  }
}

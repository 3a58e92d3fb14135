/** The fully connected layer. */
import type { DType } from "../../core/dtype.js";
import type { Tensor } from "../../core/tensor.js";
import type { Key } from "../../random/index.js";
import { add } from "../../ops/elementwise.js";
import { matmul } from "../../ops/matmul.js";
import { transpose } from "../../ops/shape.js";
import { Module } from "../module.js";
import { torchBias, torchDefault, type Initializer } from "../init.js";
import { expectAxis, positiveInt, requireKey, splitKey } from "./common.js";

export interface LinearOptions {
  key: Key;
  /** Learn an additive bias (default true). */
  bias?: boolean;
  dtype?: DType;
  /** Weight initializer for the [out, in] weight (default: PyTorch's, U(±1/√in)). */
  weightInit?: Initializer;
  /** Bias initializer (default: PyTorch's, U(±1/√in)). */
  biasInit?: Initializer;
}

/**
 * y = x Wᵀ + b with W of shape [outFeatures, inFeatures] (PyTorch's layout)
 * and b of shape [outFeatures]; x is [..., inFeatures].
 *
 *   const layer = new nn.Linear(3, 2, { key: fx.random.key(0) });
 *   layer.forward(fx.ones([5, 3])).shape; // [5, 2]
 */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions) {
    super();
    this.inFeatures = positiveInt("Linear", "inFeatures", inFeatures);
    this.outFeatures = positiveInt("Linear", "outFeatures", outFeatures);
    const [wKey, bKey] = splitKey(requireKey("Linear", opts?.key), 2);
    const dtype = opts.dtype ?? "float32";
    this.weight = (opts.weightInit ?? torchDefault)(wKey!, [outFeatures, inFeatures], { dtype });
    this.bias = opts.bias === false ? null : opts.biasInit ? opts.biasInit(bKey!, [outFeatures], { dtype }) : torchBias(bKey!, outFeatures, inFeatures, dtype);
  }

  override forward(x: Tensor): Tensor {
    expectAxis("Linear", x, -1, this.inFeatures, "features");
    const y = matmul(x, transpose(this.weight));
    return this.bias ? add(y, this.bias) : y;
  }
}

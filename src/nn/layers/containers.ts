/** Composing modules: Lambda, Sequential, MLP, Flatten. */
import type { DType } from "../../core/dtype.js";
import { ValueError } from "../../core/errors.js";
import { normalizeAxis } from "../../core/shape.js";
import type { Tensor } from "../../core/tensor.js";
import type { Key } from "../../random/index.js";
import { reshape } from "../../ops/shape.js";
import { Module, type ForwardOptions } from "../module.js";
import { relu, identity } from "../activations.js";
import { Linear } from "./linear.js";
import { positiveInt, requireKey, splitKey } from "./common.js";

/** A function x → y as a module (no parameters; the function is static). */
export class Lambda extends Module {
  readonly fn: (x: Tensor) => Tensor;

  constructor(fn: (x: Tensor) => Tensor) {
    super();
    if (typeof fn !== "function") throw new ValueError(`Lambda: expected a function, got ${typeof fn}`);
    this.fn = fn;
  }

  override forward(x: Tensor): Tensor {
    return this.fn(x);
  }
}

/** Options handed to the i-th of n layers: the key, if any, is split so each layer gets its own. */
function layerOptions(opts: ForwardOptions, n: number): ForwardOptions[] {
  if (opts.key === undefined) return new Array<ForwardOptions>(n).fill(opts);
  const keys = splitKey(opts.key, n);
  return keys.map((key) => ({ ...opts, key }));
}

/**
 * Applies layers in order. Plain functions (activations) are wrapped in
 * `Lambda`. A key in the options is split so every layer gets its own.
 *
 *   const net = new nn.Sequential([new nn.Linear(4, 8, { key: k1 }), nn.relu, new nn.Linear(8, 1, { key: k2 })]);
 */
export class Sequential extends Module {
  readonly layers: Module[];

  constructor(layers: (Module | ((x: Tensor) => Tensor))[]) {
    super();
    if (!Array.isArray(layers)) throw new ValueError("Sequential: expected an array of modules or functions");
    this.layers = layers.map((l, i) => {
      if (l instanceof Module) return l;
      if (typeof l === "function") return new Lambda(l);
      throw new ValueError(`Sequential: layer ${i} is a ${typeof l}, not a module or a function`);
    });
  }

  override forward(x: Tensor, opts: ForwardOptions = {}): Tensor {
    const per = layerOptions(opts, this.layers.length);
    return this.layers.reduce((h, layer, i) => layer.forward(h, per[i]), x);
  }
}

export interface MLPOptions {
  inSize: number;
  outSize: number;
  /** Hidden layer widths, e.g. [512, 256] (may be empty: one Linear). */
  widths: number[];
  /** Applied after every hidden layer (default relu). */
  activation?: (x: Tensor) => Tensor;
  /** Applied to the output (default the identity). */
  finalActivation?: (x: Tensor) => Tensor;
  key: Key;
  bias?: boolean;
  dtype?: DType;
}

/**
 * A multilayer perceptron: Linear layers inSize → widths… → outSize with the
 * activation between them.
 *
 *   const mlp = new nn.MLP({ inSize: 784, outSize: 10, widths: [512, 256], key: fx.random.key(0) });
 */
export class MLP extends Module {
  readonly layers: Linear[];
  readonly activation: (x: Tensor) => Tensor;
  readonly finalActivation: (x: Tensor) => Tensor;

  constructor(opts: MLPOptions) {
    super();
    const sizes = [opts.inSize, ...(opts.widths ?? []), opts.outSize];
    sizes.forEach((s, i) => positiveInt("MLP", i === 0 ? "inSize" : i === sizes.length - 1 ? "outSize" : `widths[${i - 1}]`, s));
    const keys = splitKey(requireKey("MLP", opts.key), sizes.length - 1);
    this.layers = keys.map((key, i) => new Linear(sizes[i]!, sizes[i + 1]!, { key, bias: opts.bias, dtype: opts.dtype }));
    this.activation = opts.activation ?? relu;
    this.finalActivation = opts.finalActivation ?? identity;
  }

  override forward(x: Tensor): Tensor {
    let h = x;
    this.layers.forEach((layer, i) => {
      h = layer.forward(h);
      h = i < this.layers.length - 1 ? this.activation(h) : this.finalActivation(h);
    });
    return h;
  }
}

/**
 * Merges axes startDim..endDim into one (default: all but the batch axis).
 *
 *   new nn.Flatten().forward(fx.ones([2, 3, 4, 4])).shape; // [2, 48]
 */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  constructor(opts: { startDim?: number; endDim?: number } = {}) {
    super();
    this.startDim = opts.startDim ?? 1;
    this.endDim = opts.endDim ?? -1;
  }

  override forward(x: Tensor): Tensor {
    const s = normalizeAxis("Flatten", this.startDim, x.ndim);
    const e = normalizeAxis("Flatten", this.endDim, x.ndim);
    if (e < s) throw new ValueError(`Flatten: startDim ${this.startDim} comes after endDim ${this.endDim} for an input of rank ${x.ndim}`);
    const merged = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
    return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
  }
}

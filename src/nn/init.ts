/**
 * Weight initializers, `(key, shape, opts?) → Tensor`, with PyTorch's fan
 * conventions for its weight layouts: for a weight [out, in, ...kernel],
 * fanIn = in · Πkernel and fanOut = out · Πkernel.
 *
 *   const w = nn.init.heNormal(fx.random.key(0), [128, 784]);
 */
import type { DType } from "../core/dtype.js";
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { full } from "../ops/creation.js";
import { normal as randomNormal, uniform as randomUniform, type Key } from "../random/index.js";

/** The common shape of initializers, so layers can take any of them. */
export type Initializer = (key: Key, shape: readonly number[], opts?: { dtype?: DType }) => Tensor;

export interface FanOptions {
  dtype?: DType;
  /** Which fan sets the scale (default "fanIn"). */
  mode?: "fanIn" | "fanOut";
}

/** PyTorch's fan-in and fan-out of a weight shape (needs at least 2 axes). */
export function fans(op: string, shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw new ShapeError(`${op}: needs a weight of at least 2 axes ([out, in, ...kernel]) to compute fans, got ${fmtShape(shape)}`);
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

/** The gain of a leaky ReLU with negative slope a: √(2 / (1 + a²)) (a = 0: ReLU's √2). */
function leakyGain(a: number): number {
  return Math.sqrt(2 / (1 + a * a));
}

/**
 * U(low, high) (default U(0, 1)).
 */
export function uniform(key: Key, shape: readonly number[], opts: { low?: number; high?: number; dtype?: DType } = {}): Tensor {
  return randomUniform(key, shape, { dtype: opts.dtype ?? "float32", minval: opts.low ?? 0, maxval: opts.high ?? 1 });
}

/**
 * N(mean, std²) (default N(0, 1), as PyTorch's `normal_`).
 */
export function normal(key: Key, shape: readonly number[], opts: { mean?: number; std?: number; dtype?: DType } = {}): Tensor {
  return randomNormal(key, shape, { dtype: opts.dtype ?? "float32", mean: opts.mean ?? 0, std: opts.std ?? 1 });
}

/** All zeros (the key is ignored; it is there so zeros fits `Initializer`). */
export function zeros(_key: Key | null, shape: readonly number[], opts: { dtype?: DType } = {}): Tensor {
  return full([...shape], 0, opts.dtype ?? "float32");
}

/** All ones (the key is ignored). */
export function ones(_key: Key | null, shape: readonly number[], opts: { dtype?: DType } = {}): Tensor {
  return full([...shape], 1, opts.dtype ?? "float32");
}

/**
 * Glorot/Xavier uniform: U(−b, b) with b = gain · √(6 / (fanIn + fanOut)).
 */
export function glorotUniform(key: Key, shape: readonly number[], opts: { gain?: number; dtype?: DType } = {}): Tensor {
  const { fanIn, fanOut } = fans("glorotUniform", shape);
  const b = (opts.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(key, shape, { low: -b, high: b, dtype: opts.dtype });
}

/**
 * Glorot/Xavier normal: N(0, s²) with s = gain · √(2 / (fanIn + fanOut)).
 */
export function glorotNormal(key: Key, shape: readonly number[], opts: { gain?: number; dtype?: DType } = {}): Tensor {
  const { fanIn, fanOut } = fans("glorotNormal", shape);
  return normal(key, shape, { std: (opts.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)), dtype: opts.dtype });
}

function fanOf(op: string, shape: readonly number[], mode: FanOptions["mode"]): number {
  const { fanIn, fanOut } = fans(op, shape);
  const m = mode ?? "fanIn";
  if (m !== "fanIn" && m !== "fanOut") throw new ValueError(`${op}: mode must be "fanIn" or "fanOut", got ${JSON.stringify(m)}`);
  return m === "fanIn" ? fanIn : fanOut;
}

/**
 * He/Kaiming normal: N(0, s²) with s = gain / √fan, gain = √(2 / (1 + a²)) for
 * a leaky ReLU of slope `a` (default 0: ReLU). PyTorch's `kaiming_normal_`.
 */
export function heNormal(key: Key, shape: readonly number[], opts: FanOptions & { a?: number } = {}): Tensor {
  const std = leakyGain(opts.a ?? 0) / Math.sqrt(fanOf("heNormal", shape, opts.mode));
  return normal(key, shape, { std, dtype: opts.dtype });
}

/**
 * He/Kaiming uniform: U(−b, b) with b = gain · √(3 / fan). PyTorch's
 * `kaiming_uniform_`. With a = √5 (PyTorch's default for Linear and Conv
 * weights) b = 1/√fanIn.
 */
export function heUniform(key: Key, shape: readonly number[], opts: FanOptions & { a?: number } = {}): Tensor {
  const b = leakyGain(opts.a ?? 0) * Math.sqrt(3 / fanOf("heUniform", shape, opts.mode));
  return uniform(key, shape, { low: -b, high: b, dtype: opts.dtype });
}

/**
 * PyTorch's default for Linear and Conv weights: kaiming uniform with
 * a = √5, i.e. U(−1/√fanIn, 1/√fanIn).
 */
export const torchDefault: Initializer = (key, shape, opts = {}) => heUniform(key, shape, { a: Math.sqrt(5), dtype: opts.dtype });

/** PyTorch's default bias: U(−1/√fanIn, 1/√fanIn) with the weight's fanIn. */
export function torchBias(key: Key, size: number, fanIn: number, dtype?: DType): Tensor {
  const b = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return uniform(key, [size], { low: -b, high: b, dtype });
}

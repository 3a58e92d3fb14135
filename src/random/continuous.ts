/** Continuous samplers: uniform, normal, truncated normal, Gumbel. */
import { castScalar, type DType } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { checkShape, sizeOf } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import * as lax from "../primitives/lax.js";
import { checkKey, type Key } from "./keys.js";
import { unitFloats } from "./bits.js";
import { below, clampTo, finite, floatDType, param, type FloatDType } from "./args.js";
import { erfinv } from "./erfinv.js";

export interface UniformOptions {
  /** float32 (default) or float64. */
  dtype?: DType;
  /** Lower bound (inclusive), a number or a tensor that broadcasts to `shape`. Default 0. */
  minval?: number | Tensor;
  /** Upper bound (exclusive), a number or a tensor that broadcasts to `shape`. Default 1. */
  maxval?: number | Tensor;
}

/**
 * `uniform(key, shape = [], { dtype, minval = 0, maxval = 1 })`: samples of
 * U[minval, maxval). With u on the lattice k·2^−p in [0, 1) (p = 24 for
 * float32 from one word, p = 53 for float64 from two words), the sample is
 * minval + u·(maxval − minval); with number bounds it is clamped below
 * maxval, so maxval itself is never returned despite rounding.
 *
 *   const x = fx.random.uniform(key, [2, 3], { minval: -1, maxval: 1 });
 */
export function uniform(key: Key, shape: readonly number[] = [], opts: UniformOptions = {}): Tensor {
  const op = "random.uniform";
  checkKey(op, key);
  const s = checkShape(op, [...shape]);
  const dtype = floatDType(op, opts.dtype);
  const [u] = unitFloats(key, s, dtype);
  return scaleUniform(op, u!, opts.minval ?? 0, opts.maxval ?? 1, dtype, s);
}

function scaleUniform(op: string, u: Tensor, minval: number | Tensor, maxval: number | Tensor, dtype: FloatDType, shape: number[]): Tensor {
  if (typeof minval === "number" && typeof maxval === "number") {
    const lo = castScalar(finite(op, "minval", minval), dtype);
    const hi = castScalar(finite(op, "maxval", maxval), dtype);
    if (lo > hi) throw new ValueError(`${op}: minval (${minval}) must not exceed maxval (${maxval})`);
    if (lo === 0 && hi === 1) return u;
    if (lo === hi) return lax.broadcastTo(lax.cst(lo, u), shape);
    const x = lax.add(lax.mul(u, lax.cst(hi - lo, u)), lax.cst(lo, u));
    return clampTo(x, lax.cst(lo, u), lax.cst(below(hi, dtype), u));
  }
  const lo = param(op, "minval", minval, dtype, shape);
  const hi = param(op, "maxval", maxval, dtype, shape);
  return lax.max(lax.add(lax.mul(u, lax.sub(hi, lo)), lo), lo);
}

export interface NormalOptions {
  dtype?: DType;
  /** The mean, a number or a tensor that broadcasts to `shape`. Default 0. */
  mean?: number | Tensor;
  /** The standard deviation (≥ 0), a number or a tensor that broadcasts to `shape`. Default 1. */
  std?: number | Tensor;
}

/**
 * `normal(key, shape = [], { dtype, mean = 0, std = 1 })`: samples of
 * N(mean, std²) by the Box–Muller transform. For each pair of uniforms
 * (u1, u2) on the [0, 1) lattice, r = √(−2·log(1 − u1)) and θ = 2π·u2 give
 * two independent standard normals r·cos θ and r·sin θ (the first half of the
 * flattened output takes the cosines, the second half the sines). float64
 * uses 53-bit uniforms, so its samples reach about 8.5σ; float32 about 5.7σ.
 *
 *   const w = fx.random.normal(key, [784, 10], { std: 0.01 });
 */
export function normal(key: Key, shape: readonly number[] = [], opts: NormalOptions = {}): Tensor {
  const op = "random.normal";
  checkKey(op, key);
  const s = checkShape(op, [...shape]);
  const dtype = floatDType(op, opts.dtype);
  const n = sizeOf(s);
  const pairs = Math.ceil(n / 2);
  const [u1, u2] = unitFloats(key, [pairs], dtype, 2);
  const r = lax.sqrt(lax.mul(lax.cst(-2, u1!), lax.log(lax.sub(lax.cst(1, u1!), u1!))));
  const theta = lax.mul(lax.cst(2 * Math.PI, u2!), u2!);
  const z = lax.concatenate([lax.mul(r, lax.cos(theta)), lax.mul(r, lax.sin(theta))], 0);
  const standard = lax.reshape(lax.slice(z, [0], [n]), s);
  return affine(op, standard, opts.mean ?? 0, opts.std ?? 1, dtype, s);
}

/** z·std + mean, skipping the work for the defaults. */
function affine(op: string, z: Tensor, mean: number | Tensor, std: number | Tensor, dtype: FloatDType, shape: number[]): Tensor {
  if (typeof std === "number" && (!Number.isFinite(std) || std < 0)) {
    throw new ValueError(`${op}: std must be a finite number ≥ 0, got ${std}`);
  }
  if (typeof mean === "number") finite(op, "mean", mean);
  const scaled = std === 1 ? z : lax.mul(z, param(op, "std", std, dtype, shape));
  return mean === 0 ? scaled : lax.add(scaled, param(op, "mean", mean, dtype, shape));
}

export interface TruncatedNormalOptions {
  dtype?: DType;
  /** Lower bound in standard deviations, a number (may be −Infinity) or a tensor. Default −2. */
  lower?: number | Tensor;
  /** Upper bound in standard deviations, a number (may be Infinity) or a tensor. Default 2. */
  upper?: number | Tensor;
}

/**
 * `truncatedNormal(key, shape = [], { dtype, lower = -2, upper = 2 })`: a
 * standard normal restricted to [lower, upper], by the inverse CDF:
 * y ~ U(erf(lower/√2), erf(upper/√2)), x = √2·erfinv(y), clamped to
 * [lower, upper]. Far-tail intervals (e.g. lower = 6) lose precision in
 * float32 because erf rounds to 1 there; use float64 for those.
 *
 *   const w = fx.random.truncatedNormal(key, [256, 128]).mul(0.02);
 */
export function truncatedNormal(key: Key, shape: readonly number[] = [], opts: TruncatedNormalOptions = {}): Tensor {
  const op = "random.truncatedNormal";
  checkKey(op, key);
  const s = checkShape(op, [...shape]);
  const dtype = floatDType(op, opts.dtype);
  const lower = opts.lower ?? -2;
  const upper = opts.upper ?? 2;
  if (typeof lower === "number" && typeof upper === "number" && !(lower < upper)) {
    throw new ValueError(`${op}: lower (${lower}) must be less than upper (${upper})`);
  }
  const lo = param(op, "lower", lower, dtype, s);
  const hi = param(op, "upper", upper, dtype, s);
  const erfOf = (x: Tensor) => lax.unary("erf", lax.mul(x, lax.cst(Math.SQRT1_2, x)));
  const a = erfOf(lo);
  const b = erfOf(hi);
  const [u] = unitFloats(key, s, dtype);
  // erfinv needs |y| < 1: keep y one step inside (−1, 1).
  const edge = below(1, dtype);
  const y = clampTo(lax.add(a, lax.mul(u!, lax.sub(b, a))), lax.cst(-edge, a), lax.cst(edge, a));
  const x = lax.mul(erfinv(y), lax.cst(Math.SQRT2, y));
  return clampTo(x, lo, hi);
}

/**
 * `gumbel(key, shape = [], { dtype })`: standard Gumbel samples
 * −log(−log u) with u uniform, kept away from 0 (u ≥ the smallest normal
 * float) so every sample is finite. argmax(logits + gumbel) is a sample of
 * softmax(logits) (the Gumbel-max trick behind `categorical`).
 */
export function gumbel(key: Key, shape: readonly number[] = [], opts: { dtype?: DType } = {}): Tensor {
  const op = "random.gumbel";
  checkKey(op, key);
  const s = checkShape(op, [...shape]);
  const dtype = floatDType(op, opts.dtype);
  const [u] = unitFloats(key, s, dtype);
  const tiny = dtype === "float32" ? 1.1754943508222875e-38 : 2.2250738585072014e-308;
  const safe = lax.max(u!, lax.cst(tiny, u!));
  return lax.neg(lax.log(lax.neg(lax.log(safe))));
}

/** Discrete samplers: Bernoulli, uniform integers, categorical (Gumbel-max). */
import { isFloat, isInteger } from "../core/dtype.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { checkShape, normalizeAxis } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import * as lax from "../primitives/lax.js";
import { asTensor, type ArrayLike } from "../ops/convert.js";
import { checkKey, type Key } from "./keys.js";
import { drawWords, unitFloats, unsignedFloat64 } from "./bits.js";
import { broadcastsTo, param } from "./args.js";
import { gumbel } from "./continuous.js";

/**
 * `bernoulli(key, p = 0.5, shape = p's shape)`: a bool tensor, true with
 * probability p: u < p for u uniform on the [0, 1) lattice (exact for p = 0
 * and p = 1). `p` is a number in [0, 1] or a float tensor that broadcasts to `shape`.
 *
 *   const keep = fx.random.bernoulli(key, 0.9, x.shape);   // dropout mask
 */
export function bernoulli(key: Key, p: number | Tensor = 0.5, shape?: readonly number[]): Tensor {
  const op = "random.bernoulli";
  checkKey(op, key);
  if (typeof p === "number" && !(p >= 0 && p <= 1)) throw new ValueError(`${op}: p must be a probability in [0, 1], got ${p}`);
  const dtype = p instanceof Tensor && p.dtype === "float64" ? "float64" : "float32";
  const s = checkShape(op, [...(shape ?? (p instanceof Tensor ? p.shape : []))]);
  const prob = param(op, "p", p, dtype, s);
  const [u] = unitFloats(key, s, dtype);
  return lax.lt(u!, prob);
}

/**
 * `randint(key, shape, lo, hi)`: int32 integers uniform in [lo, hi).
 * Each sample takes two words a, b and returns lo + ((a·2^32 + b) mod (hi − lo)),
 * the modulo computed exactly in float64 pieces below 2^48. A 64-bit value
 * mod a span of at most 2^32 − 1 is uniform to within span/2^64 < 2^−32
 * (exactly uniform when the span is a power of two); no finite number of
 * bits can do better for other spans.
 * `lo` and `hi` are integers (or integer tensors that broadcast to `shape`;
 * where hi ≤ lo those give lo).
 *
 *   const dice = fx.random.randint(key, [10], 1, 7);
 */
export function randint(key: Key, shape: readonly number[], lo: number | Tensor, hi: number | Tensor): Tensor {
  const op = "random.randint";
  checkKey(op, key);
  const s = checkShape(op, [...shape]);
  for (const [name, v] of [["lo", lo], ["hi", hi]] as const) {
    if (v instanceof Tensor) {
      if (!isInteger(v.dtype)) throw new DTypeError(`${op}: ${name} must be an integer tensor, got ${v.dtype}${fmtShape(v.shape)}`);
    } else if (typeof v !== "number" || !Number.isInteger(v) || v < -(2 ** 31) || v > 2 ** 31) {
      throw new ValueError(`${op}: ${name} must be an integer in [-2^31, 2^31] or an integer tensor, got ${String(v)}`);
    }
  }
  let lower: Tensor, span: Tensor;
  if (typeof lo === "number" && typeof hi === "number") {
    if (!(lo < hi)) throw new ValueError(`${op}: the range [lo, hi) = [${lo}, ${hi}) is empty; need lo < hi`);
    lower = lax.cst(lo, { dtype: "float64" });
    span = lax.cst(hi - lo, { dtype: "float64" });
  } else {
    lower = param(op, "lo", lo, "float64", s);
    span = lax.max(lax.sub(param(op, "hi", hi, "float64", s), lower), lax.cst(1, lower));
  }
  const [a, b] = drawWords(key, s, 2).map(unsignedFloat64);
  const mod = (x: Tensor) => lax.binary("rem", x, span);
  const shift16 = (x: Tensor) => lax.mul(x, lax.cst(2 ** 16, x));
  // (a·2^32 + b) mod span, with every intermediate below 2^48 so float64 is exact.
  let r = mod(a!);
  r = mod(shift16(r));
  r = mod(shift16(r));
  r = mod(lax.add(r, b!));
  return lax.cast(lax.add(lower, r), "int32");
}

/**
 * `categorical(key, logits, axis = -1, shape?)`: int32 category indices drawn
 * with probabilities softmax(logits) along `axis`, by the Gumbel-max trick:
 * argmax(logits + g) with g standard Gumbel. The result has `shape`, which
 * defaults to logits' shape without `axis`; a longer `shape` draws several
 * samples per distribution (its trailing axes broadcast against the batch
 * shape). Logits of −Infinity are never drawn.
 *
 *   const labels = fx.random.categorical(key, fx.tensor([[0, 1, 2]]), -1, [1000, 1]);
 */
export function categorical(key: Key, logits: ArrayLike, axis = -1, shape?: readonly number[]): Tensor {
  const op = "random.categorical";
  checkKey(op, key);
  let l = asTensor(logits);
  if (!isFloat(l.dtype)) l = lax.cast(l, "float32");
  if (l.ndim === 0) throw new ShapeError(`${op}: logits must have at least one axis (the categories), got shape []`);
  const a = normalizeAxis(op, axis, l.ndim);
  const batch = l.shape.filter((_, i) => i !== a);
  const s = shape === undefined ? batch : checkShape(op, [...shape]);
  const tail = s.slice(s.length - batch.length);
  if (s.length < batch.length || !broadcastsTo(batch, tail)) {
    throw new ShapeError(`${op}: shape ${fmtShape(s)} does not fit logits ${fmtShape(l.shape)} with categories on axis ${a}: its trailing axes must broadcast against the batch shape ${fmtShape(batch)}`);
  }
  const prefix = s.slice(0, s.length - batch.length);
  const noiseShape = [...prefix, ...tail.slice(0, a), l.shape[a]!, ...tail.slice(a)];
  const g = gumbel(key, noiseShape, { dtype: l.dtype });
  const aligned = lax.reshape(l, [...prefix.map(() => 1), ...l.shape]);
  return lax.argmax(lax.add(g, aligned), prefix.length + a);
}

/** Random orderings: permutations and sampling from a population. */
import { isFloat } from "../core/dtype.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { checkShape, normalizeAxis, sizeOf } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import * as lax from "../primitives/lax.js";
import { asTensor, type ArrayLike } from "../ops/convert.js";
import { checkKey, type Key } from "./keys.js";
import { unitFloats } from "./bits.js";
import { randint, categorical } from "./discrete.js";
import { gumbel } from "./continuous.js";

/** A population: a count, or items along an axis of a tensor (nested arrays become tensors). */
function population(x: number | ArrayLike): number | Tensor {
  return typeof x === "number" || x instanceof Tensor || !Array.isArray(x) ? (x as number | Tensor) : asTensor(x);
}

function populationSize(op: string, x: number | Tensor, axis: number): number {
  if (typeof x === "number") {
    if (!Number.isInteger(x) || x < 0 || x >= 2 ** 31) throw new ValueError(`${op}: n must be an integer in [0, 2^31), got ${x}`);
    return x;
  }
  if (!(x instanceof Tensor)) throw new ValueError(`${op}: expected a count or a tensor, got ${typeof x}`);
  if (x.ndim === 0) throw new ShapeError(`${op}: cannot take items of a rank-0 tensor; pass a count or a tensor with an axis`);
  return x.shape[normalizeAxis(op, axis, x.ndim)]!;
}

/** A uniformly random permutation of 0..n−1: argsort of n independent 53-bit uniform keys. */
function randomOrder(key: Key, n: number): Tensor {
  const [sortKeys] = unitFloats(key, [n], "float64");
  return lax.argsort(sortKeys!, 0);
}

/**
 * `permutation(key, n)`: a random permutation of 0..n−1 (int32).
 * `permutation(key, x, axis = 0)`: `x` with its slices along `axis` shuffled.
 * The order is the stable argsort of n independent 53-bit uniform keys, so
 * every permutation is equally likely (up to a tie, probability < n²/2^54).
 *
 *   const order = fx.random.permutation(key, 5);       // e.g. [3, 0, 4, 1, 2]
 *   const shuffled = fx.random.permutation(key, rows);  // rows in a random order
 */
export function permutation(key: Key, nOrItems: number | ArrayLike, axis = 0): Tensor {
  const op = "random.permutation";
  checkKey(op, key);
  const x = population(nOrItems);
  const n = populationSize(op, x, axis);
  const order = randomOrder(key, n);
  return typeof x === "number" ? order : lax.gather(x, order, normalizeAxis(op, axis, x.ndim));
}

export interface ChoiceOptions {
  /** Draw with replacement (default true). */
  replace?: boolean;
  /** Weights of the n items (a 1-D tensor or array; normalized internally). Default uniform. */
  p?: ArrayLike;
  /** The axis of a tensor population to choose along. Default 0. */
  axis?: number;
}

/**
 * `choice(key, nOrTensor, shape = [], { replace = true, p, axis = 0 })`:
 * items drawn from 0..n−1 (or from the slices of a tensor along `axis`).
 * With replacement: `randint` (uniform) or `categorical` on log p. Without:
 * the first k of a random permutation (uniform) or, with weights, the top k
 * of log p + Gumbel noise (the Gumbel-top-k trick: successive draws
 * proportional to p among the items not yet drawn).
 *
 *   const batchIdx = fx.random.choice(key, 60000, [128], { replace: false });
 */
export function choice(key: Key, nOrItems: number | ArrayLike, shape: readonly number[] = [], opts: ChoiceOptions = {}): Tensor {
  const op = "random.choice";
  checkKey(op, key);
  const x = population(nOrItems);
  const axis = opts.axis ?? 0;
  const n = populationSize(op, x, axis);
  const s = checkShape(op, [...shape]);
  const k = sizeOf(s);
  const logp = opts.p === undefined ? null : logWeights(op, opts.p, n);
  let idx: Tensor;
  if (opts.replace ?? true) {
    if (k > 0 && n === 0) throw new ValueError(`${op}: cannot draw ${k} items from an empty population`);
    idx = logp === null ? randint(key, s, 0, Math.max(n, 1)) : categorical(key, logp, -1, s);
  } else {
    if (k > n) throw new ValueError(`${op}: cannot draw ${k} items without replacement from a population of ${n}`);
    const order = logp === null ? randomOrder(key, n) : lax.argsort(lax.neg(lax.add(logp, gumbel(key, [n], { dtype: logp.dtype }))), 0);
    idx = lax.reshape(lax.slice(order, [0], [k]), s);
  }
  return typeof x === "number" ? idx : lax.gather(x, idx, normalizeAxis(op, axis, x.ndim));
}

function logWeights(op: string, p: ArrayLike, n: number): Tensor {
  let w = asTensor(p);
  if (!isFloat(w.dtype)) {
    if (w.dtype === "bool") throw new DTypeError(`${op}: p must hold numbers, got bool`);
    w = lax.cast(w, "float32");
  }
  if (w.ndim !== 1 || w.shape[0] !== n) {
    throw new ShapeError(`${op}: p must have shape [${n}] (one weight per item), got ${fmtShape(w.shape)}`);
  }
  return lax.log(w);
}

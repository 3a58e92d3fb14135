/**
 * Keys: Fluxion's random state, passed explicitly as in JAX. A key is an int32
 * tensor of shape [2] holding two uint32 words. Functions that draw random
 * numbers are pure: the same key always gives the same numbers, so a key must
 * never be used twice for different purposes. Split it instead:
 *
 *   let key = fx.random.key(0);
 *   const [key1, sub] = fx.random.split(key);   // key1 for later, sub to use now
 *   const w = fx.random.normal(sub, [3, 3]);
 */
import { DTypeError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";
import { fromTypedArray } from "../primitives/constant.js";
import * as lax from "../primitives/lax.js";

/** A random key: an int32 tensor of shape [2] (two uint32 words). */
export type Key = Tensor;

/**
 * Salts keep the streams of different uses of one key apart: `random_bits`
 * encrypts the counters (salt, i), so each salt is its own stream.
 */
export const SALT = { bits: 0, split: 1, foldIn: 2 } as const;

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return `a JS array of length ${x.length}`;
  return typeof x === "number" ? `the number ${x}` : typeof x;
}

/** Checks that `key` is one key (int32 [2]) and returns it; `op` names the caller in errors. */
export function checkKey(op: string, key: unknown): Key {
  if (!(key instanceof Tensor)) {
    throw new ValueError(`${op}: expected a key made by fx.random.key(seed), got ${describe(key)}`);
  }
  if (key.dtype !== "int32") {
    throw new DTypeError(`${op}: a key is an int32 tensor of shape [2], got ${key.dtype}${fmtShape(key.shape)} (make one with fx.random.key(seed))`);
  }
  if (key.shape.length !== 1 || key.shape[0] !== 2) {
    const stacked = key.shape.length === 2 && key.shape[1] === 2;
    const hint = stacked
      ? `; this looks like ${key.shape[0]} stacked keys: map over them with fx.vmap((k) => ...)(keys), or index one`
      : " (make one with fx.random.key(seed))";
    throw new ShapeError(`${op}: a key has shape [2], got ${fmtShape(key.shape)}${hint}`);
  }
  return key;
}

/**
 * A 64-bit integer as two 32-bit words [hi, lo] (two's complement for
 * negative numbers), from a JS integer or a rank-0 integer tensor.
 */
function integerWords(op: string, what: string, x: number | Tensor): Tensor {
  if (x instanceof Tensor) {
    if (x.dtype !== "int32" && x.dtype !== "uint8") {
      throw new DTypeError(`${op}: ${what} must be an integer (a JS number or an int32 tensor), got ${x.dtype}${fmtShape(x.shape)}`);
    }
    if (x.shape.length !== 0) throw new ShapeError(`${op}: ${what} must be a scalar, got shape ${fmtShape(x.shape)}`);
    const lo = lax.cast(x, "int32");
    const hi = lax.select(lax.lt(lo, lax.cst(0, lo)), lax.cst(-1, lo), lax.cst(0, lo));
    return lax.concatenate([lax.reshape(hi, [1]), lax.reshape(lo, [1])], 0);
  }
  if (typeof x !== "number" || !Number.isSafeInteger(x)) {
    throw new ValueError(`${op}: ${what} must be an integer with |${what}| < 2^53, got ${typeof x === "number" ? x : describe(x)}`);
  }
  const hi = Math.floor(x / 2 ** 32);
  const lo = x - hi * 2 ** 32;
  return fromTypedArray(Int32Array.of(hi | 0, lo | 0), [2], "int32");
}

/**
 * `key(seed)`: a key from an integer seed. The key's words are the seed as a
 * 64-bit integer, [seed >> 32, seed & 0xffffffff] (so key(0) is [0, 0]).
 * `seed` is a JS integer (|seed| < 2^53) or a rank-0 int32 tensor (works under jit).
 *
 *   const key = fx.random.key(42);
 */
export function key(seed: number | Tensor): Key {
  return integerWords("random.key", "seed", seed);
}

function checkCount(op: string, n: unknown): number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    throw new ValueError(`${op}: the number of keys must be a non-negative integer, got ${String(n)}`);
  }
  return n;
}

/**
 * `splitStacked(key, n = 2)`: `n` new keys as one int32 tensor [n, 2], ready
 * for `fx.vmap`. Key j is threefry2x32(key, (1, j)): the salt-1 stream.
 *
 *   const keys = fx.random.splitStacked(key, 8);
 *   const xs = fx.vmap((k) => fx.random.normal(k, [3]))(keys);   // [8, 3]
 */
export function splitStacked(key: Key, n = 2): Tensor {
  checkKey("random.splitStacked", key);
  return lax.randomBits(key, [checkCount("random.splitStacked", n), 2], SALT.split);
}

/**
 * `split(key, n = 2)`: `n` new, independent keys as a JS array (the rows of
 * `splitStacked(key, n)`), so `const [a, b] = fx.random.split(key)` works.
 * Use the new keys and drop the old one.
 */
export function split(key: Key, n = 2): Key[] {
  checkKey("random.split", key);
  const all = lax.randomBits(key, [checkCount("random.split", n), 2], SALT.split);
  return Array.from({ length: n }, (_, i) => lax.reshape(lax.slice(all, [i, 0], [i + 1, 2]), [2]));
}

/**
 * `foldIn(key, data)`: a new key that depends on `key` and an integer `data`
 * (a step number, an example index, a layer number), without splitting.
 * With F_k(c) = threefry2x32(k, c) and words(d) = [d >> 32, d & 0xffffffff]:
 *   foldIn(k, d) = F_{F_k(2, 0) + words(d)}(2, 0)   (word-wise addition mod 2^32).
 * Hashing k first keeps foldIn(key(0), 1) and foldIn(key(1), 0) unrelated.
 * `data` may be a rank-0 int32 tensor, so it can be traced under jit or vmap.
 *
 *   const stepKey = fx.random.foldIn(key, step);
 */
export function foldIn(key: Key, data: number | Tensor): Key {
  checkKey("random.foldIn", key);
  const words = integerWords("random.foldIn", "data", data);
  const hashed = lax.randomBits(key, [2], SALT.foldIn);
  return lax.randomBits(lax.add(hashed, words), [2], SALT.foldIn);
}

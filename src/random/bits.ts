/**
 * Raw random words and their conversion to uniform floats. Everything here is
 * exact integer arithmetic on int32 words (or float64 integers below 2^53), so
 * every backend turns the same bits into the same floats.
 */
import { checkShape, sizeOf } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import * as lax from "../primitives/lax.js";
import { SALT, checkKey, type Key } from "./keys.js";
import type { FloatDType } from "./args.js";

/**
 * `bits(key, shape = [])`: uniformly random 32-bit words as an int32 tensor
 * (read them as uint32 with `x >>> 0`). Element i is word (i mod 2) of
 * threefry2x32(key, (0, floor(i / 2))); every sampler starts from these.
 *
 *   fx.random.bits(fx.random.key(0), [2]).toArray(); // [0x6b200159, 0x99ba4efe] as int32
 */
export function bits(key: Key, shape: readonly number[] = []): Tensor {
  checkKey("random.bits", key);
  return lax.randomBits(key, [...checkShape("random.bits", shape)], SALT.bits);
}

/** `count` independent int32 word tensors of `shape` from one draw (row c of bits(key, [count, ...shape])). */
export function drawWords(key: Key, shape: readonly number[], count: number): Tensor[] {
  const size = sizeOf(shape);
  const all = lax.randomBits(key, [count, size], SALT.bits);
  return Array.from({ length: count }, (_, c) => lax.reshape(lax.slice(all, [c, 0], [c + 1, size]), shape));
}

/**
 * The top `k` bits (k ≤ 30) of uint32 words as int32 values in [0, 2^k):
 * floor division by 2^(32−k) keeps the sign of the int32 reading, and the
 * floor-modulo by 2^k then undoes the sign (adds 2^k to negative values).
 */
function topBits(words: Tensor, k: number): Tensor {
  const shifted = lax.div(words, lax.cst(2 ** (32 - k), words));
  return lax.binary("rem", shifted, lax.cst(2 ** k, words));
}

/** uint32 words as exact float64 values in [0, 2^32). */
export function unsignedFloat64(words: Tensor): Tensor {
  const x = lax.cast(words, "float64");
  return lax.binary("rem", x, lax.cst(2 ** 32, x));
}

/**
 * `count` independent tensors of uniform floats in [0, 1) on the lattice k·2^−p:
 * float32: p = 24, k = the top 24 bits of one word (every float32 step);
 * float64: p = 53, k = (top 26 bits of word a)·2^27 + (top 27 bits of word b).
 * So 1 is never drawn and the smallest nonzero value is 2^−p.
 */
export function unitFloats(key: Key, shape: readonly number[], dtype: FloatDType, count = 1): Tensor[] {
  if (dtype === "float32") {
    return drawWords(key, shape, count).map((w) => lax.mul(lax.cast(topBits(w, 24), "float32"), lax.cst(2 ** -24, { dtype })));
  }
  const words = drawWords(key, shape, 2 * count);
  return Array.from({ length: count }, (_, c) => {
    const hi = lax.cast(topBits(words[2 * c]!, 26), "float64");
    const lo = lax.cast(topBits(words[2 * c + 1]!, 27), "float64");
    const k = lax.add(lax.mul(hi, lax.cst(2 ** 27, hi)), lo);
    return lax.mul(k, lax.cst(2 ** -53, k));
  });
}

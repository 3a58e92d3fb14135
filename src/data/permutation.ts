/**
 * Keyed permutations for shuffling data: `fx.random.permutation`, so data
 * shuffles draw from the same keys and streams as the rest of Fluxion (the
 * same key gives the same order on every backend and every run).
 */
import { ValueError } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";
import { key as randomKey } from "../random/keys.js";
import { permutation } from "../random/permutation.js";

/** A PRNG key tensor (as `fx.random.key(seed)` makes) or a plain integer seed, taken as `fx.random.key(seed)`. */
export type ShuffleKey = Tensor | number;

/** A permutation of 0..n-1 chosen by `key`: `fx.random.permutation(key, n)`. */
export function keyedPermutation(key: ShuffleKey, n: number): Int32Array {
  if (typeof key !== "number" && !(key instanceof Tensor)) {
    throw new ValueError(`shuffle: key must be a key from fx.random.key(seed) or an integer seed, got ${key === null ? "null" : typeof key}`);
  }
  const k = typeof key === "number" ? randomKey(key) : key;
  return permutation(k, n).data() as Int32Array;
}

/**
 * A Fisher–Yates shuffle driven by xoshiro128** seeded through splitmix32 from
 * `words`. Independent of fx.random and stable forever: built-in data sets use
 * it for their fixed example order, which must not change between releases.
 */
export function seededPermutation(words: readonly number[], n: number): Int32Array {
  if (!Number.isSafeInteger(n) || n < 0 || n > 2 ** 31 - 1) throw new ValueError(`permutation: size must be an integer in [0, 2^31), got ${n}`);
  const next = xoshiro128ss(seedState(words));
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = uniformBelow(next, i + 1);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/** Absorbs the words into four non-zero 32-bit state words. */
function seedState(words: readonly number[]): Uint32Array {
  let h = 0x9e3779b9;
  for (const w of words) h = splitmix32(h ^ w);
  const state = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    h = splitmix32(h + 0x9e3779b9);
    state[i] = h;
  }
  if (state.every((s) => s === 0)) state[0] = 1;
  return state;
}

function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

function xoshiro128ss(state: Uint32Array): () => number {
  let [a, b, c, d] = state as unknown as [number, number, number, number];
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c = (c ^ a) >>> 0;
    d = (d ^ b) >>> 0;
    b = (b ^ c) >>> 0;
    a = (a ^ d) >>> 0;
    c = (c ^ t) >>> 0;
    d = rotl(d, 11);
    return result;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** An unbiased integer in [0, bound) by rejecting the uneven top of the 32-bit range. */
function uniformBelow(next: () => number, bound: number): number {
  const limit = 2 ** 32 - (2 ** 32 % bound);
  while (true) {
    const x = next();
    if (x < limit) return x % bound;
  }
}

/**
 * Keyed permutations for shuffling data.
 *
 * SEAM: `fx.random.permutation(key, n)` is being added on another branch. When it
 * lands, `keyedPermutation` should call it, so that shuffles draw from the same
 * keys and streams as the rest of Fluxion (same key → same order on every backend).
 * Until then it uses the small self-contained generator below, which is already
 * deterministic: the same key always gives the same order.
 */
import { ValueError } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";

/** A PRNG key tensor (as `fx.random.key(seed)` makes) or a plain integer seed. */
export type ShuffleKey = Tensor | number;

/** A permutation of 0..n-1 chosen by `key`. */
export function keyedPermutation(key: ShuffleKey, n: number): Int32Array {
  return seededPermutation(keyWords(key), n);
}

/** The key's bits as 32-bit words: an integer seed, or a key tensor's bytes. */
function keyWords(key: ShuffleKey): number[] {
  if (typeof key === "number") {
    if (!Number.isSafeInteger(key)) throw new ValueError(`shuffle: a numeric key must be a safe integer, got ${key}`);
    return [key >>> 0, Math.floor(key / 2 ** 32) >>> 0];
  }
  if (!(key instanceof Tensor)) throw new ValueError(`shuffle: key must be a key tensor or an integer seed, got ${typeof key}`);
  const data = key.data();
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const words: number[] = [bytes.length];
  for (let i = 0; i < bytes.length; i += 4) {
    words.push((bytes[i]! | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24)) >>> 0);
  }
  return words;
}

/**
 * A Fisher–Yates shuffle driven by xoshiro128** seeded through splitmix32 from
 * `words`. Stable forever: built-in data sets use it for their fixed order.
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

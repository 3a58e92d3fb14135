/** Random numbers for estimators' plain-TS loops, drawn once from an fx.random key. */
import type { Key } from "../../random/keys.js";
import { key as makeKey } from "../../random/keys.js";
import { uniform } from "../../random/continuous.js";
import { permutation } from "../../random/permutation.js";
import { normal } from "../../random/continuous.js";
import { ValueError } from "../../core/errors.js";
import { Tensor } from "../../core/tensor.js";

/** An estimator's `key` option: an fx.random key or an integer seed (default 0). */
export type KeyLike = Key | number;

export function toKey(op: string, k: KeyLike | undefined): Key {
  if (k === undefined) return makeKey(0);
  if (k instanceof Tensor) return k;
  if (!Number.isInteger(k)) throw new ValueError(`${op}: key must be an fx.random key or an integer seed, got ${k}`);
  return makeKey(k);
}

/** n uniform numbers in [0, 1) as float64. */
export function uniforms(k: Key, n: number): Float64Array {
  return uniform(k, [n], { dtype: "float64" }).data() as Float64Array;
}

/** n standard normal numbers as float64. */
export function normals(k: Key, n: number): Float64Array {
  return normal(k, [n], { dtype: "float64" }).data() as Float64Array;
}

/** A random order of 0..n−1. */
export function shuffled(k: Key, n: number): Int32Array {
  return Int32Array.from(permutation(k, n).data() as globalThis.ArrayLike<number>);
}

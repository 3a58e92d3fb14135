/** Small numeric helpers for tests: a seeded RNG, finite differences, closeness. */
import { expect } from "vitest";

/** mulberry32: a tiny deterministic PRNG returning floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n floats uniform in [lo, hi). */
export function uniformArray(r: () => number, n: number, lo = -1, hi = 1): number[] {
  return Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** Central finite differences of a scalar function of a flat float64 vector. */
export function finiteDiff(f: (x: number[]) => number, x: readonly number[], h = 1e-6): number[] {
  return x.map((_, i) => {
    const plus = [...x], minus = [...x];
    plus[i]! += h;
    minus[i]! -= h;
    return (f(plus) - f(minus)) / (2 * h);
  });
}

/** Elementwise |a − b| ≤ atol + rtol·|b|, with the first failing index in the message. */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-6, atol = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, b = expected[i]!;
    const ok = Math.abs(a - b) <= atol + rtol * Math.abs(b) || (Number.isNaN(a) && Number.isNaN(b));
    if (!ok) expect.fail(`element ${i}: got ${a}, expected ${b} (rtol ${rtol}, atol ${atol})`);
  }
}

/** Flattens nested JS arrays of numbers. */
export function flat(x: unknown): number[] {
  return Array.isArray(x) ? x.flatMap(flat) : [x as number];
}

/** A tensor's bytes, for bit-for-bit comparisons (jit against eager). */
export function tensorBytes(t: { data(): ArrayLike<number> & ArrayBufferView }): Buffer {
  const d = t.data();
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

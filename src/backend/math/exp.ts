/**
 * e^x in float64 from additions, multiplications and a power of two only, so
 * that the JavaScript kernels and the generated Wasm SIMD code (wasm/math-kernel.ts)
 * compute the same bits: the same IEEE operations in the same order give the
 * same result in both, which `Math.exp` (an engine's own libm) cannot promise.
 *
 *   x = k·ln2 + r, k = ⌊x/ln2 + ½⌋, |r| ≤ ln2/2  (Cody–Waite: ln2 = LN2_HI + LN2_LO,
 *       LN2_HI with 21 significant bits so k·LN2_HI is exact)
 *   e^r = Σ_{n ≤ 13} rⁿ/n!  (Horner; the first omitted term is < 5e-18)
 *   e^x = e^r · 2^⌊k/2⌋ · 2^(k−⌊k/2⌋)  (two factors keep each power of two normal)
 *
 * Error ≤ 1 ulp on the float64 range (checked against 40-digit values in the
 * tests); exp(NaN) = NaN, exp(±∞) = ∞ / 0, results below 2^-1022 are subnormal.
 */

export const LN2_HI = 0.6931467056274414;
export const LN2_LO = 4.7493250390316726e-7;
export const INV_LN2 = 1.4426950408889634;
/** Beyond these the result is ∞ or 0 anyway; clamping at EXP_MAX keeps k in range. */
export const EXP_MAX = 710;
export const EXP_MIN = -746;
/** 1/n! for n = 13 … 0, the Horner order. */
export const EXP_TAYLOR: readonly number[] = Array.from({ length: 14 }, (_, i) => {
  let f = 1;
  for (let n = 2; n <= 13 - i; n++) f *= n;
  return 1 / f;
});

/** 2^k for integer k in [-600, 600] (both factors of the scale fall in there). */
const POW2_OFFSET = 600;
const POW2 = Float64Array.from({ length: 2 * POW2_OFFSET + 1 }, (_, i) => 2 ** (i - POW2_OFFSET));

/** Σ rⁿ/n! for n ≤ 13, unrolled (twice as fast as a loop over EXP_TAYLOR in V8). */
const horner = new Function("r", `return ${EXP_TAYLOR.slice(1).reduce((acc, c) => `(${acc}) * r + ${c}`, String(EXP_TAYLOR[0]))};`) as (r: number) => number;

export function exp(x: number): number {
  if (x !== x) return x;
  // Below EXP_MIN the result rounds to 0; returning it directly also spares the
  // CPU a slow underflowing multiply (masked softmax scores are −1e30).
  if (x < EXP_MIN) return 0;
  x = x > EXP_MAX ? EXP_MAX : x;
  const k = Math.floor(x * INV_LN2 + 0.5);
  const r = x - k * LN2_HI - k * LN2_LO;
  const p = horner(r);
  const k1 = k >> 1;
  return p * POW2[k1 + POW2_OFFSET]! * POW2[k - k1 + POW2_OFFSET]!;
}

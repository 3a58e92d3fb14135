/**
 * The error function for float32 tensors, in float32 arithmetic (every
 * operation rounded to float32, as f32x4 lanes compute it), within 2.5 ulp:
 *
 *   |x| < 0.8:   erf(x) = x · P(x²), P of degree 5;
 *   otherwise:   erf(x) = 1 − N(t) / D(t),  t = min(|x|, 4) − 1.5,
 *                N/D a degree-6 rational fit of erfc (erfc(4) plus the fit's
 *                error is below half an ulp of 1, so |x| ≥ 4 gives exactly ±1).
 *
 * float64's erf (erf.ts) takes a Taylor series of 19 terms or an exp and a
 * Chebyshev series of 18, each in float64: ~40 ns per element in Wasm. This
 * one is a few multiply-adds and a division on four lanes at a time, so
 * GELU on float32 costs a few ns per element. Near |x| = 4, where erf is flat
 * to float32, the fit's ripple can step back by one ulp (it is monotone
 * elsewhere). Coefficients: tools/fit-erf32.py.
 *
 *   erf32(0.5)   // 0.52049982547760, float32 next to erf(0.5) = 0.520499877813...
 */
const f = Math.fround;

export const ERF32_SPLIT = 0.800000011920929; // f(0.8)
export const ERF32_CLAMP = 4;
export const ERF32_CENTER = 1.5;
export const ERF32_SMALL: readonly number[] = [1.1283791065216064, -0.3761260211467743, 0.11283113062381744, -0.02682080678641796, 0.005085127893835306, -0.000653521332424134];
export const ERFC32_NUM: readonly number[] = [0.0338948629796505, -0.08595360070466995, 0.09286855906248093, -0.054640330374240875, 0.018428750336170197, -0.003370702965185046, 0.00026056249043904245];
export const ERFC32_DEN: readonly number[] = [1, 0.9729102253913879, 0.8904698491096497, 0.4854370057582855, 0.2269326001405716, 0.06822514533996582, 0.012815138325095177];

/** Σ cₖ tᵏ by Horner's rule in float32. */
function horner32(cs: readonly number[], t: number): number {
  let r = cs[cs.length - 1]!;
  for (let k = cs.length - 2; k >= 0; k--) r = f(f(r * t) + cs[k]!);
  return r;
}

/** erf of a float32 value (a number already rounded to float32), rounded to float32. */
export function erf32(x: number): number {
  const a = Math.abs(x);
  let r: number;
  if (a < ERF32_SPLIT) r = f(a * horner32(ERF32_SMALL, f(a * a)));
  else {
    const t = f(Math.min(a, ERF32_CLAMP) - ERF32_CENTER); // NaN stays NaN
    r = f(1 - f(horner32(ERFC32_NUM, t) / horner32(ERFC32_DEN, t)));
  }
  // The sign of x, as the SIMD code copies the sign bit (erf(±0) = ±0).
  return x < 0 ? -r : x === 0 ? x : r;
}

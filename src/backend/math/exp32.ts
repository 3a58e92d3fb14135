/**
 * e^x for float32 tensors in float32 arithmetic (every operation rounded to
 * float32, as f32x4 lanes compute it), within 1.3 ulp (float64's exp
 * rounded to float32 is off by at most ½):
 *
 *   x = k·ln2 + r, k = ⌊x/ln2 + ½⌋  (ln2 = LN2_HI_32 + LN2_LO_32, LN2_HI_32 with
 *       15 significant bits so k·LN2_HI_32 is exact for |k| < 512)
 *   e^r = Σ_{n ≤ 7} rⁿ/n!  (|r| ≤ ln2/2: the first omitted term is < 3e-9)
 *   e^x = e^r · 2^⌊k/2⌋ · 2^(k−⌊k/2⌋)
 *
 * float64's exp (exp.ts) takes 13 terms on two lanes per vector; this one 7
 * terms on four (float32 tensors used to be widened to float64 for it).
 * exp32(NaN) = NaN, exp32(x) = ∞ from x > 88.73, 0 below −104.
 */
const f = Math.fround;

export const LN2_HI_32 = 0.693145751953125;
export const LN2_LO_32 = f(Math.LN2 - LN2_HI_32);
export const INV_LN2_32 = f(Math.LOG2E);
/** Clamping at EXP32_MAX keeps k ≤ 128; below EXP32_MIN the result rounds to 0. */
export const EXP32_MAX = 89;
export const EXP32_MIN = -104;
/** f(1/n!) for n = 7 … 0, the Horner order. */
export const EXP32_TAYLOR: readonly number[] = [1 / 5040, 1 / 720, 1 / 120, 1 / 24, 1 / 6, 0.5, 1, 1].map(f);

export function exp32(x: number): number {
  if (x !== x) return x;
  if (x < EXP32_MIN) return 0;
  x = x > EXP32_MAX ? EXP32_MAX : x;
  const k = Math.floor(f(f(x * INV_LN2_32) + 0.5));
  const r = f(f(x - f(k * LN2_HI_32)) - f(k * LN2_LO_32));
  let p = EXP32_TAYLOR[0]!;
  for (let i = 1; i < EXP32_TAYLOR.length; i++) p = f(f(p * r) + EXP32_TAYLOR[i]!);
  const k1 = Math.floor(k * 0.5);
  return f(f(p * 2 ** k1) * 2 ** (k - k1));
}

/** σ(x) = 1/(1 + e^−x) for float32 in float32 arithmetic, within 2.5 ulp, from e = exp32(−|x|), which never overflows: x ≥ 0 ? 1/(1+e) : e/(1+e). */
export function logistic32(x: number): number {
  const e = exp32(-Math.abs(x));
  const t = f(1 + e);
  return x >= 0 ? f(1 / t) : f(e / t);
}

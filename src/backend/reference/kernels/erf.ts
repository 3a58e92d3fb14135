/**
 * The error function in full float64 precision.
 * |x| < 3: erf(x) = 2/√π · e^{−x²} · Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1)) (all terms positive, no cancellation).
 * |x| ≥ 3: erf(x) = 1 − erfc(x), erfc by its continued fraction (converges fast for large x).
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const a = Math.abs(x);
  let r: number;
  if (a < 3) {
    let term = a;
    let sum = a;
    for (let n = 1; n < 200; n++) {
      term *= (2 * a * a) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    r = (2 / Math.sqrt(Math.PI)) * Math.exp(-a * a) * sum;
  } else if (a > 6.5) {
    r = 1;
  } else {
    // Continued fraction erfc(a) = e^{-a²}/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + …)))), evaluated bottom-up.
    let f = a;
    for (let k = 60; k >= 1; k--) f = a + k / 2 / f;
    r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  }
  return x < 0 ? -r : r;
}

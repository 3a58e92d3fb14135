/**
 * Probabilities for SVM scores. Platt scaling fits P(y = 1 | f) = 1 / (1 + exp(A f + B))
 * by Newton's method with backtracking on the regularised targets
 * t₊ = (N₊ + 1)/(N₊ + 2), t₋ = 1/(N₋ + 2) (Lin, Lin & Weng 2007).
 * Pairwise probabilities rᵢⱼ ≈ P(i | i or j) are coupled into class
 * probabilities by Wu, Lin & Weng's (2004) second method:
 * min_p Σᵢ Σⱼ≠ᵢ (rⱼᵢ pᵢ − rᵢⱼ pⱼ)² subject to Σ p = 1.
 */

export function plattFit(f: Float64Array, positive: Uint8Array): { A: number; B: number } {
  let nPos = 0;
  for (const v of positive) nPos += v;
  const nNeg = f.length - nPos;
  const hi = (nPos + 1) / (nPos + 2), lo = 1 / (nNeg + 2);
  const t = Float64Array.from(positive, (v) => (v ? hi : lo));
  let A = 0, B = Math.log((nNeg + 1) / (nPos + 1));
  const objective = (a: number, b: number) => {
    let s = 0;
    for (let i = 0; i < f.length; i++) {
      const z = f[i]! * a + b;
      s += z >= 0 ? t[i]! * z + Math.log1p(Math.exp(-z)) : (t[i]! - 1) * z + Math.log1p(Math.exp(z));
    }
    return s;
  };
  let fval = objective(A, B);
  for (let it = 0; it < 100; it++) {
    let h11 = 1e-12, h22 = 1e-12, h21 = 0, g1 = 0, g2 = 0;
    for (let i = 0; i < f.length; i++) {
      const z = f[i]! * A + B;
      const p = z >= 0 ? Math.exp(-z) / (1 + Math.exp(-z)) : 1 / (1 + Math.exp(z)); // 1/(1+e^z)
      const q = 1 - p;
      const d2 = p * q;
      h11 += f[i]! * f[i]! * d2; h22 += d2; h21 += f[i]! * d2;
      const d1 = t[i]! - p;
      g1 += f[i]! * d1; g2 += d1;
    }
    if (Math.abs(g1) < 1e-5 && Math.abs(g2) < 1e-5) break;
    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * g1 - h21 * g2) / det, dB = -(-h21 * g1 + h11 * g2) / det;
    const gd = g1 * dA + g2 * dB;
    let step = 1;
    while (step >= 1e-10) {
      const nf = objective(A + step * dA, B + step * dB);
      if (nf < fval + 1e-4 * step * gd) { A += step * dA; B += step * dB; fval = nf; break; }
      step /= 2;
    }
    if (step < 1e-10) break;
  }
  return { A, B };
}

export function plattProbability(f: number, A: number, B: number): number {
  const z = f * A + B;
  return z >= 0 ? Math.exp(-z) / (1 + Math.exp(-z)) : 1 / (1 + Math.exp(z));
}

/** Class probabilities [k] from pairwise r[i*k + j] = P(i | i or j). */
export function couplePairwise(r: Float64Array, k: number): Float64Array {
  const Q = new Float64Array(k * k);
  const p = new Float64Array(k).fill(1 / k);
  for (let t = 0; t < k; t++) {
    for (let j = 0; j < k; j++) {
      if (j === t) continue;
      Q[t * k + t]! += r[j * k + t]! ** 2;
      Q[t * k + j] = -r[j * k + t]! * r[t * k + j]!;
    }
  }
  const Qp = new Float64Array(k);
  for (let iter = 0; iter < Math.max(100, k); iter++) {
    let pQp = 0;
    for (let t = 0; t < k; t++) {
      Qp[t] = 0;
      for (let j = 0; j < k; j++) Qp[t]! += Q[t * k + j]! * p[j]!;
      pQp += p[t]! * Qp[t]!;
    }
    let maxErr = 0;
    for (let t = 0; t < k; t++) maxErr = Math.max(maxErr, Math.abs(Qp[t]! - pQp));
    if (maxErr < 0.005 / k) break;
    for (let t = 0; t < k; t++) {
      const diff = (-Qp[t]! + pQp) / Q[t * k + t]!;
      p[t]! += diff;
      pQp = (pQp + diff * (diff * Q[t * k + t]! + 2 * Qp[t]!)) / (1 + diff) / (1 + diff);
      for (let j = 0; j < k; j++) {
        Qp[j] = (Qp[j]! + diff * Q[t * k + j]!) / (1 + diff);
        p[j]! /= 1 + diff;
      }
    }
  }
  return p;
}

/** Synthetic data with known structure for the fx.ml tests (a seeded generator, so every run sees the same data). */
import * as fx from "../src/index.js";

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

export const f64 = (data: number[] | Float64Array, shape: number[]) => fx.tensor(Float64Array.from(data), { shape, dtype: "float64" });
export const ints = (data: number[] | Int32Array) => fx.tensor(Int32Array.from(data), { dtype: "int32" });
export const vals = (t: fx.Tensor) => Array.from(t.data(), Number);

/** `perClass` points around each centre with standard deviation `spread`; labels 0..k−1 (or `labels`). */
export function blobs(seed: number, centres: number[][], perClass: number, spread: number, labels?: number[]): { x: fx.Tensor; y: fx.Tensor; xs: number[][]; ys: number[] } {
  const r = rng(seed);
  const xs: number[][] = [], ys: number[] = [];
  centres.forEach((c, k) => {
    for (let i = 0; i < perClass; i++) {
      xs.push(c.map((v) => v + spread * gaussian(r)));
      ys.push(labels ? labels[k]! : k);
    }
  });
  return { x: f64(xs.flat(), [xs.length, centres[0]!.length]), y: ints(ys), xs, ys };
}

/** Two concentric rings (not linearly separable): inner label 0, outer label 1. */
export function rings(seed: number, n: number, inner = 1, outer = 3, noise = 0.1): { x: fx.Tensor; y: fx.Tensor } {
  const r = rng(seed);
  const xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const rad = (label ? outer : inner) + noise * gaussian(r);
    const a = 2 * Math.PI * r();
    xs.push(rad * Math.cos(a), rad * Math.sin(a));
    ys.push(label);
  }
  return { x: f64(xs, [n, 2]), y: ints(ys) };
}

/** Fraction of points whose nearest other point (Euclidean, in `emb` [n, 2+]) has the same label. */
export function oneNnAgreement(emb: fx.Tensor, labels: number[]): number {
  const [n, d] = emb.shape as [number, number];
  const e = vals(emb);
  let agree = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity, who = -1;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let k = 0; k < d; k++) s += (e[i * d + k]! - e[j * d + k]!) ** 2;
      if (s < best) { best = s; who = j; }
    }
    if (labels[who] === labels[i]) agree++;
  }
  return agree / n;
}

/** Largest |a − b| elementwise. */
export function maxDiff(a: fx.Tensor | number[], b: fx.Tensor | number[]): number {
  const x = Array.isArray(a) ? a : vals(a), y = Array.isArray(b) ? b : vals(b);
  if (x.length !== y.length) throw new Error(`maxDiff: lengths ${x.length} and ${y.length}`);
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
}

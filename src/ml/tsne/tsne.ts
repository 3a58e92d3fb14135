/**
 * t-SNE (van der Maaten & Hinton 2008): a 2-D embedding whose Student-t
 * similarities Q match the input's Gaussian affinities P (perplexity-
 * calibrated, see affinities.ts) by minimising KL(P ‖ Q) with gradient
 * descent: momentum (0.5, then 0.8), per-coordinate adaptive gains, and early
 * exaggeration (P × 12 for the first 250 iterations, which lets clusters
 * form before they settle).
 *
 * `method`: "exact" (O(n²) per iteration), "barnesHut" (O(n log n): sparse P
 * over 3·perplexity nearest neighbours and a quadtree with opening angle θ)
 * or "auto" (default: exact below 5 000 points). Inputs with more than
 * `pcaComponents` (default 50) features are first reduced by PCA, as the
 * reference implementation does. Initialisation is "pca" (default: the first
 * two principal components, scaled to std 1e-4) or "random" (N(0, 1e-4²)
 * drawn from `key`).
 *
 *   const Y = new fx.ml.TSNE({ perplexity: 30, key: fx.random.key(0) }).fitTransform(X); // [n, 2]
 */
import { ValueError } from "../../core/errors.js";
import type { Tensor } from "../../core/tensor.js";
import type { ArrayLike } from "../../ops/convert.js";
import { split } from "../../random/keys.js";
import { fitted } from "../internal/fitted.js";
import { normals, toKey, type KeyLike } from "../internal/keyed.js";
import { matrixToTensor, outDType, toMatrix, type Matrix } from "../internal/matrix.js";
import { PCA } from "../pca.js";
import { denseP, sparseP } from "./affinities.js";
import { barnesHutGradient, exactGradient } from "./gradients.js";

export interface TSNEOptions {
  /** Effective number of neighbours (default 30). */
  perplexity?: number;
  earlyExaggeration?: number;
  /** Iterations with exaggeration (default 250). */
  exaggerationIter?: number;
  /** Step size, or "auto" (default) = max(n / earlyExaggeration / 4, 50). */
  learningRate?: number | "auto";
  /** Total iterations (default 1000). */
  nIter?: number;
  method?: "auto" | "exact" | "barnesHut";
  /** Barnes–Hut opening angle (default 0.5; 0 is exact but slow). */
  theta?: number;
  init?: "pca" | "random";
  /**
   * "euclidean" (default) or "cosine": rows are scaled to unit length first, so that
   * ‖x − z‖² = 2 − 2 cos(x, z) and neighbours are those of the cosine distance.
   */
  metric?: "euclidean" | "cosine";
  /** Reduce inputs with more features than this by PCA first (default 50; null: never). */
  pcaComponents?: number | null;
  key?: KeyLike;
  /** Called every `callbackEvery` iterations with (iteration, KL divergence). */
  onIteration?: (iteration: number, kl: number) => void;
  callbackEvery?: number;
}

export class TSNE {
  readonly perplexity: number;
  readonly earlyExaggeration: number;
  readonly exaggerationIter: number;
  readonly learningRate: number | "auto";
  readonly nIter: number;
  readonly method: "auto" | "exact" | "barnesHut";
  readonly theta: number;
  readonly init: "pca" | "random";
  readonly pcaComponents: number | null;
  readonly metric: "euclidean" | "cosine";
  private readonly keyOpt: KeyLike | undefined;
  private readonly onIteration?: (iteration: number, kl: number) => void;
  private readonly callbackEvery: number;
  /** "exact" or "barnesHut", as chosen by the last fit. */
  methodUsed?: "exact" | "barnesHut";
  /** Wall-clock milliseconds of the last fit's phases: PCA reduction, affinities, optimisation. */
  timings = { pca: 0, affinities: 0, optimize: 0 };
  private state?: { y: Float64Array; n: number; kl: number; dtype: "float32" | "float64" };

  constructor(opts: TSNEOptions = {}) {
    this.perplexity = opts.perplexity ?? 30;
    if (!(this.perplexity > 0)) throw new ValueError(`TSNE: perplexity must be > 0, got ${opts.perplexity}`);
    this.earlyExaggeration = opts.earlyExaggeration ?? 12;
    this.exaggerationIter = opts.exaggerationIter ?? 250;
    this.learningRate = opts.learningRate ?? "auto";
    if (this.learningRate !== "auto" && !(this.learningRate > 0)) throw new ValueError(`TSNE: learningRate must be > 0 or "auto", got ${opts.learningRate}`);
    this.nIter = opts.nIter ?? 1000;
    this.method = opts.method ?? "auto";
    if (!["auto", "exact", "barnesHut"].includes(this.method)) throw new ValueError(`TSNE: method must be "auto", "exact" or "barnesHut", got ${JSON.stringify(opts.method)}`);
    this.theta = opts.theta ?? 0.5;
    this.init = opts.init ?? "pca";
    if (this.init !== "pca" && this.init !== "random") throw new ValueError(`TSNE: init must be "pca" or "random", got ${JSON.stringify(opts.init)}`);
    this.pcaComponents = opts.pcaComponents === undefined ? 50 : opts.pcaComponents;
    this.metric = opts.metric ?? "euclidean";
    if (this.metric !== "euclidean" && this.metric !== "cosine") throw new ValueError(`TSNE: metric must be "euclidean" or "cosine", got ${JSON.stringify(opts.metric)}`);
    this.keyOpt = opts.key;
    this.onIteration = opts.onIteration;
    this.callbackEvery = opts.callbackEvery ?? 50;
  }

  fit(x: ArrayLike): this {
    let m = toMatrix("TSNE.fit", x);
    const n = m.rows;
    if (n < 2) throw new ValueError(`TSNE.fit: needs at least 2 samples, got ${n}`);
    if (this.perplexity >= n) throw new ValueError(`TSNE.fit: perplexity (${this.perplexity}) must be less than the number of samples (${n})`);
    const [initKey, pcaKey] = split(toKey("TSNE", this.keyOpt));
    if (this.metric === "cosine") m = unitRows(m);
    let clock = performance.now();
    const lap = () => { const now = performance.now(), dt = now - clock; clock = now; return dt; };
    if (this.pcaComponents !== null && m.cols > this.pcaComponents && n > this.pcaComponents) {
      const z = new PCA({ nComponents: this.pcaComponents, key: pcaKey, iteratedPower: 2 }).fitTransform(matrixToTensor(m.data, [n, m.cols], "float64"));
      m = { data: z.data() as Float64Array, rows: n, cols: this.pcaComponents };
    }
    this.timings.pca = lap();
    const method = this.method === "auto" ? (n < 5000 ? "exact" : "barnesHut") : this.method;
    this.methodUsed = method;
    const y = this.initialEmbedding(m, initKey!);
    const lr = this.learningRate === "auto" ? Math.max(n / this.earlyExaggeration / 4, 50) : this.learningRate;
    const k = Math.min(n - 1, Math.floor(3 * this.perplexity));
    const P = method === "exact" ? denseP(m.data, n, m.cols, this.perplexity) : sparseP(m.data, n, m.cols, this.perplexity, k);
    this.timings.affinities = lap();
    const grad = new Float64Array(2 * n), update = new Float64Array(2 * n), gains = new Float64Array(2 * n).fill(1);
    let kl = NaN;
    for (let it = 0; it < this.nIter; it++) {
      const exaggerating = it < this.exaggerationIter;
      const alpha = exaggerating ? this.earlyExaggeration : 1;
      const momentum = exaggerating ? 0.5 : 0.8;
      const withKl = it === this.nIter - 1 || (this.onIteration !== undefined && (it + 1) % this.callbackEvery === 0);
      const value = method === "exact"
        ? exactGradient(P as Float64Array, y, n, alpha, grad, withKl)
        : barnesHutGradient(P as Exclude<typeof P, Float64Array>, y, n, alpha, this.theta, grad, withKl);
      if (withKl) kl = value;
      for (let t = 0; t < 2 * n; t++) {
        // Delta-bar-delta gains: grow where the gradient keeps pushing the same way as the last step.
        gains[t] = grad[t]! * update[t]! < 0 ? gains[t]! + 0.2 : Math.max(gains[t]! * 0.8, 0.01);
        update[t] = momentum * update[t]! - lr * gains[t]! * grad[t]!;
        y[t]! += update[t]!;
      }
      let mx = 0, my = 0;
      for (let i = 0; i < n; i++) { mx += y[2 * i]!; my += y[2 * i + 1]!; }
      mx /= n; my /= n;
      for (let i = 0; i < n; i++) { y[2 * i]! -= mx; y[2 * i + 1]! -= my; }
      if (this.onIteration && (it + 1) % this.callbackEvery === 0) this.onIteration(it + 1, kl);
    }
    this.timings.optimize = lap();
    this.state = { y, n, kl, dtype: outDType(x) };
    return this;
  }

  private initialEmbedding(m: Matrix, key: Tensor): Float64Array {
    const n = m.rows;
    let y: Float64Array;
    if (this.init === "pca" && m.cols >= 2) {
      y = new PCA({ nComponents: 2, svdSolver: n > 500 && m.cols > 500 ? "randomized" : "full", key }).fitTransform(matrixToTensor(m.data, [n, m.cols], "float64")).data() as Float64Array;
      let s = 0, mean = 0;
      for (let i = 0; i < n; i++) mean += y[2 * i]!;
      mean /= n;
      for (let i = 0; i < n; i++) s += (y[2 * i]! - mean) ** 2;
      const scale = 1e-4 / (Math.sqrt(s / n) || 1);
      y = y.map((v) => v * scale);
    } else {
      y = normals(key, 2 * n).map((v) => v * 1e-4);
    }
    return y;
  }

  /** The embedding [n, 2]. */
  get embedding(): Tensor {
    const s = fitted(this.state, "TSNE", "embedding");
    return matrixToTensor(s.y, [s.n, 2], s.dtype);
  }

  /** KL(P ‖ Q) after the last iteration (Barnes–Hut: with Q approximated). */
  get klDivergence(): number {
    return fitted(this.state, "TSNE", "klDivergence").kl;
  }

  fitTransform(x: ArrayLike): Tensor {
    return this.fit(x).embedding;
  }
}

/** Each row scaled to unit Euclidean length (all-zero rows stay zero). */
function unitRows(m: Matrix): Matrix {
  const data = new Float64Array(m.data.length);
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let j = 0; j < m.cols; j++) s += m.data[i * m.cols + j]! ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < m.cols; j++) data[i * m.cols + j] = m.data[i * m.cols + j]! * inv;
  }
  return { data, rows: m.rows, cols: m.cols };
}

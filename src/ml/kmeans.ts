/**
 * k-means clustering (Lloyd's algorithm): minimises the inertia
 * Σᵢ minⱼ ‖xᵢ − cⱼ‖² by alternating "assign each point to its nearest centre"
 * and "move each centre to the mean of its points", which never increases it.
 *
 * Centres start by k-means++ (the first uniformly at random, each next one
 * with probability ∝ D(x)², the squared distance to the nearest centre so
 * far), which is O(log k)-competitive in expectation. `nInit` runs start from
 * different draws of `key` and the one with the lowest inertia is kept.
 *
 *   const km = new fx.ml.KMeans({ nClusters: 3, key: fx.random.key(0) }).fit(X);
 *   km.clusterCenters; km.labels; km.inertia; km.predict(Xnew);
 */
import { ValueError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import type { ArrayLike } from "../ops/convert.js";
import { tensor } from "../ops/creation.js";
import { split } from "../random/keys.js";
import { squaredDistances } from "./internal/blas.js";
import { fitted } from "./internal/fitted.js";
import { toKey, uniforms, type KeyLike } from "./internal/keyed.js";
import { checkFeatures, matrixToTensor, outDType, toMatrix, type Matrix } from "./internal/matrix.js";

export interface KMeansOptions {
  /** k (default 8). */
  nClusters?: number;
  /** "k-means++" (default) or "random" (k distinct samples). */
  init?: "k-means++" | "random";
  /** Number of initialisations; the best is kept (default 10). */
  nInit?: number;
  maxIter?: number;
  /** Stop when the centres move less than tol × (mean feature variance) in squared distance (default 1e-4). */
  tol?: number;
  key?: KeyLike;
}

interface Run {
  centers: Float64Array;
  labels: Int32Array;
  inertia: number;
  iterations: number;
}

export class KMeans {
  readonly nClusters: number;
  readonly init: "k-means++" | "random";
  readonly nInit: number;
  readonly maxIter: number;
  readonly tol: number;
  private readonly keyOpt: KeyLike | undefined;
  private state?: Run & { features: number };

  constructor(opts: KMeansOptions = {}) {
    this.nClusters = opts.nClusters ?? 8;
    if (!Number.isInteger(this.nClusters) || this.nClusters < 1) throw new ValueError(`KMeans: nClusters must be a positive integer, got ${opts.nClusters}`);
    this.init = opts.init ?? "k-means++";
    if (this.init !== "k-means++" && this.init !== "random") throw new ValueError(`KMeans: init must be "k-means++" or "random", got ${JSON.stringify(opts.init)}`);
    this.nInit = opts.nInit ?? 10;
    this.maxIter = opts.maxIter ?? 300;
    this.tol = opts.tol ?? 1e-4;
    this.keyOpt = opts.key;
  }

  fit(x: ArrayLike): this {
    const m = toMatrix("KMeans.fit", x);
    if (m.rows < this.nClusters) throw new ValueError(`KMeans.fit: ${m.rows} samples cannot make ${this.nClusters} clusters`);
    const tol = this.tol * meanVariance(m);
    let best: Run | undefined;
    const keys = split(toKey("KMeans", this.keyOpt), this.nInit);
    for (const k of keys) {
      const run = this.lloyd(m, this.init === "k-means++" ? plusPlus(m, this.nClusters, k) : randomRows(m, this.nClusters, k), tol);
      if (!best || run.inertia < best.inertia) best = run;
    }
    this.state = { ...best!, features: m.cols };
    return this;
  }

  private lloyd(m: Matrix, centers: Float64Array, tol: number): Run {
    const { rows: n, cols: d } = m, k = this.nClusters;
    let labels: Int32Array = new Int32Array(n), inertia = 0, it = 0;
    for (; it < this.maxIter; it++) {
      ({ labels, inertia } = assign(m, centers, k));
      const next = new Float64Array(k * d), counts = new Float64Array(k);
      for (let i = 0; i < n; i++) {
        const c = labels[i]!;
        counts[c]!++;
        for (let j = 0; j < d; j++) next[c * d + j]! += m.data[i * d + j]!;
      }
      let shift = 0;
      for (let c = 0; c < k; c++) {
        if (counts[c] === 0) {
          // An empty cluster keeps its centre (it may win points back next round).
          for (let j = 0; j < d; j++) next[c * d + j] = centers[c * d + j]!;
          continue;
        }
        for (let j = 0; j < d; j++) {
          next[c * d + j]! /= counts[c]!;
          shift += (next[c * d + j]! - centers[c * d + j]!) ** 2;
        }
      }
      centers = next;
      if (shift <= tol) { it++; break; }
    }
    ({ labels, inertia } = assign(m, centers, k));
    return { centers, labels, inertia, iterations: it };
  }

  /** Centres [nClusters, nFeatures]. */
  get clusterCenters(): Tensor {
    const s = fitted(this.state, "KMeans", "clusterCenters");
    return matrixToTensor(s.centers, [this.nClusters, s.features], "float64");
  }
  /** Cluster index of each training sample [n] (int32). */
  get labels(): Tensor {
    const s = fitted(this.state, "KMeans", "labels");
    return tensor(s.labels, { shape: [s.labels.length], dtype: "int32" });
  }
  /** Sum of squared distances of the training samples to their centres. */
  get inertia(): number {
    return fitted(this.state, "KMeans", "inertia").inertia;
  }
  get nIter(): number {
    return fitted(this.state, "KMeans", "nIter").iterations;
  }

  predict(x: ArrayLike): Tensor {
    const s = fitted(this.state, "KMeans", "predict");
    const m = toMatrix("KMeans.predict", x);
    checkFeatures("KMeans.predict", m, s.features);
    const { labels } = assign(m, s.centers, this.nClusters);
    return tensor(labels, { shape: [m.rows], dtype: "int32" });
  }

  fitPredict(x: ArrayLike): Tensor {
    return this.fit(x).labels;
  }

  /** Distances to each centre [n, nClusters]. */
  transform(x: ArrayLike): Tensor {
    const s = fitted(this.state, "KMeans", "transform");
    const m = toMatrix("KMeans.transform", x);
    checkFeatures("KMeans.transform", m, s.features);
    const d2 = squaredDistances(m.data, s.centers, m.rows, this.nClusters, m.cols);
    return matrixToTensor(d2.map(Math.sqrt), [m.rows, this.nClusters], outDType(x));
  }

  fitTransform(x: ArrayLike): Tensor {
    return this.fit(x).transform(x);
  }

  /** −inertia of X against the fitted centres (higher is better, as in scikit-learn). */
  score(x: ArrayLike): number {
    const s = fitted(this.state, "KMeans", "score");
    const m = toMatrix("KMeans.score", x);
    checkFeatures("KMeans.score", m, s.features);
    return -assign(m, s.centers, this.nClusters).inertia;
  }
}

function assign(m: Matrix, centers: Float64Array, k: number): { labels: Int32Array; inertia: number } {
  const d2 = squaredDistances(m.data, centers, m.rows, k, m.cols);
  const labels = new Int32Array(m.rows);
  let inertia = 0;
  for (let i = 0; i < m.rows; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (d2[i * k + c]! < d2[i * k + best]!) best = c;
    labels[i] = best;
    inertia += d2[i * k + best]!;
  }
  return { labels, inertia };
}

function meanVariance(m: Matrix): number {
  let total = 0;
  for (let j = 0; j < m.cols; j++) {
    let s = 0, s2 = 0;
    for (let i = 0; i < m.rows; i++) { const v = m.data[i * m.cols + j]!; s += v; s2 += v * v; }
    total += s2 / m.rows - (s / m.rows) ** 2;
  }
  return total / m.cols;
}

/** Index i with cumulative weight crossing u · total. */
function sampleIndex(weights: Float64Array, u: number): number {
  let total = 0;
  for (const w of weights) total += w;
  let target = u * total, i = 0;
  for (; i < weights.length - 1; i++) {
    target -= weights[i]!;
    if (target < 0) break;
  }
  return i;
}

function plusPlus(m: Matrix, k: number, key: ReturnType<typeof toKey>): Float64Array {
  const { rows: n, cols: d } = m;
  const u = uniforms(key, k);
  const centers = new Float64Array(k * d);
  const first = Math.min(n - 1, Math.floor(u[0]! * n));
  centers.set(m.data.subarray(first * d, (first + 1) * d), 0);
  const closest = new Float64Array(n).fill(Infinity);
  for (let c = 1; c <= k; c++) {
    // Update each point's squared distance to its nearest chosen centre.
    const co = (c - 1) * d;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) { const t = m.data[i * d + j]! - centers[co + j]!; s += t * t; }
      if (s < closest[i]!) closest[i] = s;
    }
    if (c === k) break;
    const next = closest.every((v) => v === 0) ? Math.floor(u[c]! * n) : sampleIndex(closest, u[c]!);
    centers.set(m.data.subarray(next * d, (next + 1) * d), c * d);
  }
  return centers;
}

function randomRows(m: Matrix, k: number, key: ReturnType<typeof toKey>): Float64Array {
  const u = uniforms(key, m.rows);
  const order = Array.from(u.keys()).sort((a, b) => u[a]! - u[b]!).slice(0, k);
  const centers = new Float64Array(k * m.cols);
  order.forEach((r, c) => centers.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), c * m.cols));
  return centers;
}

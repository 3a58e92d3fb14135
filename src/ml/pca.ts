/**
 * Principal component analysis: the directions of largest variance of the
 * centred data X_c = X − x̄. With the SVD X_c = U S Vᵀ the components are the
 * rows of Vᵀ, the variance along component i is sᵢ² / (n − 1) and
 * `transform` projects onto the first k: Z = X_c V_k (divided by √variance
 * with `whiten`, so every output has unit variance).
 *
 * `svdSolver`: "full" (the exact SVD, fx.linalg.svd), "randomized" (Halko et
 * al.'s randomized SVD, for the leading components of large data) or "auto"
 * (randomized when the data is larger than 500 in both dimensions and k is
 * below 80% of min(n, d), as scikit-learn chooses). Each component's sign
 * is fixed so its largest-magnitude entry is positive.
 *
 *   const pca = new fx.ml.PCA({ nComponents: 2 }).fit(X);
 *   const Z = pca.transform(X);  pca.explainedVarianceRatio;  pca.components;
 */
import { ValueError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import type { ArrayLike } from "../ops/convert.js";
import { tensor } from "../ops/creation.js";
import { svd } from "../ops/linalg.js";
import { matmulNN, matmulNT } from "./internal/blas.js";
import { fitted } from "./internal/fitted.js";
import { toKey, type KeyLike } from "./internal/keyed.js";
import { centered, checkFeatures, columnMeans, matrixToTensor, outDType, toMatrix } from "./internal/matrix.js";
import { randomizedSvd } from "./internal/randomized-svd.js";

export interface PCAOptions {
  /** Components kept (default min(nSamples, nFeatures)). */
  nComponents?: number;
  /** Scale the projections to unit variance (default false). */
  whiten?: boolean;
  svdSolver?: "auto" | "full" | "randomized";
  /** Power iterations of the randomized solver (default 7 when k < 10% of min(n, d), else 4). */
  iteratedPower?: number;
  /** Key or seed for the randomized solver (default 0). */
  key?: KeyLike;
}

interface Fit {
  mean: Float64Array;
  components: Float64Array; // [k, d]
  explainedVariance: Float64Array;
  explainedVarianceRatio: Float64Array;
  singularValues: Float64Array;
  k: number;
  features: number;
  samples: number;
}

export class PCA {
  readonly nComponents?: number;
  readonly whiten: boolean;
  readonly svdSolver: "auto" | "full" | "randomized";
  readonly iteratedPower?: number;
  private readonly keyOpt: KeyLike | undefined;
  /** The solver used in the last fit ("full" or "randomized"). */
  solverUsed?: "full" | "randomized";
  private state?: Fit;

  constructor(opts: PCAOptions = {}) {
    if (opts.nComponents !== undefined && (!Number.isInteger(opts.nComponents) || opts.nComponents < 1)) {
      throw new ValueError(`PCA: nComponents must be a positive integer, got ${opts.nComponents}`);
    }
    this.nComponents = opts.nComponents;
    this.whiten = opts.whiten ?? false;
    this.svdSolver = opts.svdSolver ?? "auto";
    if (!["auto", "full", "randomized"].includes(this.svdSolver)) throw new ValueError(`PCA: svdSolver must be "auto", "full" or "randomized", got ${JSON.stringify(opts.svdSolver)}`);
    this.iteratedPower = opts.iteratedPower;
    this.keyOpt = opts.key;
  }

  fit(x: ArrayLike): this {
    const m = toMatrix("PCA.fit", x);
    const { rows: n, cols: d } = m;
    const limit = Math.min(n, d);
    const k = this.nComponents ?? limit;
    if (k > limit) throw new ValueError(`PCA.fit: nComponents = ${k} but min(nSamples, nFeatures) = min(${n}, ${d}) = ${limit}`);
    const mean = columnMeans(m);
    const xc = centered(m, mean);
    let totalVariance = 0;
    for (let i = 0; i < xc.data.length; i++) totalVariance += xc.data[i]! * xc.data[i]!;
    totalVariance /= Math.max(1, n - 1);
    const solver = this.svdSolver === "auto" ? (Math.min(n, d) > 500 && k < 0.8 * limit ? "randomized" : "full") : this.svdSolver;
    let s: Float64Array, vt: Float64Array;
    if (solver === "full") {
      const [, st, vtt] = svd(tensor(xc.data, { shape: [n, d], dtype: "float64" }));
      s = (st.data() as Float64Array).slice(0, k);
      vt = (vtt.data() as Float64Array).slice(0, k * d);
    } else {
      const power = this.iteratedPower ?? (k < 0.1 * limit ? 7 : 4);
      ({ s, vt } = randomizedSvd(xc.data, n, d, k, toKey("PCA", this.keyOpt), power));
    }
    for (let c = 0; c < k; c++) {
      let big = 0;
      for (let j = 0; j < d; j++) if (Math.abs(vt[c * d + j]!) > Math.abs(vt[c * d + big]!)) big = j;
      if (vt[c * d + big]! < 0) for (let j = 0; j < d; j++) vt[c * d + j] = -vt[c * d + j]!;
    }
    const explainedVariance = s.map((v) => (v * v) / Math.max(1, n - 1));
    this.state = {
      mean, components: vt, explainedVariance, singularValues: s, k, features: d, samples: n,
      explainedVarianceRatio: explainedVariance.map((v) => (totalVariance > 0 ? v / totalVariance : 0)),
    };
    this.solverUsed = solver;
    return this;
  }

  /** Principal axes [nComponents, nFeatures] (unit rows, by decreasing variance). */
  get components(): Tensor {
    const s = fitted(this.state, "PCA", "components");
    return matrixToTensor(s.components, [s.k, s.features], "float64");
  }
  /** Variance along each component [nComponents]. */
  get explainedVariance(): Tensor {
    const s = fitted(this.state, "PCA", "explainedVariance");
    return matrixToTensor(s.explainedVariance, [s.k], "float64");
  }
  /** Fraction of the total variance along each component [nComponents]. */
  get explainedVarianceRatio(): Tensor {
    const s = fitted(this.state, "PCA", "explainedVarianceRatio");
    return matrixToTensor(s.explainedVarianceRatio, [s.k], "float64");
  }
  get singularValues(): Tensor {
    const s = fitted(this.state, "PCA", "singularValues");
    return matrixToTensor(s.singularValues, [s.k], "float64");
  }
  get mean(): Tensor {
    const s = fitted(this.state, "PCA", "mean");
    return matrixToTensor(s.mean, [s.features], "float64");
  }

  transform(x: ArrayLike): Tensor {
    const s = fitted(this.state, "PCA", "transform");
    const m = toMatrix("PCA.transform", x);
    checkFeatures("PCA.transform", m, s.features);
    const z = matmulNT(centered(m, s.mean).data, s.components, m.rows, s.features, s.k);
    if (this.whiten) {
      for (let i = 0; i < m.rows; i++) for (let c = 0; c < s.k; c++) z[i * s.k + c]! /= Math.sqrt(s.explainedVariance[c]!) || 1;
    }
    return matrixToTensor(z, [m.rows, s.k], outDType(x));
  }

  fitTransform(x: ArrayLike): Tensor {
    return this.fit(x).transform(x);
  }

  /** Back to feature space: Z V_k + x̄ (undoing the whitening first). */
  inverseTransform(z: ArrayLike): Tensor {
    const s = fitted(this.state, "PCA", "inverseTransform");
    const m = toMatrix("PCA.inverseTransform", z, "Z");
    checkFeatures("PCA.inverseTransform", m, s.k);
    const zz = m.data.slice();
    if (this.whiten) for (let i = 0; i < m.rows; i++) for (let c = 0; c < s.k; c++) zz[i * s.k + c]! *= Math.sqrt(s.explainedVariance[c]!);
    const out = matmulNN(zz, s.components, m.rows, s.k, s.features);
    for (let i = 0; i < m.rows; i++) for (let j = 0; j < s.features; j++) out[i * s.features + j]! += s.mean[j]!;
    return matrixToTensor(out, [m.rows, s.features], outDType(z));
  }
}

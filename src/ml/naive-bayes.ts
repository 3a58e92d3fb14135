/**
 * Gaussian naive Bayes: features independent given the class,
 * x_j | y = k ~ N(μₖⱼ, σ²ₖⱼ). log p(x, y = k) = log φₖ − ½ Σⱼ [log 2πσ²ₖⱼ + (xⱼ − μₖⱼ)² / σ²ₖⱼ].
 * `varSmoothing` × (largest feature variance) is added to every variance so
 * that features constant within a class do not divide by zero.
 *
 *   const nb = new fx.ml.GaussianNB().fit(X, y);
 *   nb.theta; nb.variance; nb.classPrior; nb.predictProba(X);
 */
import { ValueError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import type { ArrayLike } from "../ops/convert.js";
import { fitted } from "./internal/fitted.js";
import { argmaxRows, classMeans, softmaxRows } from "./internal/gaussian.js";
import { accuracyOf, decodeLabels, encodeLabels } from "./internal/labels.js";
import { checkFeatures, columnMeans, matrixToTensor, outDType, toMatrix } from "./internal/matrix.js";

export interface GaussianNBOptions {
  /** Fraction of the largest feature variance added to all variances (default 1e-9). */
  varSmoothing?: number;
  priors?: number[];
}

interface Fit {
  classes: number[];
  priors: Float64Array;
  means: Float64Array;
  variances: Float64Array;
  features: number;
}

export class GaussianNB {
  readonly varSmoothing: number;
  readonly priorsOpt?: number[];
  private state?: Fit;

  constructor(opts: GaussianNBOptions = {}) {
    this.varSmoothing = opts.varSmoothing ?? 1e-9;
    if (!(this.varSmoothing >= 0)) throw new ValueError(`GaussianNB: varSmoothing must be ≥ 0, got ${opts.varSmoothing}`);
    if (opts.priors) this.priorsOpt = [...opts.priors];
  }

  fit(x: ArrayLike, y: ArrayLike): this {
    const xm = toMatrix("GaussianNB.fit", x);
    const { classes, codes } = encodeLabels("GaussianNB.fit", y, xm.rows);
    const k = classes.length, d = xm.cols, n = xm.rows;
    const { counts, means } = classMeans(xm, codes, k);
    const variances = new Float64Array(k * d);
    for (let i = 0; i < n; i++) {
      const c = codes[i]!;
      for (let j = 0; j < d; j++) variances[c * d + j]! += (xm.data[i * d + j]! - means[c * d + j]!) ** 2;
    }
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) variances[c * d + j]! /= counts[c]!;
    // Smoothing relative to the largest variance of any feature over all the data.
    const mu = columnMeans(xm);
    const total = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) total[j]! += (xm.data[i * d + j]! - mu[j]!) ** 2;
    const epsilon = this.varSmoothing * Math.max(...total.map((v) => v / n)) || 1e-300;
    for (let i = 0; i < variances.length; i++) variances[i]! += epsilon;
    const priors = this.priorsOpt ? Float64Array.from(this.priorsOpt) : counts.map((c) => c / n);
    if (priors.length !== k || priors.some((p) => !(p > 0))) throw new ValueError(`GaussianNB.fit: priors must be ${k} positive numbers, got [${[...priors].join(", ")}]`);
    this.state = { classes, priors, means, variances, features: d };
    return this;
  }

  get classes(): number[] {
    return [...fitted(this.state, "GaussianNB", "classes").classes];
  }
  /** Per-class feature means [nClasses, nFeatures]. */
  get theta(): Tensor {
    const s = fitted(this.state, "GaussianNB", "theta");
    return matrixToTensor(s.means, [s.classes.length, s.features], "float64");
  }
  /** Per-class feature variances (smoothed) [nClasses, nFeatures]. */
  get variance(): Tensor {
    const s = fitted(this.state, "GaussianNB", "variance");
    return matrixToTensor(s.variances, [s.classes.length, s.features], "float64");
  }
  get classPrior(): Tensor {
    const s = fitted(this.state, "GaussianNB", "classPrior");
    return matrixToTensor(s.priors, [s.priors.length], "float64");
  }

  private joint(op: string, x: ArrayLike): { scores: Float64Array; n: number; k: number; s: Fit } {
    const s = fitted(this.state, "GaussianNB", op);
    const xm = toMatrix(`GaussianNB.${op}`, x);
    checkFeatures(`GaussianNB.${op}`, xm, s.features);
    const k = s.classes.length, d = s.features, n = xm.rows;
    const scores = new Float64Array(n * k);
    for (let c = 0; c < k; c++) {
      let base = Math.log(s.priors[c]!);
      for (let j = 0; j < d; j++) base -= 0.5 * Math.log(2 * Math.PI * s.variances[c * d + j]!);
      for (let i = 0; i < n; i++) {
        let q = 0;
        for (let j = 0; j < d; j++) q += (xm.data[i * d + j]! - s.means[c * d + j]!) ** 2 / s.variances[c * d + j]!;
        scores[i * k + c] = base - 0.5 * q;
      }
    }
    return { scores, n, k, s };
  }

  /** Joint log-likelihoods log p(x, y = k) [n, nClasses]. */
  logJoint(x: ArrayLike): Tensor {
    const { scores, n, k } = this.joint("logJoint", x);
    return matrixToTensor(scores, [n, k], outDType(x));
  }

  predictProba(x: ArrayLike): Tensor {
    const { scores, n, k } = this.joint("predictProba", x);
    return matrixToTensor(softmaxRows(scores, n, k), [n, k], outDType(x));
  }

  predict(x: ArrayLike): Tensor {
    const { scores, n, k, s } = this.joint("predict", x);
    return decodeLabels(s.classes, argmaxRows(scores, n, k));
  }

  score(x: ArrayLike, y: ArrayLike): number {
    return accuracyOf(this.predict(x), y);
  }
}

/**
 * Gaussian discriminant analysis: a generative classifier.
 *
 *   y ~ Categorical(φ),   x | y = k ~ N(μₖ, Σₖ)
 *
 * fit takes the maximum-likelihood estimates: φₖ = nₖ/n, μₖ = the class
 * means, and either one shared covariance Σ = (1/n) Σᵢ (xᵢ − μ_yᵢ)(xᵢ − μ_yᵢ)ᵀ
 * (`covariance: "shared"`, LDA: the log-odds are linear in x, the same form as
 * logistic regression) or one per class Σₖ (`"perClass"`, QDA: quadratic
 * boundaries). Prediction is Bayes' rule, argmaxₖ log φₖ + log N(x; μₖ, Σₖ).
 * `regParam` adds regParam · mean(diag Σ) to the diagonal so that singular
 * covariances (constant pixels) stay invertible.
 *
 *   const lda = new fx.ml.GaussianDiscriminantAnalysis({ covariance: "shared" }).fit(X, y);
 *   lda.means; lda.covariance; lda.predictProba(X);
 */
import { ValueError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import type { ArrayLike } from "../ops/convert.js";
import { solve } from "../ops/linalg.js";
import { tensor } from "../ops/creation.js";
import { forwardSubstitute, gram, matmulNT } from "./internal/blas.js";
import { fitted } from "./internal/fitted.js";
import { argmaxRows, classMeans, regularizedCholesky, softmaxRows } from "./internal/gaussian.js";
import { accuracyOf, decodeLabels, encodeLabels } from "./internal/labels.js";
import { checkFeatures, matrixToTensor, outDType, toMatrix, type Matrix } from "./internal/matrix.js";

export interface GdaOptions {
  /** "shared" (default; linear discriminant analysis) or "perClass" (quadratic). */
  covariance?: "shared" | "perClass";
  /** Relative ridge on the covariance diagonal (default 1e-6). */
  regParam?: number;
  /** Class priors φ (default: the class frequencies). */
  priors?: number[];
}

interface Fit {
  classes: number[];
  priors: Float64Array;
  means: Float64Array; // [k, d]
  covariances: Float64Array[]; // one (shared) or k matrices [d, d], regularised
  factors: { l: Float64Array; logDet: number }[];
  /** Shared covariance only: the linear discriminant δₖ(x) = x·coefₖ + interceptₖ. */
  coef?: Float64Array;
  intercept?: Float64Array;
  features: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

export class GaussianDiscriminantAnalysis {
  readonly covarianceType: "shared" | "perClass";
  readonly regParam: number;
  readonly priorsOpt?: number[];
  private state?: Fit;
  protected readonly name: string = "GaussianDiscriminantAnalysis";

  constructor(opts: GdaOptions = {}) {
    this.covarianceType = opts.covariance ?? "shared";
    if (this.covarianceType !== "shared" && this.covarianceType !== "perClass") {
      throw new ValueError(`GaussianDiscriminantAnalysis: covariance must be "shared" or "perClass", got ${JSON.stringify(opts.covariance)}`);
    }
    this.regParam = opts.regParam ?? 1e-6;
    if (!(this.regParam >= 0)) throw new ValueError(`GaussianDiscriminantAnalysis: regParam must be ≥ 0, got ${opts.regParam}`);
    if (opts.priors) this.priorsOpt = [...opts.priors];
  }

  fit(x: ArrayLike, y: ArrayLike): this {
    const op = `${this.name}.fit`;
    const xm = toMatrix(op, x);
    const { classes, codes } = encodeLabels(op, y, xm.rows);
    const k = classes.length, d = xm.cols, n = xm.rows;
    const { counts, means } = classMeans(xm, codes, k);
    const priors = this.priorsOpt ? Float64Array.from(this.priorsOpt) : counts.map((c) => c / n);
    if (priors.length !== k || priors.some((p) => !(p > 0)) || Math.abs(priors.reduce((a, b) => a + b, 0) - 1) > 1e-6) {
      throw new ValueError(`${op}: priors must be ${k} positive numbers summing to 1, got [${[...priors].join(", ")}]`);
    }
    // Residuals from each sample's class mean.
    const resid = new Float64Array(xm.data.length);
    for (let i = 0; i < n; i++) {
      const mo = codes[i]! * d, xo = i * d;
      for (let j = 0; j < d; j++) resid[xo + j] = xm.data[xo + j]! - means[mo + j]!;
    }
    const covariances: Float64Array[] = [];
    if (this.covarianceType === "shared") {
      covariances.push(gram(resid, n, d).map((v) => v / n));
    } else {
      for (let c = 0; c < k; c++) {
        if (counts[c]! < 2) throw new ValueError(`${op}: class ${classes[c]} has ${counts[c]} sample(s); a per-class covariance needs at least 2`);
        const rows = rowsOf({ data: resid, rows: n, cols: d }, codes, c, counts[c]!);
        covariances.push(gram(rows, counts[c]!, d).map((v) => v / counts[c]!));
      }
    }
    const factors = covariances.map((s, c) => {
      const f = regularizedCholesky(op, this.covarianceType === "shared" ? "shared covariance" : `covariance of class ${classes[c]}`, s, d, this.regParam);
      for (let j = 0; j < d; j++) s[j * d + j]! += f.ridge;
      return f;
    });
    const fit: Fit = { classes, priors, means, covariances, factors, features: d };
    if (this.covarianceType === "shared") {
      // δₖ(x) = xᵀΣ⁻¹μₖ − ½ μₖᵀΣ⁻¹μₖ + log φₖ
      const w = solve(tensor(covariances[0]!, { shape: [d, d], dtype: "float64" }), tensor(transposeKD(means, k, d), { shape: [d, k], dtype: "float64" })).data() as Float64Array; // [d, k]
      fit.coef = new Float64Array(k * d);
      fit.intercept = new Float64Array(k);
      for (let c = 0; c < k; c++) {
        let q = 0;
        for (let j = 0; j < d; j++) {
          fit.coef[c * d + j] = w[j * k + c]!;
          q += means[c * d + j]! * w[j * k + c]!;
        }
        fit.intercept[c] = -0.5 * q + Math.log(priors[c]!);
      }
    }
    this.state = fit;
    return this;
  }

  get classes(): number[] {
    return [...fitted(this.state, this.name, "classes").classes];
  }
  /** Class means μₖ [nClasses, nFeatures]. */
  get means(): Tensor {
    const s = fitted(this.state, this.name, "means");
    return matrixToTensor(s.means, [s.classes.length, s.features], "float64");
  }
  /** Class priors φ [nClasses]. */
  get priors(): Tensor {
    const s = fitted(this.state, this.name, "priors");
    return matrixToTensor(s.priors, [s.priors.length], "float64");
  }
  /** The (regularised) covariance: [d, d] when shared, [nClasses, d, d] per class. */
  get covariance(): Tensor {
    const s = fitted(this.state, this.name, "covariance");
    const d = s.features;
    const all = new Float64Array(s.covariances.length * d * d);
    s.covariances.forEach((c, i) => all.set(c, i * d * d));
    return matrixToTensor(all, s.covariances.length === 1 ? [d, d] : [s.covariances.length, d, d], "float64");
  }
  /** Shared covariance only: weights of the linear discriminants [nClasses, nFeatures]. */
  get coef(): Tensor {
    const s = fitted(this.state, this.name, "coef");
    if (!s.coef) throw new ValueError(`${this.name}.coef: only the shared-covariance model (LDA) has linear coefficients`);
    return matrixToTensor(s.coef, [s.classes.length, s.features], "float64");
  }
  get intercept(): Tensor {
    const s = fitted(this.state, this.name, "intercept");
    if (!s.intercept) throw new ValueError(`${this.name}.intercept: only the shared-covariance model (LDA) has linear coefficients`);
    return matrixToTensor(s.intercept, [s.classes.length], "float64");
  }

  /** log φₖ + log N(x; μₖ, Σₖ) for each sample and class [n, k] (up to a shared constant for LDA). */
  private jointLogLikelihood(op: string, x: ArrayLike, exact = false): { scores: Float64Array; n: number; s: Fit } {
    const s = fitted(this.state, this.name, op);
    const xm = toMatrix(`${this.name}.${op}`, x);
    checkFeatures(`${this.name}.${op}`, xm, s.features);
    const k = s.classes.length, d = s.features, n = xm.rows;
    if (s.coef && s.intercept) {
      // Linear discriminants; the dropped term −½ xᵀΣ⁻¹x − ½ log|Σ| − (d/2) log 2π is the same for every class.
      const scores = matmulNT(xm.data, s.coef, n, d, k);
      if (!exact) {
        for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) scores[i * k + c]! += s.intercept[c]!;
        return { scores, n, s };
      }
      const lDet = s.factors[0]!.logDet;
      const l = s.factors[0]!.l;
      for (let i = 0; i < n; i++) {
        const z = forwardSubstitute(l, d, xm.data.slice(i * d, (i + 1) * d));
        let q = 0;
        for (let j = 0; j < d; j++) q += z[j]! * z[j]!;
        const shared = -0.5 * q - 0.5 * lDet - 0.5 * d * LOG_2PI;
        for (let c = 0; c < k; c++) scores[i * k + c]! += s.intercept[c]! + shared;
      }
      return { scores, n, s };
    }
    const scores = new Float64Array(n * k);
    const z = new Float64Array(d);
    for (let c = 0; c < k; c++) {
      const { l, logDet } = s.factors[c]!;
      const base = Math.log(s.priors[c]!) - 0.5 * logDet - 0.5 * d * LOG_2PI;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < d; j++) z[j] = xm.data[i * d + j]! - s.means[c * d + j]!;
        forwardSubstitute(l, d, z);
        let q = 0;
        for (let j = 0; j < d; j++) q += z[j]! * z[j]!;
        scores[i * k + c] = base - 0.5 * q;
      }
    }
    return { scores, n, s };
  }

  /** Joint log-likelihoods log p(x, y = k) [n, nClasses]. */
  logJoint(x: ArrayLike): Tensor {
    const { scores, n, s } = this.jointLogLikelihood("logJoint", x, true);
    return matrixToTensor(scores, [n, s.classes.length], outDType(x));
  }

  predictProba(x: ArrayLike): Tensor {
    const { scores, n, s } = this.jointLogLikelihood("predictProba", x);
    return matrixToTensor(softmaxRows(scores, n, s.classes.length), [n, s.classes.length], outDType(x));
  }

  predict(x: ArrayLike): Tensor {
    const { scores, n, s } = this.jointLogLikelihood("predict", x);
    return decodeLabels(s.classes, argmaxRows(scores, n, s.classes.length));
  }

  score(x: ArrayLike, y: ArrayLike): number {
    return accuracyOf(this.predict(x), y);
  }
}

/** Linear discriminant analysis: GDA with one shared covariance. */
export class LinearDiscriminantAnalysis extends GaussianDiscriminantAnalysis {
  protected override readonly name: string = "LinearDiscriminantAnalysis";
  constructor(opts: Omit<GdaOptions, "covariance"> = {}) {
    super({ ...opts, covariance: "shared" });
  }
}

/** Quadratic discriminant analysis: GDA with a covariance per class. */
export class QuadraticDiscriminantAnalysis extends GaussianDiscriminantAnalysis {
  protected override readonly name: string = "QuadraticDiscriminantAnalysis";
  constructor(opts: Omit<GdaOptions, "covariance"> = {}) {
    super({ ...opts, covariance: "perClass" });
  }
}

function rowsOf(m: Matrix, codes: Int32Array, c: number, count: number): Float64Array {
  const out = new Float64Array(count * m.cols);
  let r = 0;
  for (let i = 0; i < m.rows; i++) if (codes[i] === c) out.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), (r++) * m.cols);
  return out;
}

function transposeKD(a: Float64Array, k: number, d: number): Float64Array {
  const t = new Float64Array(k * d);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) t[j * k + c] = a[c * d + j]!;
  return t;
}

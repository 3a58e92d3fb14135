/**
 * Least-squares linear models: ŷ = X w + b.
 *
 * LinearRegression minimises ‖y − Xw − b‖²; Ridge adds α‖w‖². Both centre X
 * and y first (so b = ȳ − x̄·w and the intercept is not penalised), then
 * solve in closed form with fx.linalg:
 *   LinearRegression  w = V diag(1/s) Uᵀ y_c  (thin SVD of X_c, tiny s dropped: the minimum-norm solution)
 *                     or the normal equations X_cᵀX_c w = X_cᵀ y_c for large X
 *   Ridge             (X_cᵀX_c + αI) w = X_cᵀ y_c
 *
 *   const lr = new fx.ml.LinearRegression().fit(X, y);
 *   lr.coef; lr.intercept; lr.predict(Xnew); lr.score(X, y); // R²
 */
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { asTensor, type ArrayLike } from "../ops/convert.js";
import { svd, solve } from "../ops/linalg.js";
import { fitted } from "./internal/fitted.js";
import { gram, matmulTN, matmulNT } from "./internal/blas.js";
import { r2Of } from "./internal/labels.js";
import { centered, checkFeatures, columnMeans, matrixToTensor, outDType, toMatrix, type Matrix } from "./internal/matrix.js";
import { tensor } from "../ops/creation.js";

/** Targets [n] or [n, t] as a matrix [n, t], and whether y was 1-D. */
function targets(op: string, y: ArrayLike, n: number): { m: Matrix; vector: boolean } {
  const t = asTensor(y);
  if (t.ndim !== 1 && t.ndim !== 2) throw new ShapeError(`${op}: y must be [nSamples] or [nSamples, nTargets], got ${fmtShape(t.shape)}`);
  if (t.shape[0] !== n) throw new ShapeError(`${op}: X has ${n} samples but y has ${t.shape[0]} (shape ${fmtShape(t.shape)})`);
  const vector = t.ndim === 1;
  return { m: toMatrix(op, vector ? t.reshape([n, 1]) : t, "y"), vector };
}

interface Fit {
  coef: Float64Array; // [t, d]
  intercept: Float64Array; // [t]
  targets: number;
  vector: boolean;
  features: number;
}

abstract class LinearLeastSquares {
  protected state?: Fit;
  protected abstract readonly name: string;
  readonly fitIntercept: boolean;

  constructor(fitIntercept: boolean) {
    this.fitIntercept = fitIntercept;
  }

  /** Weights w for centred data: [d, t]. */
  protected abstract solveCentred(xc: Matrix, yc: Matrix): Float64Array;

  fit(x: ArrayLike, y: ArrayLike): this {
    const op = `${this.name}.fit`;
    const xm = toMatrix(op, x);
    const { m: ym, vector } = targets(op, y, xm.rows);
    const xMean = this.fitIntercept ? columnMeans(xm) : new Float64Array(xm.cols);
    const yMean = this.fitIntercept ? columnMeans(ym) : new Float64Array(ym.cols);
    const w = this.solveCentred(centered(xm, xMean), centered(ym, yMean)); // [d, t]
    const d = xm.cols, t = ym.cols;
    const coef = new Float64Array(t * d);
    const intercept = new Float64Array(t);
    for (let k = 0; k < t; k++) {
      let b = yMean[k]!;
      for (let j = 0; j < d; j++) {
        coef[k * d + j] = w[j * t + k]!;
        b -= xMean[j]! * w[j * t + k]!;
      }
      intercept[k] = b;
    }
    this.state = { coef, intercept, targets: t, vector, features: d };
    return this;
  }

  /** Weights: [nFeatures] for a 1-D y, [nTargets, nFeatures] otherwise (scikit-learn's layout). */
  get coef(): Tensor {
    const s = fitted(this.state, this.name, "coef");
    return matrixToTensor(s.coef, s.vector ? [s.features] : [s.targets, s.features], "float64");
  }

  /** Bias: a scalar tensor for a 1-D y, [nTargets] otherwise. */
  get intercept(): Tensor {
    const s = fitted(this.state, this.name, "intercept");
    return matrixToTensor(s.intercept, s.vector ? [] : [s.targets], "float64");
  }

  predict(x: ArrayLike): Tensor {
    const s = fitted(this.state, this.name, "predict");
    const xm = toMatrix(`${this.name}.predict`, x);
    checkFeatures(`${this.name}.predict`, xm, s.features);
    const out = matmulNT(xm.data, s.coef, xm.rows, s.features, s.targets);
    for (let i = 0; i < xm.rows; i++) for (let k = 0; k < s.targets; k++) out[i * s.targets + k]! += s.intercept[k]!;
    return matrixToTensor(out, s.vector ? [xm.rows] : [xm.rows, s.targets], outDType(x));
  }

  /** R² of the predictions (averaged over targets). */
  score(x: ArrayLike, y: ArrayLike): number {
    const s = fitted(this.state, this.name, "score");
    return r2Of(this.predict(x), y, s.targets);
  }
}

/** Solves (G + ridge I) w = b for the normal equations, G = XᵀX [d, d], b = Xᵀy [d, t]. */
function normalEquations(xc: Matrix, yc: Matrix, ridge: number): Float64Array {
  const d = xc.cols, t = yc.cols;
  const g = gram(xc.data, xc.rows, d);
  const b = matmulTN(xc.data, yc.data, xc.rows, d, t);
  let jitter = ridge;
  let trace = 0;
  for (let j = 0; j < d; j++) trace += g[j * d + j]!;
  for (let attempt = 0; ; attempt++) {
    const a = g.slice();
    for (let j = 0; j < d; j++) a[j * d + j]! += jitter;
    try {
      return solve(tensor(a, { shape: [d, d], dtype: "float64" }), tensor(b, { shape: [d, t], dtype: "float64" })).data() as Float64Array;
    } catch (e) {
      // A singular Gram matrix (collinear features): regularise just enough to get the minimum-norm-like solution.
      if (!(e instanceof ValueError) || attempt > 8) throw e;
      jitter = Math.max(jitter * 100, (1e-12 * trace) / d || 1e-12);
    }
  }
}

export interface LinearRegressionOptions {
  /** Fit a bias b (default true); otherwise the model goes through the origin. */
  fitIntercept?: boolean;
}

/** Ordinary least squares: minimises ‖y − Xw − b‖². */
export class LinearRegression extends LinearLeastSquares {
  protected readonly name = "LinearRegression";
  constructor(opts: LinearRegressionOptions = {}) {
    super(opts.fitIntercept ?? true);
  }

  protected solveCentred(xc: Matrix, yc: Matrix): Float64Array {
    const { rows: n, cols: d } = xc;
    // The SVD gives the minimum-norm solution even for rank-deficient X; it costs O(n d min(n, d)).
    if (n * d * Math.min(n, d) > 2e7) return normalEquations(xc, yc, 0);
    const [u, s, vt] = svd(tensor(xc.data, { shape: [n, d], dtype: "float64" }));
    const U = u.data() as Float64Array, S = s.data() as Float64Array, Vt = vt.data() as Float64Array;
    const k = S.length, t = yc.cols;
    const cutoff = (S[0] ?? 0) * Math.max(n, d) * Number.EPSILON;
    const uty = matmulTN(U, yc.data, n, k, t); // [k, t]
    for (let i = 0; i < k; i++) for (let c = 0; c < t; c++) uty[i * t + c] = S[i]! > cutoff ? uty[i * t + c]! / S[i]! : 0;
    return matmulTN(Vt, uty, k, d, t); // V (Uᵀy / s): [d, t]
  }
}

export interface RidgeOptions extends LinearRegressionOptions {
  /** Penalty α ≥ 0 on ‖w‖² (default 1). */
  alpha?: number;
}

/** Ridge regression: minimises ‖y − Xw − b‖² + α‖w‖². */
export class Ridge extends LinearLeastSquares {
  protected readonly name = "Ridge";
  readonly alpha: number;
  constructor(opts: RidgeOptions = {}) {
    super(opts.fitIntercept ?? true);
    this.alpha = opts.alpha ?? 1;
    if (!(this.alpha >= 0)) throw new ValueError(`Ridge: alpha must be ≥ 0, got ${opts.alpha}`);
  }

  protected solveCentred(xc: Matrix, yc: Matrix): Float64Array {
    return normalEquations(xc, yc, this.alpha);
  }
}

/**
 * Logistic regression with an L2 penalty, fitted by L-BFGS on gradients from
 * `fx.valueAndGrad`.
 *
 * Binary (two classes, y ∈ {0, 1}), with z = x·w + b and h = σ(z):
 *   J(w, b) = Σᵢ −yᵢ log hᵢ − (1 − yᵢ) log(1 − hᵢ) + ‖w‖² / (2C)
 *           = Σᵢ softplus(zᵢ) − yᵢ zᵢ + ‖w‖² / (2C)
 * Multinomial (K classes), z = x W + b, softmax probabilities:
 *   J(W, b) = Σᵢ logsumexp(zᵢ) − zᵢ,yᵢ + ‖W‖² / (2C)
 * Both are convex in the parameters (a sum of convex functions of affine maps),
 * so L-BFGS finds the global minimum. The bias is not penalised. The objective
 * is divided by n for conditioning (same minimiser).
 *
 *   const clf = new fx.ml.LogisticRegression({ C: 1 }).fit(X, y);
 *   clf.predictProba(X);  clf.coef;  clf.intercept;  clf.score(X, y);
 */
import { ValueError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { tensor } from "../ops/creation.js";
import type { ArrayLike } from "../ops/convert.js";
import { softplus } from "../ops/elementwise.js";
import { slice } from "../ops/indexing.js";
import { matmul } from "../ops/matmul.js";
import { sum } from "../ops/reduce.js";
import { logsumexp } from "../ops/softmax.js";
import { valueAndGrad } from "../transforms/grad.js";
import { matmulNT } from "./internal/blas.js";
import { fitted } from "./internal/fitted.js";
import { lbfgs } from "./internal/lbfgs.js";
import { accuracyOf, decodeLabels, encodeLabels } from "./internal/labels.js";
import { checkFeatures, matrixToTensor, outDType, toMatrix } from "./internal/matrix.js";

export interface LogisticRegressionOptions {
  /** Inverse regularisation strength (default 1): the penalty is ‖w‖² / (2C). Infinity: no penalty. */
  C?: number;
  /** "auto" (default): sigmoid for two classes, softmax otherwise; "multinomial": softmax always. */
  multiClass?: "auto" | "multinomial";
  fitIntercept?: boolean;
  /** L-BFGS iterations (default 100). */
  maxIter?: number;
  /** Stop when the largest gradient component is below tol (default 1e-4). */
  tol?: number;
}

interface Fit {
  classes: number[];
  /** Rows of weights, one per output: [outputs, d]; outputs = 1 for the binary model. */
  coef: Float64Array;
  intercept: Float64Array;
  outputs: number;
  features: number;
}

export class LogisticRegression {
  readonly C: number;
  readonly multiClass: "auto" | "multinomial";
  readonly fitIntercept: boolean;
  readonly maxIter: number;
  readonly tol: number;
  /** Iterations L-BFGS took, and the objective after each. */
  nIter = 0;
  lossHistory: number[] = [];
  converged = false;
  private state?: Fit;

  constructor(opts: LogisticRegressionOptions = {}) {
    this.C = opts.C ?? 1;
    if (!(this.C > 0)) throw new ValueError(`LogisticRegression: C must be > 0, got ${opts.C}`);
    this.multiClass = opts.multiClass ?? "auto";
    if (this.multiClass !== "auto" && this.multiClass !== "multinomial") {
      throw new ValueError(`LogisticRegression: multiClass must be "auto" or "multinomial", got ${JSON.stringify(opts.multiClass)}`);
    }
    this.fitIntercept = opts.fitIntercept ?? true;
    this.maxIter = opts.maxIter ?? 100;
    this.tol = opts.tol ?? 1e-4;
  }

  /**
   * The training objective J(θ)/n as a function of the flat parameter vector
   * θ = [W (d × outputs, row-major), b (outputs)], for inspection: its
   * gradient, its Hessian (`fx.hessian(clf.objective(X, y))`), its value at
   * the fitted parameters (`clf.params`).
   */
  objective(x: ArrayLike, y: ArrayLike): (theta: Tensor) => Tensor {
    const xm = toMatrix("LogisticRegression.objective", x);
    const { classes, codes } = encodeLabels("LogisticRegression.objective", y, xm.rows);
    const outputs = this.outputsFor(classes.length);
    const X = tensor(xm.data, { shape: [xm.rows, xm.cols], dtype: "float64" });
    const d = xm.cols, n = xm.rows;
    const target = new Float64Array(n * outputs);
    for (let i = 0; i < n; i++) {
      if (outputs === 1) target[i] = codes[i]!;
      else target[i * outputs + codes[i]!] = 1;
    }
    const Y = tensor(target, { shape: [n, outputs], dtype: "float64" });
    const penalty = Number.isFinite(this.C) ? 1 / (2 * this.C) : 0;
    const fitIntercept = this.fitIntercept;
    return (theta: Tensor) => {
      const W = slice(theta, [0, d * outputs]).reshape([d, outputs]);
      let z = matmul(X, W);
      if (fitIntercept) z = z.add(slice(theta, [d * outputs, d * outputs + outputs]));
      const data = outputs === 1
        ? sum(softplus(z).sub(z.mul(Y)))
        : sum(logsumexp(z, 1)).sub(sum(z.mul(Y)));
      return data.add(sum(W.mul(W)).mul(penalty)).div(n);
    };
  }

  private outputsFor(k: number): number {
    return k === 2 && this.multiClass === "auto" ? 1 : k;
  }

  fit(x: ArrayLike, y: ArrayLike): this {
    const xm = toMatrix("LogisticRegression.fit", x);
    const { classes } = encodeLabels("LogisticRegression.fit", y, xm.rows);
    const outputs = this.outputsFor(classes.length);
    const d = xm.cols;
    const J = valueAndGrad(this.objective(tensor(xm.data, { shape: [xm.rows, d], dtype: "float64" }), y));
    const size = d * outputs + outputs;
    const result = lbfgs((theta) => {
      const [value, grad] = J(tensor(theta, { shape: [size], dtype: "float64" })) as [Tensor, Tensor];
      return [value.item() as number, grad.data() as Float64Array];
    }, new Float64Array(size), { maxIter: this.maxIter, gtol: this.tol, ftol: 1e-12 });
    const theta = result.x;
    const coef = new Float64Array(outputs * d);
    for (let j = 0; j < d; j++) for (let k = 0; k < outputs; k++) coef[k * d + j] = theta[j * outputs + k]!;
    const intercept = this.fitIntercept ? theta.slice(d * outputs) : new Float64Array(outputs);
    this.state = { classes, coef, intercept, outputs, features: d };
    this.nIter = result.iterations;
    this.lossHistory = result.history;
    this.converged = result.converged;
    return this;
  }

  /** The fitted parameters as the flat vector θ that `objective` takes. */
  get params(): Tensor {
    const s = fitted(this.state, "LogisticRegression", "params");
    const theta = new Float64Array(s.features * s.outputs + s.outputs);
    for (let j = 0; j < s.features; j++) for (let k = 0; k < s.outputs; k++) theta[j * s.outputs + k] = s.coef[k * s.features + j]!;
    theta.set(s.intercept, s.features * s.outputs);
    return tensor(theta, { shape: [theta.length], dtype: "float64" });
  }

  /** Weights [1, nFeatures] (binary) or [nClasses, nFeatures]. */
  get coef(): Tensor {
    const s = fitted(this.state, "LogisticRegression", "coef");
    return matrixToTensor(s.coef, [s.outputs, s.features], "float64");
  }

  /** Biases [1] (binary) or [nClasses]. */
  get intercept(): Tensor {
    const s = fitted(this.state, "LogisticRegression", "intercept");
    return matrixToTensor(s.intercept, [s.outputs], "float64");
  }

  /** The class labels seen in fit, in increasing order. */
  get classes(): number[] {
    return [...fitted(this.state, "LogisticRegression", "classes").classes];
  }

  private scores(op: string, x: ArrayLike): { z: Float64Array; n: number; s: Fit } {
    const s = fitted(this.state, "LogisticRegression", op);
    const xm = toMatrix(`LogisticRegression.${op}`, x);
    checkFeatures(`LogisticRegression.${op}`, xm, s.features);
    const z = matmulNT(xm.data, s.coef, xm.rows, s.features, s.outputs);
    for (let i = 0; i < xm.rows; i++) for (let k = 0; k < s.outputs; k++) z[i * s.outputs + k]! += s.intercept[k]!;
    return { z, n: xm.rows, s };
  }

  /** Scores z = xW + b: [n] for the binary model (the log-odds of the second class), [n, nClasses] otherwise. */
  decisionFunction(x: ArrayLike): Tensor {
    const { z, n, s } = this.scores("decisionFunction", x);
    return matrixToTensor(z, s.outputs === 1 ? [n] : [n, s.outputs], outDType(x));
  }

  /** Class probabilities [n, nClasses] (columns in the order of `classes`). */
  predictProba(x: ArrayLike): Tensor {
    const { z, n, s } = this.scores("predictProba", x);
    const k = s.classes.length;
    const p = new Float64Array(n * k);
    for (let i = 0; i < n; i++) {
      if (s.outputs === 1) {
        const p1 = 1 / (1 + Math.exp(-z[i]!));
        p[i * 2] = 1 - p1;
        p[i * 2 + 1] = p1;
        continue;
      }
      let m = -Infinity;
      for (let c = 0; c < k; c++) m = Math.max(m, z[i * k + c]!);
      let total = 0;
      for (let c = 0; c < k; c++) total += p[i * k + c] = Math.exp(z[i * k + c]! - m);
      for (let c = 0; c < k; c++) p[i * k + c]! /= total;
    }
    return matrixToTensor(p, [n, k], outDType(x));
  }

  predict(x: ArrayLike): Tensor {
    const { z, n, s } = this.scores("predict", x);
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (s.outputs === 1) { codes[i] = z[i]! > 0 ? 1 : 0; continue; }
      let best = 0;
      for (let c = 1; c < s.outputs; c++) if (z[i * s.outputs + c]! > z[i * s.outputs + best]!) best = c;
      codes[i] = best;
    }
    return decodeLabels(s.classes, codes);
  }

  /** Accuracy on (X, y). */
  score(x: ArrayLike, y: ArrayLike): number {
    return accuracyOf(this.predict(x), y);
  }
}

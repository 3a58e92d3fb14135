/**
 * Rosenblatt's perceptron: f(x) = sign(w·x + b). On each mistake
 * (y (w·x + b) ≤ 0, with y ∈ {−1, +1}) it moves w += η y x, b += η y. On
 * linearly separable data it stops after finitely many mistakes (Novikoff:
 * at most (R/γ)² for margin γ and radius R). Several classes: one perceptron
 * per class against the rest, the prediction is the largest score.
 *
 * Epochs visit the samples in an order drawn from `key`. Training stops after
 * an epoch without mistakes, when the perceptron loss Σ max(0, −y(w·x + b))/n
 * has not improved by `tol` for `nIterNoChange` epochs, or after `maxIter` epochs.
 *
 *   const p = new fx.ml.Perceptron({ maxIter: 50 }).fit(X, y);
 *   p.predict(Xnew); p.coef; p.intercept;
 */
import { ValueError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import type { ArrayLike } from "../ops/convert.js";
import { split } from "../random/keys.js";
import { matmulNT } from "./internal/blas.js";
import { fitted } from "./internal/fitted.js";
import { toKey, shuffled, type KeyLike } from "./internal/keyed.js";
import { accuracyOf, decodeLabels, encodeLabels } from "./internal/labels.js";
import { checkFeatures, matrixToTensor, outDType, toMatrix } from "./internal/matrix.js";

export interface PerceptronOptions {
  /** Largest number of epochs (default 1000). */
  maxIter?: number;
  /** Improvement of the epoch loss that counts as progress (default 1e-3; null: run until no mistakes or maxIter). */
  tol?: number | null;
  nIterNoChange?: number;
  /** Step size η (default 1). */
  eta0?: number;
  fitIntercept?: boolean;
  /** Key or seed for the epoch order (default 0). */
  key?: KeyLike;
}

interface Fit {
  classes: number[];
  coef: Float64Array; // [outputs, d]
  intercept: Float64Array;
  outputs: number;
  features: number;
}

export class Perceptron {
  readonly maxIter: number;
  readonly tol: number | null;
  readonly nIterNoChange: number;
  readonly eta0: number;
  readonly fitIntercept: boolean;
  private readonly keyOpt: KeyLike | undefined;
  /** Epochs run, and the mistakes made in each. */
  nIter = 0;
  mistakesPerEpoch: number[] = [];
  private state?: Fit;

  constructor(opts: PerceptronOptions = {}) {
    this.maxIter = opts.maxIter ?? 1000;
    this.tol = opts.tol === undefined ? 1e-3 : opts.tol;
    this.nIterNoChange = opts.nIterNoChange ?? 5;
    this.eta0 = opts.eta0 ?? 1;
    if (!(this.eta0 > 0)) throw new ValueError(`Perceptron: eta0 must be > 0, got ${opts.eta0}`);
    if (!Number.isInteger(this.maxIter) || this.maxIter < 1) throw new ValueError(`Perceptron: maxIter must be a positive integer, got ${opts.maxIter}`);
    this.fitIntercept = opts.fitIntercept ?? true;
    this.keyOpt = opts.key;
  }

  fit(x: ArrayLike, y: ArrayLike): this {
    const xm = toMatrix("Perceptron.fit", x);
    const { classes, codes } = encodeLabels("Perceptron.fit", y, xm.rows);
    const outputs = classes.length === 2 ? 1 : classes.length;
    const { rows: n, cols: d, data } = xm;
    const w = new Float64Array(outputs * d), b = new Float64Array(outputs);
    const eta = this.eta0;
    let key = toKey("Perceptron", this.keyOpt);
    let best = Infinity, stale = 0;
    this.mistakesPerEpoch = [];
    let epoch = 0;
    for (; epoch < this.maxIter; epoch++) {
      let sub;
      [key, sub] = split(key);
      const order = shuffled(sub!, n);
      let mistakes = 0, loss = 0;
      for (const i of order) {
        const xo = i * d;
        for (let k = 0; k < outputs; k++) {
          const target = outputs === 1 ? (codes[i] === 1 ? 1 : -1) : codes[i] === k ? 1 : -1;
          const wo = k * d;
          let z = b[k]!;
          for (let j = 0; j < d; j++) z += w[wo + j]! * data[xo + j]!;
          if (target * z <= 0) {
            mistakes++;
            loss -= target * z;
            const step = eta * target;
            for (let j = 0; j < d; j++) w[wo + j]! += step * data[xo + j]!;
            if (this.fitIntercept) b[k]! += step;
          }
        }
      }
      this.mistakesPerEpoch.push(mistakes);
      if (mistakes === 0) { epoch++; break; }
      if (this.tol !== null) {
        loss /= n;
        if (loss > best - this.tol) stale++;
        else stale = 0;
        best = Math.min(best, loss);
        if (stale >= this.nIterNoChange) { epoch++; break; }
      }
    }
    this.nIter = epoch;
    this.state = { classes, coef: w, intercept: b, outputs, features: d };
    return this;
  }

  get coef(): Tensor {
    const s = fitted(this.state, "Perceptron", "coef");
    return matrixToTensor(s.coef, [s.outputs, s.features], "float64");
  }

  get intercept(): Tensor {
    const s = fitted(this.state, "Perceptron", "intercept");
    return matrixToTensor(s.intercept, [s.outputs], "float64");
  }

  get classes(): number[] {
    return [...fitted(this.state, "Perceptron", "classes").classes];
  }

  /** Scores w·x + b: [n] for two classes, [n, nClasses] otherwise. */
  decisionFunction(x: ArrayLike): Tensor {
    const s = fitted(this.state, "Perceptron", "decisionFunction");
    const z = this.rawScores("decisionFunction", x, s);
    const n = z.length / s.outputs;
    return matrixToTensor(z, s.outputs === 1 ? [n] : [n, s.outputs], outDType(x));
  }

  private rawScores(op: string, x: ArrayLike, s: Fit): Float64Array {
    const xm = toMatrix(`Perceptron.${op}`, x);
    checkFeatures(`Perceptron.${op}`, xm, s.features);
    const z = matmulNT(xm.data, s.coef, xm.rows, s.features, s.outputs);
    for (let i = 0; i < xm.rows; i++) for (let k = 0; k < s.outputs; k++) z[i * s.outputs + k]! += s.intercept[k]!;
    return z;
  }

  predict(x: ArrayLike): Tensor {
    const s = fitted(this.state, "Perceptron", "predict");
    const z = this.rawScores("predict", x, s);
    const n = z.length / s.outputs;
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (s.outputs === 1) { codes[i] = z[i]! > 0 ? 1 : 0; continue; }
      let best = 0;
      for (let k = 1; k < s.outputs; k++) if (z[i * s.outputs + k]! > z[i * s.outputs + best]!) best = k;
      codes[i] = best;
    }
    return decodeLabels(s.classes, codes);
  }

  score(x: ArrayLike, y: ArrayLike): number {
    return accuracyOf(this.predict(x), y);
  }
}

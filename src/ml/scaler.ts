/**
 * StandardScaler: z = (x − mean) / std per feature (population std, ddof 0).
 * Features with zero variance are left centred (their scale is 1), as
 * scikit-learn does, so constant pixels do not become NaN.
 *
 *   const s = new fx.ml.StandardScaler().fit(Xtrain);
 *   const Z = s.transform(Xtest);          // s.mean, s.scale: [nFeatures]
 */
import type { Tensor } from "../core/tensor.js";
import type { ArrayLike } from "../ops/convert.js";
import { fitted } from "./internal/fitted.js";
import { checkFeatures, columnMeans, matrixToTensor, outDType, toMatrix } from "./internal/matrix.js";

export interface StandardScalerOptions {
  /** Subtract the mean (default true). */
  withMean?: boolean;
  /** Divide by the standard deviation (default true). */
  withStd?: boolean;
}

export class StandardScaler {
  readonly withMean: boolean;
  readonly withStd: boolean;
  private meanArr?: Float64Array;
  private scaleArr?: Float64Array;

  constructor(opts: StandardScalerOptions = {}) {
    this.withMean = opts.withMean ?? true;
    this.withStd = opts.withStd ?? true;
  }

  fit(x: ArrayLike): this {
    const m = toMatrix("StandardScaler.fit", x);
    const mean = columnMeans(m);
    const variance = new Float64Array(m.cols);
    for (let i = 0; i < m.rows; i++) {
      for (let j = 0; j < m.cols; j++) variance[j]! += (m.data[i * m.cols + j]! - mean[j]!) ** 2;
    }
    this.meanArr = mean;
    this.scaleArr = variance.map((v) => {
      const s = Math.sqrt(v / m.rows);
      return s > 1e-12 * (1 + Math.abs(s)) ? s : 1;
    });
    return this;
  }

  /** Per-feature means seen in fit [nFeatures]. */
  get mean(): Tensor {
    return matrixToTensor(fitted(this.meanArr, "StandardScaler", "mean"), [this.meanArr!.length], "float64");
  }

  /** Per-feature scales (standard deviations, 1 for constant features) [nFeatures]. */
  get scale(): Tensor {
    return matrixToTensor(fitted(this.scaleArr, "StandardScaler", "scale"), [this.scaleArr!.length], "float64");
  }

  transform(x: ArrayLike): Tensor {
    const mean = fitted(this.meanArr, "StandardScaler", "transform");
    const scale = this.scaleArr!;
    const m = toMatrix("StandardScaler.transform", x);
    checkFeatures("StandardScaler.transform", m, mean.length);
    const out = new Float64Array(m.data.length);
    for (let i = 0; i < m.rows; i++) {
      for (let j = 0; j < m.cols; j++) {
        const v = m.data[i * m.cols + j]! - (this.withMean ? mean[j]! : 0);
        out[i * m.cols + j] = this.withStd ? v / scale[j]! : v;
      }
    }
    return matrixToTensor(out, [m.rows, m.cols], outDType(x));
  }

  inverseTransform(z: ArrayLike): Tensor {
    const mean = fitted(this.meanArr, "StandardScaler", "inverseTransform");
    const scale = this.scaleArr!;
    const m = toMatrix("StandardScaler.inverseTransform", z);
    checkFeatures("StandardScaler.inverseTransform", m, mean.length);
    const out = new Float64Array(m.data.length);
    for (let i = 0; i < m.rows; i++) {
      for (let j = 0; j < m.cols; j++) {
        const v = this.withStd ? m.data[i * m.cols + j]! * scale[j]! : m.data[i * m.cols + j]!;
        out[i * m.cols + j] = v + (this.withMean ? mean[j]! : 0);
      }
    }
    return matrixToTensor(out, [m.rows, m.cols], outDType(z));
  }

  fitTransform(x: ArrayLike): Tensor {
    return this.fit(x).transform(x);
  }
}

/**
 * k-nearest-neighbours classification: a sample gets the majority label of
 * its k closest training samples (Euclidean distance), optionally weighted by
 * 1/distance. Distances come a batch of queries at a time from one matrix
 * product, ‖a − b‖² = ‖a‖² + ‖b‖² − 2 a·b, with fx.matmul.
 *
 *   const knn = new fx.ml.KNeighborsClassifier({ nNeighbors: 5 }).fit(X, y);
 *   knn.predict(Xtest); knn.kneighbors(Xtest); // [distances, indices]
 */
import { ValueError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import type { ArrayLike } from "../ops/convert.js";
import { tensor } from "../ops/creation.js";
import { matmul } from "../ops/matmul.js";
import { rowSquaredNorms } from "./internal/blas.js";
import { fitted } from "./internal/fitted.js";
import { accuracyOf, decodeLabels, encodeLabels } from "./internal/labels.js";
import { checkFeatures, matrixToTensor, outDType, toMatrix, type Matrix } from "./internal/matrix.js";
import { smallestK } from "./internal/select.js";

export interface KNeighborsOptions {
  /** k (default 5). */
  nNeighbors?: number;
  /** "uniform" (default): one vote per neighbour; "distance": votes weighted by 1/distance. */
  weights?: "uniform" | "distance";
  /** Queries per distance product (default 1024): bounds memory to batchSize × nTrain. */
  batchSize?: number;
}

interface Fit {
  classes: number[];
  codes: Int32Array;
  train: Matrix;
  /** Training points transposed [d, n] as a tensor, for the distance products. */
  trainT: Tensor;
  trainNorms: Float64Array;
}

export class KNeighborsClassifier {
  readonly nNeighbors: number;
  readonly weights: "uniform" | "distance";
  readonly batchSize: number;
  private state?: Fit;

  constructor(opts: KNeighborsOptions = {}) {
    this.nNeighbors = opts.nNeighbors ?? 5;
    if (!Number.isInteger(this.nNeighbors) || this.nNeighbors < 1) throw new ValueError(`KNeighborsClassifier: nNeighbors must be a positive integer, got ${opts.nNeighbors}`);
    this.weights = opts.weights ?? "uniform";
    if (this.weights !== "uniform" && this.weights !== "distance") throw new ValueError(`KNeighborsClassifier: weights must be "uniform" or "distance", got ${JSON.stringify(opts.weights)}`);
    this.batchSize = opts.batchSize ?? 1024;
  }

  fit(x: ArrayLike, y: ArrayLike): this {
    const train = toMatrix("KNeighborsClassifier.fit", x);
    const { classes, codes } = encodeLabels("KNeighborsClassifier.fit", y, train.rows, 1);
    if (this.nNeighbors > train.rows) throw new ValueError(`KNeighborsClassifier.fit: nNeighbors = ${this.nNeighbors} but there are only ${train.rows} training samples`);
    const t = new Float64Array(train.data.length);
    for (let i = 0; i < train.rows; i++) for (let j = 0; j < train.cols; j++) t[j * train.rows + i] = train.data[i * train.cols + j]!;
    this.state = {
      classes, codes, train,
      trainT: tensor(t, { shape: [train.cols, train.rows], dtype: "float64" }),
      trainNorms: rowSquaredNorms(train.data, train.rows, train.cols),
    };
    return this;
  }

  /** Squared distances to every training point, one batch of queries at a time; `visit` sees each row. */
  private forEachRow(op: string, x: ArrayLike, visit: (i: number, d2: Float64Array, offset: number) => void): number {
    const s = fitted(this.state, "KNeighborsClassifier", op);
    const q = toMatrix(`KNeighborsClassifier.${op}`, x);
    checkFeatures(`KNeighborsClassifier.${op}`, q, s.train.cols);
    const n = s.train.rows, d = q.cols;
    const qNorms = rowSquaredNorms(q.data, q.rows, d);
    for (let start = 0; start < q.rows; start += this.batchSize) {
      const rows = Math.min(this.batchSize, q.rows - start);
      const batch = tensor(q.data.subarray(start * d, (start + rows) * d), { shape: [rows, d], dtype: "float64" });
      const dots = matmul(batch, s.trainT).data() as Float64Array; // [rows, n]
      for (let r = 0; r < rows; r++) {
        const o = r * n, qn = qNorms[start + r]!;
        for (let j = 0; j < n; j++) {
          const v = qn + s.trainNorms[j]! - 2 * dots[o + j]!;
          dots[o + j] = v > 0 ? v : 0;
        }
        visit(start + r, dots, o);
      }
    }
    return q.rows;
  }

  /** Distances [n, k] to the k nearest training samples and their indices [n, k] (int32), nearest first. */
  kneighbors(x: ArrayLike, nNeighbors = this.nNeighbors): [Tensor, Tensor] {
    const s = fitted(this.state, "KNeighborsClassifier", "kneighbors");
    const k = nNeighbors;
    const dist: number[] = [], idx: number[] = [];
    const rows = this.forEachRow("kneighbors", x, (_i, d2, o) => {
      const nearest = smallestK(d2, o, s.train.rows, k);
      for (const j of nearest) { idx.push(j); dist.push(Math.sqrt(d2[o + j]!)); }
    });
    return [matrixToTensor(Float64Array.from(dist), [rows, k], outDType(x)), tensor(Int32Array.from(idx), { shape: [rows, k], dtype: "int32" })];
  }

  private votes(op: string, x: ArrayLike): { p: Float64Array; n: number; s: Fit } {
    const s = fitted(this.state, "KNeighborsClassifier", op);
    const k = this.nNeighbors, c = s.classes.length;
    const rowsVotes: Float64Array[] = [];
    this.forEachRow(op, x, (_i, d2, o) => {
      const v = new Float64Array(c);
      const nearest = smallestK(d2, o, s.train.rows, k);
      const exact = this.weights === "distance" ? nearest.filter((j) => d2[o + j] === 0) : [];
      for (const j of exact.length > 0 ? exact : nearest) {
        // With distance weights an exact match takes all the weight (1/0).
        v[s.codes[j]!]! += this.weights === "uniform" || exact.length > 0 ? 1 : 1 / Math.sqrt(d2[o + j]!);
      }
      const total = v.reduce((a, b) => a + b, 0);
      rowsVotes.push(v.map((w) => w / total));
    });
    const p = new Float64Array(rowsVotes.length * c);
    rowsVotes.forEach((v, i) => p.set(v, i * c));
    return { p, n: rowsVotes.length, s };
  }

  /** Vote shares of each class among the neighbours [n, nClasses]. */
  predictProba(x: ArrayLike): Tensor {
    const { p, n, s } = this.votes("predictProba", x);
    return matrixToTensor(p, [n, s.classes.length], outDType(x));
  }

  predict(x: ArrayLike): Tensor {
    const { p, n, s } = this.votes("predict", x);
    const c = s.classes.length;
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let k = 1; k < c; k++) if (p[i * c + k]! > p[i * c + best]!) best = k;
      codes[i] = best;
    }
    return decodeLabels(s.classes, codes);
  }

  get classes(): number[] {
    return [...fitted(this.state, "KNeighborsClassifier", "classes").classes];
  }

  score(x: ArrayLike, y: ArrayLike): number {
    return accuracyOf(this.predict(x), y);
  }
}

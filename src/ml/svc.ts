/**
 * Support vector classification: the soft-margin SVM
 *
 *   min_{w,b} ½‖w‖² + C Σᵢ max(0, 1 − yᵢ (w·φ(xᵢ) + b))
 *
 * solved in its dual by SMO (see internal/smo.ts), so φ enters only through
 * a kernel K(x, z) = φ(x)·φ(z): "linear", "polynomial" (coef0 + γ x·z)^degree,
 * "rbf" exp(−γ‖x − z‖²) and "laplace" exp(−γ‖x − z‖), γ = 1/(2σ²) (the
 * formulas of fx.ml.kernels). The decision function is
 * f(x) = Σᵢ αᵢ yᵢ K(xᵢ, x) − ρ over the support vectors (αᵢ > 0).
 *
 * More than two classes: one-vs-one (default: a classifier per pair of classes,
 * the prediction wins most votes) or one-vs-rest (one per class, largest score
 * wins). With `probability: true`, Platt scaling turns scores into
 * probabilities (fitted on the training scores), coupled across pairs by Wu,
 * Lin & Weng's method for one-vs-one.
 *
 *   const svc = new fx.ml.SVC({ kernel: "rbf", C: 10, gamma: 0.5 }).fit(X, y);
 *   svc.predict(Xtest); svc.supportVectors; svc.nSupport;
 */
import { ValueError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import type { ArrayLike } from "../ops/convert.js";
import { tensor } from "../ops/creation.js";
import { fitted } from "./internal/fitted.js";
import { KernelRows, kernelBlock, type KernelKind, type KernelParams } from "./internal/kernel-matrix.js";
import { accuracyOf, decodeLabels, encodeLabels } from "./internal/labels.js";
import { checkFeatures, matrixToTensor, outDType, takeRows, toMatrix } from "./internal/matrix.js";
import { couplePairwise, plattFit, plattProbability } from "./internal/platt.js";
import { smo } from "./internal/smo.js";

export type SvcKernel = KernelKind | "poly" | "gaussian";

export interface SVCOptions {
  /** Penalty on margin violations (default 1). */
  C?: number;
  /** "rbf" (default; also "gaussian"), "linear", "polynomial" ("poly") or "laplace". */
  kernel?: SvcKernel;
  /** γ for rbf, laplace and polynomial: a number, or "scale" (default) = 1 / (nFeatures · Var(X)). */
  gamma?: number | "scale";
  /** Width σ for rbf/laplace instead of gamma: γ = 1/(2σ²). */
  sigma?: number;
  degree?: number;
  /** Constant term of the polynomial kernel (default 1). */
  coef0?: number;
  /** KKT tolerance of SMO (default 1e-3). */
  tol?: number;
  /** Largest number of SMO steps per binary problem (default 1e6). */
  maxIter?: number;
  /** "ovo" (default) or "ovr" for more than two classes. */
  multiClass?: "ovo" | "ovr";
  /** Fit Platt scaling so predictProba works (default false). */
  probability?: boolean;
  /** Kernel row cache in megabytes (default 512). */
  cacheSize?: number;
}

interface Problem {
  /** Positive and negative class indices (ovr: negative = −1 for "the rest"). */
  pos: number;
  neg: number;
  /** Coefficients αᵢyᵢ over the union of support vectors [nSV]. */
  coef: Float64Array;
  rho: number;
  platt?: { A: number; B: number };
  iterations: number;
  converged: boolean;
}

interface Fit {
  classes: number[];
  kernel: KernelParams;
  /** Indices of the support vectors in the training set, increasing. */
  support: Int32Array;
  supportVectors: Float64Array;
  supportCodes: Int32Array;
  problems: Problem[];
  features: number;
  mode: "binary" | "ovo" | "ovr";
}

const KERNELS: Record<SvcKernel, KernelKind> = { linear: "linear", polynomial: "polynomial", poly: "polynomial", rbf: "rbf", gaussian: "rbf", laplace: "laplace" };

export class SVC {
  readonly C: number;
  readonly kernel: KernelKind;
  readonly gamma: number | "scale";
  readonly sigma?: number;
  readonly degree: number;
  readonly coef0: number;
  readonly tol: number;
  readonly maxIter: number;
  readonly multiClass: "ovo" | "ovr";
  readonly probability: boolean;
  readonly cacheSize: number;
  /** Kernel rows computed during the last fit (a cost measure). */
  kernelRowsComputed = 0;
  private state?: Fit;

  constructor(opts: SVCOptions = {}) {
    this.C = opts.C ?? 1;
    if (!(this.C > 0)) throw new ValueError(`SVC: C must be > 0, got ${opts.C}`);
    const kernel = opts.kernel ?? "rbf";
    if (!(kernel in KERNELS)) throw new ValueError(`SVC: kernel must be one of ${Object.keys(KERNELS).join(", ")}, got ${JSON.stringify(opts.kernel)}`);
    this.kernel = KERNELS[kernel];
    if (opts.sigma !== undefined && opts.gamma !== undefined) throw new ValueError("SVC: give sigma or gamma, not both");
    if (opts.sigma !== undefined && !(opts.sigma > 0)) throw new ValueError(`SVC: sigma must be > 0, got ${opts.sigma}`);
    this.sigma = opts.sigma;
    this.gamma = opts.gamma ?? "scale";
    if (this.gamma !== "scale" && !(this.gamma > 0)) throw new ValueError(`SVC: gamma must be > 0 or "scale", got ${opts.gamma}`);
    this.degree = opts.degree ?? 3;
    this.coef0 = opts.coef0 ?? 1;
    this.tol = opts.tol ?? 1e-3;
    this.maxIter = opts.maxIter ?? 1_000_000;
    this.multiClass = opts.multiClass ?? "ovo";
    if (this.multiClass !== "ovo" && this.multiClass !== "ovr") throw new ValueError(`SVC: multiClass must be "ovo" or "ovr", got ${JSON.stringify(opts.multiClass)}`);
    this.probability = opts.probability ?? false;
    this.cacheSize = opts.cacheSize ?? 512;
  }

  fit(x: ArrayLike, y: ArrayLike): this {
    const m = toMatrix("SVC.fit", x);
    const { classes, codes } = encodeLabels("SVC.fit", y, m.rows);
    const k = classes.length, n = m.rows;
    let gamma: number;
    if (this.sigma !== undefined) gamma = 1 / (2 * this.sigma * this.sigma);
    else if (this.gamma === "scale") {
      let s = 0, s2 = 0;
      for (const v of m.data) { s += v; s2 += v * v; }
      const variance = s2 / m.data.length - (s / m.data.length) ** 2;
      gamma = variance > 0 ? 1 / (m.cols * variance) : 1;
    } else gamma = this.gamma;
    const kernel: KernelParams = { kind: this.kernel, gamma, degree: this.degree, coef0: this.coef0 };
    const rows = new KernelRows(kernel, m, this.cacheSize * 2 ** 20);
    const mode = k === 2 ? "binary" : this.multiClass;

    // Each binary problem: (sample indices, labels ±1).
    const specs: { pos: number; neg: number; index: Int32Array; y: Int8Array }[] = [];
    if (mode === "binary") {
      specs.push({ pos: 1, neg: 0, index: Int32Array.from({ length: n }, (_, i) => i), y: Int8Array.from(codes, (c) => (c === 1 ? 1 : -1)) });
    } else if (mode === "ovo") {
      for (let a = 0; a < k; a++) {
        for (let b = a + 1; b < k; b++) {
          const index: number[] = [];
          for (let i = 0; i < n; i++) if (codes[i] === a || codes[i] === b) index.push(i);
          specs.push({ pos: a, neg: b, index: Int32Array.from(index), y: Int8Array.from(index, (i) => (codes[i] === a ? 1 : -1)) });
        }
      }
    } else {
      for (let a = 0; a < k; a++) {
        specs.push({ pos: a, neg: -1, index: Int32Array.from({ length: n }, (_, i) => i), y: Int8Array.from(codes, (c) => (c === a ? 1 : -1)) });
      }
    }
    const solved = specs.map((p) => ({ ...p, ...smo(rows, p.index, p.y, this.C, this.tol, this.maxIter) }));
    this.kernelRowsComputed = rows.rowsComputed;

    // Union of support vectors, and each problem's coefficients over it.
    const isSupport = new Uint8Array(n);
    for (const p of solved) p.alpha.forEach((a, t) => { if (a > 0) isSupport[p.index[t]!] = 1; });
    const support = Int32Array.from(Array.from(isSupport.keys()).filter((i) => isSupport[i]));
    const position = new Int32Array(n).fill(-1);
    support.forEach((i, s) => { position[i] = s; });
    const problems: Problem[] = solved.map((p) => {
      const coef = new Float64Array(support.length);
      p.alpha.forEach((a, t) => { if (a > 0) coef[position[p.index[t]!]!] = a * p.y[t]!; });
      return { pos: p.pos, neg: p.neg, coef, rho: p.rho, iterations: p.iterations, converged: p.converged };
    });
    const sv = takeRows(m, support);
    this.state = { classes, kernel, support, supportVectors: sv.data, supportCodes: Int32Array.from(support, (i) => codes[i]!), problems, features: m.cols, mode };

    if (this.probability) {
      const f = this.rawDecision(m.data, n);
      problems.forEach((p, q) => {
        const spec = specs[q]!;
        const scores = Float64Array.from(spec.index, (i) => f[i * problems.length + q]!);
        p.platt = plattFit(scores, Uint8Array.from(spec.y, (v) => (v === 1 ? 1 : 0)));
      });
    }
    return this;
  }

  /** Decision values [n, nProblems] for rows of a matrix. */
  private rawDecision(data: Float64Array, n: number): Float64Array {
    const s = this.state!;
    const nsv = s.support.length, np = s.problems.length, d = s.features;
    const out = new Float64Array(n * np);
    const batch = Math.max(1, Math.floor((1 << 24) / Math.max(1, nsv)));
    for (let start = 0; start < n; start += batch) {
      const rows = Math.min(batch, n - start);
      const K = kernelBlock(s.kernel, { data: data.subarray(start * d, (start + rows) * d), rows, cols: d }, { data: s.supportVectors, rows: nsv, cols: d });
      for (let r = 0; r < rows; r++) {
        for (let q = 0; q < np; q++) {
          const coef = s.problems[q]!.coef;
          let v = -s.problems[q]!.rho;
          for (let t = 0; t < nsv; t++) v += coef[t]! * K[r * nsv + t]!;
          out[(start + r) * np + q] = v;
        }
      }
    }
    return out;
  }

  private decisionOf(op: string, x: ArrayLike): { f: Float64Array; n: number; s: Fit } {
    const s = fitted(this.state, "SVC", op);
    const m = toMatrix(`SVC.${op}`, x);
    checkFeatures(`SVC.${op}`, m, s.features);
    return { f: this.rawDecision(m.data, m.rows), n: m.rows, s };
  }

  /**
   * Decision values: [n] for two classes (positive: the second class),
   * [n, nClasses·(nClasses−1)/2] for one-vs-one (pairs (0,1), (0,2), …, positive: the first of the pair),
   * [n, nClasses] for one-vs-rest.
   */
  decisionFunction(x: ArrayLike): Tensor {
    const { f, n, s } = this.decisionOf("decisionFunction", x);
    return matrixToTensor(f, s.mode === "binary" ? [n] : [n, s.problems.length], outDType(x));
  }

  private codesFrom(f: Float64Array, n: number, s: Fit): Int32Array {
    const k = s.classes.length, np = s.problems.length;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (s.mode === "binary") { out[i] = f[i]! > 0 ? 1 : 0; continue; }
      if (s.mode === "ovr") {
        let best = 0;
        for (let q = 1; q < np; q++) if (f[i * np + q]! > f[i * np + best]!) best = q;
        out[i] = best;
        continue;
      }
      const votes = new Float64Array(k);
      for (let q = 0; q < np; q++) votes[f[i * np + q]! > 0 ? s.problems[q]!.pos : s.problems[q]!.neg]!++;
      let best = 0;
      for (let c = 1; c < k; c++) if (votes[c]! > votes[best]!) best = c;
      out[i] = best;
    }
    return out;
  }

  predict(x: ArrayLike): Tensor {
    const { f, n, s } = this.decisionOf("predict", x);
    return decodeLabels(s.classes, this.codesFrom(f, n, s));
  }

  /** Class probabilities [n, nClasses]; needs `probability: true` at construction. */
  predictProba(x: ArrayLike): Tensor {
    if (!this.probability) throw new ValueError("SVC.predictProba: construct the SVC with { probability: true } to fit Platt scaling");
    const { f, n, s } = this.decisionOf("predictProba", x);
    const k = s.classes.length, np = s.problems.length;
    const out = new Float64Array(n * k);
    for (let i = 0; i < n; i++) {
      if (s.mode === "binary") {
        const p1 = plattProbability(f[i]!, s.problems[0]!.platt!.A, s.problems[0]!.platt!.B);
        out[i * 2] = 1 - p1; out[i * 2 + 1] = p1;
      } else if (s.mode === "ovr") {
        let total = 0;
        for (let q = 0; q < np; q++) total += out[i * k + q] = plattProbability(f[i * np + q]!, s.problems[q]!.platt!.A, s.problems[q]!.platt!.B);
        for (let q = 0; q < np; q++) out[i * k + q]! /= total || 1;
      } else {
        const r = new Float64Array(k * k);
        for (let q = 0; q < np; q++) {
          const p = s.problems[q]!;
          const v = Math.min(Math.max(plattProbability(f[i * np + q]!, p.platt!.A, p.platt!.B), 1e-7), 1 - 1e-7);
          r[p.pos * k + p.neg] = v;
          r[p.neg * k + p.pos] = 1 - v;
        }
        out.set(couplePairwise(r, k), i * k);
      }
    }
    return matrixToTensor(out, [n, k], outDType(x));
  }

  score(x: ArrayLike, y: ArrayLike): number {
    return accuracyOf(this.predict(x), y);
  }

  get classes(): number[] {
    return [...fitted(this.state, "SVC", "classes").classes];
  }
  /** The support vectors [nSV, nFeatures] (training samples with αᵢ > 0 in some binary problem). */
  get supportVectors(): Tensor {
    const s = fitted(this.state, "SVC", "supportVectors");
    return matrixToTensor(s.supportVectors, [s.support.length, s.features], "float64");
  }
  /** Their indices in the training set [nSV] (int32). */
  get support(): Tensor {
    const s = fitted(this.state, "SVC", "support");
    return tensor(s.support, { shape: [s.support.length], dtype: "int32" });
  }
  /** Number of support vectors of each class [nClasses]. */
  get nSupport(): number[] {
    const s = fitted(this.state, "SVC", "nSupport");
    const counts = new Array<number>(s.classes.length).fill(0);
    for (const c of s.supportCodes) counts[c]!++;
    return counts;
  }
  /** αᵢyᵢ of each binary problem over the support vectors [nProblems, nSV]. */
  get dualCoef(): Tensor {
    const s = fitted(this.state, "SVC", "dualCoef");
    const all = new Float64Array(s.problems.length * s.support.length);
    s.problems.forEach((p, q) => all.set(p.coef, q * s.support.length));
    return matrixToTensor(all, [s.problems.length, s.support.length], "float64");
  }
  /** −ρ of each binary problem [nProblems]. */
  get intercept(): Tensor {
    const s = fitted(this.state, "SVC", "intercept");
    return matrixToTensor(Float64Array.from(s.problems, (p) => -p.rho), [s.problems.length], "float64");
  }
  /** Linear kernel only: the primal weights w = Σ αᵢyᵢxᵢ [nProblems, nFeatures]. */
  get coef(): Tensor {
    const s = fitted(this.state, "SVC", "coef");
    if (s.kernel.kind !== "linear") throw new ValueError(`SVC.coef: only the linear kernel has primal weights (this SVC uses "${s.kernel.kind}")`);
    const d = s.features, nsv = s.support.length;
    const w = new Float64Array(s.problems.length * d);
    s.problems.forEach((p, q) => {
      for (let t = 0; t < nsv; t++) for (let j = 0; j < d; j++) w[q * d + j]! += p.coef[t]! * s.supportVectors[t * d + j]!;
    });
    return matrixToTensor(w, [s.problems.length, d], "float64");
  }
  /** SMO steps taken by each binary problem, and whether each met the tolerance. */
  get nIter(): number[] {
    return fitted(this.state, "SVC", "nIter").problems.map((p) => p.iterations);
  }
}

/**
 * Kernels on Float64Array rows for the SVM solver: whole rows K(xᵢ, ·) over
 * the training set, computed on demand and cached, and blocks K(X, Z) for
 * prediction. Same formulas as fx.ml.kernels.
 */
import { matmulNT, rowSquaredNorms } from "./blas.js";
import type { Matrix } from "./matrix.js";

export type KernelKind = "linear" | "polynomial" | "rbf" | "laplace";

export interface KernelParams {
  kind: KernelKind;
  gamma: number;
  degree: number;
  coef0: number;
}

/** K from the dot product x·z and the squared distance ‖x − z‖². */
export function kernelValue(p: KernelParams, dot: number, d2: number): number {
  switch (p.kind) {
    case "linear": return dot;
    case "polynomial": return (p.coef0 + p.gamma * dot) ** p.degree;
    case "rbf": return Math.exp(-p.gamma * d2);
    case "laplace": return Math.exp(-p.gamma * Math.sqrt(d2));
    default: return p.kind satisfies never;
  }
}

/** K(X, Z) [m, n] for rows of X [m, d] and Z [n, d]. */
export function kernelBlock(p: KernelParams, x: Matrix, z: Matrix): Float64Array {
  const k = matmulNT(x.data, z.data, x.rows, x.cols, z.rows);
  const nx = rowSquaredNorms(x.data, x.rows, x.cols), nz = rowSquaredNorms(z.data, z.rows, z.cols);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < z.rows; j++) {
      const dot = k[i * z.rows + j]!;
      k[i * z.rows + j] = kernelValue(p, dot, Math.max(0, nx[i]! + nz[j]! - 2 * dot));
    }
  }
  return k;
}

/** Rows K(xᵢ, x₀…xₙ₋₁) of the training kernel matrix, cached up to a memory budget (least recently used rows go first). */
export class KernelRows {
  private readonly norms: Float64Array;
  private readonly cache = new Map<number, Float64Array>();
  private readonly capacity: number;
  readonly diagonal: Float64Array;
  rowsComputed = 0;

  constructor(private readonly params: KernelParams, private readonly x: Matrix, cacheBytes: number) {
    this.norms = rowSquaredNorms(x.data, x.rows, x.cols);
    this.capacity = Math.max(2, Math.floor(cacheBytes / (8 * x.rows)));
    this.diagonal = new Float64Array(x.rows);
    for (let i = 0; i < x.rows; i++) this.diagonal[i] = kernelValue(params, this.norms[i]!, 0);
  }

  row(i: number): Float64Array {
    const hit = this.cache.get(i);
    if (hit) {
      this.cache.delete(i); // re-insert: Map order is our recency order
      this.cache.set(i, hit);
      return hit;
    }
    const { rows: n, cols: d, data } = this.x;
    const out = new Float64Array(n);
    const io = i * d, ni = this.norms[i]!;
    for (let j = 0; j < n; j++) {
      const jo = j * d;
      let dot = 0;
      for (let p = 0; p < d; p++) dot += data[io + p]! * data[jo + p]!;
      out[j] = kernelValue(this.params, dot, Math.max(0, ni + this.norms[j]! - 2 * dot));
    }
    this.rowsComputed++;
    if (this.cache.size >= this.capacity) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(i, out);
    return out;
  }
}

/**
 * Kernel functions (`fx.ml.kernels`): a kernel is a dot product in some
 * feature space, K(x, z) = φ(x)·φ(z). The formulas are the ones in the
 * lectures:
 *
 *   linear       K(x, z) = x·z
 *   polynomial   K(x, z) = (coef0 + gamma x·z)^degree   (gamma = 1: (x·z)^d with coef0 = 0, (1 + x·z)^d with coef0 = 1)
 *   rbf          K(x, z) = exp(−‖x − z‖² / (2σ²))       (Gaussian; or exp(−gamma ‖x − z‖²))
 *   laplace      K(x, z) = exp(−‖x − z‖ / (2σ²))        (or exp(−gamma ‖x − z‖))
 *
 * Each takes two vectors [d] (→ a scalar) or two sets of row vectors X [n, d]
 * and Z [m, d] (→ the Gram matrix [n, m]); Z defaults to X. They are built
 * from tensor ops, so they work under grad, vmap and jit.
 *
 *   const K = fx.ml.kernels.rbf(X, X, { sigma: 0.5 });  // [n, n], ones on the diagonal
 */
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { unify, type ArrayLike } from "../ops/convert.js";
import { exp, sqrt } from "../ops/elementwise.js";
import { matmul } from "../ops/matmul.js";
import { sum } from "../ops/reduce.js";
import { concatenate, expandDims, reshape } from "../ops/shape.js";
import { slice } from "../ops/indexing.js";

export interface PolynomialOptions {
  /** Exponent d (default 3). */
  degree?: number;
  /** Constant c added to the scaled dot product (default 1: the inhomogeneous kernel). */
  coef0?: number;
  /** Scale of the dot product (default 1). */
  gamma?: number;
}

/** Width of the rbf and laplace kernels: σ (default 1), or gamma = 1 / (2σ²) directly. */
export interface WidthOptions {
  sigma?: number;
  gamma?: number;
}

/** Pairs (X, Z) as 2-D tensors of one dtype, and whether both were vectors. */
function operands(op: string, x: ArrayLike, z: ArrayLike | undefined): [Tensor, Tensor, boolean] {
  let [a, b] = unify([x, z ?? x], true) as [Tensor, Tensor];
  const vectors = a.ndim === 1 && b.ndim === 1;
  if (vectors) [a, b] = [reshape(a, [1, a.shape[0]!]), reshape(b, [1, b.shape[0]!])];
  if (a.ndim !== 2 || b.ndim !== 2) {
    throw new ShapeError(`kernels.${op}: expected two vectors [d] or two matrices [n, d] and [m, d], got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  if (a.shape[1] !== b.shape[1]) {
    throw new ShapeError(`kernels.${op}: feature sizes differ: ${fmtShape(a.shape)} and ${fmtShape(b.shape)} (axis -1 has ${a.shape[1]} and ${b.shape[1]})`);
  }
  return [a, b, vectors];
}

function finish(k: Tensor, vectors: boolean): Tensor {
  return vectors ? reshape(k, []) : k;
}

export function widthGamma(op: string, opts: WidthOptions): number {
  if (opts.sigma !== undefined && opts.gamma !== undefined) throw new ValueError(`kernels.${op}: give sigma or gamma, not both`);
  if (opts.gamma !== undefined) {
    if (!(opts.gamma > 0)) throw new ValueError(`kernels.${op}: gamma must be > 0, got ${opts.gamma}`);
    return opts.gamma;
  }
  const sigma = opts.sigma ?? 1;
  if (!(sigma > 0)) throw new ValueError(`kernels.${op}: sigma must be > 0, got ${sigma}`);
  return 1 / (2 * sigma * sigma);
}

/**
 * ‖xᵢ − zⱼ‖² from the differences themselves (not ‖x‖² + ‖z‖² − 2x·z, which
 * loses digits when points are close), a block of rows at a time to bound memory.
 */
function squaredDistances(a: Tensor, b: Tensor): Tensor {
  const [n, d] = a.shape as [number, number];
  const m = b.shape[0]!;
  const rowsPerBlock = Math.max(1, Math.floor((1 << 22) / Math.max(1, m * d)));
  const bRow = expandDims(b, 0); // [1, m, d]
  const blocks: Tensor[] = [];
  for (let start = 0; start < n; start += rowsPerBlock) {
    const rows = n <= rowsPerBlock ? a : slice(a, [start, Math.min(n, start + rowsPerBlock)]);
    const diff = expandDims(rows, 1).sub(bRow); // [r, m, d]
    blocks.push(sum(diff.mul(diff), -1));
  }
  return blocks.length === 1 ? blocks[0]! : concatenate(blocks, 0);
}

/**
 * Linear kernel K(x, z) = x·z.
 *
 *   fx.ml.kernels.linear([1, 2], [3, 4]).item(); // 11
 */
export function linear(x: ArrayLike, z?: ArrayLike): Tensor {
  const [a, b, vectors] = operands("linear", x, z);
  return finish(matmul(a, b.T), vectors);
}

/**
 * Polynomial kernel K(x, z) = (coef0 + gamma x·z)^degree.
 *
 *   fx.ml.kernels.polynomial([1, 2], [3, 4], { degree: 2 }).item(); // (1 + 11)² = 144
 */
export function polynomial(x: ArrayLike, z?: ArrayLike, opts: PolynomialOptions = {}): Tensor {
  const { degree = 3, coef0 = 1, gamma = 1 } = opts;
  if (!Number.isInteger(degree) || degree < 1) throw new ValueError(`kernels.polynomial: degree must be a positive integer, got ${degree}`);
  const [a, b, vectors] = operands("polynomial", x, z);
  return finish(matmul(a, b.T).mul(gamma).add(coef0).pow(degree), vectors);
}

/**
 * Gaussian (RBF) kernel K(x, z) = exp(−‖x − z‖² / (2σ²)).
 *
 *   fx.ml.kernels.rbf([0, 0], [1, 1], { sigma: 1 }).item(); // exp(−1) ≈ 0.368
 */
export function rbf(x: ArrayLike, z?: ArrayLike, opts: WidthOptions = {}): Tensor {
  const gamma = widthGamma("rbf", opts);
  const [a, b, vectors] = operands("rbf", x, z);
  return finish(exp(squaredDistances(a, b).mul(-gamma)), vectors);
}

/**
 * Laplace kernel K(x, z) = exp(−‖x − z‖ / (2σ²)).
 *
 *   fx.ml.kernels.laplace([0, 0], [3, 4], { sigma: 1 }).item(); // exp(−5/2) ≈ 0.082
 */
export function laplace(x: ArrayLike, z?: ArrayLike, opts: WidthOptions = {}): Tensor {
  const gamma = widthGamma("laplace", opts);
  const [a, b, vectors] = operands("laplace", x, z);
  return finish(exp(sqrt(squaredDistances(a, b)).mul(-gamma)), vectors);
}


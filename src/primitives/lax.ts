/**
 * Thin typed wrappers that bind one primitive each (JAX's `lax`). Derivative
 * rules are written with these, so they are differentiable themselves. No
 * broadcasting of ranks or dtype promotion happens here: that is the ops layer.
 */
import { shapesEqual as sameShape } from "../core/shape.js";
import type { DType } from "../core/dtype.js";
import type { Tensor } from "../core/tensor.js";
import { bind, bind1 } from "../core/trace.js";
import type { BinaryName, CompareName, ConvParams, PrimName, PrimParams, UnaryName } from "../backend/spec.js";
import { table } from "./table.js";
import { scalar } from "./constant.js";

const none = {} as Record<string, never>;

function b1<K extends PrimName>(name: K, args: Tensor[], params: PrimParams[K]): Tensor {
  return bind1(table[name], args, params);
}

export const unary = (name: UnaryName, x: Tensor) => b1(name, [x], none);
export const binary = (name: BinaryName, x: Tensor, y: Tensor) => b1(name, [x, y], none);
export const compare = (name: CompareName, x: Tensor, y: Tensor) => b1(name, [x, y], none);

export const neg = (x: Tensor) => unary("neg", x);
export const exp = (x: Tensor) => unary("exp", x);
export const log = (x: Tensor) => unary("log", x);
export const sqrt = (x: Tensor) => unary("sqrt", x);
export const sin = (x: Tensor) => unary("sin", x);
export const cos = (x: Tensor) => unary("cos", x);
export const tanh = (x: Tensor) => unary("tanh", x);
export const logistic = (x: Tensor) => unary("logistic", x);
export const abs = (x: Tensor) => unary("abs", x);
export const sign = (x: Tensor) => unary("sign", x);
export const add = (x: Tensor, y: Tensor) => binary("add", x, y);
export const sub = (x: Tensor, y: Tensor) => binary("sub", x, y);
export const mul = (x: Tensor, y: Tensor) => binary("mul", x, y);
export const div = (x: Tensor, y: Tensor) => binary("div", x, y);
export const pow = (x: Tensor, y: Tensor) => binary("pow", x, y);
export const max = (x: Tensor, y: Tensor) => binary("max", x, y);
export const min = (x: Tensor, y: Tensor) => binary("min", x, y);
export const eq = (x: Tensor, y: Tensor) => compare("eq", x, y);
export const ne = (x: Tensor, y: Tensor) => compare("ne", x, y);
export const lt = (x: Tensor, y: Tensor) => compare("lt", x, y);
export const gt = (x: Tensor, y: Tensor) => compare("gt", x, y);
export const ge = (x: Tensor, y: Tensor) => compare("ge", x, y);
export const le = (x: Tensor, y: Tensor) => compare("le", x, y);
export const and = (x: Tensor, y: Tensor) => b1("and", [x, y], none);
export const or = (x: Tensor, y: Tensor) => b1("or", [x, y], none);
export const xor = (x: Tensor, y: Tensor) => b1("xor", [x, y], none);
export const not = (x: Tensor) => b1("not", [x], none);
export const select = (c: Tensor, x: Tensor, y: Tensor) => b1("select", [c, x, y], none);
export const cast = (x: Tensor, dtype: DType) => (x.dtype === dtype ? x : b1("cast", [x], { dtype }));
export const stopGradient = (x: Tensor) => b1("stop_gradient", [x], none);

export const reduceSum = (x: Tensor, axes: number[]) => b1("reduce_sum", [x], { axes });
export const reduceMax = (x: Tensor, axes: number[]) => b1("reduce_max", [x], { axes });
export const reduceMin = (x: Tensor, axes: number[]) => b1("reduce_min", [x], { axes });
export const reduceProd = (x: Tensor, axes: number[]) => b1("reduce_prod", [x], { axes });
export const argmax = (x: Tensor, axis: number) => b1("argmax", [x], { axis });
export const argmin = (x: Tensor, axis: number) => b1("argmin", [x], { axis });
export const cumsum = (x: Tensor, axis: number, reverse = false) => b1("cumsum", [x], { axis, reverse });

export const reshape = (x: Tensor, shape: readonly number[]) =>
  sameShape(x.shape, shape) ? x : b1("reshape", [x], { shape: [...shape] });
export const broadcastTo = (x: Tensor, shape: readonly number[]) =>
  sameShape(x.shape, shape) ? x : b1("broadcast_to", [x], { shape: [...shape] });
export const transpose = (x: Tensor, perm: readonly number[]) =>
  perm.length === x.shape.length && perm.every((p, i) => p === i) ? x : b1("transpose", [x], { perm: [...perm] });
export const slice = (x: Tensor, starts: number[], limits: number[], strides?: number[]) =>
  b1("slice", [x], { starts, limits, strides: strides ?? starts.map(() => 1) });
export const pad = (x: Tensor, lo: number[], hi: number[], interior?: number[]) =>
  b1("pad", [x], { lo, hi, interior: interior ?? lo.map(() => 0) });
export const concatenate = (xs: Tensor[], axis: number) => (xs.length === 1 ? xs[0]! : b1("concatenate", xs, { axis }));
export const rev = (x: Tensor, axes: number[]) => (axes.length === 0 ? x : b1("rev", [x], { axes }));
export const gather = (x: Tensor, idx: Tensor, axis: number) => b1("gather", [x, idx], { axis });
export const scatterAdd = (x: Tensor, idx: Tensor, upd: Tensor, axis: number) => b1("scatter_add", [x, idx, upd], { axis });
export const dot = (a: Tensor, b: Tensor) => b1("dot", [a, b], none);
export const conv = (x: Tensor, w: Tensor, params: ConvParams) => b1("conv", [x, w], params);
export const reduceWindowMax = (x: Tensor, window: number[], strides: number[]) =>
  b1("reduce_window_max", [x], { window, strides });
/** t at the first maximum of x in each window (the tangent of reduceWindowMax). */
export const selectAndGatherAdd = (t: Tensor, x: Tensor, window: number[], strides: number[]) =>
  b1("select_and_gather_add", [t, x], { window, strides });
/** Each window's s added at the first maximum of x in that window, zeros elsewhere (the transpose of the gather). */
export const selectAndScatterAdd = (s: Tensor, x: Tensor, window: number[], strides: number[]) =>
  b1("select_and_scatter_add", [s, x], { window, strides });
export const randomBits = (key: Tensor, shape: number[], salt: number) => b1("random_bits", [key], { shape, salt });
export const argsort = (x: Tensor, axis: number) => b1("argsort", [x], { axis });

export const cholesky = (a: Tensor) => b1("cholesky", [a], none);
export const triangularSolve = (a: Tensor, b: Tensor, lower: boolean, transposeA = false, unitDiagonal = false) =>
  b1("triangular_solve", [a, b], { lower, transposeA, unitDiagonal });
export const lu = (a: Tensor) => bind(table.lu, [a], none);
export const qr = (a: Tensor) => bind(table.qr, [a], none);
export const eigh = (a: Tensor) => bind(table.eigh, [a], none);
export const svd = (a: Tensor) => bind(table.svd, [a], none);

// Small conveniences used throughout the rules.

export { sameShape };

/** A scalar constant of x's dtype (broadcast by the primitive). */
export const cst = (value: number, like: { dtype: DType }) => scalar(value, like.dtype);

export const zerosLike = (x: { shape: readonly number[]; dtype: DType }) => broadcastTo(scalar(0, x.dtype), x.shape);

/** Moves axis `from` to position `to`. */
export function moveAxis(x: Tensor, from: number, to: number): Tensor {
  if (from === to) return x;
  const perm = x.shape.map((_, i) => i).filter((i) => i !== from);
  perm.splice(to, 0, from);
  return transpose(x, perm);
}

/** Swaps the last two axes (matrix transpose of a batch of matrices). */
export function mT(x: Tensor): Tensor {
  const n = x.shape.length;
  const perm = x.shape.map((_, i) => i);
  perm[n - 2] = n - 1;
  perm[n - 1] = n - 2;
  return transpose(x, perm);
}

/** Sums a cotangent of a broadcast shape back to `shape` (NumPy broadcasting undone). */
export function unbroadcast(ct: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(ct.shape, shape)) return ct;
  const lead = ct.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < ct.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && ct.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length ? reduceSum(ct, axes) : ct;
  return reshape(summed, shape);
}

export const unaryReduce = (name: "reduce_sum" | "reduce_max" | "reduce_min" | "reduce_prod", x: Tensor, axes: number[]) =>
  b1(name, [x], { axes });

/**
 * Elementwise operations with NumPy broadcasting and dtype promotion. Each is
 * a primitive or a short composite of primitives, so every transform applies.
 */
import { isFloat } from "../core/dtype.js";
import { DTypeError, fmtShape } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import type { BinaryName, CompareName, UnaryName } from "../backend/spec.js";
import * as lax from "../primitives/lax.js";
import { asTensor, unify, unifyPair, type ArrayLike } from "./convert.js";

const FLOAT_UNARY = new Set<UnaryName>(["exp", "log", "log1p", "expm1", "sqrt", "sin", "cos", "tan", "tanh", "asin", "acos", "atan", "sinh", "cosh", "logistic", "erf"]);

function unaryOp(name: UnaryName) {
  return (x: ArrayLike): Tensor => {
    let t = asTensor(x);
    if (FLOAT_UNARY.has(name) && t.dtype === "bool") {
      throw new DTypeError(`${name}: does not take bool tensors, got bool${fmtShape(t.shape)} (cast it with astype("float32") first)`);
    }
    // Integer inputs to transcendental functions compute in float32, as NumPy/JAX promote.
    if (FLOAT_UNARY.has(name) && !isFloat(t.dtype)) t = lax.cast(t, "float32");
    return lax.unary(name, t);
  };
}

function binaryOp(name: BinaryName, floatResult = false) {
  return (x: ArrayLike, y: ArrayLike): Tensor => {
    const [a, b] = unifyPair(x, y, floatResult);
    if (a.dtype === "bool") {
      if (name === "add" || name === "max") return lax.or(a, b);
      if (name === "mul" || name === "min") return lax.and(a, b);
      throw new DTypeError(`${name}: does not take bool tensors`);
    }
    return lax.binary(name, a, b);
  };
}

function compareOp(name: CompareName) {
  return (x: ArrayLike, y: ArrayLike): Tensor => {
    const [a, b] = unifyPair(x, y);
    return lax.compare(name, a, b);
  };
}

export const neg = unaryOp("neg");
export const exp = unaryOp("exp");
export const log = unaryOp("log");
export const log1p = unaryOp("log1p");
export const expm1 = unaryOp("expm1");
export const sqrt = unaryOp("sqrt");
export const sin = unaryOp("sin");
export const cos = unaryOp("cos");
export const tan = unaryOp("tan");
export const tanh = unaryOp("tanh");
export const arcsin = unaryOp("asin");
export const arccos = unaryOp("acos");
export const arctan = unaryOp("atan");
export const sinh = unaryOp("sinh");
export const cosh = unaryOp("cosh");
export const erf = unaryOp("erf");
export const abs = unaryOp("abs");
export const sign = unaryOp("sign");
export const floor = unaryOp("floor");
export const ceil = unaryOp("ceil");
export const round = unaryOp("round");
/** σ(x) = 1 / (1 + e^(−x)), computed without overflow for any x. */
export const sigmoid = unaryOp("logistic");

export const add = binaryOp("add");
export const sub = binaryOp("sub");
export const mul = binaryOp("mul");
/** True division: integer operands give float32. */
export const div = binaryOp("div", true);
export const pow = binaryOp("pow");
export const maximum = binaryOp("max");
export const minimum = binaryOp("min");
export const arctan2 = binaryOp("atan2", true);
/** Remainder with the sign of the divisor (NumPy's `mod`). */
export const mod = binaryOp("rem");

/** Integer division rounding toward −∞. */
export function floorDivide(x: ArrayLike, y: ArrayLike): Tensor {
  const [a, b] = unify([x, y]);
  if (isFloat(a!.dtype)) return lax.unary("floor", lax.div(a!, b!));
  return lax.div(a!, b!);
}

export const equal = compareOp("eq");
export const notEqual = compareOp("ne");
export const less = compareOp("lt");
export const lessEqual = compareOp("le");
export const greater = compareOp("gt");
export const greaterEqual = compareOp("ge");

function toBool(x: ArrayLike): Tensor {
  const t = asTensor(x);
  return t.dtype === "bool" ? t : lax.ne(t, lax.cst(0, t));
}

export const logicalAnd = (x: ArrayLike, y: ArrayLike) => lax.and(toBool(x), toBool(y));
export const logicalOr = (x: ArrayLike, y: ArrayLike) => lax.or(toBool(x), toBool(y));
export const logicalXor = (x: ArrayLike, y: ArrayLike) => lax.xor(toBool(x), toBool(y));
export const logicalNot = (x: ArrayLike) => lax.not(toBool(x));

export const square = (x: ArrayLike) => {
  const t = asTensor(x);
  return mul(t, t);
};
export const rsqrt = (x: ArrayLike) => div(1, sqrt(x));
export const reciprocal = (x: ArrayLike) => div(1, x);

/** max(x, 0); its derivative at 0 is 0, as in JAX and PyTorch. */
export function relu(x: ArrayLike): Tensor {
  const t = asTensor(x);
  return lax.select(lax.gt(t, lax.cst(0, t)), t, lax.cst(0, t));
}

/** `where(cond, x, y)`: x where cond is true, else y (all three broadcast). */
export function where(cond: ArrayLike, x: ArrayLike, y: ArrayLike): Tensor {
  const c = toBool(cond);
  const [a, b] = unify([x, y]);
  return lax.select(c, a!, b!);
}

export function clip(x: ArrayLike, lo: ArrayLike | null, hi: ArrayLike | null): Tensor {
  let t = asTensor(x);
  if (lo !== null && lo !== undefined) t = maximum(t, lo);
  if (hi !== null && hi !== undefined) t = minimum(t, hi);
  return t;
}

export const isNan = (x: ArrayLike) => {
  const t = asTensor(x);
  return isFloat(t.dtype) ? lax.ne(t, t) : lax.broadcastTo(asTensor(false), t.shape);
};
export const isFinite = (x: ArrayLike) => {
  const t = asTensor(x);
  return isFloat(t.dtype) ? lax.lt(lax.abs(t), lax.cst(Infinity, t)) : lax.broadcastTo(asTensor(true), t.shape);
};
export const isInf = (x: ArrayLike) => {
  const t = asTensor(x);
  return isFloat(t.dtype) ? lax.eq(lax.abs(t), lax.cst(Infinity, t)) : lax.broadcastTo(asTensor(false), t.shape);
};

/**
 * log(1 + e^x) without overflow: max(x, 0) + log1p(e^(min(x, 0) − max(x, 0))).
 * Written with max/min (not abs) so the derivative at 0 is exactly 1/2.
 */
export function softplus(x: ArrayLike): Tensor {
  const t = asTensor(x);
  const hi = maximum(t, 0);
  const lo = minimum(t, 0);
  return add(hi, log1p(exp(sub(lo, hi))));
}

export const astype = (x: ArrayLike, dtype: Tensor["dtype"]) => lax.cast(asTensor(x), dtype);

/**
 * Elementwise primitives. Binary ones broadcast as NumPy does (operands of
 * one dtype; the ops layer promotes), and their cotangents come back at the
 * broadcast shape: the reverse-mode driver sums them to each input's shape.
 */
import { isDType, isFloat, type DType } from "../core/dtype.js";
import { DTypeError, fmtShape } from "../core/errors.js";
import { needsCotangent, type MaybeTensor, type Primitive } from "../core/primitive.js";
import { broadcastShapes, shapesEqual, type Shape } from "../core/shape.js";
import type { Aval, Tensor } from "../core/tensor.js";
import type { BinaryName, CompareName, LogicalName, PrimParams, UnaryName } from "../backend/spec.js";
import * as lax from "./lax.js";
import { cst } from "./lax.js";
import { batchElementwise } from "./batching.js";

type None = Record<string, never>;

function sameDTypes(op: string, args: readonly Aval[]): DType {
  const dt = args[0]!.dtype;
  for (const a of args) {
    if (a.dtype !== dt) {
      throw new DTypeError(`${op}: operands must have one dtype, got ${args.map((x) => `${x.dtype}${fmtShape(x.shape)}`).join(" and ")} (cast one with astype)`);
    }
  }
  return dt;
}

/**
 * The broadcast shape. When it equals an operand's shape (same shapes, or a
 * tensor and a scalar) it is that very array: a tensor's frozen shape, which
 * the output then shares instead of freezing a copy.
 */
function broadcastAll(op: string, args: readonly Aval[]): Shape {
  let shape = args[0]!.shape;
  for (let i = 1; i < args.length; i++) {
    const next = args[i]!.shape;
    if (shapesEqual(shape, next)) continue;
    const both = broadcastShapes(op, shape, next);
    if (!shapesEqual(both, shape)) shape = shapesEqual(both, next) ? next : both;
  }
  return shape;
}

const zeroRules = {
  jvp: (_p: Tensor[], _t: MaybeTensor[], _params: unknown, outs: Tensor[]) => outs.map(() => null),
  vjp: (_c: MaybeTensor[], primals: Tensor[]) => primals.map(() => null),
};

/** d(out)/d(x) for each differentiable unary primitive, in primitives. */
const DERIVATIVE: Record<UnaryName, ((x: Tensor, out: Tensor) => Tensor) | null> = {
  neg: (x) => lax.broadcastTo(cst(-1, x), x.shape),
  exp: (_x, out) => out,
  log: (x) => lax.div(cst(1, x), x),
  log1p: (x) => lax.div(cst(1, x), lax.add(cst(1, x), x)),
  expm1: (x, out) => lax.add(out, cst(1, x)),
  sqrt: (x, out) => lax.div(cst(0.5, x), out),
  sin: (x) => lax.cos(x),
  cos: (x) => lax.neg(lax.sin(x)),
  tan: (x, out) => lax.add(cst(1, x), lax.mul(out, out)),
  tanh: (x, out) => lax.sub(cst(1, x), lax.mul(out, out)),
  asin: (x) => lax.div(cst(1, x), lax.sqrt(lax.sub(cst(1, x), lax.mul(x, x)))),
  acos: (x) => lax.div(cst(-1, x), lax.sqrt(lax.sub(cst(1, x), lax.mul(x, x)))),
  atan: (x) => lax.div(cst(1, x), lax.add(cst(1, x), lax.mul(x, x))),
  sinh: (x) => lax.unary("cosh", x),
  cosh: (x) => lax.unary("sinh", x),
  logistic: (x, out) => lax.mul(out, lax.sub(cst(1, x), out)),
  erf: (x) => lax.mul(cst(2 / Math.sqrt(Math.PI), x), lax.exp(lax.neg(lax.mul(x, x)))),
  abs: (x) => lax.sign(x),
  sign: null,
  floor: null,
  ceil: null,
  round: null,
};

const FLOAT_ONLY = new Set<UnaryName>(["exp", "log", "log1p", "expm1", "sqrt", "sin", "cos", "tan", "tanh", "asin", "acos", "atan", "sinh", "cosh", "logistic", "erf"]);

export function unaryPrimitive(name: UnaryName): Primitive<None> {
  const d = DERIVATIVE[name];
  const self: Primitive<None> = {
    name,
    abstractEval([x]) {
      if (FLOAT_ONLY.has(name) && !isFloat(x!.dtype)) {
        throw new DTypeError(`${name}: needs a float32 or float64 tensor, got ${x!.dtype}${fmtShape(x!.shape)} (cast it with astype("float32"))`);
      }
      if (x!.dtype === "bool" && name !== "abs") throw new DTypeError(`${name}: does not take bool tensors`);
      return [{ shape: x!.shape, dtype: x!.dtype }];
    },
    jvp: d === null ? zeroRules.jvp : ([x], [t], _p, [out]) => (!isFloat(x!.dtype) ? [null] : [lax.mul(t!, d(x!, out!))]),
    vjp: d === null ? zeroRules.vjp : ([ct], [x], [out]) => (!isFloat(x!.dtype) ? [null] : [lax.mul(ct!, d(x!, out!))]),
    batch: (args, dims, params) => batchElementwise(self, args, dims, params),
  };
  return self;
}

type BinaryRule = {
  jvp(x: Tensor, y: Tensor, tx: MaybeTensor, ty: MaybeTensor, out: Tensor): MaybeTensor;
  /** `nx`/`ny`: whether x's/y's cotangent is needed (the rule returns null for one that is not). */
  vjp(ct: Tensor, x: Tensor, y: Tensor, out: Tensor, nx: boolean, ny: boolean): [MaybeTensor, MaybeTensor];
};

const addTangents = (a: MaybeTensor, b: MaybeTensor, neg = false): MaybeTensor =>
  a === null ? (b === null ? null : neg ? lax.neg(b) : b) : b === null ? a : neg ? lax.sub(a, b) : lax.add(a, b);

/** Weight of x in max/min: 1 where x wins, 0.5 on ties (as JAX), 0 where y wins. */
function winnerWeight(x: Tensor, y: Tensor, wins: (a: Tensor, b: Tensor) => Tensor): Tensor {
  return lax.select(wins(x, y), cst(1, x), lax.select(lax.eq(x, y), cst(0.5, x), cst(0, x)));
}

const BINARY_RULES: Record<BinaryName, BinaryRule> = {
  add: {
    jvp: (_x, _y, tx, ty) => addTangents(tx, ty),
    vjp: (ct) => [ct, ct],
  },
  sub: {
    jvp: (_x, _y, tx, ty) => addTangents(tx, ty, true),
    vjp: (ct, _x, _y, _out, _nx, ny) => [ct, ny ? lax.neg(ct) : null],
  },
  mul: {
    jvp: (x, y, tx, ty) => addTangents(tx && lax.mul(tx, y), ty && lax.mul(x, ty)),
    vjp: (ct, x, y, _out, nx, ny) => [nx ? lax.mul(ct, y) : null, ny ? lax.mul(x, ct) : null],
  },
  div: {
    jvp: (_x, y, tx, ty, out) => {
      const num = addTangents(tx, ty && lax.mul(ty, out), true);
      return num && lax.div(num, y);
    },
    vjp: (ct, _x, y, out, _nx, ny) => {
      const g = lax.div(ct, y);
      return [g, ny ? lax.neg(lax.mul(g, out)) : null];
    },
  },
  pow: {
    jvp: (x, y, tx, ty, out) => addTangents(tx && lax.mul(tx, powDx(x, y)), ty && lax.mul(ty, powDy(x, out))),
    vjp: (ct, x, y, out, nx, ny) => [nx ? lax.mul(ct, powDx(x, y)) : null, ny ? lax.mul(ct, powDy(x, out)) : null],
  },
  max: {
    jvp: (x, y, tx, ty) => {
      const w = winnerWeight(x, y, lax.gt);
      return addTangents(tx && lax.mul(tx, w), ty && lax.mul(ty, lax.sub(cst(1, w), w)));
    },
    vjp: (ct, x, y, _out, nx, ny) => {
      const w = winnerWeight(x, y, lax.gt);
      return [nx ? lax.mul(ct, w) : null, ny ? lax.mul(ct, lax.sub(cst(1, w), w)) : null];
    },
  },
  min: {
    jvp: (x, y, tx, ty) => {
      const w = winnerWeight(x, y, lax.lt);
      return addTangents(tx && lax.mul(tx, w), ty && lax.mul(ty, lax.sub(cst(1, w), w)));
    },
    vjp: (ct, x, y, _out, nx, ny) => {
      const w = winnerWeight(x, y, lax.lt);
      return [nx ? lax.mul(ct, w) : null, ny ? lax.mul(ct, lax.sub(cst(1, w), w)) : null];
    },
  },
  atan2: {
    // atan2(a, b): d/da = b / (a² + b²), d/db = −a / (a² + b²).
    jvp: (a, b, ta, tb) => {
      const r = lax.add(lax.mul(a, a), lax.mul(b, b));
      return addTangents(ta && lax.div(lax.mul(ta, b), r), tb && lax.div(lax.mul(tb, a), r), true);
    },
    vjp: (ct, a, b, _out, na, nb) => {
      const r = lax.add(lax.mul(a, a), lax.mul(b, b));
      return [na ? lax.div(lax.mul(ct, b), r) : null, nb ? lax.neg(lax.div(lax.mul(ct, a), r)) : null];
    },
  },
  rem: {
    // rem(x, y) = x − y·floor(x / y).
    jvp: (x, y, tx, ty) => addTangents(tx, ty && lax.mul(ty, lax.unary("floor", lax.div(x, y))), true),
    vjp: (ct, x, y, _out, _nx, ny) => [ct, ny ? lax.neg(lax.mul(ct, lax.unary("floor", lax.div(x, y)))) : null],
  },
};

/** d(x^y)/dx = y·x^(y−1), taken as 0 where y = 0 (x⁰ is constant; 0·0^(−1) would be NaN at x = 0), as JAX does. */
const powDx = (x: Tensor, y: Tensor) => {
  const zero = lax.eq(y, cst(0, y));
  return lax.select(zero, cst(0, y), lax.mul(y, lax.pow(x, lax.sub(y, cst(1, y)))));
};
/** d(x^y)/dy = log(x)·x^y, taken as 0 where x ≤ 0 (where log is undefined), as JAX does at x = 0. */
const powDy = (x: Tensor, out: Tensor) => {
  const positive = lax.gt(x, cst(0, x));
  const safeX = lax.select(positive, x, cst(1, x));
  return lax.select(positive, lax.mul(lax.log(safeX), out), cst(0, x));
};

export function binaryPrimitive(name: BinaryName): Primitive<None> {
  const rule = BINARY_RULES[name];
  const self: Primitive<None> = {
    name,
    abstractEval(args) {
      const dtype = sameDTypes(name, args);
      if (dtype === "bool") throw new DTypeError(`${name}: does not take bool tensors (use logicalAnd/logicalOr, or astype)`);
      if ((name === "atan2" || name === "pow") && !isFloat(dtype) && name === "atan2") {
        throw new DTypeError(`${name}: needs float tensors, got ${dtype}`);
      }
      return [{ shape: broadcastAll(name, args), dtype }];
    },
    jvp: ([x, y], [tx, ty], _p, [out]) => (isFloat(out!.dtype) ? [rule.jvp(x!, y!, tx!, ty!, out!)] : [null]),
    vjp: ([ct], [x, y], [out], _p, needed) =>
      isFloat(out!.dtype) && ct ? rule.vjp(ct, x!, y!, out!, needsCotangent(needed, 0), needsCotangent(needed, 1)) : [null, null],
    batch: (args, dims, params) => batchElementwise(self, args, dims, params),
  };
  return self;
}

export function comparePrimitive(name: CompareName | LogicalName): Primitive<None> {
  const logical = name === "and" || name === "or" || name === "xor";
  const self: Primitive<None> = {
    name,
    abstractEval(args) {
      const dtype = sameDTypes(name, args);
      if (logical && dtype !== "bool") throw new DTypeError(`${name}: needs bool tensors, got ${dtype}`);
      return [{ shape: broadcastAll(name, args), dtype: "bool" }];
    },
    ...zeroRules,
    batch: (args, dims, params) => batchElementwise(self, args, dims, params),
  };
  return self;
}

export const not: Primitive<None> = {
  name: "not",
  abstractEval([x]) {
    if (x!.dtype !== "bool") throw new DTypeError(`logicalNot: needs a bool tensor, got ${x!.dtype}`);
    return [{ shape: x!.shape, dtype: "bool" }];
  },
  ...zeroRules,
  batch: (args, dims, params) => batchElementwise(not, args, dims, params),
};

export const select: Primitive<None> = {
  name: "select",
  abstractEval([c, a, b]) {
    if (c!.dtype !== "bool") throw new DTypeError(`where: the condition must be bool, got ${c!.dtype}${fmtShape(c!.shape)}`);
    const dtype = sameDTypes("where", [a!, b!]);
    return [{ shape: broadcastAll("where", [c!, a!, b!]), dtype }];
  },
  jvp: ([c, a, b], [, ta, tb], _p, [out]) => {
    if (!isFloat(out!.dtype) || (ta === null && tb === null)) return [null];
    return [lax.select(c!, ta ?? lax.zerosLike(a!), tb ?? lax.zerosLike(b!))];
  },
  vjp: ([ct], [c, a], _o, _p, needed) => {
    if (ct === null || !isFloat(a!.dtype)) return [null, null, null];
    const zero = cst(0, ct);
    return [null, needsCotangent(needed, 1) ? lax.select(c!, ct, zero) : null, needsCotangent(needed, 2) ? lax.select(c!, zero, ct) : null];
  },
  batch: (args, dims, params) => batchElementwise(select, args, dims, params),
};

export const cast: Primitive<PrimParams["cast"]> = {
  name: "cast",
  abstractEval([x], { dtype }) {
    if (!isDType(dtype)) throw new DTypeError(`astype: unknown dtype ${JSON.stringify(dtype)} for a ${x!.dtype}${fmtShape(x!.shape)} tensor (use float32, float64, int32, uint8 or bool)`);
    return [{ shape: x!.shape, dtype }];
  },
  jvp: ([x], [t], { dtype }) => (isFloat(x!.dtype) && isFloat(dtype) && t ? [lax.cast(t, dtype)] : [null]),
  vjp: ([ct], [x], _o, { dtype }) => (isFloat(x!.dtype) && isFloat(dtype) && ct ? [lax.cast(ct, x!.dtype)] : [null]),
  batch: (args, dims, params) => batchElementwise(cast, args, dims, params),
};

export const stopGradient: Primitive<None> = {
  name: "stop_gradient",
  abstractEval: ([x]) => [{ shape: x!.shape, dtype: x!.dtype }],
  ...zeroRules,
  batch: (args, dims) => [[lax.stopGradient(args[0]!)], [dims[0]!]],
};

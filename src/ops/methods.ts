/**
 * Tensor methods: `a.add(b)` is `fx.add(a, b)`. Written once here for every
 * Tensor, so eager tensors and tracers share the whole array API.
 */
import type { DType } from "../core/dtype.js";
import { Tensor } from "../core/tensor.js";
import type { ArrayLike } from "./convert.js";
import * as ew from "./elementwise.js";
import * as red from "./reduce.js";
import * as shp from "./shape.js";
import * as idx from "./indexing.js";
import * as mm from "./matmul.js";
import * as sm from "./softmax.js";

type Axis = red.Axis;

declare module "../core/tensor.js" {
  interface Tensor {
    add(y: ArrayLike): Tensor; sub(y: ArrayLike): Tensor; mul(y: ArrayLike): Tensor; div(y: ArrayLike): Tensor;
    pow(y: ArrayLike): Tensor; maximum(y: ArrayLike): Tensor; minimum(y: ArrayLike): Tensor; mod(y: ArrayLike): Tensor;
    neg(): Tensor; exp(): Tensor; log(): Tensor; log1p(): Tensor; expm1(): Tensor; sqrt(): Tensor; rsqrt(): Tensor;
    square(): Tensor; abs(): Tensor; sign(): Tensor; sin(): Tensor; cos(): Tensor; tan(): Tensor; tanh(): Tensor;
    sigmoid(): Tensor; relu(): Tensor; softplus(): Tensor; floor(): Tensor; ceil(): Tensor; round(): Tensor; erf(): Tensor;
    clip(lo: ArrayLike | null, hi: ArrayLike | null): Tensor;
    equal(y: ArrayLike): Tensor; notEqual(y: ArrayLike): Tensor; less(y: ArrayLike): Tensor; lessEqual(y: ArrayLike): Tensor;
    greater(y: ArrayLike): Tensor; greaterEqual(y: ArrayLike): Tensor;
    logicalAnd(y: ArrayLike): Tensor; logicalOr(y: ArrayLike): Tensor; logicalNot(): Tensor;
    isNan(): Tensor; isFinite(): Tensor;
    sum(axis?: Axis, keepdims?: boolean): Tensor; mean(axis?: Axis, keepdims?: boolean): Tensor;
    max(axis?: Axis, keepdims?: boolean): Tensor; min(axis?: Axis, keepdims?: boolean): Tensor;
    prod(axis?: Axis, keepdims?: boolean): Tensor; var(axis?: Axis, keepdims?: boolean, ddof?: number): Tensor;
    std(axis?: Axis, keepdims?: boolean, ddof?: number): Tensor; logsumexp(axis?: Axis, keepdims?: boolean): Tensor;
    argmax(axis?: number | null, keepdims?: boolean): Tensor; argmin(axis?: number | null, keepdims?: boolean): Tensor;
    all(axis?: Axis, keepdims?: boolean): Tensor; any(axis?: Axis, keepdims?: boolean): Tensor; cumsum(axis?: number | null): Tensor;
    reshape(shape: readonly number[]): Tensor; transpose(axes?: readonly number[]): Tensor; readonly T: Tensor;
    squeeze(axis?: number | number[]): Tensor; expandDims(axis: number | number[]): Tensor;
    broadcastTo(shape: readonly number[]): Tensor; flatten(): Tensor; flip(axis?: number | number[]): Tensor;
    pad(width: shp.PadWidth, value?: number): Tensor; tile(reps: number | number[]): Tensor; repeat(repeats: number, axis?: number): Tensor;
    slice(...specs: idx.IndexSpec[]): Tensor; at(...specs: (idx.IndexSpec | Tensor)[]): idx.IndexUpdate;
    take(indices: ArrayLike, axis?: number): Tensor;
    matmul(y: ArrayLike): Tensor; dot(y: ArrayLike): Tensor;
    softmax(axis?: number): Tensor; logSoftmax(axis?: number): Tensor;
    astype(dtype: DType): Tensor;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
const binary = { add: ew.add, sub: ew.sub, mul: ew.mul, div: ew.div, pow: ew.pow, maximum: ew.maximum, minimum: ew.minimum, mod: ew.mod,
  equal: ew.equal, notEqual: ew.notEqual, less: ew.less, lessEqual: ew.lessEqual, greater: ew.greater, greaterEqual: ew.greaterEqual,
  logicalAnd: ew.logicalAnd, logicalOr: ew.logicalOr, matmul: mm.matmul, dot: mm.dot };
for (const [name, f] of Object.entries(binary)) P[name] = function (this: Tensor, y: ArrayLike) { return f(this, y); };

const unary = { neg: ew.neg, exp: ew.exp, log: ew.log, log1p: ew.log1p, expm1: ew.expm1, sqrt: ew.sqrt, rsqrt: ew.rsqrt,
  square: ew.square, abs: ew.abs, sign: ew.sign, sin: ew.sin, cos: ew.cos, tan: ew.tan, tanh: ew.tanh, sigmoid: ew.sigmoid,
  relu: ew.relu, softplus: ew.softplus, floor: ew.floor, ceil: ew.ceil, round: ew.round, erf: ew.erf, logicalNot: ew.logicalNot,
  isNan: ew.isNan, isFinite: ew.isFinite, flatten: shp.flatten };
for (const [name, f] of Object.entries(unary)) P[name] = function (this: Tensor) { return f(this); };

// Methods whose remaining arguments pass straight through.
const rest = { clip: ew.clip, sum: red.sum, mean: red.mean, max: red.max, min: red.min, prod: red.prod, var: red.variance,
  std: red.std, logsumexp: sm.logsumexp, argmax: red.argmax, argmin: red.argmin, all: red.all, any: red.any, cumsum: red.cumsum,
  reshape: shp.reshape, transpose: shp.transpose, squeeze: shp.squeeze, expandDims: shp.expandDims, broadcastTo: shp.broadcastTo,
  flip: shp.flip, pad: shp.pad, tile: shp.tile, repeat: shp.repeat, slice: idx.slice, at: idx.at, take: idx.take,
  softmax: sm.softmax, logSoftmax: sm.logSoftmax, astype: ew.astype } as Record<string, (x: Tensor, ...a: any[]) => unknown>;
for (const [name, f] of Object.entries(rest)) P[name] = function (this: Tensor, ...a: unknown[]) { return f(this, ...a); };

Object.defineProperty(Tensor.prototype, "T", {
  get(this: Tensor) {
    return shp.transpose(this);
  },
});

/** Reference kernels for elementwise primitives: plain loops, float64 where the dtype is float64. */
import { allocate, type TypedArray } from "../../../core/dtype.js";
import type { Aval } from "../../../core/tensor.js";
import type { BinaryName, CompareName, KernelInput, LogicalName, UnaryName } from "../../spec.js";
import { broadcastStrides, forEachStrided } from "../strided.js";
import { erf } from "./erf.js";

type Fn1 = (x: number) => number;
type Fn2 = (x: number, y: number) => number;

export const UNARY: Record<UnaryName, Fn1> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sqrt: Math.sqrt,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  tanh: Math.tanh,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  // Stable for large |x|: never computes exp of a large positive number.
  logistic: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  erf,
  abs: Math.abs,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x),
  floor: Math.floor,
  ceil: Math.ceil,
  // Round half to even, as NumPy does.
  round: (x) => {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
};

export const BINARY: Record<BinaryName, Fn2> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
  pow: Math.pow,
  max: (x, y) => (x > y || Number.isNaN(x) ? x : Number.isNaN(y) ? y : x === y && x === 0 ? (Object.is(x, -0) ? y : x) : y),
  min: (x, y) => (x < y || Number.isNaN(x) ? x : Number.isNaN(y) ? y : x === y && x === 0 ? (Object.is(x, -0) ? x : y) : y),
  atan2: Math.atan2,
  // Sign of the divisor, as NumPy's remainder.
  rem: (x, y) => {
    const r = x % y;
    return r !== 0 && (r < 0) !== (y < 0) ? r + y : r;
  },
};

export const INT_BINARY: Partial<Record<BinaryName, Fn2>> = {
  div: (x, y) => (y === 0 ? 0 : Math.floor(x / y)),
  rem: (x, y) => (y === 0 ? 0 : BINARY.rem(x, y)),
  mul: (x, y) => Math.imul(x, y),
};

export const COMPARE: Record<CompareName, (x: number, y: number) => boolean> = {
  eq: (x, y) => x === y,
  ne: (x, y) => x !== y,
  lt: (x, y) => x < y,
  le: (x, y) => x <= y,
  gt: (x, y) => x > y,
  ge: (x, y) => x >= y,
};

export const LOGICAL: Record<LogicalName, (x: boolean, y: boolean) => boolean> = {
  and: (x, y) => x && y,
  or: (x, y) => x || y,
  xor: (x, y) => x !== y,
};

export function unaryKernel(name: UnaryName) {
  const f = UNARY[name];
  return ([x]: KernelInput[], _p: unknown, [out]: Aval[]): TypedArray[] => {
    const src = x!.data;
    const dst = allocate(out!.dtype, src.length);
    for (let i = 0; i < src.length; i++) dst[i] = f(src[i]!);
    return [dst];
  };
}

/** Applies `f` over two broadcast inputs, with fast paths for equal shapes and scalars. */
function map2(a: KernelInput, b: KernelInput, out: Aval, f: Fn2): TypedArray {
  const dst = allocate(out.dtype, sizeOfAval(out));
  const x = a.data;
  const y = b.data;
  if (x.length === dst.length && y.length === dst.length) {
    for (let i = 0; i < dst.length; i++) dst[i] = f(x[i]!, y[i]!);
  } else if (y.length === 1 && x.length === dst.length) {
    const c = y[0]!;
    for (let i = 0; i < dst.length; i++) dst[i] = f(x[i]!, c);
  } else if (x.length === 1 && y.length === dst.length) {
    const c = x[0]!;
    for (let i = 0; i < dst.length; i++) dst[i] = f(c, y[i]!);
  } else {
    const sa = broadcastStrides(a.shape, out.shape);
    const sb = broadcastStrides(b.shape, out.shape);
    forEachStrided(out.shape, [sa, sb], (i, [oa, ob]) => {
      dst[i] = f(x[oa!]!, y[ob!]!);
    });
  }
  return dst;
}

function sizeOfAval(a: Aval): number {
  let n = 1;
  for (const d of a.shape) n *= d;
  return n;
}

export function binaryKernel(name: BinaryName) {
  const f = BINARY[name];
  const fi = INT_BINARY[name] ?? f;
  return ([a, b]: KernelInput[], _p: unknown, [out]: Aval[]): TypedArray[] => {
    const isInt = out!.dtype === "int32" || out!.dtype === "uint8";
    return [map2(a!, b!, out!, isInt ? fi : f)];
  };
}

export function compareKernel(name: CompareName) {
  const f = COMPARE[name];
  return ([a, b]: KernelInput[], _p: unknown, [out]: Aval[]): TypedArray[] => [
    map2(a!, b!, out!, (x, y) => (f(x, y) ? 1 : 0)),
  ];
}

export function logicalKernel(name: LogicalName) {
  const f = LOGICAL[name];
  return ([a, b]: KernelInput[], _p: unknown, [out]: Aval[]): TypedArray[] => [
    map2(a!, b!, out!, (x, y) => (f(x !== 0, y !== 0) ? 1 : 0)),
  ];
}

export function notKernel([x]: KernelInput[], _p: unknown, [out]: Aval[]): TypedArray[] {
  const src = x!.data;
  const dst = allocate(out!.dtype, src.length);
  for (let i = 0; i < src.length; i++) dst[i] = src[i] ? 0 : 1;
  return [dst];
}

export function selectKernel([c, a, b]: KernelInput[], _p: unknown, [out]: Aval[]): TypedArray[] {
  const dst = allocate(out!.dtype, sizeOfAval(out!));
  const cs = broadcastStrides(c!.shape, out!.shape);
  const as = broadcastStrides(a!.shape, out!.shape);
  const bs = broadcastStrides(b!.shape, out!.shape);
  const cd = c!.data, ad = a!.data, bd = b!.data;
  forEachStrided(out!.shape, [cs, as, bs], (i, [oc, oa, ob]) => {
    dst[i] = cd[oc!] ? ad[oa!]! : bd[ob!]!;
  });
  return [dst];
}

export function castKernel([x]: KernelInput[], _p: unknown, [out]: Aval[]): TypedArray[] {
  const src = x!.data;
  const dtype = out!.dtype;
  const dst = allocate(dtype, src.length);
  if (dtype === "bool") {
    for (let i = 0; i < src.length; i++) dst[i] = src[i] !== 0 ? 1 : 0;
  } else if ((dtype === "int32" || dtype === "uint8") && (x!.dtype === "float32" || x!.dtype === "float64")) {
    // Truncate toward zero, as C and NumPy casts do.
    for (let i = 0; i < src.length; i++) dst[i] = Math.trunc(src[i]!);
  } else {
    dst.set(src);
  }
  return [dst];
}

/** Reference kernels for elementwise primitives: plain loops, float64 where the dtype is float64. */
import { allocate, type TypedArray } from "../../../core/dtype.js";
import type { Aval } from "../../../core/tensor.js";
import type { BinaryName, CompareName, KernelInput, LogicalName, UnaryName } from "../../spec.js";
import { broadcastStrides, forEachRow } from "../strided.js";
import { erf } from "../../math/erf.js";
import { erf32 } from "../../math/erf32.js";
import { exp32, logistic32 } from "../../math/exp32.js";
import { exp } from "../../math/exp.js";
import { binaryRow, compareRow, hasFastBinary } from "./rows.js";

type Fn1 = (x: number) => number;
type Fn2 = (x: number, y: number) => number;

export const UNARY: Record<UnaryName, Fn1> = {
  neg: (x) => -x,
  exp,
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
  logistic: (x) => (x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))),
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

/**
 * float32 versions computed in float32 arithmetic, used wherever the result
 * is float32 (every backend and jit's loops alike, so they agree bit for bit).
 * Within a few ulp of the float64 value rounded, at a fraction of its cost.
 */
export const UNARY_F32: Partial<Record<UnaryName, Fn1>> = { exp: exp32, logistic: logistic32, erf: erf32 };

/** The scalar function `name` computes for results of `dtype`. */
export const unaryFn = (name: UnaryName, dtype: string): Fn1 => (dtype === "float32" ? UNARY_F32[name] : undefined) ?? UNARY[name];

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

export const LOGICAL: Record<LogicalName, (x: boolean, y: boolean) => boolean> = {
  and: (x, y) => x && y,
  or: (x, y) => x || y,
  xor: (x, y) => x !== y,
};

/** Inline forms of unary ops whose JS built-in has exactly the kernel's semantics. */
const UNARY_EXPR: Partial<Record<UnaryName, string>> = {
  neg: "-a", log: "Math.log(a)", log1p: "Math.log1p(a)", expm1: "Math.expm1(a)", sqrt: "Math.sqrt(a)",
  sin: "Math.sin(a)", cos: "Math.cos(a)", tan: "Math.tan(a)", tanh: "Math.tanh(a)", abs: "Math.abs(a)",
  floor: "Math.floor(a)", ceil: "Math.ceil(a)",
};

/** One loop per unary op with the arithmetic inline (a call through a shared table per element is several times slower). */
export function unaryKernel(name: UnaryName) {
  const expr = UNARY_EXPR[name];
  const loopOf = (f: Fn1) => (src: TypedArray, dst: TypedArray) => {
    for (let i = 0; i < src.length; i++) dst[i] = f(src[i]!);
  };
  // Built only from the fixed templates above, never from user data.
  const loop = (expr
    ? new Function("src", "dst", `for (let i = 0; i < src.length; i++) { const a = src[i]; dst[i] = ${expr}; }`)
    : loopOf(UNARY[name])) as (src: TypedArray, dst: TypedArray) => void;
  const f32 = UNARY_F32[name];
  const loop32 = f32 ? loopOf(f32) : loop;
  return ([x]: KernelInput[], _p: unknown, [out]: Aval[]): TypedArray[] => {
    const src = x!.data;
    const dst = allocate(out!.dtype, src.length);
    (out!.dtype === "float32" ? loop32 : loop)(src, dst);
    return [dst];
  };
}

/** A loop over one run of elements: dst[start + j] = op(x[px + j·ix], y[py + j·iy]) for j < n. */
type RowFn = (dst: TypedArray, start: number, x: TypedArray, px: number, ix: number, y: TypedArray, py: number, iy: number, n: number) => void;

/** `row` over two broadcast inputs: one run when the shapes match or one side is a scalar, else run by run. */
function map2(a: KernelInput, b: KernelInput, out: Aval, row: RowFn): TypedArray {
  const dst = allocate(out.dtype, sizeOfAval(out));
  const x = a.data;
  const y = b.data;
  const n = dst.length;
  if (x.length === n && y.length === n) row(dst, 0, x, 0, 1, y, 0, 1, n);
  else if (y.length === 1 && x.length === n) row(dst, 0, x, 0, 1, y, 0, 0, n);
  else if (x.length === 1 && y.length === n) row(dst, 0, x, 0, 0, y, 0, 1, n);
  else {
    const sa = broadcastStrides(a.shape, out.shape);
    const sb = broadcastStrides(b.shape, out.shape);
    forEachRow(out.shape, [sa, sb], (start, [oa, ob], len, [ia, ib]) => row(dst, start, x, oa!, ia!, y, ob!, ib!, len));
  }
  return dst;
}

/** A row loop that calls `f` per element (for operations without a tight loop). */
function rowOf(f: Fn2): RowFn {
  return (dst, start, x, px, ix, y, py, iy, n) => {
    for (let j = 0; j < n; j++, px += ix, py += iy) dst[start + j] = f(x[px]!, y[py]!);
  };
}

function sizeOfAval(a: Aval): number {
  let n = 1;
  for (const d of a.shape) n *= d;
  return n;
}

export function binaryKernel(name: BinaryName) {
  const generic = rowOf(BINARY[name]);
  const genericInt = rowOf(INT_BINARY[name] ?? BINARY[name]);
  const fast: RowFn = (dst, start, x, px, ix, y, py, iy, n) => binaryRow(name, dst, start, x, px, ix, y, py, iy, n);
  return ([a, b]: KernelInput[], _p: unknown, [out]: Aval[]): TypedArray[] => {
    const isInt = out!.dtype === "int32" || out!.dtype === "uint8";
    return [map2(a!, b!, out!, hasFastBinary(name, isInt) ? fast : isInt ? genericInt : generic)];
  };
}

export function compareKernel(name: CompareName) {
  const fast: RowFn = (dst, start, x, px, ix, y, py, iy, n) => compareRow(name, dst, start, x, px, ix, y, py, iy, n);
  return ([a, b]: KernelInput[], _p: unknown, [out]: Aval[]): TypedArray[] => [map2(a!, b!, out!, fast)];
}

export function logicalKernel(name: LogicalName) {
  const f = LOGICAL[name];
  const row = rowOf((x, y) => (f(x !== 0, y !== 0) ? 1 : 0));
  return ([a, b]: KernelInput[], _p: unknown, [out]: Aval[]): TypedArray[] => [map2(a!, b!, out!, row)];
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
  forEachRow(out!.shape, [cs, as, bs], (start, [oc, oa, ob], n, [ic, ia, ib]) => {
    for (let j = 0, pc = oc!, pa = oa!, pb = ob!; j < n; j++, pc += ic!, pa += ia!, pb += ib!) dst[start + j] = cd[pc] ? ad[pa]! : bd[pb]!;
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

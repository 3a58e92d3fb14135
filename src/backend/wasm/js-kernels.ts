/**
 * Fast JS kernels for the hot memory-bound primitives (elementwise with
 * broadcasting, select, reductions, transpose, broadcast_to). They compute
 * exactly what the reference kernels compute, in the same order, so results
 * are bit-identical; they are faster because each loop is written out per
 * operation (monomorphic, no per-element closure) and runs over whole rows
 * (see rows.ts). Above a size threshold the Wasm kernels (ew.ts) run
 * instead; these take small tensors and the cases those decline. Each
 * returns null for a case it does not take.
 */
import { allocate, type DType, type TypedArray } from "../../core/dtype.js";
import { sizeOf } from "../../core/shape.js";
import type { Aval } from "../../core/tensor.js";
import type { BinaryName, CompareName, KernelInput, ReduceName, UnaryName } from "../spec.js";
import { broadcastStridesOf, contiguousStrides, forEachRow } from "./rows.js";
import { unaryFn } from "../reference/kernels/elementwise.js";

const isFloat = (d: DType) => d === "float32" || d === "float64";

/** NumPy maximum/minimum: NaN propagates; max(-0, +0) = +0, min(-0, +0) = -0. */
function maxOf(x: number, y: number): number {
  if (x > y) return x;
  if (x < y) return y;
  if (x === y) return x === 0 && Object.is(x, -0) ? y : x;
  return NaN;
}
function minOf(x: number, y: number): number {
  if (x < y) return x;
  if (x > y) return y;
  if (x === y) return x === 0 && Object.is(x, -0) ? x : y;
  return NaN;
}

const FAST_BINARY = new Set<BinaryName>(["add", "sub", "mul", "div", "max", "min"]);

/**
 * The stride along the whole output (of n elements) of an operand of `len`
 * elements: 1 when it has as many (broadcasting then only adds size-1 axes,
 * so the elements line up), 0 for a single element, -1 when it needs the row walk.
 */
const flatStride = (len: number, n: number) => (len === n ? 1 : len === 1 ? 0 : -1);

/** Float add/sub/mul/div/max/min with broadcasting. */
export function binaryFast(name: BinaryName, a: KernelInput, b: KernelInput, out: Aval): TypedArray | null {
  if (!isFloat(out.dtype) || !FAST_BINARY.has(name)) return null;
  const dst = allocate(out.dtype, sizeOf(out.shape));
  const x = a.data, y = b.data;
  // Same shapes, or a tensor and a scalar (x * 0.5): no stride bookkeeping at all.
  const di = flatStride(x.length, dst.length), dj = flatStride(y.length, dst.length);
  if (di === 1 && dj === 1) {
    binarySame(name, dst, x, y);
    return dst;
  }
  if (di >= 0 && dj >= 0) {
    binaryRow(name, dst, x, y, 0, 0, di, 0, dj, dst.length);
    return dst;
  }
  const strides = [broadcastStridesOf(a.shape, out.shape), broadcastStridesOf(b.shape, out.shape)];
  forEachRow(out.shape, strides, (o, [i0, j0], n, [si, sj]) => binaryRow(name, dst, x, y, o, i0!, si!, j0!, sj!, n));
  return dst;
}

/** dst[k] = x[k] ∘ y[k]: one index instead of three (operands of the output's size, the common case). */
function binarySame(name: BinaryName, dst: TypedArray, x: TypedArray, y: TypedArray): void {
  const n = dst.length;
  switch (name) {
    case "add": for (let k = 0; k < n; k++) dst[k] = x[k]! + y[k]!; break;
    case "sub": for (let k = 0; k < n; k++) dst[k] = x[k]! - y[k]!; break;
    case "mul": for (let k = 0; k < n; k++) dst[k] = x[k]! * y[k]!; break;
    case "div": for (let k = 0; k < n; k++) dst[k] = x[k]! / y[k]!; break;
    case "max": for (let k = 0; k < n; k++) dst[k] = maxOf(x[k]!, y[k]!); break;
    case "min": for (let k = 0; k < n; k++) dst[k] = minOf(x[k]!, y[k]!); break;
  }
}

/** dst[o + k] = x[i + k·di] ∘ y[j + k·dj] for k < n. */
function binaryRow(name: BinaryName, dst: TypedArray, x: TypedArray, y: TypedArray, o: number, i: number, di: number, j: number, dj: number, n: number): void {
  const end = o + n;
  switch (name) {
    case "add": for (let k = o; k < end; k++, i += di, j += dj) dst[k] = x[i]! + y[j]!; break;
    case "sub": for (let k = o; k < end; k++, i += di, j += dj) dst[k] = x[i]! - y[j]!; break;
    case "mul": for (let k = o; k < end; k++, i += di, j += dj) dst[k] = x[i]! * y[j]!; break;
    case "div": for (let k = o; k < end; k++, i += di, j += dj) dst[k] = x[i]! / y[j]!; break;
    case "max": for (let k = o; k < end; k++, i += di, j += dj) dst[k] = maxOf(x[i]!, y[j]!); break;
    case "min": for (let k = o; k < end; k++, i += di, j += dj) dst[k] = minOf(x[i]!, y[j]!); break;
  }
}

/** Comparisons with broadcasting, any numeric dtype; output 0/1 bytes. */
export function compareFast(name: CompareName, a: KernelInput, b: KernelInput, out: Aval): TypedArray {
  const dst = allocate(out.dtype, sizeOf(out.shape));
  const x = a.data, y = b.data;
  const di = flatStride(x.length, dst.length), dj = flatStride(y.length, dst.length);
  if (di >= 0 && dj >= 0) {
    compareRow(name, dst, x, y, 0, 0, di, 0, dj, dst.length);
    return dst;
  }
  const strides = [broadcastStridesOf(a.shape, out.shape), broadcastStridesOf(b.shape, out.shape)];
  forEachRow(out.shape, strides, (o, [i0, j0], n, [si, sj]) => compareRow(name, dst, x, y, o, i0!, si!, j0!, sj!, n));
  return dst;
}

/** dst[o + k] = x[i + k·di] ∘ y[j + k·dj] ? 1 : 0 for k < n. */
function compareRow(name: CompareName, dst: TypedArray, x: TypedArray, y: TypedArray, o: number, i: number, di: number, j: number, dj: number, n: number): void {
  const end = o + n;
  switch (name) {
    case "eq": for (let k = o; k < end; k++, i += di, j += dj) dst[k] = x[i]! === y[j]! ? 1 : 0; break;
    case "ne": for (let k = o; k < end; k++, i += di, j += dj) dst[k] = x[i]! !== y[j]! ? 1 : 0; break;
    case "lt": for (let k = o; k < end; k++, i += di, j += dj) dst[k] = x[i]! < y[j]! ? 1 : 0; break;
    case "le": for (let k = o; k < end; k++, i += di, j += dj) dst[k] = x[i]! <= y[j]! ? 1 : 0; break;
    case "gt": for (let k = o; k < end; k++, i += di, j += dj) dst[k] = x[i]! > y[j]! ? 1 : 0; break;
    case "ge": for (let k = o; k < end; k++, i += di, j += dj) dst[k] = x[i]! >= y[j]! ? 1 : 0; break;
  }
}

/** The unary float ops worth a dedicated loop (activation functions and their derivatives). */
export function unaryFast(name: UnaryName, x: KernelInput, out: Aval): TypedArray | null {
  if (!isFloat(out.dtype)) return null;
  const src = x.data;
  const n = src.length;
  const dst = allocate(out.dtype, n);
  switch (name) {
    case "neg": for (let i = 0; i < n; i++) dst[i] = -src[i]!; break;
    case "exp":
    case "logistic": {
      // This package's own functions (float32 ones for float32), as every backend computes them.
      const f = unaryFn(name, out.dtype);
      for (let i = 0; i < n; i++) dst[i] = f(src[i]!);
      break;
    }
    case "log": for (let i = 0; i < n; i++) dst[i] = Math.log(src[i]!); break;
    case "sqrt": for (let i = 0; i < n; i++) dst[i] = Math.sqrt(src[i]!); break;
    case "tanh": for (let i = 0; i < n; i++) dst[i] = Math.tanh(src[i]!); break;
    case "abs": for (let i = 0; i < n; i++) dst[i] = Math.abs(src[i]!); break;
    default:
      return null;
  }
  return dst;
}

/** select(cond, a, b) with broadcasting, any dtype. */
export function selectFast(c: KernelInput, a: KernelInput, b: KernelInput, out: Aval): TypedArray {
  const dst = allocate(out.dtype, sizeOf(out.shape));
  const cd = c.data, ad = a.data, bd = b.data;
  const dh = flatStride(cd.length, dst.length), di = flatStride(ad.length, dst.length), dj = flatStride(bd.length, dst.length);
  if (dh >= 0 && di >= 0 && dj >= 0) {
    selectRow(dst, cd, ad, bd, 0, 0, dh, 0, di, 0, dj, dst.length);
    return dst;
  }
  const strides = [c, a, b].map((t) => broadcastStridesOf(t.shape, out.shape));
  forEachRow(out.shape, strides, (o, [h0, i0, j0], n, [sh, si, sj]) => selectRow(dst, cd, ad, bd, o, h0!, sh!, i0!, si!, j0!, sj!, n));
  return dst;
}

/** dst[o + k] = cd[h + k·dh] ? ad[i + k·di] : bd[j + k·dj] for k < n. */
function selectRow(dst: TypedArray, cd: TypedArray, ad: TypedArray, bd: TypedArray, o: number, h: number, dh: number, i: number, di: number, j: number, dj: number, n: number): void {
  for (let k = o, end = o + n; k < end; k++, h += dh, i += di, j += dj) dst[k] = cd[h] ? ad[i]! : bd[j]!;
}

/** Strided copy: transpose (input strides permuted) or broadcast_to (0 strides). */
function gather(src: TypedArray, strides: number[], outShape: readonly number[], dtype: DType): TypedArray {
  const dst = allocate(dtype, sizeOf(outShape));
  forEachRow(outShape, [strides], (o, [i0], n, [si]) => {
    let i = i0!;
    const di = si!;
    if (di === 1) dst.set(src.subarray(i, i + n), o);
    else for (let k = o, end = o + n; k < end; k++, i += di) dst[k] = src[i]!;
  });
  return dst;
}

export function transposeFast(x: KernelInput, perm: readonly number[], out: Aval): TypedArray {
  const s = contiguousStrides(x.shape);
  return gather(x.data, perm.map((p) => s[p]!), out.shape, out.dtype);
}

export function broadcastToFast(x: KernelInput, out: Aval): TypedArray {
  return gather(x.data, broadcastStridesOf(x.shape, out.shape), out.shape, out.dtype);
}

const INIT: Record<ReduceName, number> = { reduce_sum: 0, reduce_prod: 1, reduce_max: -Infinity, reduce_min: Infinity };

/**
 * Float reductions over any axes, accumulating in float64 in input order (as
 * the reference): rows of the input either fold into one output element
 * (reduced innermost axis) or add elementwise into an output row.
 */
export function reduceFast(name: ReduceName, x: KernelInput, axes: readonly number[], out: Aval): TypedArray | null {
  if (!isFloat(out.dtype)) return null;
  const shape = x.shape;
  const reduced = new Set(axes);
  // Output strides seen from the input's axes: 0 on reduced axes.
  const outStrides = new Array<number>(shape.length).fill(0);
  for (let ax = shape.length - 1, s = 1; ax >= 0; ax--) {
    if (!reduced.has(ax)) {
      outStrides[ax] = s;
      s *= shape[ax]!;
    }
  }
  const acc = new Float64Array(sizeOf(out.shape)).fill(INIT[name]);
  const src = x.data;
  // Walk the input as the "output" of this row iteration; the accumulator is the strided operand.
  forEachRow(shape, [outStrides], (i, [o0], n, [so]) => {
    const o = o0!;
    if (so === 0) {
      let v = acc[o]!;
      switch (name) {
        case "reduce_sum": for (let k = i, end = i + n; k < end; k++) v += src[k]!; break;
        case "reduce_prod": for (let k = i, end = i + n; k < end; k++) v *= src[k]!; break;
        case "reduce_max": for (let k = i, end = i + n; k < end; k++) { const s = src[k]!; if (s > v || s !== s) v = s; } break;
        case "reduce_min": for (let k = i, end = i + n; k < end; k++) { const s = src[k]!; if (s < v || s !== s) v = s; } break;
      }
      acc[o] = v;
    } else {
      const d = so!;
      switch (name) {
        case "reduce_sum": for (let k = i, end = i + n, p = o; k < end; k++, p += d) acc[p]! += src[k]!; break;
        case "reduce_prod": for (let k = i, end = i + n, p = o; k < end; k++, p += d) acc[p]! *= src[k]!; break;
        case "reduce_max": for (let k = i, end = i + n, p = o; k < end; k++, p += d) { const s = src[k]!; if (s > acc[p]! || s !== s) acc[p] = s; } break;
        case "reduce_min": for (let k = i, end = i + n, p = o; k < end; k++, p += d) { const s = src[k]!; if (s < acc[p]! || s !== s) acc[p] = s; } break;
      }
    }
  });
  const dst = allocate(out.dtype, acc.length);
  dst.set(acc);
  return dst;
}

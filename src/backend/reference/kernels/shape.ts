/** Reference kernels that move data: reshape, broadcast, transpose, slice, pad, concatenate, reverse. */
import { allocate, type TypedArray } from "../../../core/dtype.js";
import { sizeOf, stridesOf } from "../../../core/shape.js";
import type { Aval } from "../../../core/tensor.js";
import type { KernelInput, PrimParams } from "../../spec.js";
import { broadcastStrides, forEachRow } from "../strided.js";

/**
 * The same storage under another shape: tensors never write into their
 * storage, so sharing it is safe (jit's buffer reuse treats the two as one;
 * see transforms/compile/executable.ts).
 */
export function reshapeKernel([x]: KernelInput[]): TypedArray[] {
  return [x!.data];
}

export function broadcastToKernel([x]: KernelInput[], _p: PrimParams["broadcast_to"], [out]: Aval[]): TypedArray[] {
  const dst = allocate(out!.dtype, sizeOf(out!.shape));
  const src = x!.data;
  if (src.length === 1) {
    dst.fill(src[0]!);
    return [dst];
  }
  forEachRow(out!.shape, [broadcastStrides(x!.shape, out!.shape)], (start, [o], n, [step]) => {
    for (let j = 0, p = o!; j < n; j++, p += step!) dst[start + j] = src[p]!;
  });
  return [dst];
}

export function transposeKernel([x]: KernelInput[], { perm }: PrimParams["transpose"], [out]: Aval[]): TypedArray[] {
  const dst = allocate(out!.dtype, sizeOf(out!.shape));
  const inStrides = stridesOf(x!.shape);
  const strides = perm.map((p) => inStrides[p]!);
  const src = x!.data;
  forEachRow(out!.shape, [strides], (start, [o], n, [step]) => {
    for (let j = 0, p = o!; j < n; j++, p += step!) dst[start + j] = src[p]!;
  });
  return [dst];
}

export function sliceKernel([x]: KernelInput[], { starts, strides }: PrimParams["slice"], [out]: Aval[]): TypedArray[] {
  const dst = allocate(out!.dtype, sizeOf(out!.shape));
  const inStrides = stridesOf(x!.shape);
  let base = 0;
  for (let i = 0; i < starts.length; i++) base += starts[i]! * inStrides[i]!;
  const steps = inStrides.map((s, i) => s * strides[i]!);
  const src = x!.data;
  forEachRow(out!.shape, [steps], (start, [o], n, [step]) => {
    for (let j = 0, p = base + o!; j < n; j++, p += step!) dst[start + j] = src[p]!;
  });
  return [dst];
}

export function padKernel([x]: KernelInput[], { lo, interior }: PrimParams["pad"], [out]: Aval[]): TypedArray[] {
  const dst = allocate(out!.dtype, sizeOf(out!.shape));
  const outStrides = stridesOf(out!.shape);
  let base = 0;
  for (let i = 0; i < lo.length; i++) base += lo[i]! * outStrides[i]!;
  const steps = outStrides.map((s, i) => s * (interior[i]! + 1));
  const src = x!.data;
  forEachRow(x!.shape, [steps], (start, [o], n, [step]) => {
    for (let j = 0, p = base + o!; j < n; j++, p += step!) dst[p] = src[start + j]!;
  });
  return [dst];
}

export function concatenateKernel(xs: KernelInput[], { axis }: PrimParams["concatenate"], [out]: Aval[]): TypedArray[] {
  const dst = allocate(out!.dtype, sizeOf(out!.shape));
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= out!.shape[i]!;
  const outRow = sizeOf(out!.shape.slice(axis));
  let offset = 0;
  for (const x of xs) {
    const row = sizeOf(x.shape.slice(axis));
    for (let o = 0; o < outer; o++) {
      dst.set(x.data.subarray(o * row, (o + 1) * row), o * outRow + offset);
    }
    offset += row;
  }
  return [dst];
}

export function revKernel([x]: KernelInput[], { axes }: PrimParams["rev"], [out]: Aval[]): TypedArray[] {
  const dst = allocate(out!.dtype, sizeOf(out!.shape));
  const inStrides = stridesOf(x!.shape);
  let base = 0;
  const strides = inStrides.map((s, i) => {
    if (axes.includes(i)) {
      base += (x!.shape[i]! - 1) * s;
      return -s;
    }
    return s;
  });
  const src = x!.data;
  forEachRow(out!.shape, [strides], (start, [o], n, [step]) => {
    for (let j = 0, p = base + o!; j < n; j++, p += step!) dst[start + j] = src[p]!;
  });
  return [dst];
}

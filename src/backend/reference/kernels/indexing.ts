/** Reference kernels for gather (take along an axis) and scatter-add. */
import { allocate, type TypedArray } from "../../../core/dtype.js";
import { IndexError } from "../../../core/errors.js";
import { sizeOf } from "../../../core/shape.js";
import type { Aval } from "../../../core/tensor.js";
import type { KernelInput, PrimParams } from "../../spec.js";

function checkedIndex(op: string, v: number, n: number, axis: number): number {
  if (v < -n || v >= n) {
    throw new IndexError(`${op}: index ${v} is out of range for axis ${axis} of size ${n} (valid: ${-n}..${n - 1})`);
  }
  return v < 0 ? v + n : v;
}

export function gatherKernel([x, idx]: KernelInput[], { axis }: PrimParams["gather"], [out]: Aval[]): TypedArray[] {
  const shape = x!.shape;
  const n = shape[axis]!;
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const ids = idx!.data;
  const m = ids.length;
  const src = x!.data;
  const dst = allocate(out!.dtype, outer * m * inner);
  for (let j = 0; j < m; j++) checkedIndex("take", ids[j]!, n, axis);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const k = checkedIndex("take", ids[j]!, n, axis);
      const from = (o * n + k) * inner;
      dst.set(src.subarray(from, from + inner), (o * m + j) * inner);
    }
  }
  return [dst];
}

export function scatterAddKernel([x, idx, upd]: KernelInput[], { axis }: PrimParams["scatter_add"], [out]: Aval[]): TypedArray[] {
  const shape = x!.shape;
  const n = shape[axis]!;
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const ids = idx!.data;
  const m = ids.length;
  const dst = allocate(out!.dtype, x!.data.length);
  dst.set(x!.data);
  const u = upd!.data;
  for (let j = 0; j < m; j++) checkedIndex("scatterAdd", ids[j]!, n, axis);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const k = checkedIndex("scatterAdd", ids[j]!, n, axis);
      const to = (o * n + k) * inner;
      const from = (o * m + j) * inner;
      for (let t = 0; t < inner; t++) dst[to + t]! += u[from + t]!;
    }
  }
  return [dst];
}

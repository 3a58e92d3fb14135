/** Reference kernels for reductions, arg-reductions and cumulative sums. */
import { allocate, type TypedArray } from "../../../core/dtype.js";
import { stridesOf } from "../../../core/shape.js";
import type { Aval } from "../../../core/tensor.js";
import type { KernelInput, ReduceName } from "../../spec.js";
import { forEachRow } from "../strided.js";

/**
 * Splits `shape` into kept and reduced axes and calls
 * `visit(inStart, outOffset, length, outStep)` for each innermost run of
 * input elements inStart..inStart+length-1, whose j-th element reduces into
 * output slot outOffset + j·outStep: a reduction is one pass in input order.
 */
function forEachReduced(shape: readonly number[], axes: number[], visit: (i: number, o: number, length: number, step: number) => void): void {
  const n = shape.length;
  const reduced = new Array<boolean>(n).fill(false);
  for (const a of axes) reduced[a] = true;
  // Output strides: 0 on reduced axes, row-major over kept axes.
  const outStrides = new Array<number>(n).fill(0);
  let s = 1;
  for (let ax = n - 1; ax >= 0; ax--) {
    if (!reduced[ax]) {
      outStrides[ax] = s;
      s *= shape[ax]!;
    }
  }
  forEachRow(shape, [outStrides], (start, [o], length, [step]) => visit(start, o!, length, step!));
}

const INIT: Record<ReduceName, number> = { reduce_sum: 0, reduce_prod: 1, reduce_max: -Infinity, reduce_min: Infinity };

export function reduceKernel(name: ReduceName) {
  return ([x]: KernelInput[], { axes }: { axes: number[] }, [out]: Aval[]): TypedArray[] => {
    let outSize = 1;
    for (const d of out!.shape) outSize *= d;
    // Accumulate in float64, then store in the output dtype.
    const acc = new Float64Array(outSize).fill(INIT[name]);
    const src = x!.data;
    switch (name) {
      case "reduce_sum": forEachReduced(x!.shape, axes, (i, o, n, step) => {
        if (step === 0) {
          let t = acc[o]!;
          for (let j = 0; j < n; j++) t += src[i + j]!;
          acc[o] = t;
        } else {
          for (let j = 0, q = o; j < n; j++, q += step) acc[q]! += src[i + j]!;
        }
      }); break;
      case "reduce_prod": forEachReduced(x!.shape, axes, (i, o, n, step) => {
        for (let j = 0, q = o; j < n; j++, q += step) acc[q]! *= src[i + j]!;
      }); break;
      case "reduce_max": forEachReduced(x!.shape, axes, (i, o, n, step) => {
        for (let j = 0, q = o; j < n; j++, q += step) {
          const v = src[i + j]!;
          if (v > acc[q]! || Number.isNaN(v)) acc[q] = v;
        }
      }); break;
      case "reduce_min": forEachReduced(x!.shape, axes, (i, o, n, step) => {
        for (let j = 0, q = o; j < n; j++, q += step) {
          const v = src[i + j]!;
          if (v < acc[q]! || Number.isNaN(v)) acc[q] = v;
        }
      }); break;
      default: name satisfies never;
    }
    const dst = allocate(out!.dtype, outSize);
    if (out!.dtype === "int32") for (let i = 0; i < outSize; i++) dst[i] = acc[i]! | 0;
    else dst.set(acc);
    return [dst];
  };
}

/** Index of the first max (or min) along one axis; NaN wins, as in NumPy. */
export function argKernel(isMax: boolean) {
  return ([x]: KernelInput[], { axis }: { axis: number }, [out]: Aval[]): TypedArray[] => {
    const shape = x!.shape;
    const n = shape[axis]!;
    const inner = stridesOf(shape)[axis]!;
    let outer = 1;
    for (let i = 0; i < axis; i++) outer *= shape[i]!;
    const src = x!.data;
    const dst = allocate(out!.dtype, outer * inner) as Int32Array;
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < inner; j++) {
        const base = o * n * inner + j;
        let best = src[base]!;
        let bi = 0;
        for (let k = 1; k < n && !Number.isNaN(best); k++) {
          const v = src[base + k * inner]!;
          if (Number.isNaN(v) || (isMax ? v > best : v < best)) { best = v; bi = k; }
        }
        dst[o * inner + j] = bi;
      }
    }
    return [dst];
  };
}

export function cumsumKernel([x]: KernelInput[], { axis, reverse }: { axis: number; reverse: boolean }, [out]: Aval[]): TypedArray[] {
  const shape = x!.shape;
  const n = shape[axis]!;
  const inner = stridesOf(shape)[axis]!;
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  const src = x!.data;
  const dst = allocate(out!.dtype, src.length);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * n * inner + j;
      let acc = 0;
      for (let t = 0; t < n; t++) {
        const k = reverse ? n - 1 - t : t;
        acc += src[base + k * inner]!;
        dst[base + k * inner] = acc;
      }
    }
  }
  return [dst];
}

/** Reference kernel of `argsort`: a stable ascending sort of each lane, NaN last. */
import type { TypedArray } from "../../../core/dtype.js";
import { stridesOf } from "../../../core/shape.js";
import type { Aval } from "../../../core/tensor.js";
import type { KernelInput, PrimParams } from "../../spec.js";

export function argsortKernel([x]: KernelInput[], { axis }: PrimParams["argsort"], [out]: Aval[]): TypedArray[] {
  const shape = x!.shape;
  const n = shape[axis]!;
  const inner = stridesOf(shape)[axis]!;
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  const src = x!.data;
  const dst = new Int32Array(src.length);
  const order = new Array<number>(n);
  const lane = new Float64Array(n);
  // NaN compares as larger than everything; ties fall back to the index (stable).
  const byValue = (a: number, b: number): number => {
    const va = lane[a]!, vb = lane[b]!;
    if (va < vb) return -1;
    if (va > vb) return 1;
    const na = Number.isNaN(va), nb = Number.isNaN(vb);
    if (na !== nb) return na ? 1 : -1;
    return a - b;
  };
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * n * inner + j;
      for (let k = 0; k < n; k++) {
        lane[k] = src[base + k * inner]!;
        order[k] = k;
      }
      order.sort(byValue);
      for (let k = 0; k < n; k++) dst[base + k * inner] = order[k]!;
    }
  }
  return [dst];
}

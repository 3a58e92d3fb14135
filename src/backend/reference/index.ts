/**
 * The reference backend: plain TypeScript loops over JS TypedArrays. It
 * defines the semantics every other backend is tested against.
 */
import type { TypedArray } from "../../core/dtype.js";
import type { Aval, Buffer } from "../../core/tensor.js";
import type { Backend, PrimName, PrimParams } from "../spec.js";
import { ArrayBuffer_ } from "./buffer.js";
import { referenceKernels } from "./kernels.js";

export const referenceBackend: Backend = {
  name: "reference",
  fromArray(data: TypedArray): Buffer {
    return new ArrayBuffer_(data);
  },
  run<K extends PrimName>(prim: K, inputs: { buffer: Buffer; shape: readonly number[]; dtype: Aval["dtype"] }[], params: PrimParams[K], outs: Aval[]): Buffer[] {
    const kernel = referenceKernels[prim];
    const views = inputs.map((x) => ({ data: x.buffer.view(), shape: x.shape, dtype: x.dtype }));
    return kernel(views, params, outs).map((d) => new ArrayBuffer_(d));
  },
};

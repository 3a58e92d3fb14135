import type { TypedArray } from "../../../core/dtype.js";
import type { Aval } from "../../../core/tensor.js";
import type { KernelInput, PrimParams } from "../../spec.js";
// PLACEHOLDER: filled in by the convolution work.
export function convKernel(_x: KernelInput[], _p: PrimParams["conv"], _o: Aval[]): TypedArray[] { throw new Error("conv kernel pending"); }
export function reduceWindowMaxKernel(_x: KernelInput[], _p: PrimParams["reduce_window_max"], _o: Aval[]): TypedArray[] { throw new Error("reduce_window_max kernel pending"); }

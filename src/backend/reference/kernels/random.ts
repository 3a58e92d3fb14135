import type { TypedArray } from "../../../core/dtype.js";
import type { Aval } from "../../../core/tensor.js";
import type { KernelInput, PrimParams } from "../../spec.js";
// PLACEHOLDER: filled in by the random work.
export function randomBitsKernel(_x: KernelInput[], _p: PrimParams["random_bits"], _o: Aval[]): TypedArray[] { throw new Error("random kernel pending"); }

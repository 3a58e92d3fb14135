import type { TypedArray } from "../../../core/dtype.js";
import type { Aval } from "../../../core/tensor.js";
import type { KernelInput } from "../../spec.js";
// PLACEHOLDER: filled in by the linalg work.
const pending = (_x: KernelInput[], _p: unknown, _o: Aval[]): TypedArray[] => { throw new Error("linalg kernel pending"); };
export const choleskyKernel = pending, triangularSolveKernel = pending, luKernel = pending, qrKernel = pending, eighKernel = pending, svdKernel = pending;

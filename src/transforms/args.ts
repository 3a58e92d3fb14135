/** Turning transform arguments (tensors or JS numbers) into tensors. */
import type { DType } from "../core/dtype.js";
import { TransformError } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";
import { scalar } from "../primitives/constant.js";

export function toTensor(x: unknown, op: string, dtype: DType = "float32"): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === "number") return scalar(x, dtype);
  throw new TransformError(`${op}: expected a tensor or a number, got ${typeof x}`);
}

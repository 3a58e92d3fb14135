/** Concrete constants made inside rules and ops (scalars, zeros, index ranges). */
import { allocate, castScalar, type DType, type TypedArray } from "../core/dtype.js";
import { sizeOf } from "../core/shape.js";
import { ConcreteTensor } from "../core/tensor.js";
import { getBackend } from "../backend/registry.js";

export function fromTypedArray(data: TypedArray, shape: readonly number[], dtype: DType): ConcreteTensor {
  return new ConcreteTensor(getBackend().fromArray(data), shape, dtype);
}

/** A rank-0 tensor: primitives broadcast it, so rules can write `mul(scalar(2, t.dtype), t)`. */
export function scalar(value: number, dtype: DType): ConcreteTensor {
  const data = allocate(dtype, 1);
  data[0] = castScalar(value, dtype);
  return fromTypedArray(data, [], dtype);
}

export function filled(shape: readonly number[], value: number, dtype: DType): ConcreteTensor {
  const data = allocate(dtype, sizeOf(shape));
  if (value !== 0) data.fill(castScalar(value, dtype));
  return fromTypedArray(data, shape, dtype);
}

export function iota(n: number, dtype: DType = "int32"): ConcreteTensor {
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = i;
  return fromTypedArray(data, [n], dtype);
}

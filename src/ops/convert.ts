/** Bringing operands to tensors of one dtype, with JS numbers as weak scalars (as in JAX). */
import { defaultDTypeOf, isFloat, promoteTypes, promoteWithScalar, type DType } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";
import { scalar } from "../primitives/constant.js";
import * as lax from "../primitives/lax.js";
import { tensor } from "./creation.js";

export type TensorLike = Tensor | number | boolean;
export type ArrayLike = TensorLike | TensorLikeArray;
interface TensorLikeArray extends Array<ArrayLike> {}

/** Any accepted input as a tensor (nested arrays become float32 tensors). */
export function asTensor(x: ArrayLike, dtype?: DType): Tensor {
  if (x instanceof Tensor) return dtype ? lax.cast(x, dtype) : x;
  if (typeof x === "number" || typeof x === "boolean") {
    const dt = dtype ?? defaultDTypeOf(x);
    return scalar(typeof x === "boolean" ? (x ? 1 : 0) : x, dt);
  }
  if (Array.isArray(x)) return tensor(x as never, dtype ? { dtype } : {});
  throw new ValueError(`expected a tensor, number, boolean or nested array, got ${x === null ? "null" : typeof x}`);
}

/** The common dtype of operands: tensors promote by the lattice; JS numbers are weak. */
export function resultDType(xs: readonly ArrayLike[]): DType {
  let dt: DType | null = null;
  for (const x of xs) {
    if (x instanceof Tensor) dt = dt === null ? x.dtype : promoteTypes(dt, x.dtype);
    else if (Array.isArray(x)) dt = dt === null ? "float32" : promoteTypes(dt, "float32");
  }
  if (dt === null) {
    // Only JS scalars: float32 if any is a number, bool if all are booleans.
    return xs.some((x) => typeof x === "number") ? "float32" : "bool";
  }
  for (const x of xs) if (typeof x === "number" || typeof x === "boolean") dt = promoteWithScalar(dt, x);
  return dt;
}

/** Operands as tensors of one dtype (optionally at least `floor`, e.g. float32 for division). */
export function unify(xs: readonly ArrayLike[], floatResult = false): Tensor[] {
  const dt = withFloor(resultDType(xs), floatResult);
  return xs.map((x) => asTensor(x, dt));
}

/**
 * `unify([x, y], floatResult)` for the two operands of a binary op, without
 * the general path's arrays and loops in the common cases: two tensors of one
 * dtype, or a tensor and a JS number (the same dtypes and casts as `unify`).
 */
export function unifyPair(x: ArrayLike, y: ArrayLike, floatResult = false): [Tensor, Tensor] {
  if (x instanceof Tensor) {
    if (y instanceof Tensor) {
      if (x.dtype === y.dtype && (!floatResult || isFloat(x.dtype))) return [x, y];
    } else if (typeof y === "number") {
      const dt = withFloor(promoteWithScalar(x.dtype, y), floatResult);
      return [lax.cast(x, dt), scalar(y, dt)];
    }
  } else if (typeof x === "number" && y instanceof Tensor) {
    const dt = withFloor(promoteWithScalar(y.dtype, x), floatResult);
    return [scalar(x, dt), lax.cast(y, dt)];
  }
  const [a, b] = unify([x, y], floatResult);
  return [a!, b!];
}

const withFloor = (dt: DType, floatResult: boolean): DType => (floatResult && !isFloat(dt) ? "float32" : dt);

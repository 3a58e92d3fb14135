/** Argument checks shared by the samplers, with errors that name the sampler. */
import type { DType } from "../core/dtype.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";
import * as lax from "../primitives/lax.js";
import { asTensor } from "../ops/convert.js";

export type FloatDType = "float32" | "float64";

export function floatDType(op: string, dtype: DType | undefined): FloatDType {
  if (dtype === undefined) return "float32";
  if (dtype !== "float32" && dtype !== "float64") {
    throw new DTypeError(`${op}: dtype must be float32 or float64, got ${String(dtype)}`);
  }
  return dtype;
}

/** A distribution parameter as a tensor of `dtype` that broadcasts to the sample `shape`. */
export function param(op: string, name: string, value: number | Tensor, dtype: DType, shape: readonly number[]): Tensor {
  if (!(value instanceof Tensor) && typeof value !== "number") {
    throw new ValueError(`${op}: ${name} must be a number or a tensor, got ${value === null ? "null" : typeof value}`);
  }
  const t = asTensor(value, dtype);
  if (!broadcastsTo(t.shape, shape)) {
    throw new ShapeError(`${op}: ${name} has shape ${fmtShape(t.shape)}, which does not broadcast to the sample shape ${fmtShape(shape)}`);
  }
  return t;
}

/** Whether NumPy broadcasting takes `from` to exactly `to`. */
export function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  const lead = to.length - from.length;
  return lead >= 0 && from.every((d, i) => d === 1 || d === to[lead + i]);
}

/** A JS number parameter that must be finite. */
export function finite(op: string, name: string, value: number): number {
  if (!Number.isFinite(value)) throw new ValueError(`${op}: ${name} must be a finite number, got ${value}`);
  return value;
}

/** The largest value of `dtype` below `v` (v finite). */
export function below(v: number, dtype: FloatDType): number {
  if (dtype === "float32") {
    const f = new Float32Array([v]);
    const i = new Int32Array(f.buffer);
    if (f[0] === 0) return -1.401298464324817e-45;
    i[0]! += f[0]! > 0 ? -1 : 1;
    return f[0]!;
  }
  const f = new Float64Array([v]);
  const i = new BigInt64Array(f.buffer);
  if (v === 0) return -Number.MIN_VALUE;
  i[0]! += v > 0 ? -1n : 1n;
  return f[0]!;
}

/** Clamps `x` into [lo, hi] (both broadcast). */
export const clampTo = (x: Tensor, lo: Tensor, hi: Tensor): Tensor => lax.min(lax.max(x, lo), hi);

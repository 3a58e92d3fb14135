/** Making tensors: from JS data, and the usual constructors. */
import { allocate, castScalar, dtypeOfArray, isDType, type DType, type TypedArray } from "../core/dtype.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { checkShape, sizeOf } from "../core/shape.js";
import { Tensor, type NestedArray } from "../core/tensor.js";
import { fromTypedArray } from "../primitives/constant.js";
import * as lax from "../primitives/lax.js";

export interface TensorOptions {
  dtype?: DType;
  shape?: number[];
}

function checkDType(op: string, dtype: unknown): DType {
  if (!isDType(dtype)) throw new DTypeError(`${op}: unknown dtype ${JSON.stringify(dtype)} (use float32, float64, int32, uint8 or bool)`);
  return dtype;
}

/** Infers the shape of nested arrays, checking they are rectangular. */
function nestedShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let x: NestedArray = data;
  while (Array.isArray(x)) {
    shape.push(x.length);
    if (x.length === 0) break;
    x = x[0]!;
  }
  const check = (v: NestedArray, axis: number, path: string): void => {
    if (axis === shape.length) {
      if (Array.isArray(v)) throw new ShapeError(`tensor: ragged nested array: element ${path} is an array, but its siblings are scalars`);
      if (typeof v !== "number" && typeof v !== "boolean") throw new ValueError(`tensor: element ${path} is ${typeof v}, expected a number or boolean`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[axis]) {
      throw new ShapeError(`tensor: ragged nested array: element ${path || "[]"} has ${Array.isArray(v) ? `length ${v.length}` : "no length"}, expected ${shape[axis]} (shape so far ${fmtShape(shape)})`);
    }
    v.forEach((c, i) => check(c, axis + 1, `${path}[${i}]`));
  };
  check(data, 0, "");
  return shape;
}

/**
 * `fx.tensor(data, { dtype, shape })`: numbers, booleans, nested arrays or a
 * TypedArray. Numbers become float32 and booleans bool unless a dtype is given.
 */
export function tensor(data: NestedArray | TypedArray | Tensor, opts: TensorOptions = {}): Tensor {
  if (data instanceof Tensor) return opts.dtype ? lax.cast(data, checkDType("tensor", opts.dtype)) : data;
  if (ArrayBuffer.isView(data)) {
    const typed = data as TypedArray;
    const dtype = opts.dtype ? checkDType("tensor", opts.dtype) : dtypeOfArray(typed);
    const shape = opts.shape ? checkShape("tensor", opts.shape) : [typed.length];
    if (sizeOf(shape) !== typed.length) {
      throw new ShapeError(`tensor: shape ${fmtShape(shape)} needs ${sizeOf(shape)} elements but the array has ${typed.length}`);
    }
    const store = allocate(dtype, typed.length);
    if (dtype === "bool") for (let i = 0; i < typed.length; i++) store[i] = typed[i] ? 1 : 0;
    else store.set(typed);
    return fromTypedArray(store, shape, dtype);
  }
  const shape = nestedShape(data);
  const flat = (Array.isArray(data) ? (data as unknown[]).flat(Infinity) : [data]) as (number | boolean)[];
  const isBool = flat.length > 0 && typeof flat[0] === "boolean";
  const dtype = opts.dtype ? checkDType("tensor", opts.dtype) : isBool ? "bool" : "float32";
  const store = allocate(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i]!;
    store[i] = castScalar(typeof v === "boolean" ? (v ? 1 : 0) : v, dtype);
  }
  if (opts.shape) {
    const want = checkShape("tensor", opts.shape);
    if (sizeOf(want) !== flat.length) throw new ShapeError(`tensor: shape ${fmtShape(want)} needs ${sizeOf(want)} elements but the data has ${flat.length}`);
    return fromTypedArray(store, want, dtype);
  }
  return fromTypedArray(store, shape, dtype);
}

export function full(shape: number[], value: number | boolean, dtype?: DType): Tensor {
  checkShape("full", shape);
  const dt = dtype ? checkDType("full", dtype) : typeof value === "boolean" ? "bool" : "float32";
  const store = allocate(dt, sizeOf(shape));
  const v = castScalar(typeof value === "boolean" ? (value ? 1 : 0) : value, dt);
  if (v !== 0) store.fill(v);
  return fromTypedArray(store, shape, dt);
}

export const zeros = (shape: number[], dtype: DType = "float32") => full(shape, 0, dtype);
export const ones = (shape: number[], dtype: DType = "float32") => full(shape, 1, dtype);
export const zerosLike = (t: Tensor, dtype?: DType) => zeros([...t.shape], dtype ?? t.dtype);
export const onesLike = (t: Tensor, dtype?: DType) => ones([...t.shape], dtype ?? t.dtype);
export const fullLike = (t: Tensor, value: number, dtype?: DType) => full([...t.shape], value, dtype ?? t.dtype);

/** `arange(stop)`, `arange(start, stop, step?)`; int32 when all arguments are integers, else float32. */
export function arange(start: number, stop?: number, step = 1, dtype?: DType): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new ValueError(`arange: step must be a non-zero finite number, got ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const dt = dtype ?? ([start, stop, step].every(Number.isInteger) ? "int32" : "float32");
  const store = allocate(checkDType("arange", dt), n);
  for (let i = 0; i < n; i++) store[i] = start + i * step;
  return fromTypedArray(store, [n], dt);
}

/** `num` evenly spaced values from start to stop inclusive. */
export function linspace(start: number, stop: number, num = 50, dtype: DType = "float32"): Tensor {
  if (!Number.isInteger(num) || num < 0) throw new ValueError(`linspace: num must be a non-negative integer, got ${num}`);
  const store = allocate(checkDType("linspace", dtype), num);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) store[i] = i === num - 1 && num > 1 ? stop : start + i * step;
  return fromTypedArray(store, [num], dtype);
}

/** Identity matrix (n × m, ones on diagonal k). */
export function eye(n: number, m?: number, k = 0, dtype: DType = "float32"): Tensor {
  const cols = m ?? n;
  checkShape("eye", [n, cols]);
  const store = allocate(checkDType("eye", dtype), n * cols);
  for (let i = 0; i < n; i++) {
    const j = i + k;
    if (j >= 0 && j < cols) store[i * cols + j] = 1;
  }
  return fromTypedArray(store, [n, cols], dtype);
}

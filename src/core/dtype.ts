import { DTypeError } from "./errors.js";
import { takePooled } from "./storage-pool.js";

/** The element types a tensor can hold. */
export type DType = "float32" | "float64" | "int32" | "uint8" | "bool";

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "uint8", "bool"];

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && (DTYPES as readonly string[]).includes(x);
}

export function isFloat(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

export function isInteger(dtype: DType): boolean {
  return dtype === "int32" || dtype === "uint8";
}

export function itemSize(dtype: DType): number {
  switch (dtype) {
    case "float64": return 8;
    case "float32": case "int32": return 4;
    case "uint8": case "bool": return 1;
    default: return dtype satisfies never;
  }
}

/**
 * Small arrays are carved out of shared 64 KiB slabs: a fresh small
 * ArrayBuffer costs microseconds (its own zeroed backing store), a view into a
 * slab tens of nanoseconds, and small-tensor code allocates at every op. A slab
 * is freed by the garbage collector once no view into it is alive, so memory
 * stays managed; the cost is that one long-lived small tensor keeps its
 * 64 KiB slab alive. Large arrays get their own buffer.
 */
const SLAB_BYTES = 64 * 1024;
const SMALL_BYTES = 2048;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabOffset = 0;

/** Reserves `bytes` in the current slab (starting a new one if they do not fit) and returns their offset in `slab`. */
function slabBytes(bytes: number): number {
  const aligned = (bytes + 7) & ~7;
  if (slabOffset + aligned > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabOffset = 0;
  }
  const at = slabOffset;
  slabOffset += aligned;
  return at;
}

/** Allocate zeroed storage for `size` elements; bool is stored as 0/1 bytes. */
export function allocate(dtype: DType, size: number): TypedArray {
  return allocateStorage(dtype, size, true);
}

/**
 * Storage for `size` elements that the caller overwrites entirely (its
 * initial contents are unspecified): skips zeroing a pooled buffer.
 */
export function allocateUninitialized(dtype: DType, size: number): TypedArray {
  return allocateStorage(dtype, size, false);
}

/** True when storage of this many bytes gets its own buffer rather than a slab slice: only such storage is pooled. */
export function ownsBufferOfSize(bytes: number): boolean {
  return bytes > SMALL_BYTES;
}

/** True when `a` owns its whole buffer (not a view into a slab or a shared buffer). */
export function ownsBuffer(a: TypedArray): boolean {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && ownsBufferOfSize(a.byteLength) && a.buffer instanceof ArrayBuffer;
}

/**
 * Where uninitialized storage comes from while a backend holds a call arena
 * (Backend.callArena: a compiled call's results in the backend's own memory);
 * null when none is open or it declines (full).
 */
type CallStorage = (dtype: DType, size: number, bytes: number) => TypedArray | null;
let callStorage: CallStorage | null = null;

/** Installs (or with null removes) the call arena's allocator; returns the previous one. */
export function setCallStorage(source: CallStorage | null): CallStorage | null {
  const previous = callStorage;
  callStorage = source;
  return previous;
}

/**
 * Runs `make` with ordinary GC-owned storage even inside a compiled call:
 * for data that outlives the call (a cache on a tensor the caller keeps).
 */
export function outsideCallStorage<T>(make: () => T): T {
  const previous = setCallStorage(null);
  try {
    return make();
  } finally {
    setCallStorage(previous);
  }
}

function allocateStorage(dtype: DType, size: number, zeroed: boolean): TypedArray {
  const bytes = size * itemSize(dtype);
  if (!zeroed && callStorage !== null && bytes > SMALL_BYTES) {
    const resident = callStorage(dtype, size, bytes);
    if (resident) return resident;
  }
  if (bytes > SMALL_BYTES) {
    const pooled = takePooled(bytes);
    if (pooled) {
      const a = viewOf(dtype, pooled, 0, size);
      if (zeroed) a.fill(0);
      return a;
    }
  }
  if (bytes > SMALL_BYTES || bytes === 0) {
    switch (dtype) {
      case "float32": return new Float32Array(size);
      case "float64": return new Float64Array(size);
      case "int32": return new Int32Array(size);
      case "uint8": case "bool": return new Uint8Array(size);
      default: return dtype satisfies never;
    }
  }
  const at = slabBytes(bytes);
  return viewOf(dtype, slab, at, size);
}

/** A `dtype` view of `size` elements of `buf` from byte `at`. */
export function viewOf(dtype: DType, buf: ArrayBufferLike, at: number, size: number): TypedArray {
  switch (dtype) {
    case "float32": return new Float32Array(buf, at, size);
    case "float64": return new Float64Array(buf, at, size);
    case "int32": return new Int32Array(buf, at, size);
    case "uint8": case "bool": return new Uint8Array(buf, at, size);
    default: return dtype satisfies never;
  }
}

/** The dtype a TypedArray naturally holds. */
export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  return "uint8";
}

/**
 * Promotion lattice: bool < uint8 < int32 < float32 < float64.
 * Two tensors promote to the larger of the two (uint8 with int32 gives int32).
 */
const RANK: Record<DType, number> = { bool: 0, uint8: 1, int32: 2, float32: 3, float64: 4 };

export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * JS numbers are weak scalars (as in JAX): they take the tensor's dtype unless
 * they cannot be represented in its kind. A non-integer number with an integer or
 * bool tensor gives float32; an integer number with a bool tensor gives int32.
 */
export function promoteWithScalar(t: DType, value: number | boolean): DType {
  if (typeof value === "boolean") return t;
  if (isFloat(t)) return t;
  if (!Number.isInteger(value)) return "float32";
  if (t === "bool") return "int32";
  return t;
}

/** The dtype of a JS value when no tensor gives one. */
export function defaultDTypeOf(value: number | boolean): DType {
  return typeof value === "boolean" ? "bool" : "float32";
}

/** Casts a JS number to the value a dtype would store (used for scalars and fill values). */
export function castScalar(value: number, dtype: DType): number {
  switch (dtype) {
    case "float64": return value;
    case "float32": return Math.fround(value);
    case "int32": return value | 0;
    case "uint8": return value & 255;
    case "bool": return value ? 1 : 0;
    default: return dtype satisfies never;
  }
}

export function requireFloat(op: string, dtype: DType): void {
  if (!isFloat(dtype)) {
    throw new DTypeError(`${op}: needs a floating-point tensor (float32 or float64), got ${dtype}`);
  }
}

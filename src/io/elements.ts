/**
 * Element types as stored in files, and their conversion to and from the
 * dtypes tensors hold. Files are little-endian; conversions copy bytes (or
 * build bit patterns) rather than going through JS numbers, so NaN payloads
 * and −0 survive exactly.
 *
 * Reading widens without loss: f16 and bf16 become float32 (every value is
 * exactly representable), i8/i16/u16 become int32. i64, u64 and u32 become
 * int32 only when every value fits; otherwise reading fails and says so.
 */
import { type DType, type TypedArray } from "../core/dtype.js";
import { FileFormatError } from "../core/errors.js";
import { type Tensor } from "../core/tensor.js";

export type ElementKind = "f64" | "f32" | "f16" | "bf16" | "i64" | "i32" | "i16" | "i8" | "u64" | "u32" | "u16" | "u8" | "bool";

export const ELEMENT_SIZE: Readonly<Record<ElementKind, number>> = {
  f64: 8, f32: 4, f16: 2, bf16: 2, i64: 8, i32: 4, i16: 2, i8: 1, u64: 8, u32: 4, u16: 2, u8: 1, bool: 1,
};

/** The dtype a tensor read from each element kind has. */
export const READ_AS: Readonly<Record<ElementKind, DType>> = {
  f64: "float64", f32: "float32", f16: "float32", bf16: "float32",
  i64: "int32", i32: "int32", i16: "int32", i8: "int32", u64: "int32", u32: "int32", u16: "int32",
  u8: "uint8", bool: "bool",
};

/** The element kind each dtype is written as. */
export function kindOfDType(dtype: DType): ElementKind {
  switch (dtype) {
    case "float64": return "f64";
    case "float32": return "f32";
    case "int32": return "i32";
    case "uint8": return "u8";
    case "bool": return "bool";
    default: return dtype satisfies never;
  }
}

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the bytes of each `size`-byte element in place (file order <-> host order on big-endian hosts). */
function swapEach(bytes: Uint8Array, size: number): void {
  for (let i = 0; i + size <= bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

/** The tensor's elements as little-endian bytes (a fresh copy). */
export function tensorBytesLE(t: Tensor): Uint8Array {
  const data = t.data();
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (HOST_IS_LITTLE_ENDIAN) return bytes;
  const copy = copyBytes(bytes);
  swapEach(copy, data.BYTES_PER_ELEMENT);
  return copy;
}

/**
 * A plain Uint8Array copy with its own buffer. (Node's Buffer.slice shares
 * memory, so Buffers are never sliced here.)
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

function isOwnPlainBuffer(bytes: Uint8Array): boolean {
  return bytes.constructor === Uint8Array && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

/**
 * Turns little-endian file bytes into the typed array a tensor of
 * `READ_AS[kind]` stores. `where` names the tensor for error messages.
 * `bytes` may be consumed (its buffer reused).
 */
export function decodeElementsLE(kind: ElementKind, bytes: Uint8Array, where: string): TypedArray {
  const size = ELEMENT_SIZE[kind];
  if (bytes.length % size !== 0) {
    throw new FileFormatError(`${where}: ${bytes.length} bytes is not a whole number of ${size}-byte ${kind} elements`);
  }
  // An own, exactly-sized buffer lets typed arrays view it without alignment trouble.
  const own = isOwnPlainBuffer(bytes) ? bytes : copyBytes(bytes);
  if (!HOST_IS_LITTLE_ENDIAN && size > 1) swapEach(own, size);
  const n = own.length / size;
  const buf = own.buffer as ArrayBuffer;
  switch (kind) {
    case "f64": return new Float64Array(buf);
    case "f32": return new Float32Array(buf);
    case "i32": return new Int32Array(buf);
    case "u8": return own;
    case "bool": {
      for (let i = 0; i < n; i++) {
        if (own[i]! > 1) throw new FileFormatError(`${where}: bool element ${i} is byte ${own[i]}, expected 0 or 1`);
      }
      return own;
    }
    case "f16": return halfToFloat32(new Uint16Array(buf));
    case "bf16": {
      const src = new Uint16Array(buf);
      const out = new Float32Array(n);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = src[i]! << 16;
      return out;
    }
    case "i16": return Int32Array.from(new Int16Array(buf));
    case "i8": return Int32Array.from(new Int8Array(buf));
    case "u16": return Int32Array.from(new Uint16Array(buf));
    case "u32": {
      const out = new Int32Array(buf);
      for (let i = 0; i < n; i++) {
        if (out[i]! < 0) throw outOfRange(where, kind, String(out[i]! >>> 0), i);
      }
      return out;
    }
    case "i64": case "u64": {
      const halves = new Int32Array(buf);
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const lo = halves[2 * i]!, hi = halves[2 * i + 1]!;
        const fits = kind === "i64" ? hi === lo >> 31 : hi === 0 && lo >= 0;
        if (!fits) {
          const big = kind === "i64" ? new BigInt64Array(buf)[i]! : new BigUint64Array(buf)[i]!;
          throw outOfRange(where, kind, big.toString(), i);
        }
        out[i] = lo;
      }
      return out;
    }
    default: return kind satisfies never;
  }
}

function outOfRange(where: string, kind: ElementKind, value: string, index: number): FileFormatError {
  return new FileFormatError(
    `${where}: ${kind} element ${index} is ${value}, outside the int32 range; ` +
    `fluxion reads ${kind} as int32 only when every value fits`,
  );
}

/** IEEE half-precision bit patterns to float32, exactly (NaN payloads kept in the top mantissa bits). */
function halfToFloat32(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) {
    const h = src[i]!;
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    let mant = h & 0x3ff;
    if (exp === 0x1f) {
      bits[i] = (sign | 0x7f800000 | (mant << 13)) >>> 0;
    } else if (exp !== 0) {
      bits[i] = (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
    } else if (mant === 0) {
      bits[i] = sign >>> 0;
    } else {
      // Subnormal half: shift the mantissa up until its leading bit is the implicit one.
      let e = 113;
      while ((mant & 0x400) === 0) {
        mant <<= 1;
        e--;
      }
      bits[i] = (sign | (e << 23) | ((mant & 0x3ff) << 13)) >>> 0;
    }
  }
  return out;
}

/**
 * IDX files (the format MNIST and Fashion-MNIST ship in), raw or gzipped:
 *
 *   0x00 0x00 | type code | number of dims d | d × u32 big-endian sizes | elements, big-endian, C order
 *
 * Type codes: 0x08 u8 → uint8, 0x09 i8 → int32, 0x0B i16 → int32, 0x0C i32 → int32,
 * 0x0D f32 → float32, 0x0E f64 → float64. Gzip is recognised by its magic bytes 1f 8b,
 * not by the file name. The data must be exactly as long as the sizes say.
 */
import { allocate, type DType, type TypedArray } from "../core/dtype.js";
import { FileFormatError } from "../core/errors.js";
import { nodeModule } from "../core/platform.js";
import { type Tensor } from "../core/tensor.js";
import { fromTypedArray } from "../primitives/constant.js";

interface IdxType {
  readonly name: string;
  readonly size: number;
  readonly dtype: DType;
  read(view: DataView, offset: number): number;
}

const IDX_TYPES: ReadonlyMap<number, IdxType> = new Map<number, IdxType>([
  [0x08, { name: "u8", size: 1, dtype: "uint8", read: (v, o) => v.getUint8(o) }],
  [0x09, { name: "i8", size: 1, dtype: "int32", read: (v, o) => v.getInt8(o) }],
  [0x0b, { name: "i16", size: 2, dtype: "int32", read: (v, o) => v.getInt16(o, false) }],
  [0x0c, { name: "i32", size: 4, dtype: "int32", read: (v, o) => v.getInt32(o, false) }],
  [0x0d, { name: "f32", size: 4, dtype: "float32", read: (v, o) => v.getFloat32(o, false) }],
  [0x0e, { name: "f64", size: 8, dtype: "float64", read: (v, o) => v.getFloat64(o, false) }],
]);

export interface IdxOptions {
  /** Refuse gzipped files that expand beyond this many bytes (default 2 GiB). */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 2 ** 31;

/**
 * Reads an IDX file, gzipped or not.
 *
 *   const images = data.loadIdx("train-images-idx3-ubyte.gz"); // uint8 [60000, 28, 28]
 */
export function loadIdx(path: string, opts: IdxOptions = {}): Tensor {
  return toTensor(loadIdxArray(path, opts));
}

/** Parses IDX bytes held in memory (gzipped or not). */
export function decodeIdx(bytes: Uint8Array, opts: IdxOptions = {}): Tensor {
  return toTensor(decode("decodeIdx", bytes, opts));
}

export interface IdxArray {
  readonly data: TypedArray;
  readonly shape: number[];
  readonly dtype: DType;
}

/** loadIdx without wrapping the result in a tensor (for loaders that transform the values first). */
export function loadIdxArray(path: string, opts: IdxOptions = {}): IdxArray {
  const op = `loadIdx(${JSON.stringify(path)})`;
  return decode(op, nodeModule("node:fs", op).readFileSync(path), opts);
}

function toTensor(a: IdxArray): Tensor {
  return fromTypedArray(a.data, a.shape, a.dtype);
}

function decode(op: string, raw: Uint8Array, opts: IdxOptions): IdxArray {
  const bytes = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b ? gunzip(op, raw, opts.maxBytes ?? DEFAULT_MAX_BYTES) : raw;
  if (bytes.length < 4) throw new FileFormatError(`${op}: ${bytes.length} bytes is too short for the 4-byte IDX magic number`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new FileFormatError(`${op}: not an IDX file: the magic number must start with two zero bytes, found ${hex(bytes[0]!)} ${hex(bytes[1]!)}`);
  }
  const type = IDX_TYPES.get(bytes[2]!);
  if (type === undefined) {
    throw new FileFormatError(`${op}: unknown IDX type code ${hex(bytes[2]!)} (known: 0x08 u8, 0x09 i8, 0x0b i16, 0x0c i32, 0x0d f32, 0x0e f64)`);
  }
  const ndim = bytes[3]!;
  const dataStart = 4 + 4 * ndim;
  if (bytes.length < dataStart) throw new FileFormatError(`${op}: file ends inside the ${ndim} dimension sizes (${bytes.length} bytes, needs ${dataStart})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((n, d) => n * BigInt(d), 1n);
  const expected = count * BigInt(type.size);
  const actual = BigInt(bytes.length - dataStart);
  if (actual !== expected) {
    const shapeText = `[${shape.join(", ")}]`;
    throw new FileFormatError(
      actual < expected
        ? `${op}: truncated: shape ${shapeText} of ${type.name} needs ${expected} data bytes but only ${actual} follow the header`
        : `${op}: ${actual - expected} trailing bytes after the ${expected} data bytes that shape ${shapeText} of ${type.name} needs`,
    );
  }
  const n = Number(count);
  const out = allocate(type.dtype, n);
  if (type.size === 1 && type.dtype === "uint8") out.set(bytes.subarray(dataStart));
  else for (let i = 0; i < n; i++) out[i] = type.read(view, dataStart + i * type.size);
  return { data: out, shape, dtype: type.dtype };
}

function gunzip(op: string, bytes: Uint8Array, maxBytes: number): Uint8Array {
  try {
    return nodeModule("node:zlib", op).gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ERR_BUFFER_TOO_LARGE") throw new FileFormatError(`${op}: gzipped data expands beyond ${maxBytes} bytes (raise opts.maxBytes if this is expected)`);
    throw new FileFormatError(`${op}: corrupt gzip data (${(e as Error).message})`);
  }
}

function hex(b: number): string {
  return `0x${b.toString(16).padStart(2, "0")}`;
}

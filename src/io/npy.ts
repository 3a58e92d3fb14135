/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0):
 *
 *   "\x93NUMPY" major minor | header length (u16 LE in 1.0, u32 LE in 2.0/3.0)
 *   | header: a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 *     padded with spaces and ended by "\n" | the elements, C order
 *
 * The header is read by a tiny parser for exactly that dict, never evaluated.
 * Readable: '<f4' '<f8' '<f2' '<i4' '<i8' '<i2' '|i1' '|u1' '<u2' '<u4' '<u8' '|b1'
 * (f2 → float32 and small ints → int32 exactly; i8/u4/u8 → int32 when every value
 * fits). Refused: Fortran order, big-endian, object arrays (pickles), structured dtypes.
 */
import { FileFormatError, fmtShape } from "../core/errors.js";
import { type DType } from "../core/dtype.js";
import { type Tensor } from "../core/tensor.js";
import { fromTypedArray } from "../primitives/constant.js";
import { writeFileAtomic } from "./atomic-write.js";
import { memorySource, withFileSource, type ByteSource } from "./byte-source.js";
import { ELEMENT_SIZE, READ_AS, decodeElementsLE, tensorBytesLE, type ElementKind } from "./elements.js";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

const DESCR_KIND: Readonly<Record<string, ElementKind>> = Object.assign(Object.create(null), {
  "<f8": "f64", "<f4": "f32", "<f2": "f16",
  "<i8": "i64", "<i4": "i32", "<i2": "i16", "|i1": "i8", "<i1": "i8",
  "<u8": "u64", "<u4": "u32", "<u2": "u16", "|u1": "u8", "<u1": "u8",
  "|b1": "bool", "<b1": "bool",
});

const DESCR_OF: Readonly<Record<DType, string>> = { float64: "<f8", float32: "<f4", int32: "<i4", uint8: "|u1", bool: "|b1" };

/**
 * The bytes of a `.npy` file (version 1.0, or 2.0 when the header needs it) holding `t`.
 *
 *   io.decodeNpy(io.encodeNpy(fx.arange(6).reshape([2, 3]))).shape; // [2, 3]
 */
export function encodeNpy(t: Tensor): Uint8Array {
  const shape = t.ndim === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(", ")})`;
  const dict = `{'descr': '${DESCR_OF[t.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  const data = tensorBytesLE(t);
  const version = dict.length + 11 > 0xffff ? 2 : 1;
  const prefix = version === 1 ? 10 : 12;
  const headerLength = Math.ceil((prefix + dict.length + 1) / 64) * 64 - prefix;
  const out = new Uint8Array(prefix + headerLength + data.length);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerLength, true);
  else view.setUint32(8, headerLength, true);
  for (let i = 0; i < dict.length; i++) out[prefix + i] = dict.charCodeAt(i);
  out.fill(0x20, prefix + dict.length, prefix + headerLength - 1);
  out[prefix + headerLength - 1] = 0x0a;
  out.set(data, prefix + headerLength);
  return out;
}

/** Parses `.npy` bytes held in memory. */
export function decodeNpy(bytes: Uint8Array): Tensor {
  return decode("decodeNpy", memorySource(bytes));
}

/** Writes a tensor to a `.npy` file atomically; NumPy's `np.load` reads it back with the same dtype and shape. */
export function saveNpy(path: string, t: Tensor): void {
  writeFileAtomic(path, encodeNpy(t), "saveNpy");
}

/**
 * Reads a `.npy` file written by NumPy (`np.save`).
 *
 *   const x = io.loadNpy("features.npy"); // e.g. float32 [1000, 20]
 */
export function loadNpy(path: string): Tensor {
  const op = `loadNpy(${JSON.stringify(path)})`;
  return withFileSource(op, path, (source) => decode(op, source));
}

function decode(op: string, source: ByteSource): Tensor {
  if (source.size < 10) throw new FileFormatError(`${op}: file is ${source.size} bytes, too short for a .npy header`);
  const start = source.read(0, Math.min(12, source.size));
  if (MAGIC.some((b, i) => start[i] !== b)) throw new FileFormatError(`${op}: not a .npy file (it does not start with "\\x93NUMPY")`);
  const major = start[6]!, minor = start[7]!;
  if (major < 1 || major > 3 || minor !== 0) throw new FileFormatError(`${op}: unsupported .npy format version ${major}.${minor} (readable: 1.0, 2.0, 3.0)`);
  const prefix = major === 1 ? 10 : 12;
  if (source.size < prefix) throw new FileFormatError(`${op}: file is ${source.size} bytes, too short for a version ${major}.0 header`);
  const view = new DataView(start.buffer);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLength > source.size - prefix) {
    throw new FileFormatError(`${op}: header length ${headerLength} is larger than the ${source.size - prefix} bytes after it`);
  }
  const headerBytes = source.read(prefix, headerLength);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? "utf-8" : "latin1", { fatal: true }).decode(headerBytes);
  } catch {
    throw new FileFormatError(`${op}: header is not valid UTF-8`);
  }
  if (major < 3 && /[^\x20-\x7e\n]/.test(text)) throw new FileFormatError(`${op}: version ${major}.0 header must be printable ASCII`);
  const header = parseHeaderDict(op, text);

  const kind = DESCR_KIND[header.descr];
  if (kind === undefined) throw new FileFormatError(`${op}: ${describeDescr(header.descr)}`);
  if (header.fortranOrder) {
    throw new FileFormatError(`${op}: array is stored in Fortran (column-major) order, which is not supported; save np.ascontiguousarray(x) instead`);
  }
  const count = header.shape.reduce((n, d) => n * BigInt(d), 1n);
  const dataLength = source.size - prefix - headerLength;
  const expected = count * BigInt(ELEMENT_SIZE[kind]);
  if (expected !== BigInt(dataLength)) {
    throw new FileFormatError(`${op}: shape ${fmtShape(header.shape)} of ${header.descr} needs ${expected} data bytes but the file has ${dataLength}`);
  }
  const data = decodeElementsLE(kind, source.read(prefix + headerLength, dataLength), op);
  return fromTypedArray(data, header.shape, READ_AS[kind]);
}

function describeDescr(descr: string): string {
  if (descr.startsWith(">")) return `dtype '${descr}' is big-endian, which is not supported; save x.astype(x.dtype.newbyteorder('<')) instead`;
  if (/^[|<>=]?O/.test(descr)) return `dtype '${descr}' is an object array, stored as a Python pickle, which Fluxion never loads`;
  return `unsupported dtype '${descr}' (readable: ${Object.keys(DESCR_KIND).map((d) => `'${d}'`).join(" ")})`;
}

interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

/** Reads `{'descr': str, 'fortran_order': bool, 'shape': (int, ...)}` and nothing else. */
function parseHeaderDict(op: string, text: string): NpyHeader {
  let pos = 0;
  const fail = (what: string): never => {
    throw new FileFormatError(`${op}: header is not the expected dict: ${what} at character ${pos} of ${JSON.stringify(text.trimEnd())}`);
  };
  const skip = (): void => {
    while (pos < text.length && (text[pos] === " " || text[pos] === "\n")) pos++;
  };
  const expect = (ch: string): void => {
    skip();
    if (text[pos] !== ch) fail(`expected '${ch}'`);
    pos++;
  };
  const peek = (): string | undefined => {
    skip();
    return text[pos];
  };
  const readString = (): string => {
    skip();
    const quote = text[pos];
    if (quote !== "'" && quote !== '"') fail("expected a quoted string");
    const end = text.indexOf(quote!, pos + 1);
    if (end < 0) fail("unterminated string");
    const s = text.slice(pos + 1, end);
    if (s.includes("\\")) fail("escapes are not allowed in header strings");
    pos = end + 1;
    return s;
  };
  const readInt = (): number => {
    skip();
    const m = /^[0-9]+L?/.exec(text.slice(pos, pos + 24));
    if (!m) fail("expected a non-negative integer");
    pos += m![0].length;
    const digits = m![0].replace("L", "");
    if (BigInt(digits) > BigInt(Number.MAX_SAFE_INTEGER)) fail(`dimension ${digits} is beyond 2^53 - 1`);
    return Number(digits);
  };
  const readValue = (key: string): string | boolean | number[] => {
    const c = peek();
    if (c === "'" || c === '"') return readString();
    if (text.startsWith("True", pos)) { pos += 4; return true; }
    if (text.startsWith("False", pos)) { pos += 5; return false; }
    if (c === "(") {
      pos++;
      const dims: number[] = [];
      while (peek() !== ")") {
        dims.push(readInt());
        if (peek() === ",") pos++;
        else if (peek() !== ")") fail("expected ',' or ')' in shape");
      }
      pos++;
      if (dims.length === 1 && !/,\s*\)$/.test(text.slice(0, pos))) fail("a one-element shape must be written (n,)");
      return dims;
    }
    if (c === "[") throw new FileFormatError(`${op}: structured (record) dtypes are not supported (field '${key}' is a list)`);
    return fail(`unexpected value for '${key}'`);
  };

  const fields = new Map<string, string | boolean | number[]>();
  expect("{");
  while (peek() !== "}") {
    const key = readString();
    if (fields.has(key)) fail(`duplicate key '${key}'`);
    if (key !== "descr" && key !== "fortran_order" && key !== "shape") fail(`unexpected key '${key}'`);
    expect(":");
    fields.set(key, readValue(key));
    if (peek() === ",") pos++;
    else if (peek() !== "}") fail("expected ',' or '}'");
  }
  pos++;
  skip();
  if (pos !== text.length) fail("unexpected text after the dict");
  if (!text.endsWith("\n")) fail("header must end with a newline");

  const descr = fields.get("descr"), fortran = fields.get("fortran_order"), shape = fields.get("shape");
  if (typeof descr !== "string") fail("'descr' must be a string");
  if (typeof fortran !== "boolean") fail("'fortran_order' must be True or False");
  if (!Array.isArray(shape)) fail("'shape' must be a tuple of integers");
  return { descr: descr as string, fortranOrder: fortran as boolean, shape: shape as number[] };
}

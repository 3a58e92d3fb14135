/**
 * Parsing and checking a safetensors header. The file is
 *
 *   [8 bytes: N, u64 little-endian][N bytes: UTF-8 JSON header][byte buffer]
 *
 * and the header maps each tensor name to `{dtype, shape, data_offsets: [begin, end]}`
 * (offsets relative to the byte buffer), plus an optional `"__metadata__"`
 * object of string → string. Every number is checked before it is used, and
 * the tensors must tile the byte buffer exactly: starting at 0, no overlaps,
 * no holes, ending at its last byte.
 */
import { FileFormatError } from "../core/errors.js";
import { ELEMENT_SIZE, type ElementKind } from "./elements.js";
import { JsonNumber, JsonSyntaxError, jsonTypeName, parseStrictJson, type JsonObject, type JsonValue } from "./strict-json.js";

/** The header limit the reference implementation uses: larger headers are refused before reading them. */
export const MAX_HEADER_BYTES = 100_000_000;

/** safetensors dtype names Fluxion reads, and the element kind each one is. */
export const SAFETENSORS_DTYPES: Readonly<Record<string, ElementKind>> = Object.freeze(Object.assign(Object.create(null), {
  F64: "f64", F32: "f32", F16: "f16", BF16: "bf16",
  I64: "i64", I32: "i32", I16: "i16", I8: "i8",
  U64: "u64", U32: "u32", U16: "u16", U8: "u8", BOOL: "bool",
}) as Record<string, ElementKind>);

/** Names in the format that Fluxion has no dtype for. */
const KNOWN_UNSUPPORTED = new Set(["F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64"]);

/** Names (or dotted-name segments) that could reach an object prototype when used as keys. */
const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

const METADATA_KEY = "__metadata__";

export interface TensorEntry {
  readonly name: string;
  readonly dtype: string;
  readonly kind: ElementKind;
  readonly shape: number[];
  /** Offsets into the byte buffer, `end` exclusive. */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  /** In header order. */
  readonly entries: TensorEntry[];
  /** A null-prototype record of the `__metadata__` strings. */
  readonly metadata: Record<string, string>;
}

/** Throws if `name` (or one of its dot-separated parts) is a prototype-reaching key. */
export function checkSafeName(op: string, name: string, what: string, ErrorClass: new (message: string) => Error = FileFormatError): void {
  const bad = name.split(".").find((part) => PROTOTYPE_KEYS.has(part));
  if (bad !== undefined) {
    throw new ErrorClass(`${op}: ${what} ${JSON.stringify(name)} is not allowed: "${bad}" could reach an object prototype`);
  }
}

/**
 * Reads the 8-byte header length and checks it against the limit and the file size.
 * `first8` holds the file's first bytes (fewer than 8 when the file is shorter).
 */
export function readHeaderLength(op: string, first8: Uint8Array, fileSize: number): number {
  if (fileSize < 8) {
    throw new FileFormatError(`${op}: file is ${fileSize} bytes, too short to hold the 8-byte header length`);
  }
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new FileFormatError(`${op}: header length ${n} bytes exceeds the ${MAX_HEADER_BYTES}-byte (100 MB) limit`);
  }
  if (n > BigInt(fileSize - 8)) {
    throw new FileFormatError(`${op}: header length ${n} bytes is larger than the ${fileSize - 8} bytes that follow it in the file`);
  }
  return Number(n);
}

/** Decodes, parses and checks a header against a byte buffer of `bufferLength` bytes. */
export function parseSafetensorsHeader(op: string, headerBytes: Uint8Array, bufferLength: number): SafetensorsHeader {
  if (headerBytes.length === 0 || headerBytes[0] !== 0x7b) {
    const found = headerBytes.length === 0 ? "an empty header" : `byte 0x${headerBytes[0]!.toString(16).padStart(2, "0")}`;
    throw new FileFormatError(`${op}: header must start with '{' (the format requires it), found ${found}`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    throw new FileFormatError(`${op}: header is not valid UTF-8 (byte ${firstInvalidUtf8(headerBytes)})`);
  }
  let json: JsonValue;
  try {
    json = parseStrictJson(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    const what = e.reason.startsWith("duplicate key") ? "header has a" : "header is not valid JSON:";
    throw new FileFormatError(`${op}: ${what} ${e.reason} at character ${e.offset}`);
  }
  if (!(json instanceof Map)) {
    throw new FileFormatError(`${op}: header must be a JSON object, got ${jsonTypeName(json)}`);
  }

  const entries: TensorEntry[] = [];
  let metadata: Record<string, string> = Object.create(null);
  for (const [name, value] of json) {
    if (name === METADATA_KEY) metadata = parseMetadata(op, value);
    else entries.push(parseEntry(op, name, value, bufferLength));
  }
  checkTiling(op, entries, bufferLength);
  return { entries, metadata };
}

function parseMetadata(op: string, value: JsonValue): Record<string, string> {
  if (!(value instanceof Map)) {
    throw new FileFormatError(`${op}: "__metadata__" must be an object of string values, got ${jsonTypeName(value)}`);
  }
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of value) {
    checkSafeName(op, k, "metadata key");
    if (typeof v !== "string") {
      throw new FileFormatError(`${op}: metadata value for key ${JSON.stringify(k)} is ${jsonTypeName(v)}; metadata values must be strings`);
    }
    out[k] = v;
  }
  return out;
}

function parseEntry(op: string, name: string, value: JsonValue, bufferLength: number): TensorEntry {
  checkSafeName(op, name, "tensor name");
  const at = `tensor ${JSON.stringify(name)}`;
  if (!(value instanceof Map)) {
    throw new FileFormatError(`${op}: ${at} must be an object with dtype, shape and data_offsets, got ${jsonTypeName(value)}`);
  }
  for (const field of value.keys()) {
    if (field !== "dtype" && field !== "shape" && field !== "data_offsets") {
      throw new FileFormatError(`${op}: ${at} has unknown field ${JSON.stringify(field)} (allowed: dtype, shape, data_offsets)`);
    }
  }
  const fields = value as JsonObject;
  const dtype = requireField(op, at, fields, "dtype");
  const shapeJson = requireField(op, at, fields, "shape");
  const offsetsJson = requireField(op, at, fields, "data_offsets");

  if (typeof dtype !== "string") throw new FileFormatError(`${op}: ${at} dtype must be a string, got ${jsonTypeName(dtype)}`);
  const kind = SAFETENSORS_DTYPES[dtype];
  if (kind === undefined) {
    if (KNOWN_UNSUPPORTED.has(dtype)) {
      throw new FileFormatError(`${op}: ${at} has dtype ${dtype}, which Fluxion cannot hold (readable: ${Object.keys(SAFETENSORS_DTYPES).join(", ")})`);
    }
    throw new FileFormatError(`${op}: ${at} has unknown dtype ${JSON.stringify(dtype)} (readable: ${Object.keys(SAFETENSORS_DTYPES).join(", ")})`);
  }

  if (!Array.isArray(shapeJson)) throw new FileFormatError(`${op}: ${at} shape must be an array, got ${jsonTypeName(shapeJson)}`);
  const shape = shapeJson.map((d, i) => exactNonNegativeInt(op, d, `${at} shape dimension ${i}`));

  if (!Array.isArray(offsetsJson) || offsetsJson.length !== 2) {
    const got = Array.isArray(offsetsJson) ? `an array of ${offsetsJson.length}` : jsonTypeName(offsetsJson);
    throw new FileFormatError(`${op}: ${at} data_offsets must be an array [begin, end], got ${got}`);
  }
  const begin = exactNonNegativeInt(op, offsetsJson[0]!, `${at} data_offsets begin`);
  const end = exactNonNegativeInt(op, offsetsJson[1]!, `${at} data_offsets end`);
  if (end < begin) throw new FileFormatError(`${op}: ${at} data_offsets [${begin}, ${end}] end before they begin`);

  const expected = shape.reduce((n, d) => n * BigInt(d), 1n) * BigInt(ELEMENT_SIZE[kind]);
  if (expected !== BigInt(end - begin)) {
    throw new FileFormatError(
      `${op}: ${at} data_offsets [${begin}, ${end}] span ${end - begin} bytes, but shape [${shape.join(", ")}] of ${dtype} needs ${expected} bytes`,
    );
  }
  if (end > bufferLength) {
    throw new FileFormatError(`${op}: ${at} data_offsets [${begin}, ${end}] run past the end of the ${bufferLength}-byte buffer`);
  }
  return { name, dtype, kind, shape, begin, end };
}

function requireField(op: string, at: string, fields: JsonObject, field: string): JsonValue {
  const v = fields.get(field);
  if (v === undefined) throw new FileFormatError(`${op}: ${at} is missing "${field}"`);
  return v;
}

/** An integer written as plain digits and at most 2^53 − 1, so it is exact as a JS number. */
function exactNonNegativeInt(op: string, v: JsonValue, what: string): number {
  if (!(v instanceof JsonNumber)) throw new FileFormatError(`${op}: ${what} must be an integer, got ${jsonTypeName(v)}`);
  if (v.raw.startsWith("-") && v.value !== 0) throw new FileFormatError(`${op}: ${what} is negative (${v.raw})`);
  if (!/^(0|[1-9][0-9]*)$/.test(v.raw)) throw new FileFormatError(`${op}: ${what} must be written as a plain integer, got ${v.raw}`);
  if (BigInt(v.raw) > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FileFormatError(`${op}: ${what} is ${v.raw}, beyond 2^53 - 1 (the largest exact offset)`);
  }
  return v.value;
}

/** The tensors must cover the byte buffer exactly once, in some order. */
function checkTiling(op: string, entries: TensorEntry[], bufferLength: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let position = 0;
  let previous: TensorEntry | undefined;
  for (const e of sorted) {
    if (e.begin < position) {
      throw new FileFormatError(
        `${op}: tensor ${JSON.stringify(e.name)} data_offsets [${e.begin}, ${e.end}] overlap tensor ${JSON.stringify(previous!.name)} [${previous!.begin}, ${previous!.end}]`,
      );
    }
    if (e.begin > position) {
      if (previous === undefined) {
        throw new FileFormatError(`${op}: the first tensor, ${JSON.stringify(e.name)}, starts at byte ${e.begin} of the buffer; the first offset must be 0`);
      }
      throw new FileFormatError(
        `${op}: hole in the byte buffer: bytes [${position}, ${e.begin}) between tensor ${JSON.stringify(previous.name)} and tensor ${JSON.stringify(e.name)} belong to no tensor`,
      );
    }
    if (e.end > e.begin || previous === undefined) previous = e;
    position = e.end;
  }
  if (position !== bufferLength) {
    if (previous === undefined) {
      throw new FileFormatError(`${op}: the byte buffer has ${bufferLength} bytes but the header lists no tensors`);
    }
    throw new FileFormatError(
      `${op}: the last tensor, ${JSON.stringify(previous.name)}, ends at byte ${position} but the byte buffer has ${bufferLength} bytes (${bufferLength - position} trailing bytes)`,
    );
  }
}

/** Offset of the first byte that starts an invalid UTF-8 sequence (Unicode table 3-7), for the error message. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const trailing = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (trailing === 0) return i;
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    const second = b[i + 1];
    if (second === undefined || second < lo || second > hi) return i;
    for (let k = 2; k <= trailing; k++) {
      const next = b[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
    }
    i += trailing + 1;
  }
  return -1;
}

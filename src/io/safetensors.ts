/**
 * safetensors files: the format PyTorch, JAX and Hugging Face use to share
 * weights, read and written byte for byte as its specification says.
 *
 * Writing: the header lists `"__metadata__"` first (when given), then the
 * tensors in the order their bytes are laid out, which is by element size
 * (largest first) and then by name. That is the order the reference writer
 * uses: with the header padded with spaces to a multiple of 8 bytes, every
 * tensor then starts at a multiple of its own element size.
 *
 * Reading: every file is treated as hostile (see safetensors-header.ts); no
 * buffer is allocated from a size in the file before that size is checked
 * against the file's real length.
 */
import { ValueError } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";
import { fromTypedArray } from "../primitives/constant.js";
import { writeFileAtomic } from "./atomic-write.js";
import { memorySource, withFileSource, type ByteSource } from "./byte-source.js";
import { ELEMENT_SIZE, READ_AS, decodeElementsLE, kindOfDType, tensorBytesLE, type ElementKind } from "./elements.js";
import { checkSafeName, parseSafetensorsHeader, readHeaderLength } from "./safetensors-header.js";
import { namedLeaves } from "./tree-paths.js";

export interface SafetensorsContents {
  /** Tensors by name, in header order (a null-prototype record). */
  tensors: Record<string, Tensor>;
  /** The `__metadata__` strings (a null-prototype record; empty when the file has none). */
  metadata: Record<string, string>;
}

const SAFETENSORS_NAME: Readonly<Record<ElementKind, string>> = {
  f64: "F64", f32: "F32", f16: "F16", bf16: "BF16", i64: "I64", i32: "I32", i16: "I16", i8: "I8",
  u64: "U64", u32: "U32", u16: "U16", u8: "U8", bool: "BOOL",
};

/**
 * Serializes named tensors (and optional string metadata) to safetensors bytes.
 *
 *   const bytes = io.encodeSafetensors({ w: fx.ones([2, 2]) }, { format: "pt" });
 *   io.decodeSafetensors(bytes).tensors.w.shape; // [2, 2]
 */
export function encodeSafetensors(tensors: Record<string, Tensor> | Map<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const op = "encodeSafetensors";
  const items = (tensors instanceof Map ? [...tensors] : Object.keys(tensors).map((k) => [k, tensors[k]] as const)).map(([name, t]) => {
    if (!(t instanceof Tensor)) throw new ValueError(`${op}: ${JSON.stringify(name)} is ${describe(t)}, not a tensor`);
    if (name === "__metadata__") throw new ValueError(`${op}: "__metadata__" is reserved for metadata and cannot name a tensor`);
    checkSafeName(op, name, "tensor name", ValueError);
    const kind = kindOfDType(t.dtype);
    return { name, tensor: t, kind, bytes: tensorBytesLE(t) };
  });
  items.sort((a, b) => ELEMENT_SIZE[b.kind] - ELEMENT_SIZE[a.kind] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const parts: string[] = [];
  if (metadata !== undefined) parts.push(`"__metadata__":${encodeMetadata(op, metadata)}`);
  let offset = 0;
  for (const it of items) {
    const end = offset + it.bytes.length;
    parts.push(`${JSON.stringify(it.name)}:{"dtype":"${SAFETENSORS_NAME[it.kind]}","shape":[${it.tensor.shape.join(",")}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;

  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let position = 8 + headerLength;
  for (const it of items) {
    out.set(it.bytes, position);
    position += it.bytes.length;
  }
  return out;
}

function encodeMetadata(op: string, metadata: Record<string, string>): string {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw new ValueError(`${op}: metadata must be an object of strings, got ${describe(metadata)}`);
  }
  const fields = Object.keys(metadata).map((k) => {
    checkSafeName(op, k, "metadata key", ValueError);
    const v = metadata[k];
    if (typeof v !== "string") throw new ValueError(`${op}: metadata value for ${JSON.stringify(k)} is ${describe(v)}; safetensors metadata values must be strings`);
    return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
  });
  return `{${fields.join(",")}}`;
}

/** Parses safetensors bytes held in memory; rejects malformed input with a FileFormatError. */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsContents {
  return decode("decodeSafetensors", memorySource(bytes));
}

function decode(op: string, source: ByteSource): SafetensorsContents {
  const n = readHeaderLength(op, source.read(0, Math.min(8, source.size)), source.size);
  const header = parseSafetensorsHeader(op, source.read(8, n), source.size - 8 - n);
  const tensors: Record<string, Tensor> = Object.create(null);
  for (const e of header.entries) {
    const data = decodeElementsLE(e.kind, source.read(8 + n + e.begin, e.end - e.begin), `${op}: tensor ${JSON.stringify(e.name)}`);
    tensors[e.name] = fromTypedArray(data, e.shape, READ_AS[e.kind]);
  }
  return { tensors, metadata: header.metadata };
}

/**
 * Writes the tensor leaves of a pytree (or a flat record of tensors) to a
 * safetensors file, atomically. Leaves are named by their dotted paths
 * ("layers.0.weight"); number leaves are stored as rank-0 F64 tensors.
 *
 *   io.saveSafetensors("model.safetensors", { layers: [{ weight: w, bias: b }] }, { epoch: "3" });
 */
export function saveSafetensors(path: string, tree: unknown, metadata?: Record<string, string>): void {
  const named = new Map<string, Tensor>();
  for (const { name, leaf } of namedLeaves("saveSafetensors", tree)) {
    named.set(name, leaf instanceof Tensor ? leaf : fromTypedArray(Float64Array.of(leaf), [], "float64"));
  }
  writeFileAtomic(path, encodeSafetensors(named, metadata), "saveSafetensors");
}

/**
 * Reads a safetensors file. Tensors come back with the dtype they were saved
 * with; F16 and BF16 become float32 and I8/I16/U16 int32 (exactly), I64/U64/U32
 * become int32 when every value fits.
 *
 *   const { tensors, metadata } = io.loadSafetensors("model.safetensors");
 */
export function loadSafetensors(path: string): SafetensorsContents {
  const op = `loadSafetensors(${JSON.stringify(path)})`;
  return withFileSource(op, path, (source) => decode(op, source));
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (typeof x === "object") return (x as object).constructor?.name ?? "an object";
  return typeof x;
}

import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { PYTREE } from "../src/core/tree.js";
import { docSnippets, runSnippet } from "./doc-snippets.js";

const FIXTURES = join(import.meta.dirname, "fixtures", "io");
const tmp = mkdtempSync(join(tmpdir(), "fluxion-io-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const enc = new TextEncoder();

/** A safetensors file from header text and data bytes; `declaredLength` overrides the 8-byte prefix. */
function stFile(header: string | Uint8Array, data: Uint8Array | number = 0, declaredLength?: bigint): Uint8Array {
  const h = typeof header === "string" ? enc.encode(header) : header;
  const d = typeof data === "number" ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + h.length + d.length);
  new DataView(out.buffer).setBigUint64(0, declaredLength ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(d, 8 + h.length);
  return out;
}

const f32 = (name: string, shape: string, offsets: string) => `"${name}":{"dtype":"F32","shape":${shape},"data_offsets":${offsets}}`;
const A8 = f32("a", "[2]", "[0,8]");

function bytesOf(t: fx.Tensor): Uint8Array {
  const d = t.data();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

describe("safetensors: malformed files are rejected, each with its own message", () => {
  const deep = "[".repeat(100) + "]".repeat(100);
  const cases: { name: string; bytes: Uint8Array; message: RegExp }[] = [
    { name: "shorter than 8 bytes", bytes: new Uint8Array([1, 2, 3]), message: /file is 3 bytes, too short to hold the 8-byte header length/ },
    { name: "header length over 100 MB", bytes: stFile(`{${A8}}`, 8, 100_000_001n), message: /header length 100000001 bytes exceeds the 100000000-byte \(100 MB\) limit/ },
    { name: "header length past the file", bytes: stFile(`{${A8}}`, 8, 5000n), message: /header length 5000 bytes is larger than the \d+ bytes that follow it/ },
    { name: "header length 2^64-1", bytes: stFile("{}", 0, 2n ** 64n - 1n), message: /header length 18446744073709551615 bytes exceeds/ },
    { name: "header not starting with {", bytes: stFile(` {${A8}}`, 8), message: /header must start with '\{'.*found byte 0x20/ },
    { name: "invalid UTF-8", bytes: stFile(new Uint8Array([...enc.encode('{"a'), 0xff, ...enc.encode('":1}')]), 0), message: /header is not valid UTF-8 \(byte 3\)/ },
    { name: "overlong UTF-8 encoding", bytes: stFile(new Uint8Array([...enc.encode('{"'), 0xc0, 0xaf, ...enc.encode('":1}')]), 0), message: /header is not valid UTF-8 \(byte 2\)/ },
    { name: "invalid JSON", bytes: stFile(`{"a":}`, 0), message: /header is not valid JSON: unexpected "}" at character 5/ },
    { name: "trailing text after the JSON", bytes: stFile(`{${A8}}x`, 8), message: /header is not valid JSON: unexpected "x" after the JSON value/ },
    { name: "unterminated JSON", bytes: stFile(`{"a":{"dtype":"F32"`, 0), message: /header is not valid JSON: expected ',' or '}' in object, found end of input/ },
    { name: "control character in a string", bytes: stFile(`{"a\tb":1}`, 0), message: /control character in string/ },
    { name: "lone surrogate escape", bytes: stFile(`{"\\ud800":1}`, 0), message: /lone high surrogate in \\u escape/ },
    { name: "nesting too deep", bytes: stFile(`{"__metadata__":${deep}}`, 0), message: /nesting deeper than 64 levels/ },
    { name: "duplicate tensor name", bytes: stFile(`{${A8},${A8}}`, 8), message: /header has a duplicate key "a"/ },
    { name: "duplicate field", bytes: stFile(`{"a":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, 8), message: /header has a duplicate key "dtype"/ },
    { name: "entry not an object", bytes: stFile(`{"a":5}`, 0), message: /tensor "a" must be an object with dtype, shape and data_offsets, got number/ },
    { name: "metadata not an object", bytes: stFile(`{"__metadata__":"x"}`, 0), message: /"__metadata__" must be an object of string values, got string/ },
    { name: "metadata value not a string", bytes: stFile(`{"__metadata__":{"epoch":3}}`, 0), message: /metadata value for key "epoch" is number; metadata values must be strings/ },
    { name: "missing field", bytes: stFile(`{"a":{"dtype":"F32","shape":[2]}}`, 0), message: /tensor "a" is missing "data_offsets"/ },
    { name: "unknown field", bytes: stFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1}}`, 8), message: /tensor "a" has unknown field "extra"/ },
    { name: "dtype not a string", bytes: stFile(`{"a":{"dtype":1,"shape":[2],"data_offsets":[0,8]}}`, 8), message: /tensor "a" dtype must be a string, got number/ },
    { name: "unknown dtype", bytes: stFile(`{"a":{"dtype":"F17","shape":[2],"data_offsets":[0,8]}}`, 8), message: /tensor "a" has unknown dtype "F17"/ },
    { name: "known dtype Fluxion cannot hold", bytes: stFile(`{"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}`, 2), message: /tensor "a" has dtype F8_E4M3, which Fluxion cannot hold/ },
    { name: "shape not an array", bytes: stFile(`{"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}}`, 8), message: /tensor "a" shape must be an array, got number/ },
    { name: "negative dimension", bytes: stFile(`{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, 8), message: /tensor "a" shape dimension 0 is negative \(-2\)/ },
    { name: "non-integer dimension", bytes: stFile(`{"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}`, 8), message: /tensor "a" shape dimension 0 must be written as a plain integer, got 2\.0/ },
    { name: "dimension as a string", bytes: stFile(`{"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}`, 8), message: /tensor "a" shape dimension 0 must be an integer, got string/ },
    { name: "offsets of the wrong arity", bytes: stFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}}`, 8), message: /data_offsets must be an array \[begin, end\], got an array of 1/ },
    { name: "offset beyond 2^53", bytes: stFile(`{${f32("a", "[2]", "[0,9007199254740993]")}}`, 8), message: /data_offsets end is 9007199254740993, beyond 2\^53 - 1/ },
    { name: "end before begin", bytes: stFile(`{${f32("a", "[0]", "[8,0]")}}`, 8), message: /tensor "a" data_offsets \[8, 0\] end before they begin/ },
    { name: "size disagrees with shape × dtype", bytes: stFile(`{${f32("a", "[3]", "[0,8]")}}`, 8), message: /span 8 bytes, but shape \[3\] of F32 needs 12 bytes/ },
    { name: "element count overflows", bytes: stFile(`{${f32("a", "[4294967296,4294967296]", "[0,8]")}}`, 8), message: /shape \[4294967296, 4294967296\] of F32 needs 73786976294838206464 bytes/ },
    { name: "offsets past the buffer", bytes: stFile(`{${f32("a", "[4]", "[0,16]")}}`, 8), message: /tensor "a" data_offsets \[0, 16\] run past the end of the 8-byte buffer/ },
    { name: "overlapping tensors", bytes: stFile(`{${f32("a", "[2]", "[0,8]")},${f32("b", "[2]", "[4,12]")}}`, 12), message: /tensor "b" data_offsets \[4, 12\] overlap tensor "a" \[0, 8\]/ },
    { name: "hole between tensors", bytes: stFile(`{${f32("a", "[1]", "[0,4]")},${f32("b", "[1]", "[8,12]")}}`, 12), message: /hole in the byte buffer: bytes \[4, 8\) between tensor "a" and tensor "b"/ },
    { name: "first offset not 0", bytes: stFile(`{${f32("a", "[2]", "[4,12]")}}`, 12), message: /the first tensor, "a", starts at byte 4 of the buffer; the first offset must be 0/ },
    { name: "trailing bytes after the last tensor", bytes: stFile(`{${A8}}`, 12), message: /the last tensor, "a", ends at byte 8 but the byte buffer has 12 bytes \(4 trailing bytes\)/ },
    { name: "data but no tensors", bytes: stFile(`{}`, 4), message: /the byte buffer has 4 bytes but the header lists no tensors/ },
    { name: "__proto__ tensor name", bytes: stFile(`{${f32("__proto__", "[2]", "[0,8]")}}`, 8), message: /tensor name "__proto__" is not allowed: "__proto__" could reach an object prototype/ },
    { name: "constructor path segment", bytes: stFile(`{${f32("layers.constructor.w", "[2]", "[0,8]")}}`, 8), message: /tensor name "layers.constructor.w" is not allowed: "constructor"/ },
    { name: "__proto__ metadata key", bytes: stFile(`{"__metadata__":{"__proto__":"x"}}`, 0), message: /metadata key "__proto__" is not allowed/ },
    { name: "bool byte other than 0 or 1", bytes: stFile(`{"m":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}`, new Uint8Array([1, 2])), message: /tensor "m": bool element 1 is byte 2, expected 0 or 1/ },
    {
      name: "I64 value outside int32",
      bytes: stFile(`{"s":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}`, new Uint8Array(new BigInt64Array([5_000_000_000n]).buffer)),
      message: /tensor "s": i64 element 0 is 5000000000, outside the int32 range/,
    },
  ];

  it("has a corpus of at least 20 distinct malformed files", () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    expect(new Set(cases.map((c) => hex(c.bytes))).size).toBe(cases.length);
  });

  const seen = new Map<string, string>();
  for (const c of cases) {
    it(`rejects: ${c.name}`, () => {
      const path = join(tmp, `bad-${c.name.replace(/[^a-z0-9]+/gi, "-")}.safetensors`);
      writeFileSync(path, c.bytes);
      let fromFile: unknown;
      try {
        fx.io.loadSafetensors(path);
      } catch (e) {
        fromFile = e;
      }
      expect(fromFile).toBeInstanceOf(fx.FileFormatError);
      const message = (fromFile as Error).message;
      expect(message).toMatch(c.message);
      expect(message).toContain(path);
      // In memory too, with the same problem named.
      expect(() => fx.io.decodeSafetensors(c.bytes)).toThrow(c.message);
      // No two files share a message.
      const problem = message.replace(/^loadSafetensors\([^)]*\): /, "");
      expect(seen.get(problem), `same message as "${seen.get(problem)}"`).toBeUndefined();
      seen.set(problem, c.name);
    });
  }

  it("no rejected file touched Object.prototype", () => {
    expect(Object.prototype).not.toHaveProperty("dtype");
    expect(({} as Record<string, unknown>).shape).toBeUndefined();
  });

  it("accepts names that are only dangerous on ordinary objects as plain keys", () => {
    const bytes = stFile(`{${f32("hasOwnProperty", "[1]", "[0,4]")},${f32("toString", "[1]", "[4,8]")}}`, new Uint8Array(new Float32Array([1, 2]).buffer));
    const { tensors } = fx.io.decodeSafetensors(bytes);
    expect(Object.getPrototypeOf(tensors)).toBeNull();
    expect(tensors["hasOwnProperty"]!.data()).toEqual(new Float32Array([1]));
    expect(tensors["toString"]!.data()).toEqual(new Float32Array([2]));
  });

  it("accepts empty and rank-0 tensors, padding spaces and an empty file body", () => {
    const header = `{"__metadata__":{},"e":{"dtype":"F64","shape":[0,3],"data_offsets":[0,0]},"s":{"dtype":"I32","shape":[],"data_offsets":[0,4]}}   `;
    const { tensors, metadata } = fx.io.decodeSafetensors(stFile(header, new Uint8Array(new Int32Array([-7]).buffer)));
    expect(tensors.e!.shape).toEqual([0, 3]);
    expect(tensors.s!.shape).toEqual([]);
    expect(tensors.s!.item()).toBe(-7);
    expect(Object.keys(metadata)).toEqual([]);
    expect(Object.keys(fx.io.decodeSafetensors(stFile("{}")).tensors)).toEqual([]);
  });
});

describe("safetensors: save → load round trips bit for bit", () => {
  const f32Bits = new Uint32Array([0x7fc00001, 0x7f800001, 0xffc12345, 0x80000000, 0x00000001, 0x7f800000, 0x3f800000]);
  const f64Bits = new BigUint64Array([0x7ff0000000000001n, 0xfff8dead0000beefn, 0x8000000000000000n, 0x0000000000000001n, 0x3fd5555555555555n]);
  const tree = {
    f32: fx.tensor(new Float32Array(f32Bits.buffer), { shape: [7, 1] }),
    f64: fx.tensor(new Float64Array(f64Bits.buffer)),
    i32: fx.tensor(new Int32Array([-(2 ** 31), -1, 0, 1, 2 ** 31 - 1])),
    u8: fx.tensor(Uint8Array.from({ length: 256 }, (_, i) => i), { shape: [16, 16] }),
    bool: fx.tensor([[true, false, true]]),
    empty: fx.zeros([0, 4]),
    scalar: fx.tensor(-0, { dtype: "float64" }),
  };

  it("every dtype, NaN payloads and −0 included", () => {
    const path = join(tmp, "roundtrip.safetensors");
    fx.io.saveSafetensors(path, tree, { note: "bits", "ünïcode": "✓" });
    const { tensors, metadata } = fx.io.loadSafetensors(path);
    expect(metadata).toEqual(Object.assign(Object.create(null), { note: "bits", "ünïcode": "✓" }));
    for (const [name, t] of Object.entries(tree)) {
      const back = tensors[name]!;
      expect(back.dtype, name).toBe(t.dtype);
      expect(back.shape, name).toEqual(t.shape);
      expect(hex(bytesOf(back)), name).toBe(hex(bytesOf(t)));
    }
    expect(hex(bytesOf(tensors.f32!))).toContain("0100c07f"); // the quiet NaN's payload, little-endian
    expect(Object.is(tensors.scalar!.item(), -0)).toBe(true);
  });

  it("lays the file out as the format says: padded header, tensors tiled by element size then name", () => {
    const bytes = fx.io.encodeSafetensors(tree, { a: "b" });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(header.trimEnd().length).toBeLessThan(n + 1);
    expect(header.slice(header.trimEnd().length)).toMatch(/^ *$/);
    const parsed = JSON.parse(header) as Record<string, { dtype: string; data_offsets: [number, number] }>;
    expect(Object.keys(parsed)).toEqual(["__metadata__", "f64", "scalar", "empty", "f32", "i32", "bool", "u8"]);
    for (const [name, e] of Object.entries(parsed)) {
      if (name === "__metadata__") continue;
      const size = { F64: 8, F32: 4, I32: 4, U8: 1, BOOL: 1 }[e.dtype]!;
      expect((8 + n + e.data_offsets[0]) % size, name).toBe(0);
    }
    expect(hex(fx.io.encodeSafetensors(tree, { a: "b" }))).toBe(hex(bytes)); // deterministic
  });

  it("names pytree leaves by dotted paths and stores number leaves as F64 scalars", () => {
    const w = fx.ones([2, 3]);
    const bytes = fx.io.encodeSafetensors({ "layers.0.weight": w });
    expect(Object.keys(fx.io.decodeSafetensors(bytes).tensors)).toEqual(["layers.0.weight"]);
    const path = join(tmp, "tree.safetensors");
    fx.io.saveSafetensors(path, { layers: [{ weight: w, bias: null }, { weight: w }], step: 7 });
    const { tensors } = fx.io.loadSafetensors(path);
    expect(Object.keys(tensors).sort()).toEqual(["layers.0.weight", "layers.1.weight", "step"]);
    expect(tensors.step!.dtype).toBe("float64");
    expect(tensors.step!.item()).toBe(7);
  });

  it("refuses what cannot be written", () => {
    expect(() => fx.io.saveSafetensors(join(tmp, "x.safetensors"), fx.ones([2]))).toThrow(/a bare tensor has no name/);
    expect(() => fx.io.encodeSafetensors({ __metadata__: fx.ones([1]) })).toThrow(/"__metadata__" is reserved/);
    expect(() => fx.io.encodeSafetensors({ "a.prototype": fx.ones([1]) })).toThrow(fx.ValueError);
    expect(() => fx.io.encodeSafetensors({ a: 3 as unknown as fx.Tensor })).toThrow(/"a" is number, not a tensor/);
    expect(() => fx.io.encodeSafetensors({ a: fx.ones([1]) }, { k: 1 as unknown as string })).toThrow(/metadata value for "k" is number/);
    expect(() => fx.io.saveSafetensors(join(tmp, "x.safetensors"), { "a.b": fx.ones([1]), a: { b: fx.ones([1]) } })).toThrow(/two leaves share the name "a.b"/);
  });
});

describe("safetensors: interoperability with files laid out by PyTorch's writer", () => {
  const expected = JSON.parse(readFileSync(join(FIXTURES, "expected.json"), "utf8")) as {
    safetensors: Record<string, { shape: number[]; dtype: string; hex: string }>;
    npy: Record<string, { shape: number[]; dtype: string; hex: string }>;
  };

  it("loads every tensor with the right dtype, shape and bits (F16/BF16 widened exactly as NumPy does)", () => {
    const { tensors, metadata } = fx.io.loadSafetensors(join(FIXTURES, "torch-style.safetensors"));
    expect({ ...metadata }).toEqual({ format: "pt" });
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(expected.safetensors).sort());
    for (const [name, want] of Object.entries(expected.safetensors)) {
      const t = tensors[name]!;
      expect(t.dtype, name).toBe(want.dtype);
      expect(t.shape, name).toEqual(want.shape);
      expect(hex(bytesOf(t)), name).toBe(want.hex);
    }
    expect(tensors["layers.0.weight"]!.toArray()).toEqual([1, -0, 2 ** -24, Infinity, -Infinity, NaN, 0.333251953125]);
    expect(tensors["steps"]!.toArray()).toEqual([-3, 0, 2 ** 31 - 1]);
  });

  it("re-encodes a file of native dtypes to the very same bytes", () => {
    const original = new Uint8Array(readFileSync(join(FIXTURES, "torch-style-native.safetensors")));
    const { tensors, metadata } = fx.io.decodeSafetensors(original);
    expect(hex(fx.io.encodeSafetensors(tensors, metadata))).toBe(hex(original));
  });
});

describe("loadInto", () => {
  class Linear {
    constructor(readonly weight: fx.Tensor, readonly bias: fx.Tensor, readonly name = "lin") {}
    [PYTREE]() {
      return {
        children: [this.weight, this.bias],
        aux: this.name,
        keys: ["weight", "bias"],
        rebuild: (c: unknown[]) => new Linear(c[0] as fx.Tensor, c[1] as fx.Tensor, this.name),
      };
    }
  }
  const model = () => ({ encoder: new Linear(fx.ones([2, 3]), fx.zeros([2])), layers: [{ scale: fx.ones([3]) }], temperature: 1 });
  const trained = () => ({
    encoder: new Linear(fx.full([2, 3], 0.5), fx.tensor([1, -1])),
    layers: [{ scale: fx.tensor([1, 2, 3]) }],
    temperature: 0.25,
  });

  it("fills every leaf by path name and returns a new tree of the same structure", () => {
    const path = join(tmp, "model.safetensors");
    fx.io.saveSafetensors(path, trained());
    expect(Object.keys(fx.io.loadSafetensors(path).tensors).sort()).toEqual(["encoder.bias", "encoder.weight", "layers.0.scale", "temperature"]);
    const fresh = model();
    const restored = fx.io.loadInto(fresh, path);
    expect(restored.encoder).toBeInstanceOf(Linear);
    expect(restored.encoder.name).toBe("lin");
    expect(restored.encoder.weight.toArray()).toEqual([[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]);
    expect(restored.encoder.bias.toArray()).toEqual([1, -1]);
    expect(restored.layers[0]!.scale.toArray()).toEqual([1, 2, 3]);
    expect(restored.temperature).toBe(0.25);
    expect(fresh.encoder.weight.toArray()).toEqual([[1, 1, 1], [1, 1, 1]]); // untouched
  });

  it("names what is missing, unexpected, mis-shaped or of another dtype", () => {
    const path = join(tmp, "model2.safetensors");
    fx.io.saveSafetensors(path, trained());
    expect(() => fx.io.loadInto({ ...model(), extra: fx.ones([1]) }, path)).toThrow(/missing 1 \("extra"\)/);
    const { temperature: _t, ...noTemp } = model();
    expect(() => fx.io.loadInto(noTemp, path)).toThrow(/unexpected 1 \("temperature"\)/);
    const wrongShape = { ...model(), layers: [{ scale: fx.ones([4]) }] };
    expect(() => fx.io.loadInto(wrongShape, path)).toThrow(fx.ShapeError);
    expect(() => fx.io.loadInto(wrongShape, path)).toThrow(/"layers.0.scale" has shape \[3\] in the file but \[4\] in the model/);
    const wrongDtype = { ...model(), layers: [{ scale: fx.ones([3], "float64") }] };
    expect(() => fx.io.loadInto(wrongDtype, path)).toThrow(fx.DTypeError);
    expect(() => fx.io.loadInto(model(), { ...fx.io.loadSafetensors(path).tensors, temperature: fx.ones([2]) })).toThrow(/"temperature" is a number in the model but has shape \[2\]/);
  });
});

describe("atomic writes", () => {
  it("replaces the file whole and leaves no temporary files, also when a write fails", () => {
    const dir = mkdtempSync(join(tmpdir(), "fluxion-atomic-"));
    const path = join(dir, "ckpt.safetensors");
    fx.io.saveSafetensors(path, { w: fx.ones([3]) });
    const first = readFileSync(path);
    fx.io.saveSafetensors(path, { w: fx.zeros([3]) });
    expect(fx.io.loadSafetensors(path).tensors.w!.toArray()).toEqual([0, 0, 0]);
    expect(readdirSync(dir)).toEqual(["ckpt.safetensors"]);
    const second = readFileSync(path);
    expect(hex(second)).not.toBe(hex(first));
    expect(() => fx.io.saveSafetensors(path, { w: fx.ones([3]) }, { bad: 1 as unknown as string })).toThrow();
    expect(hex(readFileSync(path))).toBe(hex(second));
    expect(() => fx.io.writeFileAtomic(join(dir, "no-such-dir", "f.bin"), new Uint8Array(3))).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual(["ckpt.safetensors"]);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe(".npy", () => {
  const expected = JSON.parse(readFileSync(join(FIXTURES, "expected.json"), "utf8")).npy as Record<string, { shape: number[]; dtype: string; hex: string }>;

  it("loads files NumPy wrote (versions 1.0, 2.0, 3.0; int64 and float16 widened) with the right bits", () => {
    for (const [name, want] of Object.entries(expected)) {
      const t = fx.io.loadNpy(join(FIXTURES, `numpy-${name}.npy`));
      expect(t.dtype, name).toBe(want.dtype);
      expect(t.shape, name).toEqual(want.shape);
      expect(hex(bytesOf(t)), name).toBe(want.hex);
    }
    expect(fx.data.loadNpy).toBe(fx.io.loadNpy);
  });

  it("writes the same bytes as np.save for every dtype it holds", () => {
    for (const name of ["f4-2x3", "f8-scalar", "i4-vector", "u1-3d", "b1", "empty"]) {
      const original = new Uint8Array(readFileSync(join(FIXTURES, `numpy-${name}.npy`)));
      expect(hex(fx.io.encodeNpy(fx.io.decodeNpy(original))), name).toBe(hex(original));
    }
  });

  it("round trips bit for bit through a file", () => {
    const bits = new Uint32Array([0x7fc00001, 0x80000000, 0xff800000, 1]);
    const cases = [
      fx.tensor(new Float32Array(bits.buffer), { shape: [2, 2] }),
      fx.tensor(new Float64Array(new BigUint64Array([0x7ff0000000000abcn, 0x8000000000000000n]).buffer)),
      fx.tensor(new Int32Array([-(2 ** 31), 2 ** 31 - 1])),
      fx.tensor(new Uint8Array([0, 128, 255]), { shape: [3, 1, 1] }),
      fx.tensor([true, false]),
      fx.tensor(3.5),
    ];
    cases.forEach((t, i) => {
      const path = join(tmp, `rt-${i}.npy`);
      fx.io.saveNpy(path, t);
      const back = fx.io.loadNpy(path);
      expect(back.dtype).toBe(t.dtype);
      expect(back.shape).toEqual(t.shape);
      expect(hex(bytesOf(back))).toBe(hex(bytesOf(t)));
      expect(readFileSync(path).length % 64 === (bytesOf(t).length % 64)).toBe(true); // header padded to 64
    });
  });

  it("refuses Fortran order, big-endian, pickled objects and record dtypes written by NumPy", () => {
    expect(() => fx.io.loadNpy(join(FIXTURES, "numpy-bad-fortran.npy"))).toThrow(/Fortran \(column-major\) order/);
    expect(() => fx.io.loadNpy(join(FIXTURES, "numpy-bad-bigendian.npy"))).toThrow(/'>f4' is big-endian/);
    expect(() => fx.io.loadNpy(join(FIXTURES, "numpy-bad-object.npy"))).toThrow(/object array, stored as a Python pickle/);
    expect(() => fx.io.loadNpy(join(FIXTURES, "numpy-bad-structured.npy"))).toThrow(/structured \(record\) dtypes/);
    for (const f of ["fortran", "bigendian", "object", "structured"]) {
      expect(() => fx.io.loadNpy(join(FIXTURES, `numpy-bad-${f}.npy`))).toThrow(fx.FileFormatError);
    }
  });

  it("refuses malformed headers and data of the wrong length", () => {
    const good = fx.io.encodeNpy(fx.ones([2, 3]));
    const withHeader = (dict: string, data = new Uint8Array(24)): Uint8Array => {
      const text = dict + " ".repeat(63 - ((10 + dict.length) % 64)) + "\n";
      const out = new Uint8Array(10 + text.length + data.length);
      out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
      new DataView(out.buffer).setUint16(8, text.length, true);
      out.set(enc.encode(text), 10);
      out.set(data, 10 + text.length);
      return out;
    };
    expect(fx.io.decodeNpy(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")).shape).toEqual([2, 3]);
    const bad: [Uint8Array, RegExp][] = [
      [good.slice(0, 5), /too short/],
      [Uint8Array.from([...good.slice(0, 10)].map((b, i) => (i === 1 ? 0x4f : b))), /does not start with "\\x93NUMPY"/],
      [Uint8Array.from([...good].map((b, i) => (i === 6 ? 4 : b))), /unsupported .npy format version 4.0/],
      [good.slice(0, good.length - 4), /needs 24 data bytes but the file has 20/],
      [new Uint8Array([...good, 0]), /needs 24 data bytes but the file has 25/],
      [withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}"), /unexpected key 'extra'/],
      [withHeader("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}"), /duplicate key 'descr'/],
      [withHeader("{'descr': '<f4', 'shape': (2, 3)}"), /'fortran_order' must be True or False/],
      [withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}"), /expected a non-negative integer/],
      [withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (6)}"), /a one-element shape must be written \(n,\)/],
      [withHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (3,)}"), /unsupported dtype '<c8'/],
      [withHeader("{'descr': __import__('os'), 'fortran_order': False, 'shape': (3,)}"), /unexpected value for 'descr'/],
      [withHeader("{'descr': '<i8', 'fortran_order': False, 'shape': (1,)}", new Uint8Array(new BigInt64Array([-(2n ** 40n)]).buffer)), /outside the int32 range/],
    ];
    for (const [bytes, message] of bad) {
      expect(() => fx.io.decodeNpy(bytes)).toThrow(message);
      expect(() => fx.io.decodeNpy(bytes)).toThrow(fx.FileFormatError);
    }
    expect(existsSync(tmp)).toBe(true);
  });
});

describe("docs/io.md", () => {
  it("its snippets run and print what the page says", async () => {
    const [save, mismatch, npy] = docSnippets("io.md");
    const a = await runSnippet(save!);
    expect(a[0]![0]).toEqual(["step", "layers.0.bias", "layers.0.weight", "layers.1.bias", "layers.1.weight"]);
    expect(a[1]).toEqual(["3"]);
    expect(a[2]).toEqual([[0.5, 0.5, 0.5, 0.5]]);
    const b = await runSnippet(mismatch!);
    expect(String(b[0]![0])).toMatch(/missing 1 \("b"\)$/);
    const c = await runSnippet(npy!);
    expect(c).toEqual([[[[1.5, -2], [3, 4]]], [[6]]]);
  });
});

describe("safetensors with fx.nn modules", () => {
  it("names parameters as PyTorch's state_dict does and loads them back into a fresh model", () => {
    const model = new fx.nn.Sequential([
      new fx.nn.Linear(4, 3, { key: fx.random.key(1) }),
      fx.relu,
      new fx.nn.MLP({ inSize: 3, outSize: 2, widths: [5], key: fx.random.key(2) }),
    ]);
    const path = join(tmp, "seq.safetensors");
    fx.io.saveSafetensors(path, model, { format: "pt" });
    const { tensors } = fx.io.loadSafetensors(path);
    expect(Object.keys(tensors).sort()).toEqual([
      "layers.0.bias", "layers.0.weight",
      "layers.2.layers.0.bias", "layers.2.layers.0.weight", "layers.2.layers.1.bias", "layers.2.layers.1.weight",
    ]);
    expect(tensors["layers.0.weight"]!.shape).toEqual([3, 4]); // [out, in], PyTorch's layout
    const fresh = new fx.nn.Sequential([
      new fx.nn.Linear(4, 3, { key: fx.random.key(9) }),
      fx.relu,
      new fx.nn.MLP({ inSize: 3, outSize: 2, widths: [5], key: fx.random.key(9) }),
    ]);
    const restored = fx.io.loadInto(fresh, path);
    const x = fx.tensor([[0.5, -1, 2, 0.25]]);
    expect(restored.forward(x).toArray()).toEqual(model.forward(x).toArray());
    expect(fresh.forward(x).toArray()).not.toEqual(model.forward(x).toArray());
  });
});

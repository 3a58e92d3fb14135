/**
 * Compiles a group of elementwise primitives that `jit` fused (spec.ts
 * `FusedGroup`) to one WebAssembly SIMD loop: every intermediate lives in a
 * register, each input is read once and each output written once.
 *
 * A group compiles when its numbers share one float dtype (float32: 4 lanes,
 * float64: 2) and its booleans are comparison results, conditions or casts;
 * a boolean is held as a lane mask (all ones / all zeros) of the float's
 * width. Every op is the IEEE operation the eager kernel does on that dtype
 * (f32x4.div rounds once to float32, as Math.fround(x / y) does), and exp,
 * sigmoid and erf are backend/math's, whose operations (float32 ones for
 * float32) the Wasm code repeats lane by lane (math-kernel.ts), so results are
 * bit-identical to eager evaluation; anything else (int32, mixed float
 * widths, other functions) returns null and runs as JavaScript.
 *
 *   fused(count, in_0, ..., in_{k-1}, out_0, ..., out_{m-1})
 *
 * runs `count` iterations of two vectors each; addresses are byte offsets in
 * the shared memory, and reading or writing up to two vectors past the last
 * element stays inside the 64-byte-aligned staging areas (ew.ts `stage`):
 * ⌈n/8⌉·32 ≤ ⌈4n/64⌉·64 bytes for float32, likewise for float64 and bytes.
 * A row input (`period`) is read from a pointer that wraps to its start at
 * the end of the row; a column input (`repeat`) is one element splatted,
 * advanced every repeat/(lanes·2) iterations; a channel input (both) is
 * splatted per vector, advanced every repeat/lanes vectors, and wraps to its
 * start after `period` elements. Row periods and column repeats are
 * multiples of 8, channel repeats of 4 (fusion.ts), so an iteration never
 * straddles a row's or column's end, nor a vector a channel's.
 */
import type { DType } from "../../core/dtype.js";
import type { FusedGroup } from "../spec.js";
import { I32, MemOp, ModuleBuilder, Op, Simd, SimdLane, SimdMem, SimdMemLane, V128, type FuncBuilder } from "./emitter.js";
import { BINARY_OPS, UNARY_OPS, type Kind } from "./ew-kernel.js";
import { ConstantPool, emitMath, MATH_OPS, mathScratch, type WasmMath } from "./math-kernel.js";

const COMPARE_SIMD = {
  f32: { eq: Simd.f32x4_eq, ne: Simd.f32x4_ne, lt: Simd.f32x4_lt, le: Simd.f32x4_le, gt: Simd.f32x4_gt, ge: Simd.f32x4_ge },
  f64: { eq: Simd.f64x2_eq, ne: Simd.f64x2_ne, lt: Simd.f64x2_lt, le: Simd.f64x2_le, gt: Simd.f64x2_gt, ge: Simd.f64x2_ge },
} as const;
const LOGICAL_SIMD = { and: Simd.v128_and, or: Simd.v128_or, xor: Simd.v128_xor } as const;

const FLOAT_KIND: Partial<Record<DType, Kind>> = { float32: "f32", float64: "f64" };
const isFloatOp = (prim: string) => prim in BINARY_OPS || prim in UNARY_OPS || prim in MATH_OPS;

/**
 * The float kind the group computes in, or null when it cannot compile.
 * Each op's operand and result dtypes are checked against what its vector
 * code assumes.
 */
export function fusedKind(group: FusedGroup): Kind | null {
  const dtypes: DType[] = group.inputs.map((x) => x.dtype);
  for (const op of group.ops) dtypes.push(op.dtype);
  const floats = new Set(dtypes.filter((d) => d !== "bool"));
  if (floats.size !== 1) return null;
  const float = [...floats][0]!;
  const kind = FLOAT_KIND[float];
  if (!kind) return null;
  const dt = (v: number) => dtypes[v]!;
  for (const { prim, args, dtype } of group.ops) {
    const argTypes = args.map(dt);
    const all = (d: DType) => argTypes.every((a) => a === d);
    let ok: boolean;
    if (isFloatOp(prim)) ok = dtype === float && all(float);
    else if (prim in COMPARE_SIMD.f32) ok = dtype === "bool" && all(float);
    else if (prim in LOGICAL_SIMD || prim === "not") ok = dtype === "bool" && all("bool");
    else if (prim === "select") ok = argTypes[0] === "bool" && argTypes[1] === dtype && argTypes[2] === dtype;
    else if (prim === "stop_gradient") ok = argTypes[0] === dtype;
    else if (prim === "cast") ok = argTypes[0] === dtype || (argTypes[0] === "bool") !== (dtype === "bool");
    else ok = false;
    if (!ok) return null;
  }
  return kind;
}

/** A key that identifies the generated code (groups differing only in n share it). */
export function fusedKey(group: FusedGroup): string {
  const ins = group.inputs.map((x) => `${x.dtype}${x.scalar ? "*" : ""}${x.period ? `%${x.period}` : ""}${x.repeat ? `/${x.repeat}` : ""}`).join(",");
  const ops = group.ops.map((o) => `${o.prim}:${o.dtype}(${o.args.join(",")})`).join(";");
  return `${ins}|${ops}|${group.outputs.join(",")}`;
}

/**
 * Vectors per loop iteration (the caller passes ⌈n / (lanes · this)⌉): the
 * polynomial chains of exp and erf are long dependent sequences, and two
 * vectors' worth interleaved keeps the SIMD units busy while each chain waits.
 */
export const VECTORS_PER_ITERATION = 2;

/** The module exporting `fused` for a group that `fusedKind` accepted. */
export function buildFusedModule(group: FusedGroup, kind: Kind, maxPages: number, shared: boolean): Uint8Array<ArrayBuffer> {
  const lanes = kind === "f32" ? 4 : 2;
  const es = kind === "f32" ? 4 : 8;
  const nIn = group.inputs.length, nOut = group.outputs.length;
  const m = new ModuleBuilder();
  m.importMemory("env", "mem", 1, maxPages, shared);
  const f = m.func("fused", Array.from({ length: 1 + nIn + nOut }, () => I32), []);
  const count = 0, inPtr = (i: number) => 1 + i, outPtr = (k: number) => 1 + nIn + k;
  const dtypes: DType[] = [...group.inputs.map((x) => x.dtype), ...group.ops.map((o) => o.dtype)];
  const copies = Array.from({ length: VECTORS_PER_ITERATION }, (_, u) => u);
  // One local per value and vector (a broadcast scalar: one for all).
  const isChannel = (x: FusedGroup["inputs"][number]) => x.period !== undefined && x.repeat !== undefined;
  const splatted = (x: FusedGroup["inputs"][number]) => x.scalar || (x.repeat !== undefined && !isChannel(x));
  const value = dtypes.map((_, v) => {
    if (v >= nIn || !splatted(group.inputs[v]!)) return copies.map(() => f.local(V128));
    const one = f.local(V128);
    return copies.map(() => one);
  });
  // Row and channel inputs: where the row starts and ends. Column inputs: iterations left on this
  // element; channel inputs: vectors left on it.
  const rowStart = group.inputs.map((x) => (x.period ? f.local(I32) : -1));
  const rowEnd = group.inputs.map((x) => (x.period ? f.local(I32) : -1));
  const colLeft = group.inputs.map((x) => (x.repeat ? f.local(I32) : -1));
  const itersPer = (elements: number) => elements / (lanes * VECTORS_PER_ITERATION);
  const leftPer = (x: FusedGroup["inputs"][number]) => (isChannel(x) ? x.repeat! / lanes : itersPer(x.repeat!));
  group.inputs.forEach((x, i) => {
    if (x.period) {
      f.localGet(inPtr(i)).localTee(rowStart[i]!).i32Const(x.period * bytesPerVectorOf(x.dtype, kind) / lanes).op(Op.i32_add).localSet(rowEnd[i]!);
    }
    if (x.repeat) f.i32Const(leftPer(x)).localSet(colLeft[i]!);
  });
  const j = f.local(I32), scratch = f.local(V128);
  const pool = new ConstantPool(f);
  const math = mathScratch(f, pool);
  const bytesPerVector = (d: DType) => bytesPerVectorOf(d, kind);

  // Broadcast scalars are splatted once, before the loop.
  group.inputs.forEach((x, i) => {
    if (!x.scalar) return;
    loadSplat(f, kind, x.dtype, inPtr(i));
    f.localSet(value[i]![0]!);
  });

  const loopStart = f.code.length;
  f.forRange(j, () => void f.i32Const(0), () => void f.localGet(count), 1, () => {
    group.inputs.forEach((x, i) => {
      if (x.scalar) return;
      if (isChannel(x)) {
        // Each vector lies within one element's repeat; the next element once this one has served it.
        for (const u of copies) {
          loadSplat(f, kind, x.dtype, inPtr(i));
          f.localSet(value[i]![u]!);
          nextElement(f, x, inPtr(i), colLeft[i]!, leftPer(x), x.dtype === "bool" ? 1 : es, rowStart[i]!, rowEnd[i]!);
        }
        return;
      }
      if (x.repeat) {
        loadSplat(f, kind, x.dtype, inPtr(i));
        f.localSet(value[i]![0]!);
        return;
      }
      for (const u of copies) {
        if (x.dtype === "bool") loadMask(f, kind, inPtr(i), u * bytesPerVector("bool"));
        else f.localGet(inPtr(i)).simdMem(SimdMem.v128_load, u * bytesPerVector(x.dtype), 0);
        f.localSet(value[i]![u]!);
      }
    });
    group.ops.forEach((op, o) => {
      const out = value[nIn + o]!;
      if (op.prim in MATH_OPS) {
        emitMath(f, kind, op.prim as WasmMath, math, copies.map((u) => value[op.args[0]!]![u]!), out);
        return;
      }
      for (const u of copies) {
        emitOp(f, kind, op.prim, op.args.map((a) => value[a]![u]!), dtypes[op.args[0]!]!, op.dtype);
        f.localSet(out[u]!);
      }
    });
    group.outputs.forEach((v, k) => {
      for (const u of copies) {
        if (dtypes[v] === "bool") storeMask(f, kind, outPtr(k), value[v]![u]!, scratch, u * bytesPerVector("bool"));
        else f.localGet(outPtr(k)).localGet(value[v]![u]!).simdMem(SimdMem.v128_store, u * bytesPerVector(dtypes[v]!), 0);
      }
    });
    group.inputs.forEach((x, i) => {
      if (x.scalar || isChannel(x)) return;
      if (x.repeat) {
        // Next element once this one has served `repeat` lanes.
        nextElement(f, x, inPtr(i), colLeft[i]!, leftPer(x), x.dtype === "bool" ? 1 : es, -1, -1);
        return;
      }
      f.localGet(inPtr(i)).i32Const(VECTORS_PER_ITERATION * bytesPerVector(x.dtype)).op(Op.i32_add).localSet(inPtr(i));
      if (x.period) wrapRow(f, inPtr(i), rowStart[i]!, rowEnd[i]!);
    });
    group.outputs.forEach((v, k) => f.localGet(outPtr(k)).i32Const(VECTORS_PER_ITERATION * bytesPerVector(dtypes[v]!)).op(Op.i32_add).localSet(outPtr(k)));
  });
  // The constants the loop reads are set once, before it.
  f.code.splice(loopStart, 0, ...pool.initCode());
  return m.bytes();
}

/**
 * Counts down `left`; at zero, moves `ptr` to the next element (a channel's
 * back to its first after the last) and restarts the count at `per`.
 */
function nextElement(f: FuncBuilder, x: FusedGroup["inputs"][number], ptr: number, left: number, per: number, elementBytes: number, start: number, end: number): void {
  f.localGet(left).i32Const(1).op(Op.i32_sub).localTee(left).op(Op.i32_eqz).if_();
  f.localGet(ptr).i32Const(elementBytes).op(Op.i32_add).localSet(ptr);
  if (x.period) wrapRow(f, ptr, start, end);
  f.i32Const(per).localSet(left);
  f.end();
}

/** At the row's end, the pointer goes back to its start. */
function wrapRow(f: FuncBuilder, ptr: number, start: number, end: number): void {
  f.localGet(start).localGet(ptr).localGet(ptr).localGet(end).op(Op.i32_eq).op(Op.select).localSet(ptr);
}

const bytesPerVectorOf = (d: DType, kind: Kind) => (kind === "f32" ? 4 : 2) * (d === "bool" ? 1 : kind === "f32" ? 4 : 8);

/** Pushes the element at `ptr` in every lane (a boolean as a lane mask). */
function loadSplat(f: FuncBuilder, kind: Kind, dtype: DType, ptr: number): void {
  if (dtype === "bool") {
    // 0 − byte: all ones for true, in every lane of either width.
    f.i32Const(0).localGet(ptr).mem(MemOp.i32_load8_u, 0, 0).op(Op.i32_sub).simd(Simd.i32x4_splat);
  } else f.localGet(ptr).simdMem(kind === "f32" ? SimdMem.v128_load32_splat : SimdMem.v128_load64_splat, 0, 0);
}

/** Pushes the vector result of one op on the argument locals. */
function emitOp(f: FuncBuilder, kind: Kind, prim: string, args: number[], from: DType, to: DType): void {
  const get = (k: number) => f.localGet(args[k]!);
  if (prim in BINARY_OPS) get(0), get(1), f.simd(BINARY_OPS[prim as keyof typeof BINARY_OPS][kind][0]);
  else if (prim in UNARY_OPS) get(0), f.simd(UNARY_OPS[prim as keyof typeof UNARY_OPS][kind][0]);
  else if (prim in COMPARE_SIMD.f32) get(0), get(1), f.simd(COMPARE_SIMD[kind][prim as keyof typeof COMPARE_SIMD.f32]);
  else if (prim in LOGICAL_SIMD) get(0), get(1), f.simd(LOGICAL_SIMD[prim as keyof typeof LOGICAL_SIMD]);
  else if (prim === "not") get(0), f.simd(Simd.v128_not);
  // bitselect(a, b, mask) = a where the mask is set, else b: `cond ? a : b` per lane.
  else if (prim === "select") get(1), get(2), get(0), f.simd(Simd.v128_bitselect);
  else if (prim === "cast" && from === "bool") get(0), splatOne(f, kind), f.simd(Simd.v128_and);
  else if (prim === "cast" && to === "bool") get(0), f.v128Const(new Uint8Array(16)), f.simd(COMPARE_SIMD[kind].ne);
  else get(0); // stop_gradient, or a cast to the same dtype
}

function splatOne(f: FuncBuilder, kind: Kind): void {
  if (kind === "f32") f.f32Const(1).simd(Simd.f32x4_splat);
  else f.f64Const(1).simd(Simd.f64x2_splat);
}

/** Reads one vector's worth of 0/1 bytes as a lane mask. */
function loadMask(f: FuncBuilder, kind: Kind, ptr: number, offset: number): void {
  if (kind === "f32") f.localGet(ptr).simdMem(SimdMem.v128_load32_zero, offset, 0);
  else f.localGet(ptr).mem(MemOp.i32_load16_u, offset, 0).simd(Simd.i32x4_splat);
  f.v128Const(new Uint8Array(16)).simd(Simd.i8x16_ne);
  f.simd(Simd.i16x8_extend_low_i8x16_s).simd(Simd.i32x4_extend_low_i16x8_s);
  if (kind === "f64") f.simd(Simd.i64x2_extend_low_i32x4_s);
}

/** Writes a lane mask as one 0/1 byte per lane. */
function storeMask(f: FuncBuilder, kind: Kind, ptr: number, mask: number, scratch: number, offset: number): void {
  if (kind === "f32") {
    f.localGet(ptr);
    f.localGet(mask).localGet(mask).simd(Simd.i16x8_narrow_i32x4_s);
    f.localTee(scratch).localGet(scratch).simd(Simd.i8x16_narrow_i16x8_s);
    f.v128Const(new Uint8Array(16).fill(1)).simd(Simd.v128_and);
    f.simdMemLane(SimdMemLane.v128_store32_lane, 0, offset, 0);
    return;
  }
  for (const lane of [0, 1]) {
    f.localGet(ptr).localGet(mask).simdLane(SimdLane.i32x4_extract_lane, 2 * lane).i32Const(1).op(Op.i32_and);
    f.mem(MemOp.i32_store8, offset + lane, 0);
  }
}

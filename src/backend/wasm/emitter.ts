/**
 * A tiny WebAssembly binary emitter: enough of the format (types, one imported
 * memory, functions, exports) and of the instruction set (i32/f32/f64 scalar,
 * SIMD128 incl. relaxed multiply-add) to write numeric kernels from TypeScript.
 * No toolchain, no text format: kernels are built as bytes at run time.
 *
 *   const m = new ModuleBuilder();
 *   m.importMemory("env", "mem", 1, 16, false);
 *   const f = m.func("addOne", [I32], [I32]);
 *   f.localGet(0).i32Const(1).op(Op.i32_add);
 *   const { exports } = new WebAssembly.Instance(new WebAssembly.Module(m.bytes()), { env: { mem } });
 */

export const I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c, V128 = 0x7b;
export type ValType = typeof I32 | typeof I64 | typeof F32 | typeof F64 | typeof V128;

/** Single-byte (MVP) opcodes that take no immediates. */
export const Op = {
  unreachable: 0x00, nop: 0x01, else: 0x05, end: 0x0b, return: 0x0f, drop: 0x1a, select: 0x1b,
  i32_eqz: 0x45, i32_eq: 0x46, i32_ne: 0x47, i32_lt_s: 0x48, i32_lt_u: 0x49, i32_gt_s: 0x4a, i32_gt_u: 0x4b,
  i32_le_s: 0x4c, i32_le_u: 0x4d, i32_ge_s: 0x4e, i32_ge_u: 0x4f,
  f32_eq: 0x5b, f32_ne: 0x5c, f32_lt: 0x5d, f32_gt: 0x5e, f32_le: 0x5f, f32_ge: 0x60,
  f64_eq: 0x61, f64_ne: 0x62, f64_lt: 0x63, f64_gt: 0x64, f64_le: 0x65, f64_ge: 0x66,
  i32_add: 0x6a, i32_sub: 0x6b, i32_mul: 0x6c, i32_div_s: 0x6d, i32_div_u: 0x6e, i32_rem_s: 0x6f, i32_rem_u: 0x70,
  i32_and: 0x71, i32_or: 0x72, i32_xor: 0x73, i32_shl: 0x74, i32_shr_s: 0x75, i32_shr_u: 0x76,
  f32_abs: 0x8b, f32_neg: 0x8c, f32_ceil: 0x8d, f32_floor: 0x8e, f32_trunc: 0x8f, f32_nearest: 0x90, f32_sqrt: 0x91,
  f32_add: 0x92, f32_sub: 0x93, f32_mul: 0x94, f32_div: 0x95, f32_min: 0x96, f32_max: 0x97,
  f64_abs: 0x99, f64_neg: 0x9a, f64_ceil: 0x9b, f64_floor: 0x9c, f64_trunc: 0x9d, f64_nearest: 0x9e, f64_sqrt: 0x9f,
  f64_add: 0xa0, f64_sub: 0xa1, f64_mul: 0xa2, f64_div: 0xa3, f64_min: 0xa4, f64_max: 0xa5,
  i32_trunc_f32_s: 0xa8, i32_trunc_f64_s: 0xaa, f32_convert_i32_s: 0xb2, f32_demote_f64: 0xb6,
  f64_convert_i32_s: 0xb7, f64_promote_f32: 0xbb,
} as const;

/** Memory opcodes: each takes a memarg (alignment exponent, offset). */
export const MemOp = {
  i32_load: 0x28, f32_load: 0x2a, f64_load: 0x2b, i32_load8_u: 0x2d, i32_load16_u: 0x2f,
  i32_store: 0x36, f32_store: 0x38, f64_store: 0x39, i32_store8: 0x3a,
} as const;

/** SIMD128 opcodes (0xFD prefix, LEB128 sub-opcode) that take no immediates. */
export const Simd = {
  i8x16_swizzle: 0x0e, i32x4_splat: 0x11, f32x4_splat: 0x13, f64x2_splat: 0x14,
  f32x4_eq: 0x41, f32x4_ne: 0x42, f32x4_lt: 0x43, f32x4_gt: 0x44, f32x4_le: 0x45, f32x4_ge: 0x46,
  f64x2_eq: 0x47, f64x2_ne: 0x48, f64x2_lt: 0x49, f64x2_gt: 0x4a, f64x2_le: 0x4b, f64x2_ge: 0x4c,
  v128_not: 0x4d, v128_and: 0x4e, v128_andnot: 0x4f, v128_or: 0x50, v128_xor: 0x51, v128_bitselect: 0x52,
  v128_any_true: 0x53,
  i8x16_ne: 0x24, i8x16_narrow_i16x8_s: 0x65, i16x8_narrow_i32x4_s: 0x85, i16x8_extend_low_i8x16_s: 0x87, i32x4_extend_low_i16x8_s: 0xa7, i64x2_extend_low_i32x4_s: 0xc7,
  f32x4_demote_f64x2_zero: 0x5e, f64x2_promote_low_f32x4: 0x5f,
  f32x4_ceil: 0x67, f32x4_floor: 0x68, f32x4_trunc: 0x69, f32x4_nearest: 0x6a,
  f64x2_ceil: 0x74, f64x2_floor: 0x75, f64x2_trunc: 0x7a, f64x2_nearest: 0x94,
  i32x4_eq: 0x37, i32x4_lt_s: 0x39, i32x4_shl: 0xab, i32x4_add: 0xae, i32x4_sub: 0xb1, i32x4_mul: 0xb5, i64x2_splat: 0x12,
  i64x2_shl: 0xcb, i64x2_shr_s: 0xcc, i64x2_add: 0xce, i64x2_sub: 0xd1, i32x4_trunc_sat_f64x2_s_zero: 0xfc,
  f32x4_abs: 0xe0, f32x4_neg: 0xe1, f32x4_sqrt: 0xe3, f32x4_add: 0xe4, f32x4_sub: 0xe5, f32x4_mul: 0xe6,
  f32x4_div: 0xe7, f32x4_min: 0xe8, f32x4_max: 0xe9, f32x4_pmin: 0xea, f32x4_pmax: 0xeb,
  f64x2_abs: 0xec, f64x2_neg: 0xed, f64x2_sqrt: 0xef, f64x2_add: 0xf0, f64x2_sub: 0xf1, f64x2_mul: 0xf2,
  f64x2_div: 0xf3, f64x2_min: 0xf4, f64x2_max: 0xf5, f64x2_pmin: 0xf6, f64x2_pmax: 0xf7,
  /** Relaxed SIMD: a·b + c, fused or not (the engine picks). */
  f32x4_relaxed_madd: 0x105, f64x2_relaxed_madd: 0x107,
} as const;

/** SIMD memory opcodes (take a memarg). */
export const SimdMem = {
  v128_load: 0x00, v128_load32_splat: 0x09, v128_load64_splat: 0x0a, v128_store: 0x0b,
  v128_load32_zero: 0x5c, v128_load64_zero: 0x5d,
} as const;

/** SIMD memory-lane opcodes (take a memarg and a lane index byte). */
export const SimdMemLane = { v128_load32_lane: 0x56, v128_load64_lane: 0x57, v128_store16_lane: 0x59, v128_store32_lane: 0x5a, v128_store64_lane: 0x5b } as const;

/** SIMD lane opcodes (take a lane index byte). */
export const SimdLane = {
  i32x4_extract_lane: 0x1b, i32x4_replace_lane: 0x1c,
  f32x4_extract_lane: 0x1f, f32x4_replace_lane: 0x20, f64x2_extract_lane: 0x21, f64x2_replace_lane: 0x22,
} as const;

/** Unsigned LEB128. */
/**
 * The byte indices of i8x16.shuffle that pick `es`-byte lanes `lanes` of a‖b
 * (lane l covers bytes es·l … es·l + es − 1): laneBytes(4, [0, 4, 1, 5])
 * interleaves the low float32s of a and b.
 */
export function laneBytes(es: number, lanes: readonly number[]): number[] {
  return lanes.flatMap((l) => Array.from({ length: es }, (_, b) => es * l + b));
}

export function uleb(out: number[], v: number): void {
  if (v < 0 || !Number.isInteger(v)) throw new RangeError(`uleb: ${v} is not a non-negative integer`);
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

/** Signed LEB128 (for i32/i64 constants). */
export function sleb(out: number[], v: number): void {
  if (!Number.isInteger(v)) throw new RangeError(`sleb: ${v} is not an integer`);
  for (;;) {
    const byte = ((v % 128) + 128) % 128;
    v = Math.floor(v / 128);
    const signBitSet = (byte & 0x40) !== 0;
    if ((v === 0 && !signBitSet) || (v === -1 && signBitSet)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

function utf8(out: number[], s: string): void {
  const b = new TextEncoder().encode(s);
  uleb(out, b.length);
  for (const x of b) out.push(x);
}

const scratch = new DataView(new ArrayBuffer(8));

/** A function body under construction; every method appends code and returns `this`. */
export class FuncBuilder {
  readonly code: number[] = [];
  private readonly extraLocals: ValType[] = [];

  constructor(
    readonly name: string | null,
    readonly params: readonly ValType[],
    readonly results: readonly ValType[],
  ) {}

  /** Declares a new local and returns its index. */
  local(type: ValType): number {
    this.extraLocals.push(type);
    return this.params.length + this.extraLocals.length - 1;
  }

  op(code: number): this {
    this.code.push(code);
    return this;
  }

  localGet(i: number): this { this.code.push(0x20); uleb(this.code, i); return this; }
  localSet(i: number): this { this.code.push(0x21); uleb(this.code, i); return this; }
  localTee(i: number): this { this.code.push(0x22); uleb(this.code, i); return this; }
  call(funcIndex: number): this { this.code.push(0x10); uleb(this.code, funcIndex); return this; }

  i32Const(v: number): this { this.code.push(0x41); sleb(this.code, v | 0); return this; }
  f32Const(v: number): this {
    scratch.setFloat32(0, v, true);
    this.code.push(0x43);
    for (let i = 0; i < 4; i++) this.code.push(scratch.getUint8(i));
    return this;
  }
  f64Const(v: number): this {
    scratch.setFloat64(0, v, true);
    this.code.push(0x44);
    for (let i = 0; i < 8; i++) this.code.push(scratch.getUint8(i));
    return this;
  }

  /** A scalar load or store; `align` is log2 of the byte alignment promised. */
  mem(code: number, offset = 0, align = 0): this {
    this.code.push(code);
    uleb(this.code, align);
    uleb(this.code, offset);
    return this;
  }

  simd(code: number): this {
    this.code.push(0xfd);
    uleb(this.code, code);
    return this;
  }
  simdMem(code: number, offset = 0, align = 0): this {
    this.simd(code);
    uleb(this.code, align);
    uleb(this.code, offset);
    return this;
  }
  simdMemLane(code: number, lane: number, offset = 0, align = 0): this {
    this.simdMem(code, offset, align);
    this.code.push(lane);
    return this;
  }
  simdLane(code: number, lane: number): this {
    this.simd(code);
    this.code.push(lane);
    return this;
  }
  /** i8x16.shuffle: byte i of the result is byte lanes[i] of a‖b (0–15 from a, 16–31 from b). */
  shuffle(lanes: ArrayLike<number>): this {
    if (lanes.length !== 16) throw new RangeError("shuffle: needs 16 lane indices");
    this.simd(0x0d);
    for (let i = 0; i < 16; i++) this.code.push(lanes[i]! & 31);
    return this;
  }
  i64Const(v: bigint): this {
    this.code.push(0x42);
    // Signed LEB128 of a 64-bit value.
    let x = BigInt.asIntN(64, v);
    for (;;) {
      const byte = Number(x & 0x7fn);
      x >>= 7n;
      if ((x === 0n && (byte & 0x40) === 0) || (x === -1n && (byte & 0x40) !== 0)) {
        this.code.push(byte);
        return this;
      }
      this.code.push(byte | 0x80);
    }
  }
  v128Const(bytes: ArrayLike<number>): this {
    if (bytes.length !== 16) throw new RangeError("v128Const: needs 16 bytes");
    this.simd(0x0c);
    for (let i = 0; i < 16; i++) this.code.push(bytes[i]! & 0xff);
    return this;
  }

  // Structured control. Branch depths count enclosing blocks from the innermost (0).
  block(): this { this.code.push(0x02, 0x40); return this; }
  loop(): this { this.code.push(0x03, 0x40); return this; }
  /** `if` with no result, or with one result of `type` (then both arms must leave one). */
  if_(type?: ValType): this { this.code.push(0x04, type ?? 0x40); return this; }
  else_(): this { this.code.push(0x05); return this; }
  end(): this { this.code.push(0x0b); return this; }
  br(depth: number): this { this.code.push(0x0c); uleb(this.code, depth); return this; }
  brIf(depth: number): this { this.code.push(0x0d); uleb(this.code, depth); return this; }

  /**
   * `for (i = start; i < end; i += step) body()` over i32 locals (step a
   * constant or `{ local }`), as
   * block { loop { br_if(i >= end) 1; body; i += step; br 0 } }.
   * Inside `body`, depth 0 is the loop (continue) and 1 the block (break).
   */
  forRange(i: number, start: () => void, end: () => void, step: number | { local: number }, body: () => void): this {
    start();
    this.localSet(i);
    this.block().loop();
    this.localGet(i);
    end();
    this.op(Op.i32_ge_s).brIf(1);
    body();
    this.localGet(i);
    if (typeof step === "number") this.i32Const(step);
    else this.localGet(step.local);
    this.op(Op.i32_add).localSet(i);
    this.br(0).end().end();
    return this;
  }

  /** The encoded body: local declarations (run-length grouped) then code and `end`. */
  encode(): number[] {
    const out: number[] = [];
    const groups: [number, ValType][] = [];
    for (const t of this.extraLocals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(out, groups.length);
    for (const [n, t] of groups) {
      uleb(out, n);
      out.push(t);
    }
    for (const b of this.code) out.push(b);
    out.push(0x0b);
    return out;
  }
}

interface MemoryImport {
  module: string;
  field: string;
  initial: number;
  maximum: number;
  shared: boolean;
}

/** A module: function types are interned; functions are exported under their names. */
export class ModuleBuilder {
  private readonly types: string[] = [];
  private readonly typeSigs: { params: readonly ValType[]; results: readonly ValType[] }[] = [];
  private readonly funcs: FuncBuilder[] = [];
  private memory: MemoryImport | null = null;

  /** Imports one linear memory (pages of 64 KiB); a shared memory needs a maximum. */
  importMemory(module: string, field: string, initial: number, maximum: number, shared: boolean): void {
    this.memory = { module, field, initial, maximum, shared };
  }

  /** Adds a function; pass `name = null` for an internal helper. Its index is `funcs.length` before the call. */
  func(name: string | null, params: readonly ValType[], results: readonly ValType[]): FuncBuilder {
    const f = new FuncBuilder(name, params, results);
    this.funcs.push(f);
    return f;
  }

  indexOf(f: FuncBuilder): number {
    return this.funcs.indexOf(f);
  }

  private typeIndex(params: readonly ValType[], results: readonly ValType[]): number {
    const key = `${params.join(",")}->${results.join(",")}`;
    let i = this.types.indexOf(key);
    if (i < 0) {
      i = this.types.length;
      this.types.push(key);
      this.typeSigs.push({ params, results });
    }
    return i;
  }

  bytes(): Uint8Array<ArrayBuffer> {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const funcTypes = this.funcs.map((f) => this.typeIndex(f.params, f.results));
    const section = (id: number, body: number[]) => {
      out.push(id);
      uleb(out, body.length);
      for (const b of body) out.push(b);
    };
    // 1: types
    const types: number[] = [];
    uleb(types, this.typeSigs.length);
    for (const { params, results } of this.typeSigs) {
      types.push(0x60);
      uleb(types, params.length);
      types.push(...params);
      uleb(types, results.length);
      types.push(...results);
    }
    section(1, types);
    // 2: imports (the memory)
    if (this.memory) {
      const m = this.memory;
      const imp: number[] = [];
      uleb(imp, 1);
      utf8(imp, m.module);
      utf8(imp, m.field);
      imp.push(0x02, m.shared ? 0x03 : 0x01);
      uleb(imp, m.initial);
      uleb(imp, m.maximum);
      section(2, imp);
    }
    // 3: function declarations
    const decl: number[] = [];
    uleb(decl, funcTypes.length);
    for (const t of funcTypes) uleb(decl, t);
    section(3, decl);
    // 7: exports
    const named = this.funcs.map((f, i) => [f.name, i] as const).filter(([n]) => n !== null);
    const exp: number[] = [];
    uleb(exp, named.length);
    for (const [n, i] of named) {
      utf8(exp, n!);
      exp.push(0x00);
      uleb(exp, i);
    }
    section(7, exp);
    // 10: code
    const code: number[] = [];
    uleb(code, this.funcs.length);
    for (const f of this.funcs) {
      const body = f.encode();
      uleb(code, body.length);
      for (const b of body) code.push(b);
    }
    section(10, code);
    return new Uint8Array(out);
  }
}

/**
 * Transcendental functions as Wasm SIMD code: the operations of
 * backend/math/*.ts, in the same order, so each lane gets the bits the
 * JavaScript kernel computes — float64's functions on f64x2 lanes, the
 * float32 ones (exp32.ts, erf32.ts) on f32x4 lanes.
 *
 * float64 vectors are computed step by step side by side: a polynomial is a
 * chain of dependent multiply-adds, and two independent chains in one
 * instruction stream keep the vector units busy while each waits.
 */
import { EXP_MAX, EXP_MIN, EXP_TAYLOR, INV_LN2, LN2_HI, LN2_LO } from "../math/exp.js";
import { ERF_TAYLOR, ERFC_PIECES } from "../math/erf.js";
import { EXP32_MAX, EXP32_MIN, EXP32_TAYLOR, INV_LN2_32, LN2_HI_32, LN2_LO_32 } from "../math/exp32.js";
import { ERF32_CENTER, ERF32_CLAMP, ERF32_SMALL, ERF32_SPLIT, ERFC32_DEN, ERFC32_NUM } from "../math/erf32.js";
import { FuncBuilder, Simd, V128 } from "./emitter.js";
import type { Kind } from "./ew-kernel.js";

/** Locals for one f64x2 lane pair: `arg` in, `out` out, the rest scratch. */
export interface Lanes {
  arg: number;
  out: number;
  x: number;
  k: number;
  lo: number;
  hi: number;
  /** Lanes below EXP_MIN, whose e^x is 0. */
  under: number;
  /** erf's: |x|, x², the Taylor value, t, Clenshaw's b₁ and b₂, the piece masks |x| ≥ 2, 3, 4. */
  a: number;
  s: number;
  taylor: number;
  t: number;
  b1: number;
  b2: number;
  m: [number, number, number];
}

function lanes(f: FuncBuilder): Lanes {
  const v = () => f.local(V128);
  return { arg: v(), out: v(), x: v(), k: v(), lo: v(), hi: v(), under: v(), a: v(), s: v(), taylor: v(), t: v(), b1: v(), b2: v(), m: [v(), v(), v()] };
}

/**
 * The constants a loop uses, each held in a local set once before the loop:
 * V8 rebuilds a v128 constant at every use inside a loop (two or three
 * instructions), while a local lives in a register or is one load away.
 */
export class ConstantPool {
  private readonly locals = new Map<number, number>();
  private readonly locals32 = new Map<number, number>();
  constructor(private readonly f: FuncBuilder) {}

  /** Pushes the f64x2 constant (v, v): reads the local that holds it. */
  push(v: number): FuncBuilder {
    return this.f.localGet(this.localFor(this.locals, v));
  }

  /** Pushes the f32x4 constant (v, v, v, v), v a float32 value. */
  push32(v: number): FuncBuilder {
    return this.f.localGet(this.localFor(this.locals32, v));
  }

  private localFor(map: Map<number, number>, v: number): number {
    let l = map.get(v);
    if (l === undefined) {
      l = this.f.local(V128);
      map.set(v, l);
    }
    return l;
  }

  /** Code that sets every local used so far; the caller places it before the loop. */
  initCode(): number[] {
    const init = new FuncBuilder(null, [], []);
    for (const [v, l] of this.locals) init.f64Const(v).simd(Simd.f64x2_splat).localSet(l);
    for (const [v, l] of this.locals32) init.f32Const(v).simd(Simd.f32x4_splat).localSet(l);
    return init.code;
  }
}

/** Scratch for a whole function: lanes for each of the (at most two) vectors emitMath takes at once, and the constant pool. */
export interface MathScratch {
  lanes: Lanes[];
  pool: ConstantPool;
}

export function mathScratch(f: FuncBuilder, pool: ConstantPool): MathScratch {
  return { lanes: [lanes(f), lanes(f)], pool };
}

type Emit = (f: FuncBuilder, ls: Lanes[], c: ConstantPool) => void;

/** The functions this file can emit, by primitive name: each reads `arg` and writes `out` of every lane pair. */
export const MATH_OPS: Record<"exp" | "logistic" | "erf", Emit> = { exp: emitExp, logistic: emitLogistic, erf: emitErf };
export type WasmMath = keyof typeof MATH_OPS;

/** float32 lanes compute the float32 functions (backend/math/*32.ts) on one f32x4 vector each. */
type Emit32 = (f: FuncBuilder, l: Lanes, c: ConstantPool) => void;
const MATH_OPS_F32: Record<WasmMath, Emit32> = { exp: emitExp32, logistic: emitLogistic32, erf: emitErf32 };

/** e^x per lane (backend/math/exp.ts), from each `x` into each `out`. */
function expOf(f: FuncBuilder, ls: Lanes[], c: ConstantPool, from: (l: Lanes) => void): void {
  for (const l of ls) {
    // Lanes below EXP_MIN compute e^0 (no slow underflowing multiplies) and give 0 at the end.
    from(l);
    f.localTee(l.x);
    c.push(EXP_MIN).simd(Simd.f64x2_lt).localSet(l.under);
    // x = min(x, EXP_MAX), 0 where under; NaN passes through.
    f.v128Const(new Uint8Array(16)).localGet(l.x).localGet(l.under).simd(Simd.v128_bitselect);
    c.push(EXP_MAX).simd(Simd.f64x2_pmin).localTee(l.x);
    // k = floor(x·(1/ln2) + ½)
    c.push(INV_LN2).simd(Simd.f64x2_mul);
    c.push(0.5).simd(Simd.f64x2_add).simd(Simd.f64x2_floor).localSet(l.k);
  }
  for (const l of ls) {
    // r = (x − k·LN2_HI) − k·LN2_LO, kept in x
    f.localGet(l.x).localGet(l.k);
    c.push(LN2_HI).simd(Simd.f64x2_mul).simd(Simd.f64x2_sub);
    f.localGet(l.k);
    c.push(LN2_LO).simd(Simd.f64x2_mul).simd(Simd.f64x2_sub).localSet(l.x);
  }
  // p = Horner over 1/n!, the lane pairs interleaved.
  for (const l of ls) c.push(EXP_TAYLOR[0]!).localSet(l.out);
  for (let i = 1; i < EXP_TAYLOR.length; i++) {
    for (const l of ls) {
      f.localGet(l.out).localGet(l.x).simd(Simd.f64x2_mul);
      c.push(EXP_TAYLOR[i]!).simd(Simd.f64x2_add).localSet(l.out);
    }
  }
  // p · 2^k1 · 2^(k−k1), k1 = ⌊k/2⌋ (JavaScript's k >> 1). Each power of two is
  // built from its exponent bits (scaleByPowerOfTwo).
  for (const l of ls) {
    f.localGet(l.out);
    scaleByPowerOfTwo(f, l, c, SCALE64);
  }
}

/**
 * The float operations of one width that scaling by 2^k needs. Adding
 * 2^m + 2^(m−1) + bias to an integral float leaves k + bias in its low
 * mantissa bits (m = mantissa bits); shifted up by m they are the exponent
 * field (k + bias stays within the field for both halves of k).
 */
interface ScaleOps {
  mul: number;
  floor: number;
  sub: number;
  add: number;
  shl: number;
  bits: number;
  magic: number;
  push: (c: ConstantPool, v: number) => FuncBuilder;
}
const SCALE64: ScaleOps = { mul: Simd.f64x2_mul, floor: Simd.f64x2_floor, sub: Simd.f64x2_sub, add: Simd.f64x2_add, shl: Simd.i64x2_shl, bits: 52, magic: 2 ** 52 + 2 ** 51 + 1023, push: (c: ConstantPool, v: number) => c.push(v) };
const SCALE32: ScaleOps = { mul: Simd.f32x4_mul, floor: Simd.f32x4_floor, sub: Simd.f32x4_sub, add: Simd.f32x4_add, shl: Simd.i32x4_shl, bits: 23, magic: 2 ** 23 + 2 ** 22 + 127, push: (c: ConstantPool, v: number) => c.push32(v) };

/** out = (vector on the stack) · 2^⌊k/2⌋ · 2^(k−⌊k/2⌋) for the integral k in l.k (two factors keep each normal), 0 where l.under. */
function scaleByPowerOfTwo(f: FuncBuilder, l: Lanes, c: ConstantPool, w: ScaleOps): void {
  f.localGet(l.k);
  w.push(c, 0.5).simd(w.mul).simd(w.floor).localSet(l.lo);
  f.localGet(l.k).localGet(l.lo).simd(w.sub).localSet(l.hi);
  for (const half of [l.lo, l.hi]) {
    f.localGet(half);
    w.push(c, w.magic).simd(w.add);
    f.i32Const(w.bits).simd(w.shl).simd(w.mul);
  }
  f.localSet(l.out);
  f.v128Const(new Uint8Array(16)).localGet(l.out).localGet(l.under).simd(Simd.v128_bitselect).localSet(l.out);
}

function emitExp(f: FuncBuilder, ls: Lanes[], c: ConstantPool): void {
  expOf(f, ls, c, (l) => f.localGet(l.arg));
}

/**
 * σ(x) as the reference kernel computes it: e = exp(−|x|) (its exp(−x) for
 * x ≥ 0 and exp(x) otherwise), then x ≥ 0 ? 1/(1+e) : e/(1+e).
 */
function emitLogistic(f: FuncBuilder, ls: Lanes[], c: ConstantPool): void {
  expOf(f, ls, c, (l) => f.localGet(l.arg).simd(Simd.f64x2_abs).simd(Simd.f64x2_neg));
  for (const l of ls) {
    c.push(1);
    c.push(1).localGet(l.out).simd(Simd.f64x2_add).localTee(l.x).simd(Simd.f64x2_div);
    f.localGet(l.out).localGet(l.x).simd(Simd.f64x2_div);
    f.localGet(l.arg).v128Const(new Uint8Array(16)).simd(Simd.f64x2_ge);
    f.simd(Simd.v128_bitselect).localSet(l.out);
  }
}

/**
 * erf per lane (backend/math/erf.ts). Every lane computes the Taylor value,
 * the Chebyshev value of its own piece (coefficients chosen per lane with
 * masks) and e^(−x²); masks then pick what the JavaScript branches return.
 */
function emitErf(f: FuncBuilder, ls: Lanes[], c: ConstantPool): void {
  const [p1, p2, p3] = [ERFC_PIECES[1]!, ERFC_PIECES[2]!, ERFC_PIECES[3]!];
  /** Pushes the value of `of(piece)` for each lane's piece. */
  const perPiece = (l: Lanes, of: (i: number) => number) => {
    for (let i = 3; i >= 0; i--) c.push(of(i));
    for (const m of l.m) f.localGet(m).simd(Simd.v128_bitselect);
  };
  for (const l of ls) {
    f.localGet(l.arg).simd(Simd.f64x2_abs).localTee(l.a).localGet(l.a).simd(Simd.f64x2_mul).localSet(l.s);
    [p1.lo, p2.lo, p3.lo].forEach((edge, i) => {
      f.localGet(l.a);
      c.push(edge);
      f.simd(Simd.f64x2_ge).localSet(l.m[i]!);
    });
    c.push(ERF_TAYLOR[ERF_TAYLOR.length - 1]!);
    f.localSet(l.taylor);
  }
  // Taylor: a · Σ cₙ s^n by Horner in s = a².
  for (let n = ERF_TAYLOR.length - 2; n >= 0; n--) {
    for (const l of ls) {
      f.localGet(l.taylor).localGet(l.s).simd(Simd.f64x2_mul);
      c.push(ERF_TAYLOR[n]!);
      f.simd(Simd.f64x2_add).localSet(l.taylor);
    }
  }
  for (const l of ls) {
    f.localGet(l.a).localGet(l.taylor).simd(Simd.f64x2_mul).localSet(l.taylor);
    // t = (2a − (lo + hi)) / (hi − lo); Clenshaw from b₁ = c₁₇, b₂ = 0 (what the first step gives).
    c.push(2);
    f.localGet(l.a).simd(Simd.f64x2_mul);
    perPiece(l, (i) => ERFC_PIECES[i]!.lo + ERFC_PIECES[i]!.hi);
    f.simd(Simd.f64x2_sub);
    perPiece(l, (i) => ERFC_PIECES[i]!.hi - ERFC_PIECES[i]!.lo);
    f.simd(Simd.f64x2_div).localSet(l.t);
    perPiece(l, (i) => ERFC_PIECES[i]!.coeffs[17]!);
    f.localSet(l.b1);
    f.v128Const(new Uint8Array(16)).localSet(l.b2);
  }
  const degree = ERFC_PIECES[0]!.coeffs.length - 1;
  for (let j = degree - 1; j >= 1; j--) {
    for (const l of ls) {
      // b = 2·t·b₁ − b₂ + cⱼ; b₂ = b₁; b₁ = b
      c.push(2);
      f.localGet(l.t).simd(Simd.f64x2_mul).localGet(l.b1).simd(Simd.f64x2_mul).localGet(l.b2).simd(Simd.f64x2_sub);
      perPiece(l, (i) => ERFC_PIECES[i]!.coeffs[j]!);
      f.simd(Simd.f64x2_add);
      f.localGet(l.b1).localSet(l.b2);
      f.localSet(l.b1);
    }
  }
  for (const l of ls) {
    // h = t·b₁ − b₂ + c₀, kept in b₁
    f.localGet(l.t).localGet(l.b1).simd(Simd.f64x2_mul).localGet(l.b2).simd(Simd.f64x2_sub);
    perPiece(l, (i) => ERFC_PIECES[i]!.coeffs[0]!);
    f.simd(Simd.f64x2_add).localSet(l.b1);
  }
  expOf(f, ls, c, (l) => f.localGet(l.a).simd(Simd.f64x2_neg).localGet(l.a).simd(Simd.f64x2_mul));
  for (const l of ls) {
    // r = a < 1 ? taylor : a ≥ 6 ? 1 : 1 − e·h (NaN falls to the last, which is NaN); then the sign.
    f.localGet(l.taylor);
    c.push(1);
    c.push(1);
    f.localGet(l.out).localGet(l.b1).simd(Simd.f64x2_mul).simd(Simd.f64x2_sub);
    f.localGet(l.a);
    c.push(6);
    f.simd(Simd.f64x2_ge).simd(Simd.v128_bitselect);
    f.localGet(l.a);
    c.push(1);
    f.simd(Simd.f64x2_lt).simd(Simd.v128_bitselect).localTee(l.out);
    f.simd(Simd.f64x2_neg).localGet(l.out);
    f.localGet(l.arg).v128Const(new Uint8Array(16)).simd(Simd.f64x2_lt);
    f.simd(Simd.v128_bitselect).localSet(l.out);
  }
}

/**
 * float32 e^x on f32x4 lanes (backend/math/exp32.ts, same operations in the
 * same order); lanes below EXP32_MIN compute e^0 and give 0, as in expOf.
 */
function emitExp32(f: FuncBuilder, l: Lanes, c: ConstantPool): void {
  f.localGet(l.arg).localTee(l.x);
  c.push32(EXP32_MIN).simd(Simd.f32x4_lt).localSet(l.under);
  f.v128Const(new Uint8Array(16)).localGet(l.x).localGet(l.under).simd(Simd.v128_bitselect);
  c.push32(EXP32_MAX).simd(Simd.f32x4_pmin).localTee(l.x);
  c.push32(INV_LN2_32).simd(Simd.f32x4_mul);
  c.push32(0.5).simd(Simd.f32x4_add).simd(Simd.f32x4_floor).localSet(l.k);
  f.localGet(l.x).localGet(l.k);
  c.push32(LN2_HI_32).simd(Simd.f32x4_mul).simd(Simd.f32x4_sub);
  f.localGet(l.k);
  c.push32(LN2_LO_32).simd(Simd.f32x4_mul).simd(Simd.f32x4_sub).localSet(l.x);
  c.push32(EXP32_TAYLOR[0]!);
  for (let i = 1; i < EXP32_TAYLOR.length; i++) {
    f.localGet(l.x).simd(Simd.f32x4_mul);
    c.push32(EXP32_TAYLOR[i]!).simd(Simd.f32x4_add);
  }
  scaleByPowerOfTwo(f, l, c, SCALE32);
}

/** float32 σ(x) on f32x4 lanes (exp32.ts logistic32): e = e^−|x|, then x ≥ 0 ? 1/(1+e) : e/(1+e). */
function emitLogistic32(f: FuncBuilder, l: Lanes, c: ConstantPool): void {
  f.localGet(l.arg).localTee(l.a).simd(Simd.f32x4_abs).simd(Simd.f32x4_neg).localSet(l.arg);
  emitExp32(f, l, c);
  c.push32(1).localGet(l.out).simd(Simd.f32x4_add).localSet(l.t);
  c.push32(1).localGet(l.t).simd(Simd.f32x4_div);
  f.localGet(l.out).localGet(l.t).simd(Simd.f32x4_div);
  f.localGet(l.a).v128Const(new Uint8Array(16)).simd(Simd.f32x4_ge);
  f.simd(Simd.v128_bitselect).localSet(l.out);
}

const SIGN_BITS_32 = new Uint8Array(new Uint32Array([0x80000000, 0x80000000, 0x80000000, 0x80000000]).buffer);

/**
 * float32 erf on f32x4 lanes (backend/math/erf32.ts, same operations in the
 * same order): both pieces per lane, the one |x| selects, x's sign bit copied.
 */
function emitErf32(f: FuncBuilder, l: Lanes, c: ConstantPool): void {
  const horner = (cs: readonly number[], t: number) => {
    c.push32(cs[cs.length - 1]!);
    for (let k = cs.length - 2; k >= 0; k--) {
      f.localGet(t).simd(Simd.f32x4_mul);
      c.push32(cs[k]!).simd(Simd.f32x4_add);
    }
  };
  f.localGet(l.arg).simd(Simd.f32x4_abs).localTee(l.a).localGet(l.a).simd(Simd.f32x4_mul).localSet(l.s);
  f.localGet(l.a);
  c.push32(ERF32_CLAMP).simd(Simd.f32x4_min);
  c.push32(ERF32_CENTER).simd(Simd.f32x4_sub).localSet(l.t);
  // small piece: a·P(a²)
  f.localGet(l.a);
  horner(ERF32_SMALL, l.s);
  f.simd(Simd.f32x4_mul);
  // large piece: 1 − N(t)/D(t)
  c.push32(1);
  horner(ERFC32_NUM, l.t);
  horner(ERFC32_DEN, l.t);
  f.simd(Simd.f32x4_div).simd(Simd.f32x4_sub);
  f.localGet(l.a);
  c.push32(ERF32_SPLIT).simd(Simd.f32x4_lt).simd(Simd.v128_bitselect);
  // | sign bit of x
  f.localGet(l.arg).v128Const(SIGN_BITS_32).simd(Simd.v128_and).simd(Simd.v128_or).localSet(l.out);
}

/**
 * outs[i] = `name` of each lane of ins[i] (v128 locals, at most two): f32x4
 * vectors one after another with the float32 functions, f64x2 vectors side by
 * side (erf's one at a time).
 */
export function emitMath(f: FuncBuilder, kind: Kind, name: WasmMath, s: MathScratch, ins: readonly number[], outs: readonly number[]): void {
  if (name === "erf" && ins.length > 1) {
    // erf keeps many values per lane pair: more pairs at once only spill registers (measured slower).
    ins.forEach((x, i) => emitMath(f, kind, name, s, [x], [outs[i]!]));
    return;
  }
  if (kind === "f32") {
    ins.forEach((x, i) => {
      const l = s.lanes[i]!;
      f.localGet(x).localSet(l.arg);
      MATH_OPS_F32[name](f, l, s.pool);
      f.localGet(l.out).localSet(outs[i]!);
    });
    return;
  }
  const ls = ins.map((x, i) => {
    f.localGet(x).localSet(s.lanes[i]!.arg);
    return s.lanes[i]!;
  });
  MATH_OPS[name](f, ls, s.pool);
  ls.forEach((l, i) => f.localGet(l.out).localSet(outs[i]!));
}

/**
 * Transcendental functions as Wasm SIMD code: the operations of
 * backend/math/*.ts, in the same order on f64x2 lanes, so each lane gets the
 * bits the JavaScript kernel computes. A float32 vector is widened to two
 * f64x2 halves (exact), computed, and narrowed once (f32x4.demote rounds to
 * nearest, as Math.fround does).
 */
import { EXP_MAX, EXP_MIN, EXP_TAYLOR, INV_LN2, LN2_HI, LN2_LO } from "../math/exp.js";
import { Simd, V128, type FuncBuilder } from "./emitter.js";
import type { Kind } from "./ew-kernel.js";

/** The functions this file can emit, by primitive name. */
export const MATH_OPS = { exp: emitExpF64, logistic: emitLogisticF64 } as const;
export type WasmMath = keyof typeof MATH_OPS;

/** Locals one function needs for this file's code. */
export interface MathScratch {
  x: number;
  k: number;
  lo: number;
  hi: number;
  arg: number;
  e: number;
}

export function mathScratch(f: FuncBuilder): MathScratch {
  return { x: f.local(V128), k: f.local(V128), lo: f.local(V128), hi: f.local(V128), arg: f.local(V128), e: f.local(V128) };
}

const splat = (f: FuncBuilder, v: number) => f.f64Const(v).simd(Simd.f64x2_splat);

/** Replaces the f64x2 on the stack by e^x per lane (backend/math/exp.ts). */
function emitExpF64(f: FuncBuilder, s: MathScratch): void {
  // x = min(max(x, EXP_MIN), EXP_MAX); NaN passes through both.
  splat(f, EXP_MIN).simd(Simd.f64x2_pmax);
  splat(f, EXP_MAX).simd(Simd.f64x2_pmin).localSet(s.x);
  // k = floor(x·(1/ln2) + ½)
  f.localGet(s.x);
  splat(f, INV_LN2).simd(Simd.f64x2_mul);
  splat(f, 0.5).simd(Simd.f64x2_add).simd(Simd.f64x2_floor).localSet(s.k);
  // r = (x − k·LN2_HI) − k·LN2_LO, kept in x
  f.localGet(s.x).localGet(s.k);
  splat(f, LN2_HI).simd(Simd.f64x2_mul).simd(Simd.f64x2_sub);
  f.localGet(s.k);
  splat(f, LN2_LO).simd(Simd.f64x2_mul).simd(Simd.f64x2_sub).localSet(s.x);
  // p = Horner over 1/n!
  splat(f, EXP_TAYLOR[0]!);
  for (let i = 1; i < EXP_TAYLOR.length; i++) {
    f.localGet(s.x).simd(Simd.f64x2_mul);
    splat(f, EXP_TAYLOR[i]!).simd(Simd.f64x2_add);
  }
  // p · 2^k1 · 2^(k−k1), k1 = k >> 1, each power built from its exponent bits.
  f.localGet(s.k).simd(Simd.i32x4_trunc_sat_f64x2_s_zero).simd(Simd.i64x2_extend_low_i32x4_s).localTee(s.k);
  f.i32Const(1).simd(Simd.i64x2_shr_s).localSet(s.lo);
  f.localGet(s.k).localGet(s.lo).simd(Simd.i64x2_sub).localSet(s.hi);
  for (const half of [s.lo, s.hi]) {
    f.localGet(half).i64Const(1023n).simd(Simd.i64x2_splat).simd(Simd.i64x2_add);
    f.i32Const(52).simd(Simd.i64x2_shl).simd(Simd.f64x2_mul);
  }
}

/**
 * σ(x) as the reference kernel computes it: e = exp(−|x|) (its exp(−x) for
 * x ≥ 0 and exp(x) otherwise), then x ≥ 0 ? 1/(1+e) : e/(1+e).
 */
function emitLogisticF64(f: FuncBuilder, s: MathScratch): void {
  f.localTee(s.arg).simd(Simd.f64x2_abs).simd(Simd.f64x2_neg);
  emitExpF64(f, s);
  f.localSet(s.e);
  splat(f, 1);
  splat(f, 1).localGet(s.e).simd(Simd.f64x2_add).localTee(s.x).simd(Simd.f64x2_div);
  f.localGet(s.e).localGet(s.x).simd(Simd.f64x2_div);
  f.localGet(s.arg).v128Const(new Uint8Array(16)).simd(Simd.f64x2_ge);
  f.simd(Simd.v128_bitselect);
}

const LOW_TO_HIGH = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
const JOIN_LOW_HALVES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/**
 * Replaces the vector on the stack by `name` of each lane: f64x2 directly;
 * f32x4 as two widened halves, each narrowed once at the end.
 */
export function emitMath(f: FuncBuilder, kind: Kind, name: WasmMath, s: MathScratch, halves: { a: number; b: number }): void {
  const fn = MATH_OPS[name];
  if (kind === "f64") {
    fn(f, s);
    return;
  }
  f.localTee(halves.a);
  f.simd(Simd.f64x2_promote_low_f32x4);
  fn(f, s);
  f.simd(Simd.f32x4_demote_f64x2_zero).localSet(halves.b);
  f.localGet(halves.a).localGet(halves.a).shuffle(LOW_TO_HIGH).simd(Simd.f64x2_promote_low_f32x4);
  fn(f, s);
  f.simd(Simd.f32x4_demote_f64x2_zero);
  f.localSet(halves.a);
  f.localGet(halves.b).localGet(halves.a).shuffle(JOIN_LOW_HALVES);
}

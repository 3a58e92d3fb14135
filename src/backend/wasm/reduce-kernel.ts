/**
 * reduce_max and reduce_min in WebAssembly SIMD128, with the calling
 * convention of rsum (ew-kernel.ts): `rmax_<kind>(x, acc, P, Q, R, accStrideP,
 * accStrideQ, mode, skip)` walks the input x as P×Q rows of R elements (and
 * `skip` bytes after each P slab);
 * acc holds the running extremes in the input's own type (the caller fills it
 * with −∞ for max, +∞ for min). Mode 1: the row folds into one accumulator
 * (a reduced last axis: softmax's row max); mode 0: the row folds elementwise
 * into a contiguous accumulator row (reduced leading axes).
 *
 * Results equal the reference bit for bit. The reference keeps the first
 * element that compares greater (so of +0 and −0 the first one) and the last
 * NaN. Mode 0 does exactly that per lane: take = (x > acc) | (x ≠ x). Mode 1
 * folds a row in lanes with f32x4.pmax (one maxps; f32x4.max's NaN and ±0
 * rules cost V8 several instructions) and notes NaNs in a mask on the side,
 * which gives the reference's value whenever the row has no NaN and the
 * result is not a zero; otherwise the row is folded again in order, one
 * element at a time, the reference's way.
 */
import { I32, ModuleBuilder, Op, Simd, SimdLane, SimdMem, V128 } from "./emitter.js";
import { KINDS, type Kind } from "./kinds.js";

/** Opcodes of one kind's extremum: SIMD and scalar "extreme", "better", "≠", "=", lane extraction. */
function opcodes(isMax: boolean, kind: Kind) {
  const f32 = kind === "f32";
  return {
    /** pmax(acc, x) = acc < x ? x : acc (pmin: x < acc ? x : acc); a NaN x is dropped, so NaNs are tracked apart. */
    vExtreme: f32 ? (isMax ? Simd.f32x4_pmax : Simd.f32x4_pmin) : isMax ? Simd.f64x2_pmax : Simd.f64x2_pmin,
    vBetter: f32 ? (isMax ? Simd.f32x4_gt : Simd.f32x4_lt) : isMax ? Simd.f64x2_gt : Simd.f64x2_lt,
    vNe: f32 ? Simd.f32x4_ne : Simd.f64x2_ne,
    extreme: f32 ? (isMax ? Op.f32_max : Op.f32_min) : isMax ? Op.f64_max : Op.f64_min,
    better: f32 ? (isMax ? Op.f32_gt : Op.f32_lt) : isMax ? Op.f64_gt : Op.f64_lt,
    ne: f32 ? Op.f32_ne : Op.f64_ne,
    eq: f32 ? Op.f32_eq : Op.f64_eq,
    extract: f32 ? SimdLane.f32x4_extract_lane : SimdLane.f64x2_extract_lane,
  };
}

export function emitReduceExtremum(m: ModuleBuilder, isMax: boolean, kind: Kind): void {
  const k = KINDS[kind];
  const c = opcodes(isMax, kind);
  const f = m.func(`r${isMax ? "max" : "min"}_${kind}`, [I32, I32, I32, I32, I32, I32, I32, I32, I32], []);
  const [x, acc, P, Q, R, aP, aQ, mode, skip] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const p = f.local(I32), q = f.local(I32), qAcc = f.local(I32), rowB = f.local(I32), end = f.local(I32), vend = f.local(I32);
  const a = f.local(I32), start = f.local(I32);
  const va = f.local(V128), vb = f.local(V128), vn = f.local(V128), s128 = f.local(V128);
  const v = f.local(k.type), s = f.local(k.type), old = f.local(k.type);
  const STEP = 2 * 16; // two vectors per iteration: two independent chains of max
  const constant = (value: number) => void (kind === "f32" ? f.f32Const(value) : f.f64Const(value));
  const bump = (local: number, bytes: number) => void f.localGet(local).i32Const(bytes).op(Op.i32_add).localSet(local);
  /** while (ptr < limit) { body; ptr += bytes } */
  const whileBelow = (ptr: number, limit: number, bytes: number, body: () => void) => {
    f.block().loop();
    f.localGet(ptr).localGet(limit).op(Op.i32_ge_u).brIf(1);
    body();
    bump(ptr, bytes);
    f.br(0).end().end();
  };
  /** v = (s better than v) or s is NaN ? s : v — the reference's step. */
  const exactStep = () => {
    f.localGet(s).localGet(v);
    f.localGet(s).localGet(v).op(c.better).localGet(s).localGet(s).op(c.ne).op(Op.i32_or);
    f.op(Op.select).localSet(v);
  };

  /** acc[qAcc] ← extreme of acc[qAcc] and the row at x; leaves x at the row's end. */
  const foldRow = () => {
    f.localGet(x).localSet(start);
    f.localGet(x).localGet(rowB).op(Op.i32_add).localSet(end);
    f.localGet(qAcc).mem(k.load, 0, k.align).localSet(old);
    constant(isMax ? -Infinity : Infinity);
    f.localSet(v);
    f.localGet(rowB).i32Const(STEP).op(Op.i32_ge_u).if_();
    f.localGet(x).localGet(rowB).i32Const(-STEP).op(Op.i32_and).op(Op.i32_add).localSet(vend);
    f.localGet(x).simdMem(SimdMem.v128_load, 0, 0).localSet(va);
    f.localGet(x).simdMem(SimdMem.v128_load, 16, 0).localSet(vb);
    f.localGet(va).localGet(va).simd(c.vNe).localGet(vb).localGet(vb).simd(c.vNe).simd(Simd.v128_or).localSet(vn);
    bump(x, STEP);
    whileBelow(x, vend, STEP, () => {
      for (const [chain, offset] of [[va, 0], [vb, 16]] as const) {
        f.localGet(x).simdMem(SimdMem.v128_load, offset, 0).localSet(s128);
        f.localGet(chain).localGet(s128).simd(c.vExtreme).localSet(chain);
        f.localGet(vn).localGet(s128).localGet(s128).simd(c.vNe).simd(Simd.v128_or).localSet(vn);
      }
    });
    f.localGet(va).localGet(vb).simd(c.vExtreme).localSet(va);
    f.localGet(va).simdLane(c.extract, 0);
    for (let lane = 1; lane < k.lanes; lane++) f.localGet(va).simdLane(c.extract, lane).op(c.extreme);
    f.localSet(v);
    // A NaN among the lanes: make v one, so that the row is folded again below.
    f.localGet(vn).simd(Simd.v128_any_true).if_();
    constant(NaN);
    f.localSet(v);
    f.end();
    f.end();
    whileBelow(x, end, k.es, () => void f.localGet(v).localGet(x).mem(k.load, 0, k.align).op(c.extreme).localSet(v));
    f.localGet(old).localGet(v).op(c.extreme).localSet(v);
    // A NaN or a zero: which NaN or which zero is the reference's depends on the order; fold again in order.
    f.localGet(v).localGet(v).op(c.ne).localGet(v);
    constant(0);
    f.op(c.eq).op(Op.i32_or).if_();
    f.localGet(old).localSet(v);
    whileBelow(start, end, k.es, () => {
      f.localGet(start).mem(k.load, 0, k.align).localSet(s);
      exactStep();
    });
    f.end();
    f.localGet(qAcc).localGet(v).mem(k.store, 0, k.align);
  };

  /** acc[qAcc + i] ← reference step with x[i], for one row (per lane: the same order as the reference). */
  const foldRowElementwise = () => {
    f.localGet(qAcc).localSet(a);
    f.localGet(x).localGet(rowB).op(Op.i32_add).localSet(end);
    f.localGet(x).localGet(rowB).i32Const(-16).op(Op.i32_and).op(Op.i32_add).localSet(vend);
    whileBelow(x, vend, 16, () => {
      f.localGet(x).simdMem(SimdMem.v128_load, 0, 0).localSet(va);
      f.localGet(a).simdMem(SimdMem.v128_load, 0, 0).localSet(vb);
      f.localGet(a).localGet(va).localGet(vb);
      f.localGet(va).localGet(vb).simd(c.vBetter).localGet(va).localGet(va).simd(c.vNe).simd(Simd.v128_or);
      f.simd(Simd.v128_bitselect).simdMem(SimdMem.v128_store, 0, 0);
      bump(a, 16);
    });
    whileBelow(x, end, k.es, () => {
      f.localGet(x).mem(k.load, 0, k.align).localSet(s);
      f.localGet(a).mem(k.load, 0, k.align).localSet(v);
      exactStep();
      f.localGet(a).localGet(v).mem(k.store, 0, k.align);
      bump(a, k.es);
    });
  };

  f.localGet(R).i32Const(k.es).op(Op.i32_mul).localSet(rowB);
  f.forRange(p, () => void f.i32Const(0), () => void f.localGet(P), 1, () => {
    f.localGet(acc).localSet(qAcc);
    f.forRange(q, () => void f.i32Const(0), () => void f.localGet(Q), 1, () => {
      f.localGet(mode).if_();
      foldRow();
      f.else_();
      foldRowElementwise();
      f.end();
      f.localGet(qAcc).localGet(aQ).op(Op.i32_add).localSet(qAcc);
    });
    f.localGet(acc).localGet(aP).op(Op.i32_add).localSet(acc);
    f.localGet(x).localGet(skip).op(Op.i32_add).localSet(x);
  });
}

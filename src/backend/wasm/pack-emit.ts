/** Emission helpers shared by the GEMM's packing routines, strided (gemm-kernel.ts) and gather (gemm-gather-kernel.ts). */
import { F32, F64, type FuncBuilder, laneBytes, MemOp, Op, type ValType } from "./emitter.js";

export const scalarOps = (es: number) =>
  es === 4
    ? { type: F32 as ValType, load: MemOp.f32_load, store: MemOp.f32_store, align: 2, zero: (f: FuncBuilder) => f.f32Const(0), add: Op.f32_add }
    : { type: F64 as ValType, load: MemOp.f64_load, store: MemOp.f64_store, align: 3, zero: (f: FuncBuilder) => f.f64Const(0), add: Op.f64_add };

/** i32 helpers: push `local` or a constant. */
export const get = (f: FuncBuilder, i: number) => () => void f.localGet(i);
export const cst = (f: FuncBuilder, v: number) => () => void f.i32Const(v);

/** Element `i` of an edge panel, at dst + i·es: the value `load` pushes while i < count, else 0 (nothing loaded). */
export function storeOrZero(f: FuncBuilder, es: number, dst: number, i: number, count: number, load: () => void): void {
  const sc = scalarOps(es);
  f.localGet(dst).localGet(i).i32Const(es).op(Op.i32_mul).op(Op.i32_add);
  f.localGet(i).localGet(count).op(Op.i32_lt_s).if_(sc.type);
  load();
  f.else_();
  sc.zero(f);
  f.end();
  f.mem(sc.store, 0, 0);
}

/** Transposes the V×V block held in `v` (rows in, columns out) in place, using `t` as scratch. */
export function transposeLanes(f: FuncBuilder, es: number, v: number[], t: number[]): void {
  const mix = (a: number, bb: number, picks: number[], into: number) => void f.localGet(a).localGet(bb).shuffle(laneBytes(es, picks)).localSet(into);
  if (es === 8) {
    mix(v[0]!, v[1]!, [0, 2], t[0]!);
    mix(v[0]!, v[1]!, [1, 3], v[1]!);
    f.localGet(t[0]!).localSet(v[0]!);
    return;
  }
  // [a0 a1 a2 a3], [b…], [c…], [d…] → [a0 b0 a1 b1], [a2 b2 a3 b3], [c0 d0 c1 d1], [c2 d2 c3 d3] → columns.
  mix(v[0]!, v[1]!, [0, 4, 1, 5], t[0]!);
  mix(v[0]!, v[1]!, [2, 6, 3, 7], t[1]!);
  mix(v[2]!, v[3]!, [0, 4, 1, 5], t[2]!);
  mix(v[2]!, v[3]!, [2, 6, 3, 7], t[3]!);
  mix(t[0]!, t[2]!, [0, 1, 4, 5], v[0]!);
  mix(t[0]!, t[2]!, [2, 3, 6, 7], v[1]!);
  mix(t[1]!, t[3]!, [0, 1, 4, 5], v[2]!);
  mix(t[1]!, t[3]!, [2, 3, 6, 7], v[3]!);
}

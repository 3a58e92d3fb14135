/** Emission helpers shared by the kernel builders: the GEMM's packing routines, strided (gemm-kernel.ts) and gather (gemm-gather-kernel.ts), and loop bounds (`get`, `cst`). */
import { F32, F64, type FuncBuilder, MemOp, Op, type ValType } from "./emitter.js";

export const scalarOps = (es: number) =>
  es === 4
    ? { type: F32 as ValType, load: MemOp.f32_load, store: MemOp.f32_store, align: 2, zero: (f: FuncBuilder) => f.f32Const(0), add: Op.f32_add }
    : { type: F64 as ValType, load: MemOp.f64_load, store: MemOp.f64_store, align: 3, zero: (f: FuncBuilder) => f.f64Const(0), add: Op.f64_add };

/** i32 helpers: push `local` or a constant. */
export const get = (f: FuncBuilder, i: number) => () => void f.localGet(i);
export const cst = (f: FuncBuilder, v: number) => () => void f.i32Const(v);

/** into = min(width, size − start): the rows or columns of the panel starting at `start` (locals). */
export function panelWidth(f: FuncBuilder, size: number, start: number, width: number, into: number): void {
  f.localGet(size).localGet(start).op(Op.i32_sub).localTee(into).i32Const(width).localGet(into).i32Const(width).op(Op.i32_lt_s).op(Op.select).localSet(into);
}

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

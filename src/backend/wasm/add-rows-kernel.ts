/**
 * `add_rows_<f32|f64>(dst, src, rows, rowBytes, n)`: dst[i] += src[0][i] + src[1][i] + …
 * for i < n, the `rows` source rows rowBytes apart, added in row order (so a
 * sum of partial results rounds the same whichever threads computed them).
 * Used to fold partial products: a depth-split GEMM's (gemm.ts) and the
 * Winograd weight gradient's chains (winograd-filter.ts).
 */
import { F32, F64, I32, MemOp, Op, Simd, SimdMem, V128, type ModuleBuilder } from "./emitter.js";

export function buildAddRows(m: ModuleBuilder, dtype: "float32" | "float64"): void {
  const [es, suffix, load, store, add, vadd] = dtype === "float32"
    ? [4, "f32", MemOp.f32_load, MemOp.f32_store, Op.f32_add, Simd.f32x4_add] as const
    : [8, "f64", MemOp.f64_load, MemOp.f64_store, Op.f64_add, Simd.f64x2_add] as const;
  const f = m.func(`add_rows_${suffix}`, [I32, I32, I32, I32, I32], []);
  const [dst, src, rows, rowBytes, n] = [0, 1, 2, 3, 4];
  const at = f.local(I32), end = f.local(I32), vend = f.local(I32), k = f.local(I32), p = f.local(I32);
  const acc = f.local(V128), s = f.local(dtype === "float32" ? F32 : F64);
  f.localGet(n).i32Const(es).op(Op.i32_mul).localTee(end).localGet(end).i32Const(16).op(Op.i32_rem_u).op(Op.i32_sub).localSet(vend);
  // One column of 16 bytes (or one element) at a time: the running sum stays in a register across the rows.
  const column = (vector: boolean) => {
    if (vector) f.localGet(dst).localGet(at).op(Op.i32_add).simdMem(SimdMem.v128_load, 0, 0).localSet(acc);
    else f.localGet(dst).localGet(at).op(Op.i32_add).mem(load, 0, 0).localSet(s);
    f.localGet(src).localGet(at).op(Op.i32_add).localSet(p);
    f.forRange(k, () => void f.i32Const(0), () => void f.localGet(rows), 1, () => {
      if (vector) f.localGet(p).simdMem(SimdMem.v128_load, 0, 0).localGet(acc).simd(vadd).localSet(acc);
      else f.localGet(p).mem(load, 0, 0).localGet(s).op(add).localSet(s);
      f.localGet(p).localGet(rowBytes).op(Op.i32_add).localSet(p);
    });
    if (vector) f.localGet(dst).localGet(at).op(Op.i32_add).localGet(acc).simdMem(SimdMem.v128_store, 0, 0);
    else f.localGet(dst).localGet(at).op(Op.i32_add).localGet(s).mem(store, 0, 0);
  };
  f.forRange(at, () => void f.i32Const(0), () => void f.localGet(vend), 16, () => column(true));
  f.forRange(at, () => void f.localGet(vend), () => void f.localGet(end), es, () => column(false));
}

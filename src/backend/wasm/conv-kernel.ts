/**
 * Wasm helpers for convolution as GEMM, generated: building the im2col patch
 * matrix from a run table, and transposing blocks of the GEMM's product.
 *
 * A run is three i32s (bytes): (dst offset, src offset or −1, length). It
 * copies `length` bytes from the source channel to the patch, or writes zeros
 * (padding, dilation holes) when the source is −1. A stride-1 convolution's
 * patch rows are a few long runs, so building it is a handful of vector
 * copies per row rather than an indexed load per element.
 */
import { I32, MemOp, Op, SimdMem, type FuncBuilder, type ModuleBuilder } from "./emitter.js";

export const IM2COL_PARAMS = ["x", "xStride", "chanX", "Cg", "i0", "i1", "runs", "nRuns", "dst", "dstStride", "chanDst"] as const;
export const TRANSPOSE_PARAMS = ["src", "dst", "b0", "b1", "rows", "cols", "srcStride", "dstStride", "ldd"] as const;

/** Bytes per run entry. */
export const RUN_BYTES = 12;

const get = (f: FuncBuilder, i: number) => () => void f.localGet(i);
const cst = (f: FuncBuilder, v: number) => () => void f.i32Const(v);

/**
 * `im2col_runs(x, xStride, chanX, Cg, i0, i1, runs, nRuns, dst, dstStride, chanDst)`:
 * for each (example e, channel c) pair i = e·Cg + c in [i0, i1), applies every
 * run with source base x + e·xStride + c·chanX and patch base
 * dst + e·dstStride + c·chanDst (all in bytes). Lengths are multiples of 4.
 */
export function buildIm2col(m: ModuleBuilder): void {
  const f = m.func("im2col_runs", IM2COL_PARAMS.map(() => I32), []);
  const [x, xStride, chanX, Cg, i0, i1, runs, nRuns, dst, dstStride, chanDst] = IM2COL_PARAMS.map((_, i) => i);
  const i = f.local(I32), e = f.local(I32), xb = f.local(I32), db = f.local(I32);
  const rp = f.local(I32), rEnd = f.local(I32), d = f.local(I32), s = f.local(I32), end = f.local(I32);
  f.localGet(runs).localGet(nRuns).i32Const(RUN_BYTES).op(Op.i32_mul).op(Op.i32_add).localSet(rEnd);
  f.forRange(i, get(f, i0), get(f, i1), 1, () => {
    f.localGet(i).localGet(Cg).op(Op.i32_div_u).localSet(e);
    // xb = x + e·xStride + (i − e·Cg)·chanX
    f.localGet(x).localGet(e).localGet(xStride).op(Op.i32_mul).op(Op.i32_add);
    f.localGet(i).localGet(e).localGet(Cg).op(Op.i32_mul).op(Op.i32_sub).localGet(chanX).op(Op.i32_mul).op(Op.i32_add).localSet(xb);
    f.localGet(dst).localGet(e).localGet(dstStride).op(Op.i32_mul).op(Op.i32_add);
    f.localGet(i).localGet(e).localGet(Cg).op(Op.i32_mul).op(Op.i32_sub).localGet(chanDst).op(Op.i32_mul).op(Op.i32_add).localSet(db);
    f.forRange(rp, get(f, runs), get(f, rEnd), RUN_BYTES, () => {
      f.localGet(db).localGet(rp).mem(MemOp.i32_load, 0, 2).op(Op.i32_add).localSet(d);
      f.localGet(d).localGet(rp).mem(MemOp.i32_load, 8, 2).op(Op.i32_add).localSet(end);
      f.localGet(rp).mem(MemOp.i32_load, 4, 2).localTee(s).i32Const(0).op(Op.i32_lt_s).if_();
      {
        vectorLoop(f, d, end, () => void f.localGet(d).v128Const(new Uint8Array(16)).simdMem(SimdMem.v128_store, 0, 0), null);
        scalarLoop(f, d, end, () => void f.localGet(d).i32Const(0).mem(MemOp.i32_store, 0, 0), null);
      }
      f.else_();
      {
        f.localGet(s).localGet(xb).op(Op.i32_add).localSet(s);
        vectorLoop(f, d, end, () => void f.localGet(d).localGet(s).simdMem(SimdMem.v128_load, 0, 0).simdMem(SimdMem.v128_store, 0, 0), s);
        scalarLoop(f, d, end, () => void f.localGet(d).localGet(s).mem(MemOp.i32_load, 0, 0).mem(MemOp.i32_store, 0, 0), s);
      }
      f.end();
    });
  });
}

/** while (d + 16 ≤ end) { body; d += 16; s += 16 } */
function vectorLoop(f: FuncBuilder, d: number, end: number, body: () => void, s: number | null): void {
  f.block().loop();
  f.localGet(d).i32Const(16).op(Op.i32_add).localGet(end).op(Op.i32_gt_s).brIf(1);
  body();
  f.localGet(d).i32Const(16).op(Op.i32_add).localSet(d);
  if (s !== null) f.localGet(s).i32Const(16).op(Op.i32_add).localSet(s);
  f.br(0).end().end();
}

/** while (d < end) { body; d += 4; s += 4 } */
function scalarLoop(f: FuncBuilder, d: number, end: number, body: () => void, s: number | null): void {
  f.block().loop();
  f.localGet(d).localGet(end).op(Op.i32_ge_s).brIf(1);
  body();
  f.localGet(d).i32Const(4).op(Op.i32_add).localSet(d);
  if (s !== null) f.localGet(s).i32Const(4).op(Op.i32_add).localSet(s);
  f.br(0).end().end();
}

/**
 * `transpose_<f32|f64>(src, dst, b0, b1, rows, cols, srcStride, dstStride, ldd)`:
 * for blocks b in [b0, b1), dst[b][j, i] = src[b][i, j], src blocks dense
 * rows×cols, dst rows `ldd` bytes apart; strides in bytes.
 */
export function buildTranspose(m: ModuleBuilder, dtype: "float32" | "float64"): void {
  const es = dtype === "float32" ? 4 : 8;
  const [load, store] = es === 4 ? [MemOp.f32_load, MemOp.f32_store] : [MemOp.f64_load, MemOp.f64_store];
  const f = m.func(dtype === "float32" ? "transpose_f32" : "transpose_f64", TRANSPOSE_PARAMS.map(() => I32), []);
  const [src, dst, b0, b1, rows, cols, srcStride, dstStride, ldd] = TRANSPOSE_PARAMS.map((_, i) => i);
  const b = f.local(I32), i = f.local(I32), j = f.local(I32), sp = f.local(I32), dp = f.local(I32), dcol = f.local(I32);
  f.forRange(b, get(f, b0), get(f, b1), 1, () => {
    f.localGet(src).localGet(b).localGet(srcStride).op(Op.i32_mul).op(Op.i32_add).localSet(sp);
    f.localGet(dst).localGet(b).localGet(dstStride).op(Op.i32_mul).op(Op.i32_add).localSet(dcol);
    f.forRange(i, cst(f, 0), get(f, rows), 1, () => {
      f.localGet(dcol).localGet(i).i32Const(es).op(Op.i32_mul).op(Op.i32_add).localSet(dp);
      f.forRange(j, cst(f, 0), get(f, cols), 1, () => {
        // Loads and stores move bits unchanged (NaN payloads included).
        f.localGet(dp).localGet(sp).mem(load, 0, 0).mem(store, 0, 0);
        f.localGet(sp).i32Const(es).op(Op.i32_add).localSet(sp);
        f.localGet(dp).localGet(ldd).op(Op.i32_add).localSet(dp);
      });
    });
  });
}

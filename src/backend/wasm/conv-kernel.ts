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
import { I32, laneBytes, MemOp, Op, SimdMem, V128, type FuncBuilder, type ModuleBuilder } from "./emitter.js";
import { cst, get } from "./pack-emit.js";

export const IM2COL_PARAMS = ["x", "xStride", "chanX", "Cg", "i0", "i1", "runs", "nRuns", "dst", "dstStride", "chanDst"] as const;
export const TRANSPOSE_PARAMS = ["src", "dst", "b0", "b1", "rows", "cols", "srcStride", "dstStride", "ldd"] as const;

/** Bytes per run entry. */
export const RUN_BYTES = 12;


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

/** Columns per tile of the transpose: one tile's source reads and destination writes stay in L1/L2. */
const TRANSPOSE_TILE = 64;

/**
 * `transpose_<f32|f64>(src, dst, b0, b1, rows, cols, srcStride, dstStride, ldd)`:
 * for blocks b in [b0, b1), dst[b][j, i] = src[b][i, j], src blocks dense
 * rows×cols, dst rows `ldd` bytes apart; strides in bytes.
 *
 * Square blocks of one vector's lanes (4×4 float32, 2×2 float64) are loaded
 * as rows and stored as columns after lane shuffles, walking the columns in
 * tiles so both the reads and the writes stay in cache; a scalar loop does
 * the rows and columns left over. Values move as bits (NaN payloads kept).
 * A column-at-a-time loop ran at 4–6 ns per element on 512×784; this one at
 * well under 1.
 */
export function buildTranspose(m: ModuleBuilder, dtype: "float32" | "float64"): void {
  const es = dtype === "float32" ? 4 : 8, V = 16 / es;
  const [load, store] = es === 4 ? [MemOp.f32_load, MemOp.f32_store] : [MemOp.f64_load, MemOp.f64_store];
  const f = m.func(dtype === "float32" ? "transpose_f32" : "transpose_f64", TRANSPOSE_PARAMS.map(() => I32), []);
  const [src, dst, b0, b1, rows, cols, srcStride, dstStride, ldd] = TRANSPOSE_PARAMS.map((_, i) => i);
  const b = f.local(I32), sp = f.local(I32), dp = f.local(I32), rowBytes = f.local(I32);
  const rowsV = f.local(I32), colsV = f.local(I32), j0 = f.local(I32), j1 = f.local(I32), i = f.local(I32), j = f.local(I32);
  const s0 = f.local(I32), d0 = f.local(I32);
  const vec = Array.from({ length: V }, () => f.local(V128));
  const tmp = Array.from({ length: V }, () => f.local(V128));
  f.localGet(cols).i32Const(es).op(Op.i32_mul).localSet(rowBytes);
  f.localGet(rows).localGet(rows).i32Const(V).op(Op.i32_rem_u).op(Op.i32_sub).localSet(rowsV);
  f.localGet(cols).localGet(cols).i32Const(V).op(Op.i32_rem_u).op(Op.i32_sub).localSet(colsV);
  // The element at (row i, column j) of this block, moved as a scalar.
  const moveScalar = () => {
    f.localGet(dp).localGet(j).localGet(ldd).op(Op.i32_mul).op(Op.i32_add).localGet(i).i32Const(es).op(Op.i32_mul).op(Op.i32_add);
    f.localGet(sp).localGet(i).localGet(rowBytes).op(Op.i32_mul).op(Op.i32_add).localGet(j).i32Const(es).op(Op.i32_mul).op(Op.i32_add);
    f.mem(load, 0, 0).mem(store, 0, 0);
  };
  f.forRange(b, get(f, b0), get(f, b1), 1, () => {
    f.localGet(src).localGet(b).localGet(srcStride).op(Op.i32_mul).op(Op.i32_add).localSet(sp);
    f.localGet(dst).localGet(b).localGet(dstStride).op(Op.i32_mul).op(Op.i32_add).localSet(dp);
    f.forRange(j0, cst(f, 0), get(f, colsV), TRANSPOSE_TILE, () => {
      // j1 = min(j0 + tile, colsV)
      f.localGet(j0).i32Const(TRANSPOSE_TILE).op(Op.i32_add).localTee(j1).localGet(colsV).localGet(j1).localGet(colsV).op(Op.i32_lt_s).op(Op.select).localSet(j1);
      f.forRange(i, cst(f, 0), get(f, rowsV), V, () => {
        f.forRange(j, get(f, j0), get(f, j1), V, () => {
          // s0: (i, j) in src; d0: (j, i) in dst.
          f.localGet(sp).localGet(i).localGet(rowBytes).op(Op.i32_mul).op(Op.i32_add).localGet(j).i32Const(es).op(Op.i32_mul).op(Op.i32_add).localSet(s0);
          f.localGet(dp).localGet(j).localGet(ldd).op(Op.i32_mul).op(Op.i32_add).localGet(i).i32Const(es).op(Op.i32_mul).op(Op.i32_add).localSet(d0);
          for (let k = 0; k < V; k++) {
            f.localGet(s0);
            if (k > 0) f.localGet(rowBytes).i32Const(k).op(Op.i32_mul).op(Op.i32_add);
            f.simdMem(SimdMem.v128_load, 0, 0).localSet(vec[k]!);
          }
          transposeLanes(f, es, vec, tmp);
          for (let k = 0; k < V; k++) {
            f.localGet(d0);
            if (k > 0) f.localGet(ldd).i32Const(k).op(Op.i32_mul).op(Op.i32_add);
            f.localGet(vec[k]!).simdMem(SimdMem.v128_store, 0, 0);
          }
        });
      });
    });
    // Left over: the last cols % V columns of every row, then the last rows % V rows.
    f.forRange(i, cst(f, 0), get(f, rows), 1, () => f.forRange(j, get(f, colsV), get(f, cols), 1, moveScalar));
    f.forRange(i, get(f, rowsV), get(f, rows), 1, () => f.forRange(j, cst(f, 0), get(f, colsV), 1, moveScalar));
  });
}

/** Transposes the V×V block held in `v` (rows in, columns out) in place, using `t` as scratch. */
function transposeLanes(f: FuncBuilder, es: number, v: number[], t: number[]): void {
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

/**
 * Packing routines for a GEMM whose operands are addressed through offset
 * tables rather than strides ("gather" operands):
 *
 *   A[i, k] = mem[A + rowA[i] + colA[k]],   B[k, j] = mem[B + rowB[k] + colB[j]]
 *
 * (tables of i32 byte offsets). A strided matrix is the special case
 * rowA[i] = i·rs·es, colA[k] = k·cs·es; an im2col patch is another: with no
 * padding, patch[(n, y), (c, tap)] = x[n·C·S + c·S + pos(y) + off(tap)] is
 * row part + column part, so a convolution runs as a GEMM that packs its
 * panels straight from the image ("implicit GEMM") without the patch ever
 * being written. The macro loop and micro-kernel are gemm-kernel.ts's.
 */
import { FuncBuilder, I32, MemOp, ModuleBuilder, Op, SimdMem } from "./emitter.js";
import type { GemmShape } from "./gemm-kernel.js";
import { cst, get, panelWidth, scalarOps as scalar, storeOrZero } from "./pack-emit.js";

/**
 * packA(base, rowTab, colTab, mc, kc, dst): dst[(p·kc + k)·MR + r] =
 * mem[base + rowTab[p·MR + r] + colTab[k]], zero past mc rows. A full panel
 * keeps its MR row addresses in locals: one table load and MR loads per k.
 */
export function emitPackAGather(m: ModuleBuilder, s: GemmShape, es: number): FuncBuilder {
  const f = m.func(null, [I32, I32, I32, I32, I32, I32], []);
  const [base, rowTab, colTab, mc, kc, dst] = [0, 1, 2, 3, 4, 5];
  const p = f.local(I32), k = f.local(I32), r = f.local(I32), rows = f.local(I32), off = f.local(I32), colEnd = f.local(I32), rowAt = f.local(I32);
  const rowAddr = Array.from({ length: s.mr }, () => f.local(I32));
  const sc = scalar(es);
  f.localGet(colTab).localGet(kc).i32Const(4).op(Op.i32_mul).op(Op.i32_add).localSet(colEnd);
  f.forRange(p, cst(f, 0), get(f, mc), s.mr, () => {
    panelWidth(f, mc, p, s.mr, rows);
    // rowAt = rowTab + p·4
    f.localGet(rowTab).localGet(p).i32Const(4).op(Op.i32_mul).op(Op.i32_add).localSet(rowAt);
    f.localGet(rows).i32Const(s.mr).op(Op.i32_eq).if_();
    {
      for (let rr = 0; rr < s.mr; rr++) f.localGet(base).localGet(rowAt).mem(MemOp.i32_load, rr * 4, 2).op(Op.i32_add).localSet(rowAddr[rr]!);
      f.forRange(k, get(f, colTab), get(f, colEnd), 4, () => {
        f.localGet(k).mem(MemOp.i32_load, 0, 2).localSet(off);
        for (let rr = 0; rr < s.mr; rr++) {
          f.localGet(dst).localGet(rowAddr[rr]!).localGet(off).op(Op.i32_add).mem(sc.load, 0, 0).mem(sc.store, rr * es, 0);
        }
        f.localGet(dst).i32Const(s.mr * es).op(Op.i32_add).localSet(dst);
      });
    }
    f.else_();
    {
      f.forRange(k, get(f, colTab), get(f, colEnd), 4, () => {
        f.localGet(k).mem(MemOp.i32_load, 0, 2).localSet(off);
        f.forRange(r, cst(f, 0), cst(f, s.mr), 1, () => {
          storeOrZero(f, es, dst, r, rows, () => f.localGet(base).localGet(rowAt).localGet(r).i32Const(4).op(Op.i32_mul).op(Op.i32_add).mem(MemOp.i32_load, 0, 2).op(Op.i32_add).localGet(off).op(Op.i32_add).mem(sc.load, 0, 0));
        });
        f.localGet(dst).i32Const(s.mr * es).op(Op.i32_add).localSet(dst);
      });
    }
    f.end();
  });
  return f;
}

/**
 * packB(base, rowTab, colTab, kc, nc, dst): dst[(q·kc + k)·NR + c] =
 * mem[base + rowTab[k] + colTab[q·NR + c]], zero past nc columns. A full
 * panel whose NR columns are consecutive in memory is copied as vectors;
 * any other keeps its NR column offsets in locals.
 */
export function emitPackBGather(m: ModuleBuilder, s: GemmShape, es: number, lanes: number): FuncBuilder {
  const f = m.func(null, [I32, I32, I32, I32, I32, I32], []);
  const [base, rowTab, colTab, kc, nc, dst] = [0, 1, 2, 3, 4, 5];
  const q = f.local(I32), k = f.local(I32), c = f.local(I32), cols = f.local(I32), ptr = f.local(I32), colAt = f.local(I32), rowEnd = f.local(I32);
  const first = f.local(I32), contiguous = f.local(I32);
  const colOff = Array.from({ length: s.nr }, () => f.local(I32));
  const sc = scalar(es);
  f.localGet(rowTab).localGet(kc).i32Const(4).op(Op.i32_mul).op(Op.i32_add).localSet(rowEnd);
  f.forRange(q, cst(f, 0), get(f, nc), s.nr, () => {
    panelWidth(f, nc, q, s.nr, cols);
    f.localGet(colTab).localGet(q).i32Const(4).op(Op.i32_mul).op(Op.i32_add).localSet(colAt);
    f.localGet(cols).i32Const(s.nr).op(Op.i32_eq).if_();
    {
      // Column offsets of the panel, and whether they are first, first + es, first + 2·es, ...
      f.i32Const(1).localSet(contiguous);
      for (let cc = 0; cc < s.nr; cc++) {
        f.localGet(colAt).mem(MemOp.i32_load, cc * 4, 2).localSet(colOff[cc]!);
        if (cc === 0) continue;
        f.localGet(contiguous).localGet(colOff[cc]!).localGet(colOff[0]!).op(Op.i32_sub).i32Const(cc * es).op(Op.i32_eq).op(Op.i32_and).localSet(contiguous);
      }
      f.localGet(base).localGet(colOff[0]!).op(Op.i32_add).localSet(first);
      f.localGet(contiguous).if_();
      {
        f.forRange(k, get(f, rowTab), get(f, rowEnd), 4, () => {
          f.localGet(first).localGet(k).mem(MemOp.i32_load, 0, 2).op(Op.i32_add).localSet(ptr);
          for (let v = 0; v < s.nr / lanes; v++) f.localGet(dst).localGet(ptr).simdMem(SimdMem.v128_load, v * 16, 0).simdMem(SimdMem.v128_store, v * 16, 0);
          f.localGet(dst).i32Const(s.nr * es).op(Op.i32_add).localSet(dst);
        });
      }
      f.else_();
      {
        f.forRange(k, get(f, rowTab), get(f, rowEnd), 4, () => {
          f.localGet(base).localGet(k).mem(MemOp.i32_load, 0, 2).op(Op.i32_add).localSet(ptr);
          for (let cc = 0; cc < s.nr; cc++) f.localGet(dst).localGet(ptr).localGet(colOff[cc]!).op(Op.i32_add).mem(sc.load, 0, 0).mem(sc.store, cc * es, 0);
          f.localGet(dst).i32Const(s.nr * es).op(Op.i32_add).localSet(dst);
        });
      }
      f.end();
    }
    f.else_();
    {
      f.forRange(k, get(f, rowTab), get(f, rowEnd), 4, () => {
        f.localGet(base).localGet(k).mem(MemOp.i32_load, 0, 2).op(Op.i32_add).localSet(ptr);
        f.forRange(c, cst(f, 0), cst(f, s.nr), 1, () => {
          storeOrZero(f, es, dst, c, cols, () => f.localGet(ptr).localGet(colAt).localGet(c).i32Const(4).op(Op.i32_mul).op(Op.i32_add).mem(MemOp.i32_load, 0, 2).op(Op.i32_add).mem(sc.load, 0, 0));
        });
        f.localGet(dst).i32Const(s.nr * es).op(Op.i32_add).localSet(dst);
      });
    }
    f.end();
  });
  return f;
}

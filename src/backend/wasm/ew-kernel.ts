/**
 * Memory-bound kernels in WebAssembly SIMD128, generated: elementwise binary
 * ops, comparisons, select, unary ops, reduce_sum and strided gathers
 * (transpose, broadcast_to). Every one computes exactly what the reference
 * kernel computes, element by element and in the same order, so results are
 * bit-identical (up to NaN payloads):
 *
 *   f32x4.add = Math.fround(x + y) per lane (IEEE single rounding);
 *   f32x4.max/min = NumPy maximum/minimum (NaN propagates, max(-0, +0) = +0);
 *   reduce_sum accumulates in f64 in input order, vectorized only across
 *   independent outputs.
 *
 * Elementwise kernels take their operands as rows (see rows.ts): the output
 * is [P, Q, R] row-major and contiguous; operand i starts at ptr_i and moves
 * by (strideP_i, strideQ_i) bytes per P and Q step; along a row it is either
 * contiguous or constant (a "splat": scalar, row vector, per-channel value),
 * as bit i of `mode` says. Addresses are byte offsets in the shared memory.
 */
import { F64, FuncBuilder, I32, laneBytes, MemOp, ModuleBuilder, Op, Simd, SimdLane, SimdMem, SimdMemLane, V128 } from "./emitter.js";

import { KINDS, type CompareKind, type Kind, type KindInfo } from "./kinds.js";
import { emitReduceExtremum } from "./reduce-kernel.js";

export type { CompareKind, Kind } from "./kinds.js";

/** [vector opcode, scalar opcode] per binary op and kind. */
export const BINARY_OPS = {
  add: { f32: [Simd.f32x4_add, Op.f32_add], f64: [Simd.f64x2_add, Op.f64_add] },
  sub: { f32: [Simd.f32x4_sub, Op.f32_sub], f64: [Simd.f64x2_sub, Op.f64_sub] },
  mul: { f32: [Simd.f32x4_mul, Op.f32_mul], f64: [Simd.f64x2_mul, Op.f64_mul] },
  div: { f32: [Simd.f32x4_div, Op.f32_div], f64: [Simd.f64x2_div, Op.f64_div] },
  max: { f32: [Simd.f32x4_max, Op.f32_max], f64: [Simd.f64x2_max, Op.f64_max] },
  min: { f32: [Simd.f32x4_min, Op.f32_min], f64: [Simd.f64x2_min, Op.f64_min] },
} as const;
export type WasmBinary = keyof typeof BINARY_OPS;

export const UNARY_OPS = {
  neg: { f32: [Simd.f32x4_neg, Op.f32_neg], f64: [Simd.f64x2_neg, Op.f64_neg] },
  abs: { f32: [Simd.f32x4_abs, Op.f32_abs], f64: [Simd.f64x2_abs, Op.f64_abs] },
  sqrt: { f32: [Simd.f32x4_sqrt, Op.f32_sqrt], f64: [Simd.f64x2_sqrt, Op.f64_sqrt] },
} as const;
export type WasmUnary = keyof typeof UNARY_OPS;

/** Scalar comparison opcodes (the result is an i32 0/1, stored as a byte). */
export const COMPARE_OPS = {
  eq: { f32: Op.f32_eq, f64: Op.f64_eq, i32: Op.i32_eq }, ne: { f32: Op.f32_ne, f64: Op.f64_ne, i32: Op.i32_ne },
  lt: { f32: Op.f32_lt, f64: Op.f64_lt, i32: Op.i32_lt_s }, le: { f32: Op.f32_le, f64: Op.f64_le, i32: Op.i32_le_s },
  gt: { f32: Op.f32_gt, f64: Op.f64_gt, i32: Op.i32_gt_s }, ge: { f32: Op.f32_ge, f64: Op.f64_ge, i32: Op.i32_ge_s },
} as const;
export type WasmCompare = keyof typeof COMPARE_OPS;

/** Dimensions of the gather kernels (shapes are padded with leading 1s). */
export const GATHER_RANK = 6;

/** One input of a row loop: how to push its next vector or scalar and how far it moves per element. */
interface Operand {
  prepare(): void;
  vec(): void;
  scal(): void;
  /** Bytes per element along the row (0 for a splat). */
  step: number;
  ptr: number;
}

function contiguous(f: FuncBuilder, k: KindInfo, ptr: number): Operand {
  return {
    prepare() {},
    vec: () => void f.localGet(ptr).simdMem(SimdMem.v128_load, 0, 0),
    scal: () => void f.localGet(ptr).mem(k.load, 0, 0),
    step: k.es,
    ptr,
  };
}

function splat(f: FuncBuilder, k: KindInfo, ptr: number): Operand {
  const v = f.local(V128), s = f.local(k.type);
  return {
    prepare() {
      f.localGet(ptr).simdMem(k.splat, 0, 0).localSet(v);
      f.localGet(ptr).mem(k.load, 0, 0).localSet(s);
    },
    vec: () => void f.localGet(v),
    scal: () => void f.localGet(s),
    step: 0,
    ptr,
  };
}

/** A bool/uint8 condition, contiguous: a vector is an all-ones/all-zeros mask per lane of `k`. */
function condition(f: FuncBuilder, k: KindInfo, ptr: number): Operand {
  return {
    prepare() {},
    vec() {
      if (k.lanes === 4) f.localGet(ptr).simdMem(SimdMem.v128_load32_zero, 0, 0);
      else f.localGet(ptr).mem(MemOp.i32_load16_u, 0, 0).simd(Simd.i32x4_splat);
      f.v128Const(new Uint8Array(16)).simd(Simd.i8x16_ne);
      f.simd(Simd.i16x8_extend_low_i8x16_s).simd(Simd.i32x4_extend_low_i16x8_s);
      if (k.lanes === 2) f.simd(Simd.i64x2_extend_low_i32x4_s);
    },
    scal: () => void f.localGet(ptr).mem(MemOp.i32_load8_u, 0, 0),
    step: 1,
    ptr,
  };
}

interface RowCode {
  /** Consumes the operands' vectors, pushes the result vector; null = no vector loop. */
  vec: (() => void) | null;
  scal: () => void;
  /** Scalar store opcode and alignment exponent; bytes per output element. */
  store: number;
  storeAlign: number;
  outEs: number;
  lanes: number;
}

/**
 * out[0..n) = op(operands) with `o` advancing through the output:
 * a vector loop over whole vectors, then a scalar tail.
 */
function rowLoops(f: FuncBuilder, o: number, n: number, ops: Operand[], code: RowCode, end: number, vend: number): void {
  for (const x of ops) x.prepare();
  const advance = (elems: number) => {
    f.localGet(o).i32Const(elems * code.outEs).op(Op.i32_add).localSet(o);
    for (const x of ops) if (x.step) f.localGet(x.ptr).i32Const(elems * x.step).op(Op.i32_add).localSet(x.ptr);
  };
  f.localGet(o).localGet(n).i32Const(code.outEs).op(Op.i32_mul).op(Op.i32_add).localSet(end);
  if (code.vec) {
    f.localGet(o).localGet(n).i32Const(-code.lanes).op(Op.i32_and).i32Const(code.outEs).op(Op.i32_mul).op(Op.i32_add).localSet(vend);
    f.block().loop();
    f.localGet(o).localGet(vend).op(Op.i32_ge_u).brIf(1);
    f.localGet(o);
    for (const x of ops) x.vec();
    code.vec();
    f.simdMem(SimdMem.v128_store, 0, 0);
    advance(code.lanes);
    f.br(0).end().end();
  }
  f.block().loop();
  f.localGet(o).localGet(end).op(Op.i32_ge_u).brIf(1);
  f.localGet(o);
  for (const x of ops) x.scal();
  code.scal();
  f.mem(code.store, 0, code.storeAlign);
  advance(1);
  f.br(0).end().end();
}

/**
 * `name(out, ptr_0..ptr_{k-1}, P, Q, R, strideP_0, strideQ_0, ..., mode)`:
 * walks P×Q rows of R elements and runs `row(mode, rowPointers, o, R)` for
 * each supported mode (others do nothing; the caller only passes these).
 */
function emitRows(
  m: ModuleBuilder, name: string, k: number, modes: readonly number[],
  row: (f: FuncBuilder, mode: number, ptrs: number[], o: number, n: number) => void,
): void {
  const f = m.func(name, Array.from({ length: 3 * k + 5 }, () => I32), []);
  const o = 0, ptr = (i: number) => 1 + i, P = k + 1, Q = k + 2, R = k + 3;
  const sP = (i: number) => k + 4 + 2 * i, sQ = (i: number) => k + 5 + 2 * i, mode = 3 * k + 4;
  const p = f.local(I32), q = f.local(I32);
  const qPtr = Array.from({ length: k }, () => f.local(I32));
  const rPtr = Array.from({ length: k }, () => f.local(I32));
  f.forRange(p, () => void f.i32Const(0), () => void f.localGet(P), 1, () => {
    for (let i = 0; i < k; i++) f.localGet(ptr(i)).localSet(qPtr[i]!);
    f.forRange(q, () => void f.i32Const(0), () => void f.localGet(Q), 1, () => {
      for (let i = 0; i < k; i++) f.localGet(qPtr[i]!).localSet(rPtr[i]!);
      for (const v of modes) {
        f.localGet(mode).i32Const(v).op(Op.i32_eq).if_();
        row(f, v, rPtr, o, R);
        f.end();
      }
      for (let i = 0; i < k; i++) f.localGet(qPtr[i]!).localGet(sQ(i)).op(Op.i32_add).localSet(qPtr[i]!);
    });
    for (let i = 0; i < k; i++) f.localGet(ptr(i)).localGet(sP(i)).op(Op.i32_add).localSet(ptr(i));
  });
}

const ALL2 = [0, 1, 2, 3];

function emitBinary(m: ModuleBuilder, name: WasmBinary, kind: Kind): void {
  const k = KINDS[kind];
  const [v, s] = BINARY_OPS[name][kind];
  emitRows(m, `bin_${name}_${kind}`, 2, ALL2, (f, mode, ptrs, o, n) => {
    const ops = ptrs.map((p, i) => ((mode >> i) & 1 ? splat(f, k, p) : contiguous(f, k, p)));
    rowLoops(f, o, n, ops, { vec: () => void f.simd(v), scal: () => void f.op(s), store: k.store, storeAlign: k.align, outEs: k.es, lanes: k.lanes }, f.local(I32), f.local(I32));
  });
}

function emitUnary(m: ModuleBuilder, name: WasmUnary, kind: Kind): void {
  const k = KINDS[kind];
  const [v, s] = UNARY_OPS[name][kind];
  emitRows(m, `un_${name}_${kind}`, 1, [0], (f, _mode, ptrs, o, n) => {
    rowLoops(f, o, n, [contiguous(f, k, ptrs[0]!)], { vec: () => void f.simd(v), scal: () => void f.op(s), store: k.store, storeAlign: k.align, outEs: k.es, lanes: k.lanes }, f.local(I32), f.local(I32));
  });
}

/** Comparisons write one byte per element (scalar loop: the narrowing shuffles would cost as much). */
function emitCompare(m: ModuleBuilder, name: WasmCompare, kind: CompareKind): void {
  const k = KINDS[kind];
  const s = COMPARE_OPS[name][kind];
  emitRows(m, `cmp_${name}_${kind}`, 2, ALL2, (f, mode, ptrs, o, n) => {
    const ops = ptrs.map((p, i) => ((mode >> i) & 1 ? splat(f, k, p) : contiguous(f, k, p)));
    rowLoops(f, o, n, ops, { vec: null, scal: () => void f.op(s), store: MemOp.i32_store8, storeAlign: 0, outEs: 1, lanes: 1 }, f.local(I32), f.local(I32));
  });
}

/** select(c, a, b): operand 0 is the condition (always contiguous along rows); bits 1, 2 of mode splat a, b. */
function emitSelect(m: ModuleBuilder, kind: Kind): void {
  const k = KINDS[kind];
  emitRows(m, `select_${kind}`, 3, [0, 2, 4, 6], (f, mode, ptrs, o, n) => {
    const c = condition(f, k, ptrs[0]!);
    const a = (mode >> 1) & 1 ? splat(f, k, ptrs[1]!) : contiguous(f, k, ptrs[1]!);
    const b = (mode >> 2) & 1 ? splat(f, k, ptrs[2]!) : contiguous(f, k, ptrs[2]!);
    // Pushed in the order a, b, c: bitselect(a, b, mask) and select(a, b, cond) both pick a where c.
    rowLoops(f, o, n, [a, b, c], { vec: () => void f.simd(Simd.v128_bitselect), scal: () => void f.op(Op.select), store: k.store, storeAlign: k.align, outEs: k.es, lanes: k.lanes }, f.local(I32), f.local(I32));
  });
}

/**
 * `rsum_<kind>(x, acc, P, Q, R, accStrideP, accStrideQ, mode, skip)`: x is
 * walked as P×Q contiguous rows of R, then `skip` bytes after each P slab
 * (a thread's share of Q rows: the other threads' rows); acc holds f64
 * accumulators. Mode 0: the row adds elementwise into acc (vectorized, each
 * accumulator still sees its terms in input order); mode 1: the row folds
 * into one accumulator, left to right. A fold is a chain of dependent adds,
 * so rows bound for different accumulators (consecutive along Q) are folded
 * side by side, each in its own order: eight at a time as four f64x2 chains
 * (lane 0 one row, lane 1 the next, filled by lane loads), then four at a
 * time as scalar chains, then one by one.
 */
function emitReduceSum(m: ModuleBuilder, kind: Kind): void {
  const k = KINDS[kind];
  const f = m.func(`rsum_${kind}`, [I32, I32, I32, I32, I32, I32, I32, I32, I32], []);
  const [x, acc, P, Q, R, aP, aQ, mode, skip] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const CHAINS = 4, PAIRS = 4, UNROLL = 4, ROWS_PER_PASS = 4;
  const p = f.local(I32), q = f.local(I32), qAcc = f.local(I32), rowB = f.local(I32), end = f.local(I32), vend = f.local(I32), a = f.local(I32);
  const px = Array.from({ length: CHAINS }, () => f.local(I32));
  const v = Array.from({ length: CHAINS }, () => f.local(F64));
  const pp = Array.from({ length: 2 * PAIRS }, () => f.local(I32));
  const vp = Array.from({ length: PAIRS }, () => f.local(V128));
  const loadPromoted = (ptr: number) => {
    f.localGet(ptr).mem(k.load, 0, k.align);
    if (kind === "f32") f.op(Op.f64_promote_f32);
  };
  const bump = (local: number, bytes: number) => void f.localGet(local).i32Const(bytes).op(Op.i32_add).localSet(local);
  /** Folds `rows` consecutive rows from x into acc at qAcc, qAcc + aQ, ...; leaves x after them. */
  const fold = (rows: number) => {
    for (let i = 0; i < rows; i++) {
      if (i === 0) f.localGet(x).localSet(px[0]!);
      else f.localGet(px[i - 1]!).localGet(rowB).op(Op.i32_add).localSet(px[i]!);
      f.localGet(qAcc);
      if (i > 0) f.localGet(aQ).i32Const(i).op(Op.i32_mul).op(Op.i32_add);
      f.mem(MemOp.f64_load, 0, 3).localSet(v[i]!);
    }
    f.localGet(x).localGet(rowB).op(Op.i32_add).localSet(end);
    f.block().loop();
    f.localGet(px[0]!).localGet(end).op(Op.i32_ge_u).brIf(1);
    for (let i = 0; i < rows; i++) {
      f.localGet(v[i]!);
      loadPromoted(px[i]!);
      f.op(Op.f64_add).localSet(v[i]!);
      bump(px[i]!, k.es);
    }
    f.br(0).end().end();
    for (let i = 0; i < rows; i++) {
      f.localGet(qAcc);
      if (i > 0) f.localGet(aQ).i32Const(i).op(Op.i32_mul).op(Op.i32_add);
      f.localGet(v[i]!).mem(MemOp.f64_store, 0, 3);
    }
    f.localGet(px[rows - 1]!).localSet(x);
    f.localGet(q).i32Const(rows).op(Op.i32_add).localSet(q);
    f.localGet(qAcc).localGet(aQ).i32Const(rows).op(Op.i32_mul).op(Op.i32_add).localSet(qAcc);
  };
  /** Pushes the address of accumulator qAcc + i·aQ. */
  const accAt = (i: number) => {
    f.localGet(qAcc);
    if (i > 0) f.localGet(aQ).i32Const(i).op(Op.i32_mul).op(Op.i32_add);
  };
  /** Folds 2·PAIRS consecutive rows into their accumulators, rows 2i and 2i+1 in the lanes of vp[i]; leaves x after them. */
  const foldPairs = () => {
    for (let i = 0; i < 2 * PAIRS; i++) {
      if (i === 0) f.localGet(x).localSet(pp[0]!);
      else f.localGet(pp[i - 1]!).localGet(rowB).op(Op.i32_add).localSet(pp[i]!);
    }
    for (let i = 0; i < PAIRS; i++) {
      accAt(2 * i);
      f.mem(MemOp.f64_load, 0, 3).simd(Simd.f64x2_splat);
      accAt(2 * i + 1);
      f.mem(MemOp.f64_load, 0, 3).simdLane(SimdLane.f64x2_replace_lane, 1).localSet(vp[i]!);
    }
    /** vp[i] += (row 2i, row 2i+1) at element `u` past the row pointers. */
    const addColumn = (u: number) => {
      for (let i = 0; i < PAIRS; i++) {
        f.localGet(vp[i]!).localGet(pp[2 * i + 1]!).localGet(pp[2 * i]!);
        if (kind === "f32") {
          f.simdMem(SimdMem.v128_load32_zero, u * k.es, 0).simdMemLane(SimdMemLane.v128_load32_lane, 1, u * k.es, 0);
          f.simd(Simd.f64x2_promote_low_f32x4);
        } else f.simdMem(SimdMem.v128_load64_zero, u * k.es, 0).simdMemLane(SimdMemLane.v128_load64_lane, 1, u * k.es, 0);
        f.simd(Simd.f64x2_add).localSet(vp[i]!);
      }
    };
    const columns = (per: number, limit: number) => {
      f.block().loop();
      f.localGet(pp[0]!).localGet(limit).op(Op.i32_ge_u).brIf(1);
      for (let u = 0; u < per; u++) addColumn(u);
      for (const ptr of pp) bump(ptr, per * k.es);
      f.br(0).end().end();
    };
    f.localGet(x).localGet(rowB).op(Op.i32_add).localSet(end);
    f.localGet(x).localGet(R).i32Const(-UNROLL).op(Op.i32_and).i32Const(k.es).op(Op.i32_mul).op(Op.i32_add).localSet(vend);
    columns(UNROLL, vend);
    columns(1, end);
    for (let i = 0; i < PAIRS; i++) {
      for (const lane of [0, 1]) {
        accAt(2 * i + lane);
        f.localGet(vp[i]!).simdLane(SimdLane.f64x2_extract_lane, lane).mem(MemOp.f64_store, 0, 3);
      }
    }
    f.localGet(pp[2 * PAIRS - 1]!).localSet(x);
    f.localGet(q).i32Const(2 * PAIRS).op(Op.i32_add).localSet(q);
    f.localGet(qAcc).localGet(aQ).i32Const(2 * PAIRS).op(Op.i32_mul).op(Op.i32_add).localSet(qAcc);
  };
  /**
   * acc[qAcc + i] += x[i] for `rows` consecutive rows (more than one only when
   * they all add into the same accumulator row, aQ = 0: each accumulator is
   * then loaded and stored once for all of them, its terms still in order).
   */
  const addRows = (rows: number) => {
    f.localGet(qAcc).localSet(a);
    for (let i = 0; i < rows; i++) {
      if (i === 0) f.localGet(x).localSet(pp[0]!);
      else f.localGet(pp[i - 1]!).localGet(rowB).op(Op.i32_add).localSet(pp[i]!);
    }
    f.localGet(x).localGet(rowB).op(Op.i32_add).localSet(end);
    f.localGet(x).localGet(R).i32Const(-2).op(Op.i32_and).i32Const(k.es).op(Op.i32_mul).op(Op.i32_add).localSet(vend);
    f.block().loop();
    f.localGet(pp[0]!).localGet(vend).op(Op.i32_ge_u).brIf(1);
    f.localGet(a).localGet(a).simdMem(SimdMem.v128_load, 0, 0);
    for (let i = 0; i < rows; i++) {
      if (kind === "f32") f.localGet(pp[i]!).simdMem(SimdMem.v128_load64_zero, 0, 0).simd(Simd.f64x2_promote_low_f32x4);
      else f.localGet(pp[i]!).simdMem(SimdMem.v128_load, 0, 0);
      f.simd(Simd.f64x2_add);
      bump(pp[i]!, 2 * k.es);
    }
    f.simdMem(SimdMem.v128_store, 0, 0);
    bump(a, 16);
    f.br(0).end().end();
    f.block().loop();
    f.localGet(pp[0]!).localGet(end).op(Op.i32_ge_u).brIf(1);
    f.localGet(a).localGet(a).mem(MemOp.f64_load, 0, 3);
    for (let i = 0; i < rows; i++) {
      loadPromoted(pp[i]!);
      f.op(Op.f64_add);
      bump(pp[i]!, k.es);
    }
    f.mem(MemOp.f64_store, 0, 3);
    bump(a, 8);
    f.br(0).end().end();
    f.localGet(pp[rows - 1]!).localSet(x);
    f.localGet(q).i32Const(rows).op(Op.i32_add).localSet(q);
    f.localGet(qAcc).localGet(aQ).i32Const(rows).op(Op.i32_mul).op(Op.i32_add).localSet(qAcc);
  };
  const whileQ = (room: number, body: () => void) => {
    f.block().loop();
    f.localGet(q).i32Const(room).op(Op.i32_add).localGet(Q).op(Op.i32_gt_s).brIf(1);
    body();
    f.br(0).end().end();
  };
  f.localGet(R).i32Const(k.es).op(Op.i32_mul).localSet(rowB);
  f.forRange(p, () => void f.i32Const(0), () => void f.localGet(P), 1, () => {
    f.localGet(acc).localSet(qAcc);
    f.i32Const(0).localSet(q);
    f.localGet(mode).if_();
    // Side by side only when consecutive rows have their own accumulators.
    f.localGet(aQ).if_();
    whileQ(2 * PAIRS, foldPairs);
    whileQ(CHAINS, () => fold(CHAINS));
    f.end();
    whileQ(1, () => fold(1));
    f.else_();
    f.localGet(aQ).op(Op.i32_eqz).if_();
    whileQ(ROWS_PER_PASS, () => addRows(ROWS_PER_PASS));
    f.end();
    whileQ(1, () => addRows(1));
    f.end();
    f.localGet(acc).localGet(aP).op(Op.i32_add).localSet(acc);
    f.localGet(x).localGet(skip).op(Op.i32_add).localSet(x);
  });
}

/**
 * `argmax_<kind>(out, x, outer, n, inner)` (and argmin): x is [outer, n,
 * inner], out [outer, inner] int32 indices. As the reference: the first
 * extreme wins, and the first NaN wins outright.
 */
function emitArg(m: ModuleBuilder, isMax: boolean, kind: Kind): void {
  const k = KINDS[kind];
  const f = m.func(`${isMax ? "argmax" : "argmin"}_${kind}`, [I32, I32, I32, I32, I32], []);
  const [out, x, outer, n, inner] = [0, 1, 2, 3, 4];
  const o = f.local(I32), j = f.local(I32), kk = f.local(I32), bi = f.local(I32);
  const base = f.local(I32), p = f.local(I32), innerB = f.local(I32), best = f.local(k.type), v = f.local(k.type);
  const [ne, better] = kind === "f32" ? [Op.f32_ne, isMax ? Op.f32_gt : Op.f32_lt] : [Op.f64_ne, isMax ? Op.f64_gt : Op.f64_lt];
  f.localGet(inner).i32Const(k.es).op(Op.i32_mul).localSet(innerB);
  f.forRange(o, () => void f.i32Const(0), () => void f.localGet(outer), 1, () => {
    f.localGet(x).localSet(base);
    f.forRange(j, () => void f.i32Const(0), () => void f.localGet(inner), 1, () => {
      f.localGet(base).localTee(p).mem(k.load, 0, k.align).localSet(best);
      f.i32Const(0).localSet(bi);
      f.i32Const(1).localSet(kk);
      f.block().loop();
      f.localGet(kk).localGet(n).op(Op.i32_ge_s).brIf(1);
      f.localGet(best).localGet(best).op(ne).brIf(1);
      f.localGet(p).localGet(innerB).op(Op.i32_add).localTee(p).mem(k.load, 0, k.align).localSet(v);
      // Branch-free: on random data "is v better" is a coin flip the predictor would miss half the time.
      const take = f.local(I32);
      f.localGet(v).localGet(v).op(ne).localGet(v).localGet(best).op(better).op(Op.i32_or).localSet(take);
      f.localGet(v).localGet(best).localGet(take).op(Op.select).localSet(best);
      f.localGet(kk).localGet(bi).localGet(take).op(Op.select).localSet(bi);
      f.localGet(kk).i32Const(1).op(Op.i32_add).localSet(kk);
      f.br(0).end().end();
      f.localGet(out).localGet(bi).mem(MemOp.i32_store, 0, 2);
      f.localGet(out).i32Const(4).op(Op.i32_add).localSet(out);
      f.localGet(base).i32Const(k.es).op(Op.i32_add).localSet(base);
    });
    f.localGet(x).localGet(n).localGet(innerB).op(Op.i32_mul).op(Op.i32_add).localSet(x);
  });
}

/**
 * `window_<kind>(mode, x, t, out, planes, H, W, kh, kw, sh, sw, OH, OW)`:
 * max-pool windows over the last two axes of x ([planes, H, W]). Each
 * window's argmax j is the first maximum in row-major window order, or the
 * first NaN (as the reference). Mode 0: out[i] = x[j] (reduce_window_max);
 * 1: out[i] = t[j] (select_and_gather_add); 2: out[j] += t[i]
 * (select_and_scatter_add, out zeroed by the caller; windows in order).
 */
function emitWindow(m: ModuleBuilder, kind: Kind): void {
  const k = KINDS[kind];
  const f = m.func(`window_${kind}`, Array.from({ length: 13 }, () => I32), []);
  const [mode, x, t, out, planes, H, W, kh, kw, sh, sw, OH, OW] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const p = f.local(I32), oy = f.local(I32), ox = f.local(I32), ky = f.local(I32), kx = f.local(I32);
  const plane = f.local(I32), base = f.local(I32), row = f.local(I32), j = f.local(I32), i = f.local(I32), idx = f.local(I32);
  const best = f.local(k.type), v = f.local(k.type);
  const [ne, gt] = kind === "f32" ? [Op.f32_ne, Op.f32_gt] : [Op.f64_ne, Op.f64_gt];
  /** Pushes the byte address of element `idx` (a local) of the array at `arr`. */
  const addr = (arr: number, idx: number) => void f.localGet(arr).localGet(idx).i32Const(k.es).op(Op.i32_mul).op(Op.i32_add);
  f.i32Const(0).localSet(i);
  f.forRange(p, () => void f.i32Const(0), () => void f.localGet(planes), 1, () => {
    f.localGet(p).localGet(H).op(Op.i32_mul).localGet(W).op(Op.i32_mul).localSet(plane);
    f.forRange(oy, () => void f.i32Const(0), () => void f.localGet(OH), 1, () => {
      f.forRange(ox, () => void f.i32Const(0), () => void f.localGet(OW), 1, () => {
        // base = plane + oy·sh·W + ox·sw
        f.localGet(plane).localGet(oy).localGet(sh).op(Op.i32_mul).localGet(W).op(Op.i32_mul).op(Op.i32_add).localGet(ox).localGet(sw).op(Op.i32_mul).op(Op.i32_add).localTee(base).localSet(j);
        addr(x, base);
        f.mem(k.load, 0, k.align).localSet(best);
        f.block();
        f.forRange(ky, () => void f.i32Const(0), () => void f.localGet(kh), 1, () => {
          f.localGet(best).localGet(best).op(ne).brIf(2); // a NaN is final
          f.localGet(base).localGet(ky).localGet(W).op(Op.i32_mul).op(Op.i32_add).localSet(row);
          f.forRange(kx, () => void f.i32Const(0), () => void f.localGet(kw), 1, () => {
            f.localGet(best).localGet(best).op(ne).brIf(1);
            f.localGet(row).localGet(kx).op(Op.i32_add).localSet(idx);
            addr(x, idx);
            f.mem(k.load, 0, k.align).localSet(v);
            // Branch-free: j, best = idx, v where v > best or v is NaN.
            f.localGet(idx).localGet(j).localGet(v).localGet(best).op(gt).localGet(v).localGet(v).op(ne).op(Op.i32_or).op(Op.select).localSet(j);
            f.localGet(v).localGet(best).localGet(v).localGet(best).op(gt).localGet(v).localGet(v).op(ne).op(Op.i32_or).op(Op.select).localSet(best);
          });
        });
        f.end();
        f.localGet(mode).i32Const(2).op(Op.i32_eq).if_();
        addr(out, j);
        addr(out, j);
        f.mem(k.load, 0, k.align);
        addr(t, i);
        f.mem(k.load, 0, k.align).op(kind === "f32" ? Op.f32_add : Op.f64_add).mem(k.store, 0, k.align);
        f.else_();
        addr(out, i);
        f.localGet(mode).if_(I32);
        addr(t, j);
        f.else_();
        addr(x, j);
        f.end();
        f.mem(k.load, 0, k.align).mem(k.store, 0, k.align);
        f.end();
        f.localGet(i).i32Const(1).op(Op.i32_add).localSet(i);
      });
    });
  });
}

/** Per kind, of two vectors a‖b (2·lanes elements): the even and the odd ones; and back, low and high halves. */
const SHUFFLES = {
  f32: { even: laneBytes(4, [0, 2, 4, 6]), odd: laneBytes(4, [1, 3, 5, 7]), low: laneBytes(4, [0, 4, 1, 5]), high: laneBytes(4, [2, 6, 3, 7]) },
  f64: { even: laneBytes(8, [0, 2]), odd: laneBytes(8, [1, 3]), low: laneBytes(8, [0, 2]), high: laneBytes(8, [1, 3]) },
};
const WINDOW_SIMD = {
  f32: { gt: Simd.f32x4_gt, ne: Simd.f32x4_ne, add: Simd.f32x4_add },
  f64: { gt: Simd.f64x2_gt, ne: Simd.f64x2_ne, add: Simd.f64x2_add },
};

/**
 * `window2x2_<kind>(mode, x, t, out, planes, H, W, OH, OW)` (OW ≥ lanes:
 * 4 for f32, 2 for f64): the common 2×2 stride-2 max pool, one window per
 * lane per step with SIMD — the even and odd columns of two input rows are
 * a window's four candidates. The argmax rule is window_<kind>'s (first
 * maximum in window order, a NaN final).
 * Mode 0: out = reduce_window_max(x); mode 1: out = t (x's shape) at each
 * window's argmax (select_and_gather_add); mode 2: out (x's shape) gets t[i]
 * at each window's argmax (0 + t, as window_<kind>'s += into zeros) and +0
 * at its other three cells, so it need not be zeroed first; cells outside
 * every window (the last row / column of an odd H / W) are left for the
 * caller. The last block of a row starts at OW − lanes and may redo
 * windows: each writes only its own cells, so redoing is harmless.
 */
function emitWindow2x2(m: ModuleBuilder, kind: Kind): void {
  const L = KINDS[kind].lanes, shift = Math.log2(KINDS[kind].es);
  const sh = SHUFFLES[kind], op = WINDOW_SIMD[kind];
  const f = m.func(`window2x2_${kind}`, Array.from({ length: 9 }, () => I32), []);
  const [mode, x, t, out, planes, H, W, OH, OW] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const p = f.local(I32), oy = f.local(I32), blk = f.local(I32), ox = f.local(I32), nblk = f.local(I32);
  const inRow = f.local(I32), tRow = f.local(I32), outAt = f.local(I32);
  const [e0, o0, e1, o1, best, tv, zero, later] = Array.from({ length: 8 }, () => f.local(V128));
  /** take[c]: lanes where candidate c + 1 (o0, e1, o1) replaced the best so far. */
  const take = Array.from({ length: 3 }, () => f.local(V128));
  const load2 = (at: () => void, offset: number) => {
    at();
    f.simdMem(SimdMem.v128_load, offset, 0);
  };
  const evenOdd = (row: number, even: number, odd: number) => {
    for (const [dst, lanes] of [[even, sh.even], [odd, sh.odd]] as const) {
      load2(() => void f.localGet(row), 0);
      load2(() => void f.localGet(row), 16);
      f.shuffle(lanes).localSet(dst);
    }
  };
  f.v128Const(new Uint8Array(16)).localSet(zero);
  // nblk = ceil(OW / L)
  f.localGet(OW).i32Const(L - 1).op(Op.i32_add).i32Const(Math.log2(L)).op(Op.i32_shr_u).localSet(nblk);
  f.forRange(p, () => void f.i32Const(0), () => void f.localGet(planes), 1, () => {
    f.forRange(oy, () => void f.i32Const(0), () => void f.localGet(OH), 1, () => {
      f.forRange(blk, () => void f.i32Const(0), () => void f.localGet(nblk), 1, () => {
        // ox = min(L·blk, OW − L)
        f.localGet(blk).i32Const(Math.log2(L)).op(Op.i32_shl).localGet(OW).i32Const(L).op(Op.i32_sub);
        f.localGet(blk).i32Const(Math.log2(L)).op(Op.i32_shl).localGet(OW).i32Const(L).op(Op.i32_sub).op(Op.i32_lt_s).op(Op.select).localSet(ox);
        // inRow = x + ((p·H + 2·oy)·W + 2·ox)·es
        f.localGet(p).localGet(H).op(Op.i32_mul).localGet(oy).i32Const(1).op(Op.i32_shl).op(Op.i32_add).localGet(W).op(Op.i32_mul);
        f.localGet(ox).i32Const(1).op(Op.i32_shl).op(Op.i32_add).i32Const(shift).op(Op.i32_shl).localGet(x).op(Op.i32_add).localSet(inRow);
        evenOdd(inRow, e0, o0);
        f.localGet(inRow).localGet(W).i32Const(shift).op(Op.i32_shl).op(Op.i32_add).localSet(inRow);
        evenOdd(inRow, e1, o1);
        // best = the first maximum of e0, o0, e1, o1 (a NaN final)
        f.localGet(e0).localSet(best);
        [o0, e1, o1].forEach((v, c) => {
          f.localGet(v).localGet(best).simd(op.gt);
          f.localGet(v).localGet(v).simd(op.ne).simd(Simd.v128_or);
          f.localGet(best).localGet(best).simd(op.ne).simd(Simd.v128_andnot).localSet(take[c]!);
          f.localGet(v).localGet(best).localGet(take[c]!).simd(Simd.v128_bitselect).localSet(best);
        });
        f.localGet(mode).i32Const(2).op(Op.i32_ne).if_();
        f.localGet(mode).if_();
        // best = t (x's shape) at the winners: the same selects on t's four candidates (tRow = t's row 0)
        f.localGet(inRow).localGet(x).op(Op.i32_sub).localGet(W).i32Const(shift).op(Op.i32_shl).op(Op.i32_sub).localGet(t).op(Op.i32_add).localSet(tRow);
        evenOdd(tRow, e0, o0);
        f.localGet(tRow).localGet(W).i32Const(shift).op(Op.i32_shl).op(Op.i32_add).localSet(tRow);
        evenOdd(tRow, e1, o1);
        f.localGet(e0).localSet(best);
        [o0, e1, o1].forEach((v, c) => void f.localGet(v).localGet(best).localGet(take[c]!).simd(Simd.v128_bitselect).localSet(best));
        f.end();
        // out[(p·OH + oy)·OW + ox] = best
        f.localGet(p).localGet(OH).op(Op.i32_mul).localGet(oy).op(Op.i32_add).localGet(OW).op(Op.i32_mul).localGet(ox).op(Op.i32_add);
        f.i32Const(shift).op(Op.i32_shl).localGet(out).op(Op.i32_add).localGet(best).simdMem(SimdMem.v128_store, 0, 0);
        f.else_();
        // tv = 0 + t[(p·OH + oy)·OW + ox]; each candidate cell gets tv where it won, else +0.
        // Candidate c won where it took the lead and no later one did: tv & take[c] & ~(later takes).
        f.localGet(p).localGet(OH).op(Op.i32_mul).localGet(oy).op(Op.i32_add).localGet(OW).op(Op.i32_mul).localGet(ox).op(Op.i32_add);
        f.i32Const(shift).op(Op.i32_shl).localGet(t).op(Op.i32_add).simdMem(SimdMem.v128_load, 0, 0).localGet(zero).simd(op.add).localSet(tv);
        f.localGet(tv).localGet(take[2]!).simd(Simd.v128_and).localSet(o1);
        f.localGet(take[2]!).localSet(later);
        [e1, o0].forEach((cell, c) => {
          f.localGet(tv).localGet(take[1 - c]!).simd(Simd.v128_and).localGet(later).simd(Simd.v128_andnot).localSet(cell);
          f.localGet(later).localGet(take[1 - c]!).simd(Simd.v128_or).localSet(later);
        });
        f.localGet(tv).localGet(later).simd(Simd.v128_andnot).localSet(e0);
        // outAt = out + (inRow − x) − W·es (the first input row's position, in out's layout)
        f.localGet(inRow).localGet(x).op(Op.i32_sub).localGet(W).i32Const(shift).op(Op.i32_shl).op(Op.i32_sub).localGet(out).op(Op.i32_add).localSet(outAt);
        for (const [evenCell, oddCell, rowOffset] of [[e0, o0, 0], [e1, o1, 1]] as const) {
          if (rowOffset) f.localGet(outAt).localGet(W).i32Const(shift).op(Op.i32_shl).op(Op.i32_add).localSet(outAt);
          f.localGet(outAt).localGet(evenCell).localGet(oddCell).shuffle(sh.low).simdMem(SimdMem.v128_store, 0, 0);
          f.localGet(outAt).localGet(evenCell).localGet(oddCell).shuffle(sh.high).simdMem(SimdMem.v128_store, 16, 0);
        }
        f.end();
      });
    });
  });
}

/**
 * `gather<es>(dst, src, d_0..d_5, s_0..s_5)`: dst (contiguous, shape d) gets
 * src read through byte strides s — a transpose or a broadcast. Bits are
 * copied unchanged (integer or v128 loads and stores); es = 8 or 16 also
 * moves short contiguous runs (2 or 4 floats) as one element.
 */
function emitGather(m: ModuleBuilder, es: 1 | 4 | 8 | 16): void {
  const f = m.func(`gather${es}`, Array.from({ length: 2 + 2 * GATHER_RANK }, () => I32), []);
  const dst = 0, src = 1, dim = (a: number) => 2 + a, stride = (a: number) => 2 + GATHER_RANK + a;
  const [load, store, align] = es === 1 ? [MemOp.i32_load8_u, MemOp.i32_store8, 0] : es === 4 ? [MemOp.i32_load, MemOp.i32_store, 2] : [MemOp.f64_load, MemOp.f64_store, 3];
  const copy = (to: () => void, from: () => void) => {
    to();
    from();
    if (es === 16) f.simdMem(SimdMem.v128_load, 0, 0).simdMem(SimdMem.v128_store, 0, 0);
    else f.mem(load, 0, align).mem(store, 0, align);
  };
  const ptr = Array.from({ length: GATHER_RANK }, () => f.local(I32));
  const idx = Array.from({ length: GATHER_RANK }, () => f.local(I32));
  const level = (a: number) => {
    f.localGet(a === 0 ? src : ptr[a - 1]!).localSet(ptr[a]!);
    f.forRange(idx[a]!, () => void f.i32Const(0), () => void f.localGet(dim(a)), 1, () => {
      if (a === GATHER_RANK - 1) {
        copy(() => void f.localGet(dst), () => void f.localGet(ptr[a]!));
        f.localGet(dst).i32Const(es).op(Op.i32_add).localSet(dst);
      } else level(a + 1);
      f.localGet(ptr[a]!).localGet(stride(a)).op(Op.i32_add).localSet(ptr[a]!);
    });
  };
  level(0);
}

/** Every kernel by exported name, with the code that emits it. */
function emitters(): Map<string, (m: ModuleBuilder) => void> {
  const all = new Map<string, (m: ModuleBuilder) => void>();
  for (const kind of ["f32", "f64"] as const) {
    for (const name of Object.keys(BINARY_OPS) as WasmBinary[]) all.set(`bin_${name}_${kind}`, (m) => emitBinary(m, name, kind));
    for (const name of Object.keys(UNARY_OPS) as WasmUnary[]) all.set(`un_${name}_${kind}`, (m) => emitUnary(m, name, kind));
    all.set(`select_${kind}`, (m) => emitSelect(m, kind));
    all.set(`rsum_${kind}`, (m) => emitReduceSum(m, kind));
    all.set(`rmax_${kind}`, (m) => emitReduceExtremum(m, true, kind));
    all.set(`rmin_${kind}`, (m) => emitReduceExtremum(m, false, kind));
    all.set(`argmax_${kind}`, (m) => emitArg(m, true, kind));
    all.set(`argmin_${kind}`, (m) => emitArg(m, false, kind));
    all.set(`window_${kind}`, (m) => emitWindow(m, kind));
    all.set(`window2x2_${kind}`, (m) => emitWindow2x2(m, kind));
  }
  for (const kind of ["f32", "f64", "i32"] as const) {
    for (const name of Object.keys(COMPARE_OPS) as WasmCompare[]) all.set(`cmp_${name}_${kind}`, (m) => emitCompare(m, name, kind));
  }
  for (const es of [1, 4, 8, 16] as const) all.set(`gather${es}`, (m) => emitGather(m, es));
  return all;
}

let table: Map<string, (m: ModuleBuilder) => void> | null = null;

/**
 * A module exporting the kernels `names` (all when omitted), memory imported
 * as env.mem (shared when `shared`). Built per kernel on first use, so a
 * program pays emission and compilation only for the kernels it runs.
 */
export function buildElementwiseModule(maxPages: number, shared: boolean, names?: readonly string[]): Uint8Array<ArrayBuffer> {
  table ??= emitters();
  const m = new ModuleBuilder();
  m.importMemory("env", "mem", 1, maxPages, shared);
  for (const name of names ?? table.keys()) {
    const emit = table.get(name);
    if (!emit) throw new RangeError(`buildElementwiseModule: no kernel named ${name}`);
    emit(m);
  }
  return m.bytes();
}

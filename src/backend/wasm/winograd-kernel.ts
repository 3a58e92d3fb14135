/**
 * Winograd F(2×2, 3×3) input and output transforms in Wasm, generated
 * (Lavin & Gray's minimal filtering): a 2×2 block of a 3×3 correlation is
 *
 *   Y = Aᵀ·[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A   for the 4×4 input tile d at (2i, 2j),
 *
 *   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],  Aᵀ = [1 1 1 0; 0 1 −1 −1],
 *   G  = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],
 *
 * so the 9 multiplies per output of direct convolution become 4: the ⊙ over
 * channels is 16 GEMMs. Bᵀ and Aᵀ only add and subtract, done here; G·g·Gᵀ is
 * small (weights) and done in JS.
 */
import { F32, F64, I32, laneBytes, MemOp, Op, Simd, SimdMem, V128, type FuncBuilder, type ModuleBuilder, type ValType } from "./emitter.js";
import { cst, get } from "./pack-emit.js";

/** G (4×3) of F(2×2, 3×3), applied to the weights in JS (`winogradWeights`, and transposed to weight gradients). */
export const F2_G = [[1, 0, 0], [1 / 2, 1 / 2, 1 / 2], [1 / 2, -1 / 2, 1 / 2], [0, 0, 1]];

export const WINO_INPUT_PARAMS = ["xp", "V", "i0", "i1", "C", "tH", "tW", "rowBytes", "planeBytes", "tilesPer", "T", "xiBytes"] as const;
export const WINO_OUTPUT_PARAMS = ["m", "out", "i0", "i1", "O", "tH", "tW", "tilesPer", "xiBytes", "oBytes", "tBytes", "OH", "OW"] as const;

export const scalar = (dtype: "float32" | "float64") =>
  dtype === "float32"
    ? { es: 4, type: F32 as ValType, load: MemOp.f32_load, store: MemOp.f32_store, add: Op.f32_add, sub: Op.f32_sub, neg: Op.f32_neg, suffix: "f32",
        vadd: Simd.f32x4_add, vsub: Simd.f32x4_sub, vneg: Simd.f32x4_neg }
    : { es: 8, type: F64 as ValType, load: MemOp.f64_load, store: MemOp.f64_store, add: Op.f64_add, sub: Op.f64_sub, neg: Op.f64_neg, suffix: "f64",
        vadd: Simd.f64x2_add, vsub: Simd.f64x2_sub, vneg: Simd.f64x2_neg };


/** out[k] = ±a[i] ± a[j] (± b) for the transforms' add/subtract rows; on vectors of tiles with `vector`. */
export function combine(f: FuncBuilder, sc: ReturnType<typeof scalar>, terms: [number, 1 | -1][], into: number, vector = false): void {
  f.localGet(terms[0]![0]);
  if (terms[0]![1] < 0) {
    if (vector) f.simd(sc.vneg);
    else f.op(sc.neg);
  }
  for (const [l, sign] of terms.slice(1)) {
    f.localGet(l);
    if (vector) f.simd(sign > 0 ? sc.vadd : sc.vsub);
    else f.op(sign > 0 ? sc.add : sc.sub);
  }
  f.localSet(into);
}

/** Bᵀ·x for a 4-vector of locals (rows of Bᵀ as terms). */
const B_T: [number, 1 | -1][][] = [[[0, 1], [2, -1]], [[1, 1], [2, 1]], [[2, 1], [1, -1]], [[1, 1], [3, -1]]];
/** Aᵀ·x for a 4-vector. */
const A_T: [number, 1 | -1][][] = [[[0, 1], [1, 1], [2, 1]], [[1, 1], [2, -1], [3, -1]]];

/**
 * The loops of the transforms that take WINO_INPUT_PARAMS (`winograd_input`,
 * `winograd_cotangent`): over pairs i = n·C + c in [i0, i1) and their tiles
 * (2·th, 2·tw), L = 16/es tiles side by side while whole vectors fit in the
 * row, then one by one. `body(vector, p)` loads from p (the tile's first
 * element; rows rowBytes apart) and computes the 16 values that `store` then
 * writes to V[ξ][c][n·tilesPer + th·tW + tw], plane ξ at V + ξ·xiBytes.
 */
export function tileLoops(f: FuncBuilder, sc: ReturnType<typeof scalar>, body: (vector: boolean, p: number) => number[]): void {
  const [xp, V, i0, i1, C, tH, tW, rowBytes, planeBytes, tilesPer, T, xiBytes] = WINO_INPUT_PARAMS.map((_, i) => i);
  const i = f.local(I32), n = f.local(I32), th = f.local(I32), tw = f.local(I32), plane = f.local(I32), p = f.local(I32), q = f.local(I32), vAt = f.local(I32);
  const tWV = f.local(I32), L = 16 / sc.es;
  const tile = (vector: boolean) => {
    // p = plane + 2·th·rowBytes + 2·tw·es
    f.localGet(plane).localGet(th).localGet(rowBytes).op(Op.i32_mul).i32Const(1).op(Op.i32_shl).op(Op.i32_add);
    f.localGet(tw).i32Const(2 * sc.es).op(Op.i32_mul).op(Op.i32_add).localSet(p);
    const values = body(vector, p);
    f.localGet(vAt).localSet(q);
    for (let x = 0; x < 16; x++) {
      if (vector) f.localGet(q).localGet(values[x]!).simdMem(SimdMem.v128_store, 0, 0);
      else f.localGet(q).localGet(values[x]!).mem(sc.store, 0, 0);
      if (x < 15) f.localGet(q).localGet(xiBytes).op(Op.i32_add).localSet(q);
    }
    f.localGet(vAt).i32Const(vector ? 16 : sc.es).op(Op.i32_add).localSet(vAt);
  };
  // tWV: the tiles of a row that go in whole vectors.
  f.localGet(tW).localGet(tW).i32Const(L).op(Op.i32_rem_u).op(Op.i32_sub).localSet(tWV);
  f.forRange(i, get(f, i0), get(f, i1), 1, () => {
    f.localGet(i).localGet(C).op(Op.i32_div_u).localSet(n);
    f.localGet(xp).localGet(i).localGet(planeBytes).op(Op.i32_mul).op(Op.i32_add).localSet(plane);
    // vAt = V + ((i − n·C)·T + n·tilesPer)·es: this pair's first tile in plane ξ = 0
    f.localGet(V).localGet(i).localGet(n).localGet(C).op(Op.i32_mul).op(Op.i32_sub).localGet(T).op(Op.i32_mul);
    f.localGet(n).localGet(tilesPer).op(Op.i32_mul).op(Op.i32_add).i32Const(sc.es).op(Op.i32_mul).op(Op.i32_add).localSet(vAt);
    f.forRange(th, cst(f, 0), get(f, tH), 1, () => {
      f.forRange(tw, cst(f, 0), get(f, tWV), L, () => tile(true));
      f.forRange(tw, get(f, tWV), get(f, tW), 1, () => tile(false));
    });
  });
}

/**
 * `winograd_input_<f32|f64>(xp, V, i0, i1, C, tH, tW, rowBytes, planeBytes, tilesPer, T, xiBytes)`:
 * for (example n, channel c) pairs i = n·C + c in [i0, i1), each 4×4 tile of
 * the padded plane xp + i·planeBytes (rows rowBytes apart) at (2·th, 2·tw)
 * goes to V[ξ][c][n·tilesPer + th·tW + tw] = (Bᵀ·d·B)[ξ], V[ξ] planes
 * xiBytes apart and T elements per channel row.
 */
export function buildWinogradInput(m: ModuleBuilder, dtype: "float32" | "float64"): void {
  const sc = scalar(dtype);
  const f = m.func(`winograd_input_${sc.suffix}`, WINO_INPUT_PARAMS.map(() => I32), []);
  const rowBytes = WINO_INPUT_PARAMS.indexOf("rowBytes");
  const d = Array.from({ length: 16 }, () => f.local(sc.type));
  const t = Array.from({ length: 16 }, () => f.local(sc.type));
  const v = Array.from({ length: 16 }, () => f.local(sc.type));
  const L = 16 / sc.es, even = Array.from({ length: L }, (_, j) => 2 * j), odd = even.map((e) => e + 1);
  const dv = Array.from({ length: 16 }, () => f.local(V128)), tv = Array.from({ length: 16 }, () => f.local(V128));
  const lo = f.local(V128), hi = f.local(V128);
  tileLoops(f, sc, (vector, p) => {
    if (vector) {
      // Row r of tile tw + j, column s, is lane j of D[r][s]: the even or odd lanes of two vectors loaded at
      // columns 2·tw (s = 0, 1) and 2·tw + 2 (s = 2, 3).
      for (let r = 0; r < 4; r++) {
        for (const [at, s] of [[0, 0], [2 * sc.es, 2]] as const) {
          f.localGet(p).simdMem(SimdMem.v128_load, at, 0).localSet(lo);
          f.localGet(p).simdMem(SimdMem.v128_load, at + 16, 0).localSet(hi);
          f.localGet(lo).localGet(hi).shuffle(laneBytes(sc.es, even)).localSet(dv[r * 4 + s]!);
          f.localGet(lo).localGet(hi).shuffle(laneBytes(sc.es, odd)).localSet(dv[r * 4 + s + 1]!);
        }
        if (r < 3) f.localGet(p).localGet(rowBytes).op(Op.i32_add).localSet(p);
      }
      for (let s = 0; s < 4; s++) B_T.forEach((row, r) => combine(f, sc, row.map(([k, sg]) => [dv[k * 4 + s]!, sg]), tv[r * 4 + s]!, true));
      for (let r = 0; r < 4; r++) B_T.forEach((row, s) => combine(f, sc, row.map(([k, sg]) => [tv[r * 4 + k]!, sg]), dv[r * 4 + s]!, true));
      return dv;
    }
    for (let r = 0; r < 4; r++) {
      for (let s = 0; s < 4; s++) f.localGet(p).mem(sc.load, s * sc.es, 0).localSet(d[r * 4 + s]!);
      if (r < 3) f.localGet(p).localGet(rowBytes).op(Op.i32_add).localSet(p);
    }
    // t = Bᵀ·d (over rows, per column), v = t·B (over columns, per row)
    for (let s = 0; s < 4; s++) B_T.forEach((row, r) => combine(f, sc, row.map(([k, sg]) => [d[k * 4 + s]!, sg]), t[r * 4 + s]!));
    for (let r = 0; r < 4; r++) B_T.forEach((row, s) => combine(f, sc, row.map(([k, sg]) => [t[r * 4 + k]!, sg]), v[r * 4 + s]!));
    return v;
  });
}

/**
 * `winograd_output_<f32|f64>(m, out, i0, i1, O, tH, tW, tilesPer, xiBytes, oBytes, tBytes, OH, OW)`:
 * for (example n, output channel o) pairs i = n·O + o in [i0, i1), each tile
 * t = n·tilesPer + th·tW + tw reads M[ξ] at m + ξ·xiBytes + o·oBytes + t·tBytes
 * and writes Aᵀ·M·A to out[i][2·th + r][2·tw + s] inside the OH×OW plane.
 */
export function buildWinogradOutput(m: ModuleBuilder, dtype: "float32" | "float64"): void {
  const sc = scalar(dtype);
  const f = m.func(`winograd_output_${sc.suffix}`, WINO_OUTPUT_PARAMS.map(() => I32), []);
  const [mm, out, i0, i1, O, tH, tW, tilesPer, xiBytes, oBytes, tBytes, OH, OW] = WINO_OUTPUT_PARAMS.map((_, i) => i);
  const i = f.local(I32), n = f.local(I32), th = f.local(I32), tw = f.local(I32), q = f.local(I32), src = f.local(I32), dst = f.local(I32);
  const plane = f.local(I32), row1 = f.local(I32), col1 = f.local(I32);
  const x = Array.from({ length: 16 }, () => f.local(sc.type));
  const u = Array.from({ length: 8 }, () => f.local(sc.type));
  const y = Array.from({ length: 4 }, () => f.local(sc.type));
  const L = 16 / sc.es;
  const xv = Array.from({ length: 16 }, () => f.local(V128)), uv = Array.from({ length: 8 }, () => f.local(V128)), yv = Array.from({ length: 4 }, () => f.local(V128));
  const twV = f.local(I32);
  // Interleaving lanes of y0 (column 0 of L tiles) and y1 (column 1) gives 2·L consecutive output columns.
  const half = (from: number) => Array.from({ length: L / 2 }, (_, j) => [from + j, L + from + j]).flat();
  // twV: the tiles of a row that go in whole vectors: both output columns inside the plane, consecutive in M (tBytes = es).
  f.localGet(OW).i32Const(1).op(Op.i32_shr_u).localTee(twV).localGet(twV).i32Const(L).op(Op.i32_rem_u).op(Op.i32_sub).localSet(twV);
  f.localGet(tBytes).i32Const(sc.es).op(Op.i32_ne).if_().i32Const(0).localSet(twV).end();
  f.forRange(i, get(f, i0), get(f, i1), 1, () => {
    f.localGet(i).localGet(O).op(Op.i32_div_u).localSet(n);
    f.localGet(out).localGet(i).localGet(OH).op(Op.i32_mul).localGet(OW).op(Op.i32_mul).i32Const(sc.es).op(Op.i32_mul).op(Op.i32_add).localSet(plane);
    // src = m + (i − n·O)·oBytes + n·tilesPer·tBytes: tile 0 of this pair
    f.localGet(mm).localGet(i).localGet(n).localGet(O).op(Op.i32_mul).op(Op.i32_sub).localGet(oBytes).op(Op.i32_mul).op(Op.i32_add);
    f.localGet(n).localGet(tilesPer).op(Op.i32_mul).localGet(tBytes).op(Op.i32_mul).op(Op.i32_add).localSet(src);
    f.forRange(th, cst(f, 0), get(f, tH), 1, () => {
      // row1: the tile's second output row is inside the plane
      f.localGet(th).i32Const(1).op(Op.i32_shl).i32Const(1).op(Op.i32_add).localGet(OH).op(Op.i32_lt_s).localSet(row1);
      f.forRange(tw, cst(f, 0), get(f, twV), L, () => {
        f.localGet(src).localSet(q);
        for (let k = 0; k < 16; k++) {
          f.localGet(q).simdMem(SimdMem.v128_load, 0, 0).localSet(xv[k]!);
          if (k < 15) f.localGet(q).localGet(xiBytes).op(Op.i32_add).localSet(q);
        }
        for (let s = 0; s < 4; s++) A_T.forEach((row, r) => combine(f, sc, row.map(([k, sg]) => [xv[k * 4 + s]!, sg]), uv[r * 4 + s]!, true));
        for (let r = 0; r < 2; r++) A_T.forEach((row, s) => combine(f, sc, row.map(([k, sg]) => [uv[r * 4 + k]!, sg]), yv[r * 2 + s]!, true));
        f.localGet(plane).localGet(th).i32Const(1).op(Op.i32_shl).localGet(OW).op(Op.i32_mul).localGet(tw).i32Const(1).op(Op.i32_shl).op(Op.i32_add);
        f.i32Const(sc.es).op(Op.i32_mul).op(Op.i32_add).localSet(dst);
        const storeRow = (a: number, b: number) => {
          f.localGet(dst).localGet(a).localGet(b).shuffle(laneBytes(sc.es, half(0))).simdMem(SimdMem.v128_store, 0, 0);
          f.localGet(dst).localGet(a).localGet(b).shuffle(laneBytes(sc.es, half(L / 2))).simdMem(SimdMem.v128_store, 16, 0);
        };
        storeRow(yv[0]!, yv[1]!);
        f.localGet(row1).if_();
        f.localGet(dst).localGet(OW).i32Const(sc.es).op(Op.i32_mul).op(Op.i32_add).localSet(dst);
        storeRow(yv[2]!, yv[3]!);
        f.end();
        f.localGet(src).i32Const(16).op(Op.i32_add).localSet(src);
      });
      f.forRange(tw, get(f, twV), get(f, tW), 1, () => {
        f.localGet(tw).i32Const(1).op(Op.i32_shl).i32Const(1).op(Op.i32_add).localGet(OW).op(Op.i32_lt_s).localSet(col1);
        f.localGet(src).localSet(q);
        for (let k = 0; k < 16; k++) {
          f.localGet(q).mem(sc.load, 0, 0).localSet(x[k]!);
          if (k < 15) f.localGet(q).localGet(xiBytes).op(Op.i32_add).localSet(q);
        }
        // u = Aᵀ·x (2×4), y = u·A (2×2)
        for (let s = 0; s < 4; s++) A_T.forEach((row, r) => combine(f, sc, row.map(([k, sg]) => [x[k * 4 + s]!, sg]), u[r * 4 + s]!));
        for (let r = 0; r < 2; r++) A_T.forEach((row, s) => combine(f, sc, row.map(([k, sg]) => [u[r * 4 + k]!, sg]), y[r * 2 + s]!));
        // dst = plane + (2·th·OW + 2·tw)·es
        f.localGet(plane).localGet(th).i32Const(1).op(Op.i32_shl).localGet(OW).op(Op.i32_mul).localGet(tw).i32Const(1).op(Op.i32_shl).op(Op.i32_add);
        f.i32Const(sc.es).op(Op.i32_mul).op(Op.i32_add).localSet(dst);
        f.localGet(dst).localGet(y[0]!).mem(sc.store, 0, 0);
        f.localGet(col1).if_().localGet(dst).localGet(y[1]!).mem(sc.store, sc.es, 0).end();
        f.localGet(row1).if_();
        {
          f.localGet(dst).localGet(OW).i32Const(sc.es).op(Op.i32_mul).op(Op.i32_add).localSet(dst);
          f.localGet(dst).localGet(y[2]!).mem(sc.store, 0, 0);
          f.localGet(col1).if_().localGet(dst).localGet(y[3]!).mem(sc.store, sc.es, 0).end();
        }
        f.end();
        f.localGet(src).localGet(tBytes).op(Op.i32_add).localSet(src);
      });
    });
  });
}

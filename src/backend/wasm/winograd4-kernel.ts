/**
 * Winograd F(4×4, 3×3) input and output transforms for float32, generated:
 * a 4×4 block of a 3×3 correlation from a 6×6 input tile d at (4i, 4j) is
 *
 *   Y = Aᵀ·[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A,
 *
 * 36 multiplies per 16 outputs (2.25 each, against F(2×2, 3×3)'s 4 and the
 * direct sum's 9), and V and M shrink by the same factor. The interpolation
 * points are 0, −1, 1, ½, −2 and ∞: in float32 the common 0, ±1, ±2 lose
 * ~4× more to rounding (a 64-channel sum of [−1, 1] products: largest error
 * 2.3e-4 against 5–6e-5 here, F(2×2, 3×3) ~7e-6, the direct sum ~2e-5).
 *
 * Both kernels work on vectors of four tiles (lane j = tile g + j, tiles
 * numbered along rows, so a group may span two tile rows; per-tile tables
 * give their addresses). A plane's tile count is rounded up to a multiple of
 * 4 (`tilesPer`): the extra tiles are computed from the plane's first tile
 * and never written out, and every group's 16-byte loads and stores in V and
 * M stay aligned (when a plane's groups were unaligned, or the last group
 * overlapped the one before it, the input transform ran 2–4× slower). They
 * take winograd-kernel.ts's parameters and a table.
 */
import { I32, laneBytes, MemOp, Op, Simd, SimdMem, SimdMemLane, V128, type FuncBuilder, type ModuleBuilder } from "./emitter.js";
import { cst, get } from "./pack-emit.js";
import { WINO_INPUT_PARAMS, WINO_OUTPUT_PARAMS } from "./winograd-kernel.js";

/** Bᵀ (6×6), Aᵀ (4×6) and G (6×3) for the points 0, −1, 1, ½, −2, ∞. */
export const F4_BT = [
  [1, -3 / 2, -2, 3 / 2, 1, 0],
  [0, 1, -5 / 2, 1 / 2, 1, 0],
  [0, -1, 1 / 2, 5 / 2, 1, 0],
  [0, -2, -1, 2, 1, 0],
  [0, 1 / 2, -1, -1 / 2, 1, 0],
  [0, 1, -3 / 2, -2, 3 / 2, 1],
];
export const F4_AT = [
  [1, 1, 1, 1, 1, 0],
  [0, -1, 1, 1 / 2, -2, 0],
  [0, 1, 1, 1 / 4, 4, 0],
  [0, -1, 1, 1 / 8, -8, 1],
];
export const F4_G = [
  [1, 0, 0],
  [-1 / 3, 1 / 3, -1 / 3],
  [1 / 3, 1 / 3, 1 / 3],
  [-16 / 15, -8 / 15, -4 / 15],
  [1 / 15, -2 / 15, 4 / 15],
  [0, 0, 1],
];


/**
 * f32x4 arithmetic on locals for the transforms: sums, and multiply-adds by
 * constants splatted once per call (relaxed SIMD's fused multiply-add where
 * the engine has it, as the GEMM uses; else a multiply, then an add).
 */
export class VecOps {
  private readonly consts = new Map<number, number>();
  constructor(private readonly f: FuncBuilder, private readonly relaxed: boolean, constants: readonly number[]) {
    for (const c of constants) {
      const local = f.local(V128);
      f.f32Const(c).simd(Simd.f32x4_splat).localSet(local);
      this.consts.set(c, local);
    }
  }
  private constant(c: number): number {
    const k = this.consts.get(c);
    if (k === undefined) throw new Error(`winograd4: constant ${c} not declared`);
    return k;
  }
  add(a: number, b: number, into: number): void { this.f.localGet(a).localGet(b).simd(Simd.f32x4_add).localSet(into); }
  sub(a: number, b: number, into: number): void { this.f.localGet(a).localGet(b).simd(Simd.f32x4_sub).localSet(into); }
  /** into = c·x */
  scale(x: number, c: number, into: number): void { this.f.localGet(x).localGet(this.constant(c)).simd(Simd.f32x4_mul).localSet(into); }
  /** into = acc + c·x */
  madd(x: number, c: number, acc: number, into: number): void {
    const k = this.constant(c);
    if (this.relaxed) this.f.localGet(x).localGet(k).localGet(acc).simd(Simd.f32x4_relaxed_madd).localSet(into);
    else this.f.localGet(x).localGet(k).simd(Simd.f32x4_mul).localGet(acc).simd(Simd.f32x4_add).localSet(into);
  }
  /** into = Σ_k coefs[k]·xs[k] over the nonzero coefficients (a copy for a single 1): a matrix row without hand-shared terms. */
  combine(coefs: readonly number[], xs: readonly number[], into: number): void {
    const terms = coefs.map((c, k) => [c, xs[k]!] as const).filter(([c]) => c !== 0);
    const [c0, x0] = terms[0]!;
    if (c0 === 1) this.f.localGet(x0).localSet(into);
    else if (c0 === -1) this.f.localGet(x0).simd(Simd.f32x4_neg).localSet(into);
    else this.scale(x0, c0, into);
    for (const [c, x] of terms.slice(1)) {
      if (c === 1) this.add(into, x, into);
      else if (c === -1) this.sub(into, x, into);
      else this.madd(x, c, into, into);
    }
  }
  /** The constants `combine` multiplies by for a matrix's rows. */
  static constantsOf(m: readonly (readonly number[])[]): number[] {
    return [...new Set(m.flat().filter((c) => c !== 0 && Math.abs(c) !== 1))];
  }
}

export const INPUT_CONSTANTS = [2, -0.5, 1.5, -2.5, 0.5, 2.5, -2];
/** o = Bᵀ·d for six vectors, 16 operations: with a = d3 − d1 and b = d4 − d2 the rows share terms. */
export function inputTransform(v: VecOps, d: readonly number[], o: readonly number[], [a, b, t]: readonly number[]): void {
  const [d0, d1, d2, d3, d4, d5] = d as [number, number, number, number, number, number];
  v.sub(d3, d1, a);
  v.sub(d4, d2, b);
  v.sub(d0, d2, t); v.add(t, b, t); v.madd(a, 1.5, t, o[0]!); // d0 − 1.5·d1 − 2·d2 + 1.5·d3 + d4
  v.add(d1, d4, t); v.madd(d2, -2.5, t, t); v.madd(d3, 0.5, t, o[1]!); // d1 − 2.5·d2 + 0.5·d3 + d4
  v.sub(d4, d1, t); v.madd(d2, 0.5, t, t); v.madd(d3, 2.5, t, o[2]!); // −d1 + 0.5·d2 + 2.5·d3 + d4
  v.madd(a, 2, b, o[3]!); // −2·d1 − d2 + 2·d3 + d4
  v.madd(a, -0.5, b, o[4]!); // 0.5·d1 − d2 − 0.5·d3 + d4
  v.add(d1, d5, t); v.madd(d3, -2, t, t); v.madd(b, 1.5, t, o[5]!); // d1 − 1.5·d2 − 2·d3 + 1.5·d4 + d5
}

export const OUTPUT_CONSTANTS = [0.5, -2, 0.25, 4, 0.125, -8];
/** y = Aᵀ·x for six vectors, 12 operations: with p = x1 + x2 and m = x2 − x1 the rows share terms. */
export function outputTransform(v: VecOps, x: readonly number[], y: readonly number[], [p, m, t]: readonly number[]): void {
  const [x0, x1, x2, x3, x4, x5] = x as [number, number, number, number, number, number];
  v.add(x1, x2, p);
  v.sub(x2, x1, m);
  v.add(x0, p, t); v.add(t, x3, t); v.add(t, x4, y[0]!); // x0 + x1 + x2 + x3 + x4
  v.madd(x3, 0.5, m, t); v.madd(x4, -2, t, y[1]!); // −x1 + x2 + x3/2 − 2·x4
  v.madd(x3, 0.25, p, t); v.madd(x4, 4, t, y[2]!); // x1 + x2 + x3/4 + 4·x4
  v.add(m, x5, t); v.madd(x3, 0.125, t, t); v.madd(x4, -8, t, y[3]!); // −x1 + x2 + x3/8 − 8·x4 + x5
}

/** out[s] lane j = in[j] lane s: the 4×4 transpose of four f32x4 locals. */
export function transpose4(f: FuncBuilder, xs: readonly number[], tmp: readonly number[], out: readonly number[]): void {
  const lo = laneBytes(4, [0, 4, 1, 5]), hi = laneBytes(4, [2, 6, 3, 7]);
  f.localGet(xs[0]!).localGet(xs[1]!).shuffle(lo).localSet(tmp[0]!);
  f.localGet(xs[0]!).localGet(xs[1]!).shuffle(hi).localSet(tmp[1]!);
  f.localGet(xs[2]!).localGet(xs[3]!).shuffle(lo).localSet(tmp[2]!);
  f.localGet(xs[2]!).localGet(xs[3]!).shuffle(hi).localSet(tmp[3]!);
  const first = laneBytes(4, [0, 1, 4, 5]), second = laneBytes(4, [2, 3, 6, 7]);
  f.localGet(tmp[0]!).localGet(tmp[2]!).shuffle(first).localSet(out[0]!);
  f.localGet(tmp[0]!).localGet(tmp[2]!).shuffle(second).localSet(out[1]!);
  f.localGet(tmp[1]!).localGet(tmp[3]!).shuffle(first).localSet(out[2]!);
  f.localGet(tmp[1]!).localGet(tmp[3]!).shuffle(second).localSet(out[3]!);
}

/** 4×2 transpose: lanes 0 and 1 of four f32x4 locals become out[0] (lanes 0) and out[1] (lanes 1). */
export function transpose42(f: FuncBuilder, xs: readonly number[], tmp: readonly number[], out: readonly number[]): void {
  f.localGet(xs[0]!).localGet(xs[1]!).shuffle(laneBytes(4, [0, 4, 1, 5])).localSet(tmp[0]!);
  f.localGet(xs[2]!).localGet(xs[3]!).shuffle(laneBytes(4, [0, 4, 1, 5])).localSet(tmp[1]!);
  f.localGet(tmp[0]!).localGet(tmp[1]!).shuffle(laneBytes(4, [0, 1, 4, 5])).localSet(out[0]!);
  f.localGet(tmp[0]!).localGet(tmp[1]!).shuffle(laneBytes(4, [2, 3, 6, 7])).localSet(out[1]!);
}

/**
 * The loop both kernels share: pairs i in [i0, i1) (n = i / per), and their
 * tiles in groups of 4, t = g … g + 3 (tilesPer a multiple of 4).
 * `lane[j]` = the i32 at tables + 4·(g + j).
 */
export function groupLoops(f: FuncBuilder, [i0, i1, per, tilesPer, tables]: readonly number[], perPair: (i: number, n: number) => void,
  body: (g: number, lane: readonly number[]) => void): void {
  const i = f.local(I32), n = f.local(I32), g = f.local(I32), at = f.local(I32);
  const lane = Array.from({ length: 4 }, () => f.local(I32));
  f.forRange(i, get(f, i0), get(f, i1), 1, () => {
    f.localGet(i).localGet(per).op(Op.i32_div_u).localSet(n);
    perPair(i, n);
    f.forRange(g, cst(f, 0), get(f, tilesPer), 4, () => {
      f.localGet(tables).localGet(g).i32Const(2).op(Op.i32_shl).op(Op.i32_add).localSet(at);
      lane.forEach((l, j) => f.localGet(at).mem(MemOp.i32_load, 4 * j, 2).localSet(l));
      body(g, lane);
    });
  });
}

/** The pair's place in V for the transforms that write it: vRow = V + ((i − n·C)·T + n·tilesPer)·4 (tile 0, plane ξ = 0). */
export function vRowOf(f: FuncBuilder, [V, C, T, tilesPer]: readonly number[], i: number, n: number, vRow: number): void {
  f.localGet(V).localGet(i).localGet(n).localGet(C).op(Op.i32_mul).op(Op.i32_sub).localGet(T).op(Op.i32_mul);
  f.localGet(n).localGet(tilesPer).op(Op.i32_mul).op(Op.i32_add).i32Const(2).op(Op.i32_shl).op(Op.i32_add).localSet(vRow);
}

/**
 * The pair's output plane and its tile 0 in M for the transforms that read M:
 * plane = out + i·OH·OW·4, src = m + (i − n·O)·oBytes + n·tilesPer·4.
 */
export function outputPairOf(f: FuncBuilder, [mm, out, O, oBytes, tilesPer, OH, OW]: readonly number[], i: number, n: number, plane: number, src: number): void {
  f.localGet(out).localGet(i).localGet(OH).op(Op.i32_mul).localGet(OW).op(Op.i32_mul).i32Const(2).op(Op.i32_shl).op(Op.i32_add).localSet(plane);
  f.localGet(mm).localGet(i).localGet(n).localGet(O).op(Op.i32_mul).op(Op.i32_sub).localGet(oBytes).op(Op.i32_mul).op(Op.i32_add);
  f.localGet(n).localGet(tilesPer).op(Op.i32_mul).i32Const(2).op(Op.i32_shl).op(Op.i32_add).localSet(src);
}

/**
 * Stores a group's 36 transformed values: `column(s)` emits column s's six
 * values (rows r = 0…5), stored to planes ξ = 6·r + s at at + 4·g + s·xiBytes
 * + r·xi6 (`at`: the pair's tile 0 in plane 0; col and q are scratch locals).
 */
export function storePlanes(f: FuncBuilder, [at, g, xiBytes, xi6, col, q]: readonly number[], column: (s: number) => readonly number[]): void {
  f.localGet(at).localGet(g).i32Const(2).op(Op.i32_shl).op(Op.i32_add).localSet(col);
  for (let s = 0; s < 6; s++) {
    f.localGet(col).localSet(q);
    column(s).forEach((value, r) => {
      f.localGet(q).localGet(value).simdMem(SimdMem.v128_store, 0, 0);
      if (r < 5) f.localGet(q).localGet(xi6).op(Op.i32_add).localSet(q);
    });
    if (s < 5) f.localGet(col).localGet(xiBytes).op(Op.i32_add).localSet(col);
  }
}

/**
 * Loads a group's 36 values of M column by column: column s (planes 6·k + s,
 * k = 0…5, at src + 4·g + s·xiBytes + k·xi6) into x, then `use(s)`.
 */
export function loadPlanes(f: FuncBuilder, [src, g, xiBytes, xi6, col, q]: readonly number[], x: readonly number[], use: (s: number) => void): void {
  f.localGet(src).localGet(g).i32Const(2).op(Op.i32_shl).op(Op.i32_add).localSet(col);
  for (let s = 0; s < 6; s++) {
    f.localGet(col).localSet(q);
    for (let k = 0; k < 6; k++) {
      f.localGet(q).simdMem(SimdMem.v128_load, 0, 0).localSet(x[k]!);
      if (k < 5) f.localGet(q).localGet(xi6).op(Op.i32_add).localSet(q);
    }
    use(s);
    if (s < 5) f.localGet(col).localGet(xiBytes).op(Op.i32_add).localSet(col);
  }
}

export const WINO4_INPUT_PARAMS = [...WINO_INPUT_PARAMS, "tileOffsets"] as const;
export const WINO4_OUTPUT_PARAMS = [...WINO_OUTPUT_PARAMS, "tileTable"] as const;

/**
 * `winograd4_input_f32(xp, V, i0, i1, C, tH, tW, rowBytes, planeBytes, tilesPer, T, xiBytes, tileOffsets)`:
 * as `winograd_input_f32` with 6×6 tiles at (4·th, 4·tw) of padded planes
 * (4·tH + 2)×(4·tW + 2), writing the 36 planes ξ = 6·row + column of V.
 * tileOffsets[t] = byte offset of tile t's first element in a plane
 * (`winograd4Tables`), so a group of 4 tiles may span tile rows.
 */
export function buildWinograd4Input(m: ModuleBuilder, relaxed: boolean): void {
  const f = m.func("winograd4_input_f32", WINO4_INPUT_PARAMS.map(() => I32), []);
  const [xp, V, i0, i1, C, , , rowBytes, planeBytes, tilesPer, T, xiBytes, tileOffsets] = WINO4_INPUT_PARAMS.map((_, i) => i);
  const plane = f.local(I32), q = f.local(I32), vRow = f.local(I32), xi6 = f.local(I32), col = f.local(I32);
  const vecs = (k: number) => Array.from({ length: k }, () => f.local(V128));
  // Rows transformed as they are loaded (t = d·B, 36 values), then columns (Bᵀ·t), each stored once computed:
  // fewer values live at once than transforming all rows after loading all of them.
  const d = vecs(6), t = vecs(36), v = vecs(6), raw = vecs(4), tail = vecs(4), tmp = vecs(4);
  const ops = new VecOps(f, relaxed, INPUT_CONSTANTS);
  f.localGet(xiBytes).i32Const(6).op(Op.i32_mul).localSet(xi6);
  groupLoops(f, [i0, i1, C, tilesPer, tileOffsets], (i, n) => {
    f.localGet(xp).localGet(i).localGet(planeBytes).op(Op.i32_mul).op(Op.i32_add).localSet(plane);
    vRowOf(f, [V, C, T, tilesPer], i, n, vRow);
  }, (g, lane) => {
    // lane[j] becomes the address of tile g + j's current row
    lane.forEach((l) => f.localGet(l).localGet(plane).op(Op.i32_add).localSet(l));
    for (let r = 0; r < 6; r++) {
      // Columns 0–3 of the four tiles' row r, transposed, are d0–d3 (lane j = tile j); columns 4 and 5 d4, d5.
      lane.forEach((l, j) => {
        f.localGet(l).simdMem(SimdMem.v128_load, 0, 0).localSet(raw[j]!);
        f.localGet(l).simdMem(SimdMem.v128_load64_zero, 16, 0).localSet(tail[j]!);
        if (r < 5) f.localGet(l).localGet(rowBytes).op(Op.i32_add).localSet(l);
      });
      transpose4(f, raw, tmp, d);
      transpose42(f, tail, tmp, d.slice(4));
      inputTransform(ops, d, t.slice(6 * r, 6 * r + 6), tmp.slice(0, 3));
    }
    storePlanes(f, [vRow, g, xiBytes, xi6, col, q], (s) => {
      inputTransform(ops, [0, 1, 2, 3, 4, 5].map((k) => t[6 * k + s]!), v, tmp.slice(0, 3));
      return v;
    });
  });
}

/**
 * `winograd4_output_f32(m, out, i0, i1, O, tH, tW, tilesPer, xiBytes, oBytes, tBytes, OH, OW, tileTable)`:
 * as `winograd_output_f32` (tiles consecutive in M: tBytes = 4) for 4×4
 * output blocks: Aᵀ·M·A to out[i][4·th + r][4·tw + s] inside the OH×OW
 * plane. tileTable[t] = 32·(byte offset of tile t's block) + 4·rows +
 * (columns − 1), its rows and columns inside the plane (`winograd4Tables`;
 * rows 0 for the padding tiles).
 */
export function buildWinograd4Output(m: ModuleBuilder, relaxed: boolean): void {
  const f = m.func("winograd4_output_f32", WINO4_OUTPUT_PARAMS.map(() => I32), []);
  const [mm, out, i0, i1, O, , , tilesPer, xiBytes, oBytes, , OH, OW, tileTable] = WINO4_OUTPUT_PARAMS.map((_, i) => i);
  const plane = f.local(I32), src = f.local(I32), q = f.local(I32), q0 = f.local(I32), xi6 = f.local(I32), rowBytes = f.local(I32);
  const whole = f.local(I32);
  const vecs = (k: number) => Array.from({ length: k }, () => f.local(V128));
  // Columns of M transformed as they are loaded (u = Aᵀ·x, 24 values), then the rows of a block one at a time.
  const x = vecs(6), u = vecs(24), y = vecs(4), tmp = vecs(4), cols = vecs(4);
  const ops = new VecOps(f, relaxed, OUTPUT_CONSTANTS);
  f.localGet(xiBytes).i32Const(6).op(Op.i32_mul).localSet(xi6);
  f.localGet(OW).i32Const(2).op(Op.i32_shl).localSet(rowBytes);
  groupLoops(f, [i0, i1, O, tilesPer, tileTable], (i, n) => outputPairOf(f, [mm, out, O, oBytes, tilesPer, OH, OW], i, n, plane, src), (g, lane) => {
    loadPlanes(f, [src, g, xiBytes, xi6, q0, q], x, (s) => outputTransform(ops, x, [0, 1, 2, 3].map((r) => u[6 * r + s]!), tmp.slice(0, 3)));
    // whole: all four blocks lie inside the plane (rows 4 = 0b100, columns − 1 = 3 in each: the low bits' AND is 0b10011)
    f.localGet(lane[0]!).localGet(lane[1]!).op(Op.i32_and).localGet(lane[2]!).op(Op.i32_and).localGet(lane[3]!).op(Op.i32_and);
    f.i32Const(31).op(Op.i32_and).i32Const(19).op(Op.i32_eq).localSet(whole);
    for (let r = 0; r < 4; r++) {
      outputTransform(ops, u.slice(6 * r, 6 * r + 6), y, tmp.slice(0, 3));
      transpose4(f, y, tmp, cols);
      f.localGet(whole).if_();
      lane.forEach((l, j) => {
        f.localGet(plane).localGet(l).i32Const(5).op(Op.i32_shr_u).op(Op.i32_add).i32Const(r).localGet(rowBytes).op(Op.i32_mul).op(Op.i32_add);
        f.localGet(cols[j]!).simdMem(SimdMem.v128_store, 0, 0);
      });
      f.else_();
      lane.forEach((l, j) => {
        // row r of block j exists when r < rows
        f.i32Const(r).localGet(l).i32Const(2).op(Op.i32_shr_u).i32Const(7).op(Op.i32_and).op(Op.i32_lt_u).if_();
        f.localGet(plane).localGet(l).i32Const(5).op(Op.i32_shr_u).op(Op.i32_add).i32Const(r).localGet(rowBytes).op(Op.i32_mul).op(Op.i32_add).localSet(q);
        storeFirstLanes(f, q, cols[j]!, l);
        f.end();
      });
      f.end();
    }
  });
}

/** Stores the first (entry & 3) + 1 lanes of v at q: 4 → all, else 3, 2 or 1. */
export function storeFirstLanes(f: FuncBuilder, q: number, v: number, entry: number): void {
  const columns = () => f.localGet(entry).i32Const(3).op(Op.i32_and);
  columns().i32Const(3).op(Op.i32_eq).if_();
  f.localGet(q).localGet(v).simdMem(SimdMem.v128_store, 0, 0);
  f.else_();
  columns().i32Const(1).op(Op.i32_ge_u).if_();
  f.localGet(q).localGet(v).simdMemLane(SimdMemLane.v128_store64_lane, 0, 0, 0);
  columns().i32Const(2).op(Op.i32_eq).if_();
  f.localGet(q).localGet(v).simdMemLane(SimdMemLane.v128_store32_lane, 2, 8, 0);
  f.end();
  f.else_();
  f.localGet(q).localGet(v).simdMemLane(SimdMemLane.v128_store32_lane, 0, 0, 0);
  f.end();
  f.end();
}

/** Tiles per plane as the F(4×4, 3×3) kernels lay them out: tH·tW rounded up to a multiple of 4. */
export const paddedTiles = (tH: number, tW: number) => Math.ceil((tH * tW) / 4) * 4;

/**
 * The per-tile tables the F(4×4, 3×3) kernels read (paddedTiles entries):
 * byte offsets of each 6×6 input tile in a padded plane (rows rowBytes
 * apart), and each 4×4 output block's offset in an OH×OW plane with its rows
 * and columns inside; padding tiles read tile 0 and have no rows.
 */
export function winograd4Tables(tH: number, tW: number, rowBytes: number, OH: number, OW: number): { input: Int32Array; output: Int32Array; tilesPer: number } {
  const tilesPer = paddedTiles(tH, tW), input = new Int32Array(tilesPer), output = new Int32Array(tilesPer);
  for (let th = 0; th < tH; th++) {
    for (let tw = 0; tw < tW; tw++) {
      const t = th * tW + tw, rows = Math.min(4, OH - 4 * th), cols = Math.min(4, OW - 4 * tw);
      input[t] = 4 * th * rowBytes + 16 * tw;
      output[t] = 32 * 4 * (4 * th * OW + 4 * tw) + 4 * rows + (cols - 1);
    }
  }
  return { input, output, tilesPer };
}

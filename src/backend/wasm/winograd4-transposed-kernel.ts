/**
 * Kernels for the transposed F(4×4, 3×3) identity (winograd4-kernel.ts): a
 * full correlation — the input gradient of a valid 3×3 correlation, padding
 * 2 on every side — computed from the unpadded cotangent z as the adjoint
 * of the forward transform,
 *
 *   out = Σ_tiles place_{4i, 4j}( B·[U ⊙ (A·z_t·Aᵀ)]·Bᵀ ),  B = (Bᵀ)ᵀ, A = (Aᵀ)ᵀ,
 *
 * with z_t the 4×4 tiles of z at stride 4 and the 6×6 results added into the
 * output overlapping their neighbours by 2 rows and columns. Against the
 * forward form on the padded cotangent, no pad copy and 36 tiles instead of
 * 52 for a 24×24 plane.
 *
 * `winograd4_cotangent_f32` is A·z·Aᵀ (4×4 → 6×6), written like
 * `winograd4_input_f32`; `winograd4_scatter_f32` zeroes its output planes,
 * then adds B·Q·Bᵀ per tile. Its tables order a plane's tiles even tile columns
 * first, so the blocks added one after another never partly overlap (blocks
 * two columns apart are disjoint; blocks in one column overlap whole rows,
 * added in the same place with the same width): a load that partly overlaps
 * a store still in flight stalls the core until the store lands.
 */
import { I32, laneBytes, Op, Simd, SimdMem, SimdMemLane, V128, type FuncBuilder, type ModuleBuilder } from "./emitter.js";
import { get } from "./pack-emit.js";
import { F4_AT, F4_BT, groupLoops, loadPlanes, outputPairOf, storePlanes, transpose4, VecOps, vRowOf, WINO4_INPUT_PARAMS, WINO4_OUTPUT_PARAMS } from "./winograd4-kernel.js";

const transposeOf = (m: number[][]) => m[0]!.map((_, j) => m.map((row) => row[j]!));
/** A = (Aᵀ)ᵀ (6×4) and B = (Bᵀ)ᵀ (6×6). */
const F4_A = transposeOf(F4_AT), F4_B = transposeOf(F4_BT);

/**
 * `winograd4_cotangent_f32(zp, V, i0, i1, C, tH, tW, rowBytes, planeBytes, tilesPer, T, xiBytes, tileOffsets)`:
 * for pairs i = n·C + c in [i0, i1), each 4×4 tile t of plane zp + i·planeBytes
 * (at tileOffsets[t], rows rowBytes apart) goes to V[ξ][c][n·tilesPer + t] =
 * (A·z_t·Aᵀ)[ξ], the 36 planes ξ = 6·row + column xiBytes apart. The padding
 * tiles t ≥ tH·tW get zeros: they add nothing to the weight gradient's sum
 * over tiles (winograd-filter.ts), whatever the input transform left there.
 */
export function buildWinograd4Cotangent(m: ModuleBuilder, relaxed: boolean): void {
  const f = m.func("winograd4_cotangent_f32", WINO4_INPUT_PARAMS.map(() => I32), []);
  const [zp, V, i0, i1, C, tH, tW, rowBytes, planeBytes, tilesPer, T, xiBytes, tileOffsets] = WINO4_INPUT_PARAMS.map((_, i) => i);
  const plane = f.local(I32), q = f.local(I32), vRow = f.local(I32), xi6 = f.local(I32), col = f.local(I32);
  const real = f.local(I32), partial = f.local(I32), mask = f.local(V128);
  const vecs = (k: number) => Array.from({ length: k }, () => f.local(V128));
  // Rows transformed as they are loaded (t = z·Aᵀ: 4 rows × 6), then columns (A·t), each stored once computed.
  const raw = vecs(4), z = vecs(4), t = vecs(24), v = vecs(6), tmp = vecs(4);
  const ops = new VecOps(f, relaxed, VecOps.constantsOf(F4_A));
  f.localGet(xiBytes).i32Const(6).op(Op.i32_mul).localSet(xi6);
  f.localGet(tH).localGet(tW).op(Op.i32_mul).localSet(real);
  groupLoops(f, [i0, i1, C, tilesPer, tileOffsets], (i, n) => {
    f.localGet(zp).localGet(i).localGet(planeBytes).op(Op.i32_mul).op(Op.i32_add).localSet(plane);
    vRowOf(f, [V, C, T, tilesPer], i, n, vRow);
  }, (g, lane) => {
    lane.forEach((l) => f.localGet(l).localGet(plane).op(Op.i32_add).localSet(l));
    // A plane's last group may hold padding tiles (they read tile 0): mask lane j = (g + j < tH·tW).
    f.localGet(g).i32Const(4).op(Op.i32_add).localGet(real).op(Op.i32_gt_u).localTee(partial).if_();
    f.v128Const(new Uint8Array(new Int32Array([0, 1, 2, 3]).buffer)).localGet(real).localGet(g).op(Op.i32_sub).simd(Simd.i32x4_splat);
    f.simd(Simd.i32x4_lt_s).localSet(mask);
    f.end();
    for (let r = 0; r < 4; r++) {
      // Row r of the four tiles, transposed: z[s] lane j = tile j's column s.
      lane.forEach((l, j) => {
        f.localGet(l).simdMem(SimdMem.v128_load, 0, 0).localSet(raw[j]!);
        if (r < 3) f.localGet(l).localGet(rowBytes).op(Op.i32_add).localSet(l);
      });
      transpose4(f, raw, tmp, z);
      f.localGet(partial).if_();
      for (const value of z) f.localGet(value).localGet(mask).simd(Simd.v128_and).localSet(value);
      f.end();
      F4_A.forEach((coefs, s) => ops.combine(coefs, z, t[6 * r + s]!));
    }
    storePlanes(f, [vRow, g, xiBytes, xi6, col, q], (s) => {
      const column = [0, 1, 2, 3].map((k) => t[6 * k + s]!);
      F4_A.forEach((coefs, r) => ops.combine(coefs, column, v[r]!));
      return v;
    });
  });
}

/**
 * `winograd4_scatter_f32(m, out, i0, i1, O, tH, tW, tilesPer, xiBytes, oBytes, tBytes, OH, OW, tileTable)`:
 * zero the OH×OW planes out + i·OH·OW·4 of pairs i = n·O + o in [i0, i1),
 * then for each pair and each tile t (M[ξ] at m + ξ·xiBytes + o·oBytes + (n·tilesPer + t)·4)
 * add B·M_t·Bᵀ (6×6) at tileTable[t] bytes into the plane (−1: a padding
 * tile, skipped). OH = 4·tH + 2 and OW = 4·tW + 2: the blocks cover the plane.
 */
export function buildWinograd4Scatter(m: ModuleBuilder, relaxed: boolean): void {
  const f = m.func("winograd4_scatter_f32", WINO4_OUTPUT_PARAMS.map(() => I32), []);
  const [mm, out, i0, i1, O, , , tilesPer, xiBytes, oBytes, , OH, OW, tileTable] = WINO4_OUTPUT_PARAMS.map((_, i) => i);
  const plane = f.local(I32), src = f.local(I32), q = f.local(I32), q0 = f.local(I32), xi6 = f.local(I32), rowBytes = f.local(I32);
  const at = f.local(I32), end = f.local(I32);
  const vecs = (k: number) => Array.from({ length: k }, () => f.local(V128));
  // Columns of M transformed as they are loaded (u = B·x, 36 values), then the rows of a block one at a time.
  const x = vecs(6), u = vecs(36), y = vecs(6), tmp = vecs(4), cols = vecs(4), tails = vecs(2), acc = f.local(V128);
  const ops = new VecOps(f, relaxed, VecOps.constantsOf(F4_B));
  f.localGet(xiBytes).i32Const(6).op(Op.i32_mul).localSet(xi6);
  f.localGet(OW).i32Const(2).op(Op.i32_shl).localSet(rowBytes);
  // Zero the planes [i0, i1) in whole vectors first (OH·OW = 4·(2·tH + 1)·(2·tW + 1) elements each): zeroing each
  // plane just before adding into it left its stores in flight, and the adds' loads straddling two of them stalled.
  f.localGet(i1).localGet(OH).op(Op.i32_mul).localGet(OW).op(Op.i32_mul).i32Const(2).op(Op.i32_shl).localGet(out).op(Op.i32_add).localSet(end);
  f.localGet(i0).localGet(OH).op(Op.i32_mul).localGet(OW).op(Op.i32_mul).i32Const(2).op(Op.i32_shl).localGet(out).op(Op.i32_add).localSet(plane);
  f.forRange(at, get(f, plane), get(f, end), 16, () => void f.localGet(at).v128Const(new Array(16).fill(0)).simdMem(SimdMem.v128_store, 0, 0));
  groupLoops(f, [i0, i1, O, tilesPer, tileTable], (i, n) => outputPairOf(f, [mm, out, O, oBytes, tilesPer, OH, OW], i, n, plane, src), (g, lane) => {
    loadPlanes(f, [src, g, xiBytes, xi6, q0, q], x, (s) => F4_B.forEach((coefs, r) => ops.combine(coefs, x, u[6 * r + s]!)));
    for (let r = 0; r < 6; r++) {
      F4_B.forEach((coefs, s) => ops.combine(coefs, u.slice(6 * r, 6 * r + 6), y[s]!));
      // cols[j]: tile j's columns 0–3 of row r; tails lanes (2j, 2j + 1)… as transpose42 leaves them: columns 4, 5.
      transpose4(f, y.slice(0, 4), tmp, cols);
      transpose42Pairs(f, y[4]!, y[5]!, tails);
      lane.forEach((l, j) => {
        f.localGet(l).i32Const(0).op(Op.i32_ge_s).if_();
        // at = plane + tileTable[t] + r·rowBytes
        f.localGet(plane).localGet(l).op(Op.i32_add).i32Const(r).localGet(rowBytes).op(Op.i32_mul).op(Op.i32_add).localSet(at);
        f.localGet(at).localGet(at).simdMem(SimdMem.v128_load, 0, 0).localGet(cols[j]!).simd(Simd.f32x4_add).simdMem(SimdMem.v128_store, 0, 0);
        // Columns 4 and 5: a 64-bit lane of tails[j >> 1] (lanes 0–1 for even j, 2–3 for odd).
        f.localGet(at).simdMem(SimdMem.v128_load64_zero, 16, 0).localGet(tails[j >> 1]!);
        if (j & 1) f.localGet(tails[j >> 1]!).shuffle(laneBytes(4, [2, 3, 2, 3]));
        f.simd(Simd.f32x4_add).localSet(acc);
        f.localGet(at).localGet(acc).simdMemLane(SimdMemLane.v128_store64_lane, 0, 16, 0);
        f.end();
      });
    }
  });
}

/** From y4, y5 (lane j = tile j's columns 4 and 5): out[0] = (y4₀, y5₀, y4₁, y5₁), out[1] = (y4₂, y5₂, y4₃, y5₃). */
function transpose42Pairs(f: FuncBuilder, y4: number, y5: number, out: readonly number[]): void {
  f.localGet(y4).localGet(y5).shuffle(laneBytes(4, [0, 4, 1, 5])).localSet(out[0]!);
  f.localGet(y4).localGet(y5).shuffle(laneBytes(4, [2, 6, 3, 7])).localSet(out[1]!);
}


/**
 * The tables for a full correlation of H×W planes (H, W multiples of 4) by
 * the transposed kernels: per tile, its offset in the cotangent plane (rows
 * inRowBytes apart) and its 6×6 block's in the (H + 2)×(W + 2) output;
 * tiles ordered even tile columns first (see the file comment), padding tiles
 * reading tile 0 and written nowhere (−1).
 */
export function winograd4ScatterTables(tH: number, tW: number, inRowBytes: number, OW: number): { input: Int32Array; output: Int32Array; tilesPer: number } {
  const tilesPer = Math.ceil((tH * tW) / 4) * 4;
  const input = new Int32Array(tilesPer), output = new Int32Array(tilesPer).fill(-1);
  let t = 0;
  for (const parity of [0, 1]) {
    for (let th = 0; th < tH; th++) {
      for (let tw = parity; tw < tW; tw += 2, t++) {
        input[t] = 4 * th * inRowBytes + 16 * tw;
        output[t] = 4 * (4 * th * OW + 4 * tw);
      }
    }
  }
  return { input, output, tilesPer };
}


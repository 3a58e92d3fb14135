/**
 * The Winograd weight gradient's transform of the output cotangent
 * (winograd-filter.ts): for each 2×2 tile y of the cotangent,
 *
 *   M = A·y·Aᵀ,  A = [1 0; 1 1; 1 −1; 0 −1]  (Aᵀ of winograd-kernel.ts),
 *
 * the transpose of the forward pass's output transform, in adds and subtracts only.
 */
import { I32, laneBytes, Op, SimdMem, V128, type ModuleBuilder, type ValType } from "./emitter.js";
import { combine, cst, get, scalar, WINO_INPUT_PARAMS } from "./winograd-kernel.js";

/** A·y for a 2-vector. */
const A: [number, 1 | -1][][] = [[[0, 1]], [[0, 1], [1, 1]], [[0, 1], [1, -1]], [[1, -1]]];

/**
 * `winograd_cotangent_<f32|f64>(yp, M, i0, i1, O, tH, tW, rowBytes, planeBytes, tilesPer, T, xiBytes)`:
 * the weight gradient's transform of the output cotangent, the transpose of
 * the output transform. For (example n, output channel o) pairs
 * i = n·O + o in [i0, i1), each 2×2 tile of the plane yp + i·planeBytes
 * (2·tH × 2·tW, rows rowBytes apart) at (2·th, 2·tw) goes to
 * M[ξ][o][n·tilesPer + th·tW + tw] = (A·y·Aᵀ)[ξ] (M[ξ] planes xiBytes apart, T elements per channel row).
 * Same arguments, same layout as `winograd_input`.
 */
export function buildWinogradCotangent(m: ModuleBuilder, dtype: "float32" | "float64"): void {
  const sc = scalar(dtype);
  const f = m.func(`winograd_cotangent_${sc.suffix}`, WINO_INPUT_PARAMS.map(() => I32), []);
  const [yp, M, i0, i1, O, tH, tW, rowBytes, planeBytes, tilesPer, T, xiBytes] = WINO_INPUT_PARAMS.map((_, i) => i);
  const i = f.local(I32), n = f.local(I32), th = f.local(I32), tw = f.local(I32), plane = f.local(I32), p = f.local(I32), q = f.local(I32), mAt = f.local(I32);
  const L = 16 / sc.es, even = Array.from({ length: L }, (_, j) => 2 * j), odd = even.map((e) => e + 1);
  const lo = f.local(V128), hi = f.local(V128), tWV = f.local(I32);
  // y[r·2 + s]: the tile's 2×2 values; u = A·y (4×2); v = u·Aᵀ (4×4). Scalars, or vectors of L tiles.
  const locals = (type: ValType) => ({
    y: Array.from({ length: 4 }, () => f.local(type)), u: Array.from({ length: 8 }, () => f.local(type)), v: Array.from({ length: 16 }, () => f.local(type)),
  });
  const sv = locals(sc.type), vv = locals(V128);
  const transform = ({ y, u, v }: ReturnType<typeof locals>, vector: boolean) => {
    for (let s = 0; s < 2; s++) A.forEach((row, r) => combine(f, sc, row.map(([k, sg]) => [y[k * 2 + s]!, sg]), u[r * 2 + s]!, vector));
    for (let r = 0; r < 4; r++) A.forEach((row, s) => combine(f, sc, row.map(([k, sg]) => [u[r * 2 + k]!, sg]), v[r * 4 + s]!, vector));
  };
  // p = plane + 2·th·rowBytes + 2·tw·es: the tile's first value
  const tileStart = () => {
    f.localGet(plane).localGet(th).localGet(rowBytes).op(Op.i32_mul).i32Const(1).op(Op.i32_shl).op(Op.i32_add);
    f.localGet(tw).i32Const(2 * sc.es).op(Op.i32_mul).op(Op.i32_add).localSet(p);
  };
  const store = (v: number[], simd: boolean) => {
    f.localGet(mAt).localSet(q);
    for (let x = 0; x < 16; x++) {
      if (simd) f.localGet(q).localGet(v[x]!).simdMem(SimdMem.v128_store, 0, 0);
      else f.localGet(q).localGet(v[x]!).mem(sc.store, 0, 0);
      if (x < 15) f.localGet(q).localGet(xiBytes).op(Op.i32_add).localSet(q);
    }
  };
  // tWV: the tiles of a row that go in whole vectors.
  f.localGet(tW).localGet(tW).i32Const(L).op(Op.i32_rem_u).op(Op.i32_sub).localSet(tWV);
  f.forRange(i, get(f, i0), get(f, i1), 1, () => {
    f.localGet(i).localGet(O).op(Op.i32_div_u).localSet(n);
    f.localGet(yp).localGet(i).localGet(planeBytes).op(Op.i32_mul).op(Op.i32_add).localSet(plane);
    // mAt = M + ((i − n·O)·T + n·tilesPer)·es: this pair's first tile in plane ξ = 0
    f.localGet(M).localGet(i).localGet(n).localGet(O).op(Op.i32_mul).op(Op.i32_sub).localGet(T).op(Op.i32_mul);
    f.localGet(n).localGet(tilesPer).op(Op.i32_mul).op(Op.i32_add).i32Const(sc.es).op(Op.i32_mul).op(Op.i32_add).localSet(mAt);
    f.forRange(th, cst(f, 0), get(f, tH), 1, () => {
      // L tiles side by side: the even and odd lanes of two vectors of a row are the tiles' columns 0 and 1.
      f.forRange(tw, cst(f, 0), get(f, tWV), L, () => {
        tileStart();
        for (let r = 0; r < 2; r++) {
          f.localGet(p).simdMem(SimdMem.v128_load, 0, 0).localSet(lo);
          f.localGet(p).simdMem(SimdMem.v128_load, 16, 0).localSet(hi);
          f.localGet(lo).localGet(hi).shuffle(laneBytes(sc.es, even)).localSet(vv.y[r * 2]!);
          f.localGet(lo).localGet(hi).shuffle(laneBytes(sc.es, odd)).localSet(vv.y[r * 2 + 1]!);
          if (r === 0) f.localGet(p).localGet(rowBytes).op(Op.i32_add).localSet(p);
        }
        transform(vv, true);
        store(vv.v, true);
        f.localGet(mAt).i32Const(16).op(Op.i32_add).localSet(mAt);
      });
      f.forRange(tw, get(f, tWV), get(f, tW), 1, () => {
        tileStart();
        for (let r = 0; r < 2; r++) {
          for (let s = 0; s < 2; s++) f.localGet(p).mem(sc.load, s * sc.es, 0).localSet(sv.y[r * 2 + s]!);
          if (r === 0) f.localGet(p).localGet(rowBytes).op(Op.i32_add).localSet(p);
        }
        transform(sv, false);
        store(sv.v, false);
        f.localGet(mAt).i32Const(sc.es).op(Op.i32_add).localSet(mAt);
      });
    });
  });
}

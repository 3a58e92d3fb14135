/**
 * The Winograd weight gradient's transform of the output cotangent
 * (winograd-filter.ts): for each 2×2 tile y of the cotangent,
 *
 *   M = A·y·Aᵀ,  A = [1 0; 1 1; 1 −1; 0 −1]  (Aᵀ of winograd-kernel.ts),
 *
 * the transpose of the forward pass's output transform, in adds and subtracts only.
 */
import { I32, laneBytes, Op, SimdMem, V128, type ModuleBuilder, type ValType } from "./emitter.js";
import { combine, scalar, tileLoops, WINO_INPUT_PARAMS } from "./winograd-kernel.js";

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
  const rowBytes = WINO_INPUT_PARAMS.indexOf("rowBytes");
  const L = 16 / sc.es, even = Array.from({ length: L }, (_, j) => 2 * j), odd = even.map((e) => e + 1);
  const lo = f.local(V128), hi = f.local(V128);
  // y[r·2 + s]: the tile's 2×2 values; u = A·y (4×2); v = u·Aᵀ (4×4). Scalars, or vectors of L tiles.
  const locals = (type: ValType) => ({
    y: Array.from({ length: 4 }, () => f.local(type)), u: Array.from({ length: 8 }, () => f.local(type)), v: Array.from({ length: 16 }, () => f.local(type)),
  });
  const sv = locals(sc.type), vv = locals(V128);
  tileLoops(f, sc, (vector, p) => {
    const { y, u, v } = vector ? vv : sv;
    for (let r = 0; r < 2; r++) {
      if (vector) {
        // The even and odd lanes of two vectors of a row are L tiles' columns 0 and 1.
        f.localGet(p).simdMem(SimdMem.v128_load, 0, 0).localSet(lo);
        f.localGet(p).simdMem(SimdMem.v128_load, 16, 0).localSet(hi);
        f.localGet(lo).localGet(hi).shuffle(laneBytes(sc.es, even)).localSet(y[r * 2]!);
        f.localGet(lo).localGet(hi).shuffle(laneBytes(sc.es, odd)).localSet(y[r * 2 + 1]!);
      } else {
        for (let s = 0; s < 2; s++) f.localGet(p).mem(sc.load, s * sc.es, 0).localSet(y[r * 2 + s]!);
      }
      if (r === 0) f.localGet(p).localGet(rowBytes).op(Op.i32_add).localSet(p);
    }
    for (let s = 0; s < 2; s++) A.forEach((row, r) => combine(f, sc, row.map(([k, sg]) => [y[k * 2 + s]!, sg]), u[r * 2 + s]!, vector));
    for (let r = 0; r < 4; r++) A.forEach((row, s) => combine(f, sc, row.map(([k, sg]) => [u[r * 2 + k]!, sg]), v[r * 4 + s]!, vector));
    return v;
  });
}

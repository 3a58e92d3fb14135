/**
 * Convolution as one GEMM per (group, chunk of examples): the im2col patch
 * matrix of a chunk, [examples·positions, C/groups·taps], times the group's
 * weights read transposed (no copy), then scattered to [N, O, positions].
 *
 *   out[n, g·Og + o, y] = Σ_{c, k} W[g·Og + o, c, k] · x[n, g·Cg + c, src(y, k)]
 *
 * Padding, strides and both dilations come from the reference kernel's index
 * tables, so the semantics (and the gradients, which are convolutions too)
 * are the reference's.
 */
import { allocate, type TypedArray } from "../../core/dtype.js";
import type { Aval } from "../../core/tensor.js";
import type { KernelInput, PrimParams } from "../spec.js";
import { axisSources, combineAxes, rowMajorStrides } from "../reference/kernels/conv.js";
import { gemm } from "./gemm.js";

/** Patch-matrix budget per GEMM, in elements (16 MiB of float32). */
const PATCH_BUDGET = 1 << 22;

const product = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

export function convGemm([x, w]: KernelInput[], p: PrimParams["conv"], out: Aval): TypedArray | null {
  const dtype = out.dtype;
  if (dtype !== "float32" && dtype !== "float64") return null;
  const nd = p.strides.length;
  const [N, C] = x!.shape as [number, number];
  const [O, Cg] = w!.shape as [number, number];
  const G = p.groups, Og = O / G;
  const inSp = x!.shape.slice(2), kSp = w!.shape.slice(2), outSp = out.shape.slice(2);
  const inSize = product(inSp), kSize = product(kSp), outSize = product(outSp);
  const dst = allocate(dtype, N * O * outSize) as Float32Array | Float64Array;
  const rows = Cg * kSize;
  if (dst.length === 0 || rows === 0) return dst;
  const maps = Array.from({ length: nd }, (_, a) =>
    axisSources(inSp[a]!, kSp[a]!, outSp[a]!, p.strides[a]!, p.padding[a]![0], p.lhsDilation[a]!, p.rhsDilation[a]!));
  const byTap = combineAxes(maps, kSp, outSp, rowMajorStrides(inSp));
  // [position, tap] order: a patch row reads its sources in order.
  const source = new Int32Array(byTap.length);
  for (let kf = 0; kf < kSize; kf++) for (let y = 0; y < outSize; y++) source[y * kSize + kf] = byTap[kf * outSize + y]!;

  const X = x!.data, W = w!.data as Float32Array | Float64Array;
  const chunk = Math.max(1, Math.min(N, Math.floor(PATCH_BUDGET / (outSize * rows))));
  const patch = allocate(dtype, chunk * outSize * rows) as Float32Array | Float64Array;
  for (let g = 0; g < G; g++) {
    const wg = W.subarray(g * Og * rows, (g + 1) * Og * rows); // [Og, rows] = (rows × Og)ᵀ
    for (let n0 = 0; n0 < N; n0 += chunk) {
      const cnt = Math.min(chunk, N - n0);
      let at = 0;
      for (let n = n0; n < n0 + cnt; n++) {
        for (let y = 0; y < outSize; y++) {
          const sRow = y * kSize;
          for (let c = 0; c < Cg; c++) {
            const xBase = (n * C + g * Cg + c) * inSize;
            for (let kf = 0; kf < kSize; kf++) {
              const s = source[sRow + kf]!;
              patch[at++] = s < 0 ? 0 : X[xBase + s]!;
            }
          }
        }
      }
      const prod = gemm(dtype, { data: patch.subarray(0, at), transposed: false }, { data: wg, transposed: true }, 1, cnt * outSize, Og, rows);
      if (!prod) return null;
      // [n, y, o] → [n, g·Og + o, y]
      for (let n = 0; n < cnt; n++) {
        for (let o = 0; o < Og; o++) {
          const d = ((n0 + n) * O + g * Og + o) * outSize;
          let s = n * outSize * Og + o;
          for (let y = 0; y < outSize; y++, s += Og) dst[d + y] = prod[s]!;
        }
      }
    }
  }
  return dst;
}

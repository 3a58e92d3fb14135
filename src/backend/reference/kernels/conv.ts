/**
 * Reference convolution and window-max kernels, for any number of spatial
 * axes. The convolution is im2col + matmul per (example, group), tiled over
 * output positions so the patch matrix stays small, accumulating in float64
 * (weights are copied to float64 once, so the hot loop sees one array type).
 */
import { allocate, type TypedArray } from "../../../core/dtype.js";
import type { Aval } from "../../../core/tensor.js";
import { sizeOf, stridesOf as rowMajorStrides } from "../../../core/shape.js";
import type { KernelInput, PrimParams } from "../../spec.js";

const product = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

export { rowMajorStrides };

/**
 * Combines per-axis tables `maps[a][k·outSize_a + y]` (an input index on axis
 * a, or −1) into one table over flat kernel and output positions:
 * entry kf·outSize + yf is the flat spatial input offset, or −1 if any axis
 * falls in padding or a dilation hole.
 */
export function combineAxes(maps: Int32Array[], kSizes: readonly number[], outSizes: readonly number[], inStrides: readonly number[]): Int32Array {
  let table = Int32Array.of(0);
  let kPrev = 1, oPrev = 1;
  maps.forEach((map, a) => {
    const K = kSizes[a]!, O = outSizes[a]!, st = inStrides[a]!;
    const next = new Int32Array(kPrev * K * oPrev * O);
    for (let kp = 0; kp < kPrev; kp++) {
      for (let ka = 0; ka < K; ka++) {
        const row = (kp * K + ka) * oPrev * O;
        for (let yp = 0; yp < oPrev; yp++) {
          const prev = table[kp * oPrev + yp]!;
          for (let ya = 0; ya < O; ya++) {
            const m = map[ka * O + ya]!;
            next[row + yp * O + ya] = prev < 0 || m < 0 ? -1 : prev + m * st;
          }
        }
      }
    }
    table = next;
    kPrev *= K;
    oPrev *= O;
  });
  return table;
}

/** For each kernel tap and output position on one axis: the input index read, or −1. */
export function axisSources(I: number, K: number, O: number, stride: number, lo: number, ld: number, rd: number): Int32Array {
  const map = new Int32Array(K * O);
  const dilated = I === 0 ? 0 : (I - 1) * ld + 1;
  for (let k = 0; k < K; k++) {
    for (let y = 0; y < O; y++) {
      const q = y * stride + k * rd - lo; // position in the dilated, unpadded input
      map[k * O + y] = q < 0 || q >= dilated || q % ld !== 0 ? -1 : q / ld;
    }
  }
  return map;
}

/** Patch-matrix budget in elements (float64): keeps the working set in cache-sized tiles. */
const PATCH_BUDGET = 1 << 18;

export function convKernel([x, w]: KernelInput[], p: PrimParams["conv"], [out]: Aval[]): TypedArray[] {
  const nd = p.strides.length;
  const [N, C] = x!.shape as [number, number];
  const [O, Cg] = w!.shape as [number, number];
  const G = p.groups, Og = O / G;
  const inSp = x!.shape.slice(2), kSp = w!.shape.slice(2), outSp = out!.shape.slice(2);
  const inSize = product(inSp), kSize = product(kSp), outSize = product(outSp);
  const maps = Array.from({ length: nd }, (_, a) =>
    axisSources(inSp[a]!, kSp[a]!, outSp[a]!, p.strides[a]!, p.padding[a]![0], p.lhsDilation[a]!, p.rhsDilation[a]!));
  const byTap = combineAxes(maps, kSp, outSp, rowMajorStrides(inSp));
  // Reordered to [output position, tap] so building a patch row reads it in order.
  const source = new Int32Array(byTap.length);
  for (let kf = 0; kf < kSize; kf++) for (let y = 0; y < outSize; y++) source[y * kSize + kf] = byTap[kf * outSize + y]!;
  const dst = allocate(out!.dtype, N * O * outSize);
  const rows = Cg * kSize;
  if (dst.length === 0 || rows === 0) return [dst];
  const tile = Math.max(1, Math.min(outSize, Math.floor(PATCH_BUDGET / rows)));
  // patch[j, (c, kf)]: one output position's receptive field per row, so each
  // output is a contiguous dot product with a weight row.
  const patch = new Float64Array(tile * rows);
  const wts = Float64Array.from(w!.data);
  const X = x!.data;
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      for (let y0 = 0; y0 < outSize; y0 += tile) {
        const t = Math.min(tile, outSize - y0);
        // im2col: the padded, dilated input under tap kf for output y0 + j (0 in holes and padding).
        for (let j = 0; j < t; j++) {
          const sRow = (y0 + j) * kSize;
          let dstRow = j * rows;
          for (let c = 0; c < Cg; c++) {
            const xBase = (n * C + g * Cg + c) * inSize;
            for (let kf = 0; kf < kSize; kf++) {
              const s = source[sRow + kf]!;
              patch[dstRow++] = s < 0 ? 0 : X[xBase + s]!;
            }
          }
        }
        const outBase = (n * O + g * Og) * outSize + y0;
        for (let j = 0; j < t; j++) {
          const pr = j * rows;
          let og = 0;
          // Four output channels at a time share each patch load.
          for (; og + 4 <= Og; og += 4) {
            const w0 = (g * Og + og) * rows, w1 = w0 + rows, w2 = w1 + rows, w3 = w2 + rows;
            let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (let r = 0; r < rows; r++) {
              const v = patch[pr + r]!;
              s0 += wts[w0 + r]! * v;
              s1 += wts[w1 + r]! * v;
              s2 += wts[w2 + r]! * v;
              s3 += wts[w3 + r]! * v;
            }
            const o = outBase + og * outSize + j;
            dst[o] = s0;
            dst[o + outSize] = s1;
            dst[o + 2 * outSize] = s2;
            dst[o + 3 * outSize] = s3;
          }
          for (; og < Og; og++) {
            const w0 = (g * Og + og) * rows;
            let s0 = 0;
            for (let r = 0; r < rows; r++) s0 += wts[w0 + r]! * patch[pr + r]!;
            dst[outBase + og * outSize + j] = s0;
          }
        }
      }
    }
  }
  return [dst];
}

/**
 * Windows that span only the last two axes (window and stride 1 elsewhere,
 * i.e. 1-D and 2-D pooling) as [planes, H, W] sizes, or null.
 */
function planarWindow(shape: readonly number[], window: readonly number[], strides: readonly number[]) {
  const r = shape.length;
  if (r < 2) return null;
  for (let a = 0; a < r - 2; a++) if (window[a] !== 1 || strides[a] !== 1) return null;
  return {
    planes: shape.slice(0, r - 2).reduce((p, d) => p * d, 1), H: shape[r - 2]!, W: shape[r - 1]!,
    kh: window[r - 2]!, kw: window[r - 1]!, sh: strides[r - 2]!, sw: strides[r - 1]!,
  };
}

/**
 * The flat input index of each window's maximum: the first in row-major
 * window order, or the first NaN (NaN wins, as in max).
 */
function windowArgmax(X: TypedArray, shape: readonly number[], window: readonly number[], strides: readonly number[], outShape: readonly number[]): Int32Array {
  const at = new Int32Array(sizeOf(outShape));
  const planar = planarWindow(shape, window, strides);
  if (planar) {
    // The common case in tight loops: no index tables.
    const { planes, H, W, kh, kw, sh, sw } = planar;
    const OH = outShape[outShape.length - 2]!, OW = outShape[outShape.length - 1]!;
    let i = 0;
    for (let p = 0; p < planes; p++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++, i++) {
          const base = p * H * W + oy * sh * W + ox * sw;
          let j = base, m = X[base]!;
          for (let ky = 0; ky < kh && m === m; ky++) {
            const row = base + ky * W;
            for (let kx = 0; kx < kw; kx++) {
              const v = X[row + kx]!;
              if (v > m || v !== v) {
                m = v;
                j = row + kx;
                if (v !== v) break;
              }
            }
          }
          at[i] = j;
        }
      }
    }
    return at;
  }
  const inStrides = rowMajorStrides(shape);
  const taps = combineAxes(window.map((w) => Int32Array.from({ length: w }, (_, k) => k)), window, window.map(() => 1), inStrides);
  const bases = combineAxes(outShape.map((o, a) => Int32Array.from({ length: o }, (_, y) => y * strides[a]!)), outShape.map(() => 1), outShape, inStrides);
  for (let i = 0; i < bases.length; i++) {
    const b = bases[i]!;
    let j = b + taps[0]!;
    let m = X[j]!;
    for (let k = 1; k < taps.length && m === m; k++) {
      const v = X[b + taps[k]!]!;
      if (v > m || v !== v) {
        m = v;
        j = b + taps[k]!;
      }
    }
    at[i] = j;
  }
  return at;
}

function gatherAt(src: TypedArray, at: Int32Array, dtype: Aval["dtype"]): TypedArray[] {
  const dst = allocate(dtype, at.length);
  for (let i = 0; i < at.length; i++) dst[i] = src[at[i]!]!;
  return [dst];
}

export function reduceWindowMaxKernel([x]: KernelInput[], { window, strides }: PrimParams["reduce_window_max"], [out]: Aval[]): TypedArray[] {
  return gatherAt(x!.data, windowArgmax(x!.data, x!.shape, window, strides, out!.shape), out!.dtype);
}

/** out[y] = t[argmax of x in window y]. */
export function selectAndGatherAddKernel([t, x]: KernelInput[], { window, strides }: PrimParams["select_and_gather_add"], [out]: Aval[]): TypedArray[] {
  return gatherAt(t!.data, windowArgmax(x!.data, x!.shape, window, strides, out!.shape), out!.dtype);
}

/** out = zeros like x; out[argmax of x in window y] += s[y]. */
export function selectAndScatterAddKernel([s, x]: KernelInput[], { window, strides }: PrimParams["select_and_scatter_add"], [out]: Aval[]): TypedArray[] {
  const at = windowArgmax(x!.data, x!.shape, window, strides, s!.shape);
  const S = s!.data;
  const dst = allocate(out!.dtype, x!.data.length);
  for (let i = 0; i < at.length; i++) dst[at[i]!] += S[i]!;
  return [dst];
}

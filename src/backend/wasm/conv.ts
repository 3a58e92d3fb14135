/**
 * Convolution as GEMM, all inside Wasm memory: per chunk of examples and per
 * group, the im2col patch matrix is built by `im2col_runs` (copying runs of
 * the input), multiplied by the group's weights with the batched SIMD GEMM,
 * and the product lands in [N, O, positions] order (directly, or after a
 * block transpose).
 *
 *   out[n, g·Og + o, y] = Σ_{c, k} W[g·Og + o, c, k] · x[n, g·Cg + c, src(y, k)]
 *
 * Two layouts, by shape (K = Cg·taps, P = output positions):
 *   "wx":   patch[n] is [K, P];  out[n] = W·patch[n]            (M = Og, N = P)
 *   "rows": patch is [n·P, K];   one GEMM patch·Wᵀ, transposed  (M = n·P, N = Og)
 * "rows" suits few positions (weight gradients: a big kernel, a 3×3 output),
 * where a per-example GEMM would have a tiny M or N. 3×3 stride-1 convs with
 * enough channels go to Winograd instead (winograd.ts) unless a layout is forced.
 *
 * Padding, strides and both dilations come from the reference kernel's index
 * tables, so the semantics (and the gradients, which are convolutions too)
 * are the reference's.
 */
import { allocate, allocateUninitialized, type TypedArray } from "../../core/dtype.js";
import type { Aval } from "../../core/tensor.js";
import type { KernelInput, PrimParams } from "../spec.js";
import { axisSources, combineAxes, rowMajorStrides } from "../reference/kernels/conv.js";
import { gemmStaged } from "./gemm.js";
import { align } from "./module.js";
import { getRuntime } from "./runtime.js";
import { splitAcrossThreads as split } from "./split.js";
import { runCount, runsOf } from "./conv-runs.js";
import { convWinograd, winogradApplies } from "./winograd.js";
import { convImplicitRows, implicitApplies, type StridedInput } from "./conv-implicit.js";
import { convDirect, directRoute } from "./conv-direct.js";
import { convWinogradFilter, winogradFilterApplies } from "./winograd-filter.js";

export type ConvLayout = "wx" | "rows";

/**
 * Patch-matrix budget per chunk, in elements (16 MiB of float32). `layout` forces a layout (tests);
 * `implicit` lets "rows" shapes without padding run as an implicit GEMM (conv-implicit.ts).
 */
export const convConfig = { patchBudget: 1 << 22, layout: null as ConvLayout | null, implicit: true };

const product = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/**
 * The layout for a shape: "rows" when there are too few positions to fill
 * the GEMM's row tiles per example (mr rows each); "wx" otherwise. (W·patch
 * beat patchᵀ·Wᵀ + transpose on the B3 shapes even for Og = 32, which
 * wastes 4 of 36 tile rows.)
 */
export function chooseLayout(P: number, mr: number): ConvLayout {
  return P < 4 * mr ? "rows" : "wx";
}

/**
 * How `convGemm` computes a float convolution of these shapes: through
 * Winograd when it applies (winograd.ts; a weight gradient's by
 * winograd-filter.ts), else — or when Winograd does not fit in memory — as
 * an implicit GEMM when that applies (conv-implicit.ts), else im2col in `layout`.
 */
export function convRoute(xShape: readonly number[], wShape: readonly number[], p: PrimParams["conv"], out: Aval): ConvRoute {
  const inSp = xShape.slice(2), kSp = wShape.slice(2), outSp = out.shape.slice(2);
  const mr = getRuntime().km.shapes[out.dtype === "float32" ? "f32" : "f64"].mr;
  const layout = convConfig.layout ?? chooseLayout(product(outSp), mr);
  return {
    winograd: convConfig.layout === null && winogradApplies({ shape: xShape }, { shape: wShape }, p),
    winogradFilter: convConfig.layout === null && winogradFilterApplies(xShape, wShape, p, out),
    implicit: layout === "rows" && convConfig.implicit && product(out.shape) * product(wShape.slice(1)) !== 0 && implicitApplies(inSp, kSp, outSp, p),
    layout,
  };
}

export interface ConvRoute {
  winograd: boolean;
  winogradFilter: boolean;
  implicit: boolean;
  layout: ConvLayout;
}

/** A convolution operand as stored (with element strides when it is a deferred transpose), and row-major on demand. */
export interface ConvOperand {
  stored: KernelInput | StridedInput;
  rowMajor: () => KernelInput;
}

/**
 * A convolution on the Wasm backend, every route tried here in order: a
 * direct kernel (conv-direct.ts), then `convGemm`'s. The direct kernels, the
 * Winograd weight gradient and the implicit GEMM read operands as stored;
 * Winograd and im2col need them row-major.
 */
export function convWasm([x, w]: ConvOperand[], p: PrimParams["conv"], out: Aval): TypedArray | null {
  const direct = directRoute(x!.stored.shape, w!.stored.shape, p, out);
  const viaDirect = direct && convDirect(direct, x!.stored, w!.stored, out);
  return viaDirect || convRouted([x!, w!], p, out);
}

/** A float convolution of row-major operands through Winograd, the implicit GEMM or im2col (see `convRoute`). */
export function convGemm([x, w]: KernelInput[], p: PrimParams["conv"], out: Aval): TypedArray | null {
  const rowMajor = (a: KernelInput): ConvOperand => ({ stored: a, rowMajor: () => a });
  return convRouted([rowMajor(x!), rowMajor(w!)], p, out);
}

function convRouted([xo, wo]: ConvOperand[], p: PrimParams["conv"], out: Aval): TypedArray | null {
  const dtype = out.dtype;
  if (dtype !== "float32" && dtype !== "float64") return null;
  const route = convRoute(xo!.stored.shape, wo!.stored.shape, p, out);
  if (route.winograd) {
    const viaWinograd = convWinograd([xo!.rowMajor(), wo!.rowMajor()], p, out);
    if (viaWinograd) return viaWinograd;
  }
  if (route.winogradFilter) {
    const viaWinograd = convWinogradFilter([xo!.stored, wo!.stored], p, out);
    if (viaWinograd) return viaWinograd;
  }
  if (route.implicit) {
    const viaImplicit = convImplicitRows([xo!.stored, wo!.stored], p, out);
    if (viaImplicit) return viaImplicit;
  }
  const x = xo!.rowMajor(), w = wo!.rowMajor();
  const nd = p.strides.length;
  const [N, C] = x!.shape as [number, number];
  const [O, Cg] = w!.shape as [number, number];
  const G = p.groups, Og = O / G;
  const inSp = x!.shape.slice(2), kSp = w!.shape.slice(2), outSp = out.shape.slice(2);
  const inSize = product(inSp), kSize = product(kSp), P = product(outSp);
  const K = Cg * kSize;
  if (N * O * P === 0 || K === 0) return allocate(dtype, N * O * P); // zeros: empty sums
  // Every chunk's output is copied over its part of dst below, so it needs no zeroing.
  const dst = allocateUninitialized(dtype, N * O * P) as Float32Array | Float64Array;

  const rt = getRuntime();
  const es = dtype === "float32" ? 4 : 8;
  const layout = route.layout;
  const maps = Array.from({ length: nd }, (_, a) =>
    axisSources(inSp[a]!, kSp[a]!, outSp[a]!, p.strides[a]!, p.padding[a]![0], p.lhsDilation[a]!, p.rhsDilation[a]!));
  const byTap = combineAxes(maps, kSp, outSp, rowMajorStrides(inSp)); // [tap, position]
  let runs: Int32Array;
  if (layout === "rows") {
    const byPosition = new Int32Array(byTap.length);
    for (let kf = 0; kf < kSize; kf++) for (let y = 0; y < P; y++) byPosition[y * kSize + kf] = byTap[kf * P + y]!;
    runs = runsOf(byPosition, P, kSize, K, es);
  } else {
    runs = runsOf(byTap, kSize, P, P, es);
  }

  const chunk = Math.max(1, Math.min(N, Math.floor(convConfig.patchBudget / (K * P))));
  const transposed = layout === "rows";
  // Wasm memory: weights, runs, input chunk, patch, GEMM product ("rows"), output chunk.
  const addrW = rt.operandBase();
  const addrRuns = addrW + align(w!.data.length * es);
  const addrXStaged = addrRuns + align(runs.length * 4);
  const addrPatch = addrXStaged + align(chunk * C * inSize * es);
  const addrTmp = addrPatch + align(chunk * K * P * es);
  const addrOutStaged = addrTmp + (transposed ? align(chunk * P * Og * es) : 0);
  const end = addrOutStaged + align(chunk * O * P * es);
  if (end > rt.maxBytes || !rt.ensure(end)) return null;
  // Operands in the call arena or kept blocks (runtime.ts) are read where they lie, and a result block written there.
  const weights = rt.operandAt(w!.data, 0, w!.data.length, addrW);
  new Int32Array(rt.memory.buffer, addrRuns, runs.length).set(runs);
  const wAt = (g: number) => ({ addr: weights + g * Og * K * es, stride: 0 });

  for (let n0 = 0; n0 < N; n0 += chunk) {
    const cnt = Math.min(chunk, N - n0);
    const addrX = rt.operandAt(x!.data, n0 * C * inSize, cnt * C * inSize, addrXStaged), addrOut = rt.resultAt(dst, n0 * O * P, addrOutStaged);
    for (let g = 0; g < G; g++) {
      const pairs = cnt * Cg;
      split(rt, "im2col_runs", pairs, cnt * K * P, (i0, i1) => [
        addrX + g * Cg * inSize * es, C * inSize * es, inSize * es, Cg, i0, i1,
        addrRuns, runCount(runs), addrPatch, K * P * es, (layout === "rows" ? kSize : kSize * P) * es,
      ]);
      const outG = addrOut + g * Og * P * es;
      if (layout === "wx") {
        gemmStaged(rt, dtype, cnt, Og, P, K, { ...wAt(g), rs: K, cs: 1 }, { addr: addrPatch, rs: P, cs: 1, stride: K * P }, { addr: outG, ldc: P, stride: O * P });
        continue;
      }
      gemmStaged(rt, dtype, 1, cnt * P, Og, K, { addr: addrPatch, rs: K, cs: 1, stride: 0 }, { ...wAt(g), rs: 1, cs: K }, { addr: addrTmp, ldc: Og, stride: 0 });
      // [n, y, o] → [n, g·Og + o, y]
      split(rt, dtype === "float32" ? "transpose_f32" : "transpose_f64", cnt, cnt * P * Og, (b0, b1) => [
        addrTmp, outG, b0, b1, P, Og, P * Og * es, O * P * es, P * es,
      ]);
    }
    rt.landAt(dst, n0 * O * P, cnt * O * P, addrOut);
  }
  return dst;
}

/**
 * The weight gradient of a 3×3, stride-1 convolution by Winograd F(2×2, 3×3),
 * transposed. The forward pass computes each 2×2 output tile as
 * Aᵀ·[U ⊙ V]·A with U = G·w·Gᵀ; differentiating that bilinear form in w gives
 *
 *   dw[o, c] = Gᵀ·[Σ_{n, tiles} (A·dy·Aᵀ) ⊙ (Bᵀ·x_pad·B)]·G
 *
 * — 16 GEMMs [O, T]·[T, C] over T = examples × tiles, 4 multiplies per
 * output position instead of 9, on transforms that only add and subtract.
 *
 * The backend sees the weight gradient as the batch-as-channel convolution
 * conv(xᵀ, ctᵀ) → [C, O, 3, 3] (primitives/conv.ts `weightCotangent`): lhs
 * [C, N, H, W] (forward channels × examples), rhs [O, N, KH, KW] (the output
 * cotangent, KH×KW the forward output), output [C, O, 3, 3]. Both operands
 * may be deferred transposes (read from their untransposed storage).
 *
 * Per chain of examples, on whichever thread claims it: pad x and the
 * cotangent into even-sized planes (`im2col_runs`), transform both
 * (`winograd_input`, `winograd_cotangent`), and multiply into the chain's own
 * partial sum; then the partial sums are added (`add_rows`) and JS applies Gᵀ·…·G.
 */
import { allocateUninitialized, type TypedArray } from "../../core/dtype.js";
import type { Aval } from "../../core/tensor.js";
import { rowMajorStrides } from "../reference/kernels/conv.js";
import type { KernelInput, PrimParams } from "../spec.js";
import type { StridedInput } from "./conv-implicit.js";
import { runCount } from "./conv-runs.js";
import { batchedGemmTask, GEMM_SCRATCH_ARGS } from "./gemm.js";
import { gemmScratch } from "./gemm-kernel.js";
import { align } from "./module.js";
import { getRuntime, workerFn } from "./runtime.js";
import { chainLengths } from "./split.js";
import { MAX_QUEUED, type Task } from "./threads.js";
import { paddedPlaneRuns, SKEW, winogradConfig, winogradOn } from "./winograd.js";

/** Tasks per chain: pad x, pad the cotangent, two transforms, the 16 GEMMs. */
const CHAIN_TASKS = 5;

/**
 * True for the weight-gradient convolutions this path computes: 2-D, a 3×3
 * result, stride 1, no dilation, one group, padding ≥ 0, at least
 * `winogradConfig.minChannels` forward input and output channels.
 */
export function winogradFilterApplies(xShape: readonly number[], wShape: readonly number[], p: PrimParams["conv"], out: Aval): boolean {
  const ones = (xs: readonly number[]) => xs.every((a) => a === 1);
  return winogradOn() && winogradConfig.filter && xShape.length === 4 && out.shape[2] === 3 && out.shape[3] === 3 && p.groups === 1 &&
    ones(p.strides) && ones(p.lhsDilation) && ones(p.rhsDilation) && p.padding.every(([lo, hi]) => lo >= 0 && hi >= 0) &&
    xShape[0]! >= winogradConfig.minChannels && wShape[0]! >= winogradConfig.minChannels && xShape[1]! > 0 && wShape[2]! > 0 && wShape[3]! > 0;
}

/** Element strides of an operand's axes; null unless each plane's rows are stored contiguously, one after another. */
function planeStrides(a: KernelInput | StridedInput): readonly number[] | null {
  const s = "strides" in a ? a.strides : rowMajorStrides(a.shape);
  return s[3] === 1 && s[2] === a.shape[3] ? s : null;
}

/**
 * dw as conv(x, ct) of shape [C, O, 3, 3] (see the file comment), or null when
 * the operands do not fit in Wasm memory or their planes are not contiguous.
 */
export function convWinogradFilter([x, y]: (KernelInput | StridedInput)[], p: PrimParams["conv"], out: Aval): TypedArray | null {
  const dtype = out.dtype;
  if (dtype !== "float32" && dtype !== "float64") return null;
  const sx = planeStrides(x!), sy = planeStrides(y!);
  if (!sx || !sy) return null;
  const [C, N, H, W] = x!.shape as [number, number, number, number];
  const [O, , KH, KW] = y!.shape as [number, number, number, number];
  const tH = Math.ceil(KH / 2), tW = Math.ceil(KW / 2), tilesPer = tH * tW;
  const Hp = 2 * tH + 2, Wp = 2 * tW + 2, Yh = 2 * tH, Yw = 2 * tW;
  const rt = getRuntime();
  const es = dtype === "float32" ? 4 : 8;
  const xRuns = paddedPlaneRuns(H, W, Hp, Wp, p.padding[0]![0], p.padding[1]![0], es);
  const yRuns = paddedPlaneRuns(KH, KW, Yh, Yw, 0, 0, es);

  // Chains of `chainBudget` elements of V + M, at least one per thread, at most what the queue holds.
  const fit = Math.max(1, Math.floor(winogradConfig.chainBudget / (16 * (C + O) * tilesPer)));
  const lengths = chainLengths(N, fit, rt.threads, Math.floor(MAX_QUEUED / CHAIN_TASKS)), used = lengths.length, maxT = lengths[0]! * tilesPer;
  const shape = dtype === "float32" ? rt.km.shapes.f32 : rt.km.shapes.f64;

  // Wasm memory: runs, staged operands, the chains' partial sums, then per-thread scratch.
  const addrXRuns = rt.operandBase();
  const addrYRuns = addrXRuns + align(xRuns.length * 4);
  const addrXStaged = addrYRuns + align(yRuns.length * 4);
  const addrYStaged = addrXStaged + align(x!.data.length * es);
  const addrPartial = addrYStaged + align(y!.data.length * es);
  const partialSize = 16 * O * C;
  const scratch = addrPartial + align(used * partialSize * es);
  const addrXp = gemmScratch(shape, scratch).end;
  const addrYp = addrXp + align(lengths[0]! * C * Hp * Wp * es);
  const addrV = addrYp + align(lengths[0]! * O * Yh * Yw * es);
  const addrM = addrV + align(16 * (C * maxT + SKEW) * es);
  const stride = addrM + align(16 * (O * maxT + SKEW) * es) - scratch;
  const end = scratch + rt.threads * stride;
  if (end > rt.maxBytes || !rt.ensure(end)) return null;
  new Int32Array(rt.memory.buffer, addrXRuns, xRuns.length).set(xRuns);
  new Int32Array(rt.memory.buffer, addrYRuns, yRuns.length).set(yRuns);
  const xAt = rt.operandAt(x!.data, 0, x!.data.length, addrXStaged), yAt = rt.operandAt(y!.data, 0, y!.data.length, addrYStaged);

  const suffix = dtype === "float32" ? "f32" : "f64";
  const lo = p.padding.every(([l]) => l === 0);
  const xPlanes = lo && Hp === H && Wp === W && sx[0] === H * W && sx[1] === C * H * W;
  const yPlanes = Yh === KH && Yw === KW && sy[0] === KH * KW && sy[1] === O * KH * KW;
  const list: (Task & { perThread: readonly number[] })[][] = [];
  for (let n0 = 0, chain = 0; n0 < N; n0 += lengths[chain++]!) {
    const cnt = lengths[chain]!, T = cnt * tilesPer;
    // Arguments that address thread 0's scratch (padded planes, V, M, the GEMM's packing); the pool moves them per thread.
    // Planes already stored as the transforms read them — (example, channel) pairs one after another,
    // of the padded size (no padding; B3: x and the cotangent as deferred transposes) — are not copied.
    const x0 = xAt + n0 * sx[1]! * es, y0 = yAt + n0 * sy[1]! * es;
    list.push([
      ...(xPlanes ? [] : [{ fn: workerFn("im2col_runs"), perThread: [8], args: [
        x0, sx[1]! * es, sx[0]! * es, C, 0, cnt * C, addrXRuns, runCount(xRuns), addrXp, C * Hp * Wp * es, Hp * Wp * es] }]),
      ...(yPlanes ? [] : [{ fn: workerFn("im2col_runs"), perThread: [8], args: [
        y0, sy[1]! * es, sy[0]! * es, O, 0, cnt * O, addrYRuns, runCount(yRuns), addrYp, O * Yh * Yw * es, Yh * Yw * es] }]),
      { fn: workerFn(`winograd_input_${suffix}`), perThread: xPlanes ? [1] : [0, 1], args: [
        xPlanes ? x0 : addrXp, addrV, 0, cnt * C, C, tH, tW, Wp * es, Hp * Wp * es, tilesPer, T, (C * T + SKEW) * es] },
      { fn: workerFn(`winograd_cotangent_${suffix}`), perThread: yPlanes ? [1] : [0, 1], args: [
        yPlanes ? y0 : addrYp, addrM, 0, cnt * O, O, tH, tW, Yw * es, Yh * Yw * es, tilesPer, T, (O * T + SKEW) * es] },
      // partial[chain][ξ] = M[ξ]·V[ξ]ᵀ: [O, T]·[T, C]
      { ...batchedGemmTask(rt, dtype, T,
          { addr: addrM, rs: T, cs: 1, stride: O * T + SKEW }, { addr: addrV, rs: 1, cs: T, stride: C * T + SKEW },
          { addr: addrPartial + chain * partialSize * es, ldc: C, stride: O * C }, { bStart: 0, bCount: 16, r0: 0, rows: O, c0: 0, cols: C }, scratch),
        perThread: [7, 10, ...GEMM_SCRATCH_ARGS] },
    ]);
  }
  rt.pool.runChains(list, rt.runLocal, stride);

  // In chain order: the same rounding whichever threads ran the chains.
  rt.exports[`add_rows_${suffix}`](addrPartial, addrPartial + partialSize * es, used - 1, partialSize * es, partialSize);
  const dst = allocateUninitialized(dtype, C * O * 9);
  filterTransform(new (dtype === "float32" ? Float32Array : Float64Array)(rt.memory.buffer, addrPartial, partialSize), O, C, dst);
  return dst;
}

/** dst[c, o] (3×3) = Gᵀ·dU[o, c]·G, dU[ξ][o][c] the product summed over tiles, G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]. */
function filterTransform(dU: Float32Array | Float64Array, O: number, C: number, dst: TypedArray): void {
  const plane = O * C;
  const t = new Float64Array(12); // Gᵀ·dU[o, c]: 3 rows × 4 columns
  for (let o = 0; o < O; o++) {
    for (let c = 0; c < C; c++) {
      const at = o * C + c, base = (c * O + o) * 9;
      for (let s = 0; s < 4; s++) {
        const d0 = dU[s * plane + at]!, d1 = dU[(4 + s) * plane + at]!, d2 = dU[(8 + s) * plane + at]!, d3 = dU[(12 + s) * plane + at]!;
        t[s] = d0 + (d1 + d2) / 2;
        t[4 + s] = (d1 - d2) / 2;
        t[8 + s] = (d1 + d2) / 2 + d3;
      }
      for (let r = 0; r < 3; r++) {
        const a = t[4 * r]!, b = t[4 * r + 1]!, cc = t[4 * r + 2]!, d = t[4 * r + 3]!;
        dst[base + 3 * r] = a + (b + cc) / 2;
        dst[base + 3 * r + 1] = (b - cc) / 2;
        dst[base + 3 * r + 2] = (b + cc) / 2 + d;
      }
    }
  }
}

/**
 * The weight gradient of a 3×3, stride-1 convolution by Winograd F(2×2, 3×3)
 * or, for float32 with a forward output at least 8×8 (as `winogradTile`
 * chooses), F(4×4, 3×3), transposed. The forward pass computes each output
 * tile as Aᵀ·[U ⊙ V]·A with U = G·w·Gᵀ; differentiating that bilinear form
 * in w gives
 *
 *   dw[o, c] = Gᵀ·[Σ_{n, tiles} (A·dy·Aᵀ) ⊙ (Bᵀ·x_pad·B)]·G
 *
 * — 16 (36) GEMMs [O, T]·[T, C] over T = examples × tiles, 4 (2.25)
 * multiplies per output position instead of 9.
 *
 * The backend sees the weight gradient as the batch-as-channel convolution
 * conv(xᵀ, ctᵀ) → [C, O, 3, 3] (primitives/conv.ts `weightCotangent`): lhs
 * [C, N, H, W] (forward channels × examples), rhs [O, N, KH, KW] (the output
 * cotangent, KH×KW the forward output), output [C, O, 3, 3]. Both operands
 * may be deferred transposes (read from their untransposed storage).
 *
 * Per chain of examples, on whichever thread claims it: pad x and the
 * cotangent into planes of whole tiles (`im2col_runs`), transform both
 * (`winograd_input`, `winograd_cotangent`, or their `winograd4_` forms), and
 * multiply into the chain's own partial sum; then the partial sums are added
 * (`add_rows`) and JS applies Gᵀ·…·G.
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
import { getRuntime, workerFn, type WorkerFn } from "./runtime.js";
import { chainLengths } from "./split.js";
import { MAX_QUEUED, type Task } from "./threads.js";
import { paddedPlaneRuns, SKEW, winogradConfig, winogradOn, winogradTile } from "./winograd.js";
import { F4_G, paddedTiles, winograd4Tables } from "./winograd4-kernel.js";
import { F2_G } from "./winograd-kernel.js";

/** Tasks per chain: pad x, pad the cotangent, two transforms, the GEMMs. */
const CHAIN_TASKS = 5;

/**
 * The tile the weight gradient uses: the forward pass's (`winogradTile` of the forward output, the cotangent
 * plane KH×KW), so that F(4×4, 3×3) applies to the same float32 convolutions; `winogradConfig.tile4` and
 * `config.convPrecision` other than "fast" turn both off, `filterTile4` this one.
 */
export const winogradFilterTile = (dtype: string, KH: number, KW: number): 2 | 4 => (winogradConfig.filterTile4 ? winogradTile(dtype, KH, KW) : 2);

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
 * The tile's sizes and kernels: tiles of the cotangent tile×tile at stride tile, of x (tile + 2)² at the same
 * stride; xi transformed planes; tilesPer tiles per plane in V and M (F(4×4, 3×3): rounded up to 4, the
 * cotangent's extra tiles zeros); the transforms' tables (F(4×4, 3×3) only) as their last arguments.
 */
interface FilterPlan {
  tile: 2 | 4;
  xi: number;
  inputFn: WorkerFn;
  cotangentFn: WorkerFn;
  tH: number; tW: number; tilesPer: number;
  /** x's padded planes Hp×Wp, the cotangent's Yh×Yw. */
  Hp: number; Wp: number; Yh: number; Yw: number;
  tables: { input: Int32Array; cotangent: Int32Array } | null;
}

function filterPlan(dtype: "float32" | "float64", KH: number, KW: number, es: number): FilterPlan {
  const tile = winogradFilterTile(dtype, KH, KW), tH = Math.ceil(KH / tile), tW = Math.ceil(KW / tile);
  const [Hp, Wp, Yh, Yw] = [tile * tH + 2, tile * tW + 2, tile * tH, tile * tW];
  if (tile === 2) {
    const suffix = dtype === "float32" ? "f32" : "f64";
    return { tile, xi: 16, inputFn: `winograd_input_${suffix}`, cotangentFn: `winograd_cotangent_${suffix}`, tH, tW, tilesPer: tH * tW, Hp, Wp, Yh, Yw, tables: null };
  }
  const tables = { input: winograd4Tables(tH, tW, Wp * es, KH, KW).input, cotangent: winograd4Tables(tH, tW, Yw * es, KH, KW).input };
  return { tile, xi: 36, inputFn: "winograd4_input_f32", cotangentFn: "winograd4_cotangent_f32", tH, tW, tilesPer: paddedTiles(tH, tW), Hp, Wp, Yh, Yw, tables };
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
  const rt = getRuntime();
  const es = dtype === "float32" ? 4 : 8;
  const plan = filterPlan(dtype, KH, KW, es);
  const { xi, tH, tW, tilesPer, Hp, Wp, Yh, Yw, tables } = plan;
  const xRuns = paddedPlaneRuns(H, W, Hp, Wp, p.padding[0]![0], p.padding[1]![0], es);
  const yRuns = paddedPlaneRuns(KH, KW, Yh, Yw, 0, 0, es);

  // Chains of `chainBudget` elements of V + M, at least one per thread, at most what the queue holds.
  const fit = Math.max(1, Math.floor(winogradConfig.chainBudget / (xi * (C + O) * tilesPer)));
  const lengths = chainLengths(N, fit, rt.threads, Math.floor(MAX_QUEUED / CHAIN_TASKS)), used = lengths.length, maxT = lengths[0]! * tilesPer;
  const shape = dtype === "float32" ? rt.km.shapes.f32 : rt.km.shapes.f64;

  // Wasm memory: runs, tile tables, staged operands, the chains' partial sums, then per-thread scratch.
  const addrXRuns = rt.operandBase();
  const addrYRuns = addrXRuns + align(xRuns.length * 4);
  const addrXTable = addrYRuns + align(yRuns.length * 4);
  const addrYTable = addrXTable + align(tables ? tilesPer * 4 : 0);
  const addrXStaged = addrYTable + align(tables ? tilesPer * 4 : 0);
  const addrYStaged = addrXStaged + align(x!.data.length * es);
  const addrPartial = addrYStaged + align(y!.data.length * es);
  const partialSize = xi * O * C;
  const scratch = addrPartial + align(used * partialSize * es);
  const addrXp = gemmScratch(shape, scratch).end;
  const addrYp = addrXp + align(lengths[0]! * C * Hp * Wp * es);
  const addrV = addrYp + align(lengths[0]! * O * Yh * Yw * es);
  const addrM = addrV + align(xi * (C * maxT + SKEW) * es);
  const stride = addrM + align(xi * (O * maxT + SKEW) * es) - scratch;
  const end = scratch + rt.threads * stride;
  if (end > rt.maxBytes || !rt.ensure(end)) return null;
  new Int32Array(rt.memory.buffer, addrXRuns, xRuns.length).set(xRuns);
  new Int32Array(rt.memory.buffer, addrYRuns, yRuns.length).set(yRuns);
  if (tables) {
    new Int32Array(rt.memory.buffer, addrXTable, tilesPer).set(tables.input);
    new Int32Array(rt.memory.buffer, addrYTable, tilesPer).set(tables.cotangent);
  }
  const [xTableArgs, yTableArgs] = tables ? [[addrXTable], [addrYTable]] : [[], []];
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
      { fn: workerFn(plan.inputFn), perThread: xPlanes ? [1] : [0, 1], args: [
        xPlanes ? x0 : addrXp, addrV, 0, cnt * C, C, tH, tW, Wp * es, Hp * Wp * es, tilesPer, T, (C * T + SKEW) * es, ...xTableArgs] },
      { fn: workerFn(plan.cotangentFn), perThread: yPlanes ? [1] : [0, 1], args: [
        yPlanes ? y0 : addrYp, addrM, 0, cnt * O, O, tH, tW, Yw * es, Yh * Yw * es, tilesPer, T, (O * T + SKEW) * es, ...yTableArgs] },
      // partial[chain][ξ] = M[ξ]·V[ξ]ᵀ: [O, T]·[T, C]
      { ...batchedGemmTask(rt, dtype, T,
          { addr: addrM, rs: T, cs: 1, stride: O * T + SKEW }, { addr: addrV, rs: 1, cs: T, stride: C * T + SKEW },
          { addr: addrPartial + chain * partialSize * es, ldc: C, stride: O * C }, { bStart: 0, bCount: xi, r0: 0, rows: O, c0: 0, cols: C }, scratch),
        perThread: [7, 10, ...GEMM_SCRATCH_ARGS] },
    ]);
  }
  rt.pool.runChains(list, rt.runLocal, stride);

  // In chain order: the same rounding whichever threads ran the chains.
  rt.exports[`add_rows_${suffix}`](addrPartial, addrPartial + partialSize * es, used - 1, partialSize * es, partialSize);
  const dst = allocateUninitialized(dtype, C * O * 9);
  const dU = new (dtype === "float32" ? Float32Array : Float64Array)(rt.memory.buffer, addrPartial, partialSize);
  filterTransform(dU, plan.tile === 4 ? F4_G : F2_G, O, C, dst);
  return dst;
}

/**
 * dst[c, o] (3×3) = Gᵀ·dU[o, c]·G, dU[ξ][o][c] the product summed over tiles (ξ = a·row + column for a×a
 * tiles), G (a×3) F(2×2, 3×3)'s or F(4×4, 3×3)'s; in float64, the coefficients (⅓, 1/15, …) unrounded.
 */
function filterTransform(dU: Float32Array | Float64Array, G: readonly (readonly number[])[], O: number, C: number, dst: TypedArray): void {
  const plane = O * C, a = G.length;
  const t = new Float64Array(3 * a); // Gᵀ·dU[o, c]: 3 rows × a columns
  for (let o = 0; o < O; o++) {
    for (let c = 0; c < C; c++) {
      const at = o * C + c, base = (c * O + o) * 9;
      t.fill(0);
      for (let k = 0; k < a; k++) {
        const g = G[k]!;
        for (let s = 0; s < a; s++) {
          const d = dU[(a * k + s) * plane + at]!;
          t[s] += g[0]! * d; t[a + s] += g[1]! * d; t[2 * a + s] += g[2]! * d;
        }
      }
      for (let r = 0; r < 3; r++) {
        for (let q = 0; q < 3; q++) {
          let sum = 0;
          for (let s = 0; s < a; s++) sum += t[a * r + s]! * G[s]![q]!;
          dst[base + 3 * r + q] = sum;
        }
      }
    }
  }
}

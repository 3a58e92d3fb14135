/**
 * 3×3, stride-1 2-D convolution by Winograd F(2×2, 3×3) (see
 * winograd-kernel.ts): 4 multiplies per output instead of 9; float32 outputs
 * at least 8×8 by F(4×4, 3×3) (winograd4-kernel.ts): 2.25. Per chunk of
 * examples, in Wasm memory: the input is copied with its padding made
 * explicit (run copies), every 4×4 tile (stride 2) is transformed, 16 batched
 * GEMMs contract the channels against the transformed weights, and each
 * 4×4 product is turned back into a 2×2 block of the output (6×6 tiles at
 * stride 4 and 4×4 blocks for F(4×4, 3×3)).
 *
 *   out[n, o, 2i + r, 2j + s] = (Aᵀ·[Σ_c U[o, c] ⊙ V[c, n, i, j]]·A)[r, s],
 *   U = G·w[o, c]·Gᵀ,  V = Bᵀ·x_pad[n, c, 2i : 2i + 4, 2j : 2j + 4]·B
 *
 * Exact in real arithmetic; in floating point its rounding differs from the
 * direct sum by a few ulps of the largest terms.
 */
import { config } from "../../core/config.js";
import { allocateUninitialized, type TypedArray } from "../../core/dtype.js";
import type { Aval } from "../../core/tensor.js";
import type { KernelInput, PrimParams } from "../spec.js";
import { runCount, runsOf } from "./conv-runs.js";
import { batchedGemmTask, GEMM_SCRATCH_ARGS, gemmStaged, type StagedMatrix } from "./gemm.js";
import { align } from "./module.js";
import { gemmScratch } from "./gemm-kernel.js";
import { getRuntime, type WasmRuntime, workerFn, type WorkerFn } from "./runtime.js";
import { chainLengths, splitAcrossThreads as split } from "./split.js";
import { F4_G, winograd4Tables } from "./winograd4-kernel.js";
import { F2_G } from "./winograd-kernel.js";
import { winograd4ScatterTables } from "./winograd4-transposed-kernel.js";
import { MAX_QUEUED, type Task } from "./threads.js";

/**
 * Elements between the 16 transformed planes beyond their size: plane sizes
 * are often multiples of 4 KiB, and 16 streams at such a stride all land in
 * the same cache sets.
 */
export const SKEW = 16;

/**
 * `minChannels`: below this many input or output channels im2col is cheaper (no transforms); `budget`: elements of V + M per chunk.
 * `chains`: with more examples than threads, each thread runs the whole pipeline on its own examples (see `winogradChains`),
 * in chains of at most `chainBudget` elements of V + M. `filter`: weight gradients by Winograd too (winograd-filter.ts);
 * `filterTile4`: by F(4×4, 3×3) where the forward pass would use it.
 * `tile4`: F(4×4, 3×3) where `winogradTile` allows (weight gradients too); `transposed`: full correlations by its transpose (winograd4-transposed-kernel.ts).
 */
export const winogradConfig = { enabled: true, minChannels: 8, budget: 1 << 22, chains: true, chainBudget: 1 << 20, filter: true, tile4: true, transposed: true, filterTile4: true };

/**
 * The output block Winograd uses: F(4×4, 3×3) for float32 outputs at least
 * 8×8 (smaller ones waste much of their 4×4 blocks, and its kernels want 4
 * tiles) when `config.convPrecision` is "fast"; float64 keeps F(2×2, 3×3)'s
 * smaller rounding error. Its output table holds 32× byte offsets.
 */
export function winogradTile(dtype: string, OH: number, OW: number): 2 | 4 {
  return dtype === "float32" && winogradConfig.tile4 && config.convPrecision === "fast" && Math.min(OH, OW) >= 8 && 32 * 4 * OH * OW < 2 ** 31 ? 4 : 2;
}

/**
 * How convWinograd computes a conv of these sizes: its output block
 * (`winogradTile`), and whether a full correlation (padding 2 on every side,
 * a valid conv's input gradient) of planes with sides multiples of 4 runs as
 * the transposed F(4×4, 3×3) identity, on the unpadded input.
 */
export function winogradVariant(dtype: string, p: PrimParams["conv"], H: number, W: number, OH: number, OW: number): { tile: 2 | 4; transposed: boolean } {
  const tile = winogradTile(dtype, OH, OW);
  const full = p.padding.every(([lo, hi]) => lo === 2 && hi === 2) && H % 4 === 0 && W % 4 === 0;
  return { tile, transposed: tile === 4 && winogradConfig.transposed && full };
}

/** The kernels rotated by 180° ([O, C, 3, 3], `planes` = O·C of them): the transposed route's correlation kernel. */
function rotated(w: ArrayLike<number>, planes: number): Float64Array {
  const r = new Float64Array(planes * 9);
  for (let k = 0; k < planes * 9; k++) r[k] = w[k - (k % 9) + 8 - (k % 9)]!;
  return r;
}

/** Winograd may run at all: enabled, and `config.convPrecision` is not "highest". */
export const winogradOn = () => winogradConfig.enabled && config.convPrecision !== "highest";

/** True for the convolutions this path computes: 2-D, 3×3 kernel, stride 1, no dilation, one group, padding ≥ 0. */
export function winogradApplies(x: { shape: readonly number[] }, w: { shape: readonly number[] }, p: PrimParams["conv"]): boolean {
  const same = (xs: readonly number[], v: number) => xs.every((a) => a === v);
  return winogradOn() && x.shape.length === 4 && w.shape[2] === 3 && w.shape[3] === 3 && p.groups === 1 &&
    same(p.strides, 1) && same(p.lhsDilation, 1) && same(p.rhsDilation, 1) && p.padding.every(([lo, hi]) => lo >= 0 && hi >= 0) &&
    x.shape[1]! >= winogradConfig.minChannels && w.shape[0]! >= winogradConfig.minChannels;
}

/**
 * U[ξ][o][c] = (G·w[o, c]·Gᵀ)[ξ], ξ = a·row + column for G of a rows (F(2×2, 3×3)'s 4, F(4×4, 3×3)'s 6),
 * for 3×3 kernels stored [O, C, 3, 3]; in float64, the coefficients (⅓, 1/15, …) unrounded until the store.
 */
export function winogradWeights(w: ArrayLike<number>, G: readonly (readonly number[])[], O: number, C: number, into: Float32Array | Float64Array): void {
  const plane = O * C, a = G.length;
  const gw = new Float64Array(3 * a); // G·w[o, c]: a rows × 3 columns
  for (let oc = 0; oc < plane; oc++) {
    const at = oc * 9;
    for (let r = 0; r < a; r++) for (let s = 0; s < 3; s++) gw[r * 3 + s] = G[r]![0]! * w[at + s]! + G[r]![1]! * w[at + 3 + s]! + G[r]![2]! * w[at + 6 + s]!;
    for (let r = 0; r < a; r++) {
      for (let s = 0; s < a; s++) into[(r * a + s) * plane + oc] = gw[r * 3]! * G[s]![0]! + gw[r * 3 + 1]! * G[s]![1]! + gw[r * 3 + 2]! * G[s]![2]!;
    }
  }
}

export function convWinograd([x, w]: KernelInput[], p: PrimParams["conv"], out: Aval): TypedArray | null {
  const dtype = out.dtype;
  if (dtype !== "float32" && dtype !== "float64") return null;
  const [N, C, H, W] = x!.shape as [number, number, number, number];
  const O = w!.shape[0]!;
  const [OH, OW] = [out.shape[2]!, out.shape[3]!];
  const { tile, transposed } = winogradVariant(dtype, p, H, W, OH, OW), xi = (tile + 2) ** 2;
  // Every chunk's output is copied over its part of dst, so it needs no zeroing.
  const dst = allocateUninitialized(dtype, N * O * OH * OW) as Float32Array | Float64Array;
  if (dst.length === 0) return dst;
  const tH = transposed ? H / 4 : Math.ceil(OH / tile), tW = transposed ? W / 4 : Math.ceil(OW / tile);
  const [Hp, Wp] = transposed ? [H, W] : [tile * tH + 2, tile * tW + 2];

  const rt = getRuntime();
  const es = dtype === "float32" ? 4 : 8;
  const tables = tile === 2 ? null : transposed ? winograd4ScatterTables(tH, tW, W * es, OW) : winograd4Tables(tH, tW, Wp * es, OH, OW);
  const tilesPer = tables?.tilesPer ?? tH * tW;
  // Unpadded planes already of the tiles' size (B3's second conv, the transposed route's cotangents) are
  // transformed where they lie: no pad step, no runs for it.
  const unpadded = transposed || (p.padding[0]![0] === 0 && p.padding[1]![0] === 0 && Hp === H && Wp === W);
  const runs = unpadded ? new Int32Array(0) : paddedPlaneRuns(H, W, Hp, Wp, p.padding[0]![0], p.padding[1]![0], es);

  // Both paths: transformed weights U, the padding runs, the tile tables, then the input when it must be staged.
  const addrU = rt.operandBase();
  const addrRuns = addrU + align(xi * O * C * es);
  const addrTables = addrRuns + align(runs.length * 4);
  const addrXStaged = addrTables + (tables ? 2 * align(tilesPer * 4) : 0);
  if (addrXStaged > rt.maxBytes || !rt.ensure(addrXStaged)) return null;
  const View = dtype === "float32" ? Float32Array : Float64Array;
  const u = new View(rt.memory.buffer, addrU, xi * O * C);
  winogradWeights(transposed ? rotated(w!.data, O * C) : w!.data, tile === 4 ? F4_G : F2_G, O, C, u);
  new Int32Array(rt.memory.buffer, addrRuns, runs.length).set(runs);
  if (tables) {
    new Int32Array(rt.memory.buffer, addrTables, tilesPer).set(tables.input);
    new Int32Array(rt.memory.buffer, addrTables + align(tilesPer * 4), tilesPer).set(tables.output);
  }
  const suffix = dtype === "float32" ? "f32" : "f64";
  const [inputFn, outputFn]: [WorkerFn, WorkerFn] = transposed ? ["winograd4_cotangent_f32", "winograd4_scatter_f32"]
    : tile === 4 ? ["winograd4_input_f32", "winograd4_output_f32"] : [`winograd_input_${suffix}`, `winograd_output_${suffix}`];
  const tableArgs = tables ? { input: [addrTables], output: [addrTables + align(tilesPer * 4)] } : { input: [], output: [] };
  const plan: WinogradPlan = { dtype, es, xi, inputFn, outputFn, tableArgs, N, C, H, W, O, OH, OW, tH, tW, tilesPer, Hp, Wp, addrU, addrRuns, nRuns: runCount(runs), addrXStaged, unpadded };
  if (winogradConfig.chains && rt.threads > 1 && N >= rt.threads && winogradChains(rt, x!, dst, plan)) return dst;

  const chunk = Math.max(1, Math.min(N, Math.floor(winogradConfig.budget / (xi * (C + O) * tilesPer))));
  const addrXp = addrXStaged + align(chunk * C * H * W * es);
  const addrV = addrXp + align(chunk * C * Hp * Wp * es);
  const addrM = addrV + align(xi * (C * chunk * tilesPer + SKEW) * es);
  const addrOutStaged = addrM + align(xi * (O * chunk * tilesPer + SKEW) * es);
  const end = addrOutStaged + align(chunk * O * OH * OW * es);
  if (end > rt.maxBytes || !rt.ensure(end)) return null;

  for (let n0 = 0; n0 < N; n0 += chunk) {
    const cnt = Math.min(chunk, N - n0), T = cnt * tilesPer;
    // An input in the call arena or a kept block (runtime.ts) is read where it lies, and a result block written there.
    const addrX = rt.operandAt(x!.data, n0 * C * H * W, cnt * C * H * W, addrXStaged), addrOut = rt.resultAt(dst, n0 * O * OH * OW, addrOutStaged);
    if (!unpadded) split(rt, "im2col_runs", cnt * C, cnt * C * Hp * Wp, (i0, i1) => padArgs(plan, addrX, addrXp, i0, i1));
    const planes = unpadded ? addrX : addrXp;
    split(rt, plan.inputFn, cnt * C, xi * C * T, (i0, i1) => inputArgs(plan, planes, addrV, i0, i1, T));
    // M[ξ] = U[ξ]·V[ξ]: [O, C]·[C, T] → [O, T].
    gemmStaged(rt, dtype, xi, O, T, C, ...transformProduct(plan, addrV, addrM, T));
    split(rt, plan.outputFn, cnt * O, xi * O * T, (i0, i1) => outputArgs(plan, addrM, addrOut, i0, i1, T));
    rt.landAt(dst, n0 * O * OH * OW, cnt * O * OH * OW, addrOut);
  }
  return dst;
}

/**
 * `im2col_runs` runs that copy an H×W plane (rows W elements apart) into an
 * Hp×Wp one at row padT, column padL, zeros around it.
 */
export function paddedPlaneRuns(H: number, W: number, Hp: number, Wp: number, padT: number, padL: number, es: number): Int32Array {
  const table = new Int32Array(Hp * Wp);
  for (let r = 0; r < Hp; r++) {
    for (let c = 0; c < Wp; c++) {
      const iy = r - padT, ix = c - padL;
      table[r * Wp + c] = iy >= 0 && iy < H && ix >= 0 && ix < W ? iy * W + ix : -1;
    }
  }
  return runsOf(table, Hp, Wp, Wp, es);
}

/** A convolution as `convWinograd` measured it out, and where U, the runs and the staged input go. */
interface WinogradPlan {
  dtype: "float32" | "float64";
  es: number;
  /** Transformed planes: 16 for F(2×2, 3×3), 36 for F(4×4, 3×3), whose kernels are `winograd4_*`. */
  xi: number;
  inputFn: WorkerFn;
  outputFn: WorkerFn;
  /** Arguments after the transforms' common ones: F(4×4, 3×3)'s tile tables (winograd4Tables). */
  tableArgs: { input: number[]; output: number[] };
  N: number; C: number; H: number; W: number; O: number; OH: number; OW: number;
  tH: number; tW: number; Hp: number; Wp: number;
  /** Tiles per plane in V and M: tH·tW (F(4×4, 3×3): rounded up to a multiple of 4). */
  tilesPer: number;
  addrU: number; addrRuns: number; nRuns: number; addrXStaged: number;
  /** The input's planes are the padded planes (no padding, Hp = H, Wp = W): no pad step. */
  unpadded: boolean;
}

/** `im2col_runs` arguments: pad planes [i0, i1) of the examples at `x` into `xp`. */
const padArgs = (p: WinogradPlan, x: number, xp: number, i0: number, i1: number) => [
  x, p.C * p.H * p.W * p.es, p.H * p.W * p.es, p.C, i0, i1, p.addrRuns, p.nRuns, xp, p.C * p.Hp * p.Wp * p.es, p.Hp * p.Wp * p.es,
];

/** `winograd_input_*` arguments: transform padded planes [i0, i1) at `xp` into V (T tiles per plane). */
const inputArgs = (p: WinogradPlan, xp: number, v: number, i0: number, i1: number, T: number) => [
  xp, v, i0, i1, p.C, p.tH, p.tW, p.Wp * p.es, p.Hp * p.Wp * p.es, p.tilesPer, T, (p.C * T + SKEW) * p.es, ...p.tableArgs.input,
];

/** `winograd_output_*` arguments: transform planes [i0, i1) of M back into the output at `out`. */
const outputArgs = (p: WinogradPlan, m: number, out: number, i0: number, i1: number, T: number) => [
  m, out, i0, i1, p.O, p.tH, p.tW, p.tilesPer, (p.O * T + SKEW) * p.es, T * p.es, p.es, p.OH, p.OW, ...p.tableArgs.output,
];

/** The 16 (or 36) products M[ξ] = U[ξ]·V[ξ]: [O, C]·[C, T] → [O, T], as gemmStaged's A, B and C. */
const transformProduct = (p: WinogradPlan, v: number, m: number, T: number): [StagedMatrix, StagedMatrix, { addr: number; ldc: number; stride: number }] => [
  { addr: p.addrU, rs: p.C, cs: 1, stride: p.O * p.C }, { addr: v, rs: T, cs: 1, stride: p.C * T + SKEW }, { addr: m, ldc: T, stride: p.O * T + SKEW },
];

/**
 * The whole convolution in one hand-off: the examples are cut into chains
 * of a few examples, and whichever thread claims a chain pads, transforms,
 * multiplies (16 GEMMs on that thread alone) and transforms back its
 * examples, in its own scratch (moved by the pool per thread). The
 * phase-by-phase path waits for every thread three times per chunk. False
 * (nothing written past U and the runs) when the whole input and output do not fit in memory.
 */
function winogradChains(rt: WasmRuntime, x: KernelInput, dst: Float32Array | Float64Array, p: WinogradPlan): boolean {
  const { dtype, es, xi, N, C, H, W, O, OH, OW, tilesPer, Hp, Wp, addrXStaged } = p;
  const threads = rt.threads;
  // Chains of `chainBudget` elements of V + M (B3, 2 threads: 4 examples; 2 and 4 gave the fastest convs,
  // 8 (a chunk per thread) 15 % slower, 16–32 slower still), at least one per thread, at most what the
  // queue holds (4 tasks per chain).
  const fit = Math.max(1, Math.floor(winogradConfig.chainBudget / (xi * (C + O) * tilesPer)));
  const lengths = chainLengths(N, fit, threads, Math.floor(MAX_QUEUED / 4)), sub = lengths[0]!;
  const shape = dtype === "float32" ? rt.km.shapes.f32 : rt.km.shapes.f64;
  const maxT = sub * tilesPer;
  const addrOutStaged = addrXStaged + align(N * C * H * W * es);
  // Thread 0's scratch (the GEMM's, then padded planes, V and M); thread t's lies t·stride further on.
  const scratch = addrOutStaged + align(N * O * OH * OW * es);
  const addrXp = gemmScratch(shape, scratch).end;
  const addrV = addrXp + align(sub * C * Hp * Wp * es);
  const addrM = addrV + align(xi * (C * maxT + SKEW) * es);
  const stride = addrM + align(xi * (O * maxT + SKEW) * es) - scratch;
  const end = scratch + threads * stride;
  if (end > rt.maxBytes || !rt.ensure(end)) return false;
  const addrX = rt.operandAt(x.data, 0, N * C * H * W, addrXStaged), addrOut = rt.resultAt(dst, 0, addrOutStaged);

  const list: (Task & { perThread: readonly number[] })[][] = [];
  for (let n0 = 0, chain = 0; n0 < N; n0 += lengths[chain++]!) {
    const cnt = lengths[chain]!, T = cnt * tilesPer;
    // Arguments that address thread 0's scratch: padded planes, V, M (and the GEMM's packing).
    const x0 = addrX + n0 * C * H * W * es;
    list.push([
      ...(p.unpadded ? [{ fn: workerFn(p.inputFn), perThread: [1], args: inputArgs(p, x0, addrV, 0, cnt * C, T) }] : [
        { fn: workerFn("im2col_runs"), perThread: [8], args: padArgs(p, x0, addrXp, 0, cnt * C) },
        { fn: workerFn(p.inputFn), perThread: [0, 1], args: inputArgs(p, addrXp, addrV, 0, cnt * C, T) },
      ]),
      { ...batchedGemmTask(rt, dtype, C, ...transformProduct(p, addrV, addrM, T), { bStart: 0, bCount: xi, r0: 0, rows: O, c0: 0, cols: T }, scratch),
        perThread: [10, 13, ...GEMM_SCRATCH_ARGS] },
      { fn: workerFn(p.outputFn), perThread: [0], args: outputArgs(p, addrM, addrOut + n0 * O * OH * OW * es, 0, cnt * O, T) },
    ]);
  }
  rt.pool.runChains(list, rt.runLocal, stride);
  rt.landAt(dst, 0, N * O * OH * OW, addrOut);
  return true;
}

/**
 * Convolution as GEMM, all inside Wasm memory: per chunk of examples and per
 * group, the im2col patch matrix is built by `im2col_runs` (copying runs of
 * the input), multiplied by the group's weights with the batched SIMD GEMM,
 * and the product lands in [N, O, positions] order (directly, or after a
 * block transpose).
 *
 *   out[n, g·Og + o, y] = Σ_{c, k} W[g·Og + o, c, k] · x[n, g·Cg + c, src(y, k)]
 *
 * Three layouts, by shape (K = Cg·taps, P = output positions):
 *   "wx":   patch[n] is [K, P];  out[n] = W·patch[n]              (M = Og, N = P)
 *   "px":   patch[n] is [K, P];  out[n]ᵀ = patch[n]ᵀ·Wᵀ, transposed (M = P, N = Og)
 *   "rows": patch is [n·P, K];   one GEMM patch·Wᵀ, transposed    (M = n·P, N = Og)
 * "rows" suits few positions (weight gradients: a big kernel, a 3×3 output),
 * where a per-example GEMM would have a tiny M or N.
 *
 * Padding, strides and both dilations come from the reference kernel's index
 * tables, so the semantics (and the gradients, which are convolutions too)
 * are the reference's.
 */
import { allocate, type TypedArray } from "../../core/dtype.js";
import type { Aval } from "../../core/tensor.js";
import type { KernelInput, PrimParams } from "../spec.js";
import { axisSources, combineAxes, rowMajorStrides } from "../reference/kernels/conv.js";
import { gemmStaged } from "./gemm.js";
import { align } from "./module.js";
import { getRuntime, WORKER_FNS, type WasmRuntime, type WorkerFn } from "./runtime.js";
import type { Task } from "./threads.js";
import { runCount, runsOf } from "./conv-runs.js";

export type ConvLayout = "wx" | "px" | "rows";

/** Patch-matrix budget per chunk, in elements (16 MiB of float32). `layout` forces a layout (tests). */
export const convConfig = { patchBudget: 1 << 22, layout: null as ConvLayout | null };

/** Below this many elements moved, helpers run on the calling thread only. */
const PARALLEL_MIN_ELEMENTS = 1 << 15;

const product = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/** The layout for a shape: few positions → "rows"; else "px" when the output channels fill whole 8-wide tiles. */
export function chooseLayout(P: number, Og: number, mr: number, nr: number): ConvLayout {
  if (P < 4 * mr) return "rows";
  const waste = (n: number, tile: number) => (Math.ceil(n / tile) * tile) / n;
  return waste(Og, nr) <= waste(Og, mr) ? "px" : "wx";
}

export function convGemm([x, w]: KernelInput[], p: PrimParams["conv"], out: Aval): TypedArray | null {
  const dtype = out.dtype;
  if (dtype !== "float32" && dtype !== "float64") return null;
  const nd = p.strides.length;
  const [N, C] = x!.shape as [number, number];
  const [O, Cg] = w!.shape as [number, number];
  const G = p.groups, Og = O / G;
  const inSp = x!.shape.slice(2), kSp = w!.shape.slice(2), outSp = out.shape.slice(2);
  const inSize = product(inSp), kSize = product(kSp), P = product(outSp);
  const dst = allocate(dtype, N * O * P) as Float32Array | Float64Array;
  const K = Cg * kSize;
  if (dst.length === 0 || K === 0) return dst;

  const rt = getRuntime();
  const es = dtype === "float32" ? 4 : 8;
  const shape = dtype === "float32" ? rt.km.shapes.f32 : rt.km.shapes.f64;
  const layout = convConfig.layout ?? chooseLayout(P, Og, shape.mr, shape.nr);
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
  const transposed = layout !== "wx";
  // Wasm memory: weights, runs, input chunk, patch, GEMM product (transposed layouts), output chunk.
  const addrW = rt.operandBase();
  const addrRuns = addrW + align(w!.data.length * es);
  const addrX = addrRuns + align(runs.length * 4);
  const addrPatch = addrX + align(chunk * C * inSize * es);
  const addrTmp = addrPatch + align(chunk * K * P * es);
  const addrOut = addrTmp + (transposed ? align(chunk * P * Og * es) : 0);
  const end = addrOut + align(chunk * O * P * es);
  if (end > rt.maxBytes || !rt.ensure(end)) return null;
  const View = dtype === "float32" ? Float32Array : Float64Array;
  const buf = rt.memory.buffer;
  new View(buf, addrW, w!.data.length).set(w!.data);
  new Int32Array(buf, addrRuns, runs.length).set(runs);
  const X = x!.data;
  const wAt = (g: number) => ({ addr: addrW + g * Og * K * es, stride: 0 });

  for (let n0 = 0; n0 < N; n0 += chunk) {
    const cnt = Math.min(chunk, N - n0);
    new View(buf, addrX, cnt * C * inSize).set(X.subarray(n0 * C * inSize, (n0 + cnt) * C * inSize));
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
      if (layout === "px") {
        gemmStaged(rt, dtype, cnt, P, Og, K, { addr: addrPatch, rs: 1, cs: P, stride: K * P }, { ...wAt(g), rs: 1, cs: K }, { addr: addrTmp, ldc: Og, stride: P * Og });
      } else {
        gemmStaged(rt, dtype, 1, cnt * P, Og, K, { addr: addrPatch, rs: K, cs: 1, stride: 0 }, { ...wAt(g), rs: 1, cs: K }, { addr: addrTmp, ldc: Og, stride: 0 });
      }
      // [n, y, o] → [n, g·Og + o, y]
      split(rt, dtype === "float32" ? "transpose_f32" : "transpose_f64", cnt, cnt * P * Og, (b0, b1) => [
        addrTmp, outG, b0, b1, P, Og, P * Og * es, O * P * es, P * es,
      ]);
    }
    dst.set(new View(rt.memory.buffer, addrOut, cnt * O * P), n0 * O * P);
  }
  return dst;
}

/** Runs `fn` over items [0, total) split evenly across the threads (one thread for small work). */
function split(rt: WasmRuntime, fn: WorkerFn, total: number, work: number, args: (start: number, end: number) => number[]): void {
  const threads = work < PARALLEL_MIN_ELEMENTS ? 1 : Math.min(rt.threads, total);
  const per = Math.ceil(total / threads);
  const tasks: Task[] = [];
  for (let s = 0; s < total; s += per) tasks.push({ fn: WORKER_FNS.indexOf(fn), args: args(s, Math.min(total, s + per)) });
  rt.pool.run(tasks, (t) => rt.exports[WORKER_FNS[t.fn]!](...t.args));
}

/**
 * GEMM on operands addressed through offset tables (gemm-gather-kernel.ts),
 * split across threads:
 *
 *   C[i, j] = Σ_k mem[A + rowA[i] + colA[k]] · mem[B + rowB[k] + colB[j]]
 *
 * Tables are i32 byte offsets already in Wasm memory. Implicit-GEMM
 * convolution uses it to read patches straight from the image.
 */
import { balancedBlocks, gemmScratch } from "./gemm-kernel.js";
import { addPartials, gemmConfig, splitProduct } from "./gemm.js";
import { align } from "./module.js";
import { type WasmRuntime, workerFn } from "./runtime.js";
import { MAX_QUEUED, type Task } from "./threads.js";

/** Pieces per thread, claimed from the pool's queue (each piece packs the operand it does not split again). */
export const gatherConfig = { piecesPerThread: 1 };

/** An operand read through tables: base address and the addresses of its row and column tables. */
export interface GatherMatrix {
  addr: number;
  rows: number;
  cols: number;
}

/**
 * C (M×N, rows `ldc` elements apart) = A·B; K ≥ 1. One piece per thread, cut along the longer of M and N,
 * or along K when K ≥ depthSplitRatio·max(M, N) and partial sums fit from `workspace` on (gemm.ts
 * splitDepth). B3's conv weight gradients, 2 threads, K split off/on alternated 20–30 times on a
 * busy machine, median time ratio: [9, 43264]·[43264, 32] 0.89–0.92, [288, 36864]·[36864, 64] 0.97–0.99.
 */
export function gemmGather(
  rt: WasmRuntime, dtype: "float32" | "float64", M: number, N: number, K: number,
  A: GatherMatrix, B: GatherMatrix, C: { addr: number; ldc: number }, workspace?: number,
): void {
  const es = dtype === "float32" ? 4 : 8;
  const fn = workerFn(dtype === "float32" ? "gemm_f32_gather" : "gemm_f64_gather");
  const shape = dtype === "float32" ? rt.km.shapes.f32 : rt.km.shapes.f64;
  // Rows [r0, r0 + rows) × columns [c0, c0 + cols) over depth [k0, k0 + depth), into `c`.
  const task = (r0: number, rows: number, c0: number, cols: number, k0 = 0, depth = K, c = C): Task => {
    const { packA, packB, tile } = gemmScratch(shape, rt.scratch(0));
    const { kcb, mcb } = balancedBlocks(shape, rows, depth);
    return {
      fn,
      args: [rows, cols, depth, A.addr, A.rows + r0 * 4, A.cols + k0 * 4, B.addr, B.rows + k0 * 4, B.cols + c0 * 4, c.addr + (r0 * c.ldc + c0) * es, c.ldc, packA, packB, tile, kcb, mcb],
    };
  };
  const threads = 2 * M * N * K < gemmConfig.parallelMinFlops ? 1 : rt.threads;
  if (threads > 1 && workspace !== undefined && K >= gemmConfig.depthSplitRatio * Math.max(M, N)) {
    const per = Math.ceil(K / threads), pieces = Math.ceil(K / per);
    const partBytes = align(M * N * es), work = align(workspace);
    if (rt.ensure(work + (pieces - 1) * partBytes)) {
      const tasks = Array.from({ length: pieces }, (_, p) =>
        task(0, M, 0, N, p * per, Math.min(per, K - p * per), p === 0 ? C : { addr: work + (p - 1) * partBytes, ldc: N }));
      rt.pool.runQueue(tasks, rt.runLocal, [11, 12, 13], rt.km.scratchBytes);
      addPartials(rt, dtype, 1, M, N, { ...C, stride: 0 }, work, partBytes, pieces - 1);
      return;
    }
  }
  const pieces = threads === 1 ? 1 : Math.min(MAX_QUEUED, threads * gatherConfig.piecesPerThread);
  const tasks = splitProduct(shape, M, N, pieces, (r0, rows, c0, cols) => task(r0, rows, c0, cols));
  if (tasks.length === 1) rt.pool.run(tasks, rt.runLocal);
  // Every thread packs into its own scratch: packA, packB and tile (arguments 11–13) move by one scratch block per thread.
  else rt.pool.runQueue(tasks, rt.runLocal, [11, 12, 13], rt.km.scratchBytes);
}

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
import { gemmConfig, splitProduct } from "./gemm.js";
import { WORKER_FNS, type WasmRuntime } from "./runtime.js";
import { MAX_QUEUED, type Task } from "./threads.js";

/** Pieces per thread, claimed from the pool's queue (each piece packs the operand it does not split again). */
export const gatherConfig = { piecesPerThread: 1 };

/** An operand read through tables: base address and the addresses of its row and column tables. */
export interface GatherMatrix {
  addr: number;
  rows: number;
  cols: number;
}

/** C (M×N, rows `ldc` elements apart) = A·B; K ≥ 1. One piece per thread, cut along the longer of M and N. */
export function gemmGather(
  rt: WasmRuntime, dtype: "float32" | "float64", M: number, N: number, K: number,
  A: GatherMatrix, B: GatherMatrix, C: { addr: number; ldc: number },
): void {
  const es = dtype === "float32" ? 4 : 8;
  const fn = WORKER_FNS.indexOf(dtype === "float32" ? "gemm_f32_gather" : "gemm_f64_gather");
  const shape = dtype === "float32" ? rt.km.shapes.f32 : rt.km.shapes.f64;
  const task = (t: number, r0: number, rows: number, c0: number, cols: number): Task => {
    const { packA, packB, tile } = gemmScratch(shape, rt.scratch(t));
    const { kcb, mcb } = balancedBlocks(shape, rows, K);
    return {
      fn,
      args: [rows, cols, K, A.addr, A.rows + r0 * 4, A.cols, B.addr, B.rows, B.cols + c0 * 4, C.addr + (r0 * C.ldc + c0) * es, C.ldc, packA, packB, tile, kcb, mcb],
    };
  };
  const threads = 2 * M * N * K < gemmConfig.parallelMinFlops ? 1 : rt.threads;
  const pieces = threads === 1 ? 1 : Math.min(MAX_QUEUED, threads * gatherConfig.piecesPerThread);
  const tasks = splitProduct(shape, M, N, pieces, (r0, rows, c0, cols) => task(0, r0, rows, c0, cols));
  const local = (t: Task) => rt.exports[WORKER_FNS[t.fn]!](...t.args);
  if (tasks.length === 1) rt.pool.run(tasks, local);
  // Every thread packs into its own scratch: packA, packB and tile (arguments 11–13) move by one scratch block per thread.
  else rt.pool.runQueue(tasks, local, [11, 12, 13], rt.km.scratchBytes);
}

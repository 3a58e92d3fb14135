/**
 * How the row kernels of ew-kernel.ts (`emitRows`: out[P, Q, R] from
 * operands walked by P and Q strides, contiguous or constant along a row)
 * are cut into independent pieces for the thread pool: by P slabs, else by
 * Q rows (P = 1: the output is contiguous across them), else — one long row,
 * e.g. ReLU's gradient mask over a whole [64, 64, 24, 24] tensor — by ranges
 * of R in blocks of `R_BLOCK` elements. Pieces write disjoint outputs.
 */
import { splitAcrossThreads, type PoolFunction } from "./split.js";
import type { WasmRuntime } from "./runtime.js";

export interface RowPlan {
  P: number;
  Q: number;
  R: number;
  /** Per operand, byte strides along P and Q. */
  strides: [number, number][];
  /** Bit i: operand i is constant along a row. */
  mode: number;
}

/** Elements per piece boundary along a row: whole vectors, and 256-byte steps of float32 output. */
const R_BLOCK = 64;

/** Runs `fn(out, ptr_0.., P, Q, R, strides.., mode)` over the plan, split across the threads; `items` = bytes per element of each operand. */
export function runRowsSplit(rt: WasmRuntime, fn: PoolFunction, out: number, outItem: number, addrs: readonly number[], items: readonly number[], plan: RowPlan): void {
  const { P, Q, R, strides, mode } = plan;
  const flat = strides.flat();
  // Output elements, not elements moved: B3's [64, 128] ReLU mask (8192, ×4 operands) lost 0.5 ms a step to the hand-off.
  const work = P * Q * R;
  if (P > 1) {
    splitAcrossThreads(rt, fn, P, work, (p0, p1) => [out + p0 * Q * R * outItem, ...addrs.map((a, i) => a + p0 * strides[i]![0]), p1 - p0, Q, R, ...flat, mode]);
  } else if (Q > 1) {
    splitAcrossThreads(rt, fn, Q, work, (q0, q1) => [out + q0 * R * outItem, ...addrs.map((a, i) => a + q0 * strides[i]![1]), 1, q1 - q0, R, ...flat, mode]);
  } else {
    splitAcrossThreads(rt, fn, Math.ceil(R / R_BLOCK), work, (b0, b1) => {
      const r0 = b0 * R_BLOCK, r1 = Math.min(R, b1 * R_BLOCK);
      return [out + r0 * outItem, ...addrs.map((a, i) => ((mode >> i) & 1 ? a : a + r0 * items[i]!)), 1, 1, r1 - r0, ...flat, mode];
    });
  }
}

/**
 * Run tables for `im2col_runs` (see conv-kernel.ts): a table of source
 * offsets (−1 = zero) cut into maximal runs that are either all zero or read
 * consecutive source elements, so the Wasm side copies whole runs.
 */
import { RUN_BYTES } from "./conv-kernel.js";

/**
 * Runs for table[r·L + j] (r < R, j < L), entry (r, j) going to patch element
 * r·rowStride + j. Returns i32 triples (dst bytes, src bytes or −1, length in bytes).
 *
 *   runsOf([−1, 4, 5, 6], 1, 4, 4, 4) → [0, −1, 4,  4, 16, 12]
 */
export function runsOf(table: Int32Array, R: number, L: number, rowStride: number, es: number): Int32Array {
  const out: number[] = [];
  for (let r = 0; r < R; r++) {
    const row = r * L;
    for (let j0 = 0; j0 < L; ) {
      const s0 = table[row + j0]!;
      let j = j0 + 1;
      if (s0 < 0) while (j < L && table[row + j]! < 0) j++;
      else while (j < L && table[row + j] === s0 + (j - j0)) j++;
      out.push((r * rowStride + j0) * es, s0 < 0 ? -1 : s0 * es, (j - j0) * es);
      j0 = j;
    }
  }
  return Int32Array.from(out);
}

/** Number of runs in a table made by `runsOf`. */
export const runCount = (runs: Int32Array) => (runs.length * 4) / RUN_BYTES;

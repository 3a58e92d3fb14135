/**
 * Batched matmul on the Wasm runtime: stage operands in Wasm memory, split
 * the work across threads, run the SIMD GEMM, copy C out.
 *
 *   C[b] = op(A[b])·op(B[b]),  op(X) = X or Xᵀ,  C[b] of shape M×N.
 *
 * A transposed operand is read through swapped strides and a shared one
 * (broadcast over the batch) with a batch stride of 0: neither is copied.
 */
import { allocate, allocateUninitialized, type TypedArray } from "../../core/dtype.js";
import { balancedBlocks, gemmScratch, type GemmShape } from "./gemm-kernel.js";
import { align } from "./module.js";
import { getRuntime, type WasmRuntime, workerFn } from "./runtime.js";
import { MAX_QUEUED, type Task } from "./threads.js";

/**
 * Below `parallelMinFlops` one thread finishes before a hand-off would pay off (tests set 0 to split
 * everything); a single product splits into `piecesPerThread` pieces per thread (see gemmStaged).
 * A batch is staged in chunks that fit the Wasm memory, or `maxStageBytes` (tests make it small).
 * A product with K ≥ `depthSplitRatio`·max(M, N) splits K (see splitDepth). One thread running one
 * piece of each split, 100 alternated runs, best GFLOP/s: [64, 9216]·[9216, 128]ᵀ 36.6 as a K half
 * against 29.4 as a quarter of the columns, [256, 4096]ᵀ·[4096, 256] 36.8 against 30.7 (rows),
 * [128, 1024]·[1024, 128] 37.6 against 32.7; at K = 4·max(M, N) ([1024, 4096]ᵀ·[4096, 256]) 33.2
 * against 35.7, so not there.
 */
export const gemmConfig = { defaultParallelMinFlops: 1 << 21, parallelMinFlops: 1 << 21, piecesPerThread: 2, maxStageBytes: Infinity, depthSplitRatio: 8 };

export interface GemmOperand {
  data: Float32Array | Float64Array;
  /** Stored as [batch, cols, rows] and read as its transpose. */
  transposed: boolean;
  /** One stored matrix serves every batch item (read with a batch stride of 0). */
  shared?: boolean;
}

/**
 * Returns C as [batch, M, N] in a new TypedArray, or null when the operands do
 * not fit in the Wasm memory (the caller then uses the reference kernel).
 */
export function gemm(dtype: "float32" | "float64", a: GemmOperand, b: GemmOperand, batch: number, M: number, N: number, K: number): TypedArray | null {
  // [B, M, K]·[K, N] (a weight shared by the batch) is one [B·M, K]·[K, N]
  // product: C has the same layout, and one large GEMM packs B once and keeps
  // its blocks full where B small ones would not.
  if (batch > 1 && b.shared && !a.shared && !a.transposed) return gemm(dtype, a, b, 1, batch * M, N, K);
  if (batch * M * N === 0 || K === 0) return allocate(dtype, batch * M * N); // zeros: empty sums
  const out = allocateUninitialized(dtype, batch * M * N) as Float32Array | Float64Array;
  const rt = getRuntime();
  const es = dtype === "float32" ? 4 : 8;
  const fixed = (a.shared ? align(M * K * es) : 0) + (b.shared ? align(K * N * es) : 0);
  const perBatch = (a.shared ? 0 : align(M * K * es)) + (b.shared ? 0 : align(K * N * es)) + align(M * N * es);
  const room = Math.min(rt.maxBytes - rt.operandBase(), gemmConfig.maxStageBytes) - fixed;
  if (perBatch > room) return null;
  const chunk = Math.max(1, Math.min(batch, Math.floor(room / perBatch)));
  for (let b0 = 0; b0 < batch; b0 += chunk) {
    const count = Math.min(chunk, batch - b0);
    runChunk(rt, dtype, es, a, b, out, b0, count, M, N, K);
  }
  return out;
}

function runChunk(
  rt: WasmRuntime, dtype: "float32" | "float64", es: number, a: GemmOperand, b: GemmOperand,
  out: Float32Array | Float64Array, b0: number, count: number, M: number, N: number, K: number,
): void {
  const sizeA = M * K, sizeB = K * N, sizeC = M * N;
  // Elements between consecutive batch items' operands (0 for a shared one).
  const strideA = a.shared ? 0 : sizeA, strideB = b.shared ? 0 : sizeB;
  const nA = a.shared ? sizeA : count * sizeA, nB = b.shared ? sizeB : count * sizeB;
  const base = rt.operandBase();
  const stagedA = base, stagedB = stagedA + align(nA * es), stagedC = stagedB + align(nB * es);
  const end = stagedC + align(count * sizeC * es);
  if (!rt.ensure(end)) throw new RangeError(`gemm: ${end} bytes exceed the Wasm memory`);
  // Operands in the call arena or kept blocks (runtime.ts) are read where they lie, and C written there.
  const addrA = rt.operandAt(a.data, b0 * strideA, nA, stagedA), addrB = rt.operandAt(b.data, b0 * strideB, nB, stagedB);
  const addrC = rt.resultAt(out, b0 * sizeC, stagedC);

  // Strides of the logical M×K and K×N operands within one batch item.
  const [rsA, csA] = a.transposed ? [1, M] : [K, 1];
  const [rsB, csB] = b.transposed ? [1, K] : [N, 1];
  gemmStaged(rt, dtype, count, M, N, K,
    { addr: addrA, rs: rsA, cs: csA, stride: strideA }, { addr: addrB, rs: rsB, cs: csB, stride: strideB }, { addr: addrC, ldc: N, stride: sizeC }, end);
  rt.landAt(out, b0 * sizeC, count * sizeC, addrC);
}

/** A matrix already in Wasm memory: byte address, element strides of the logical matrix, elements between batch items (0 = shared). */
export interface StagedMatrix {
  addr: number;
  rs: number;
  cs: number;
  stride: number;
}

/**
 * C[b] = A[b]·B[b] for b < count on operands already staged in Wasm memory
 * (C rows `ldc` elements apart, items `stride` apart), split across threads.
 * K must be ≥ 1 (the caller zeroes C otherwise). Memory from `workspace`
 * on is free to use (for partial sums of a depth split; none without it).
 */
export function gemmStaged(
  rt: WasmRuntime, dtype: "float32" | "float64", count: number, M: number, N: number, K: number,
  A: StagedMatrix, B: StagedMatrix, C: { addr: number; ldc: number; stride: number }, workspace?: number,
): void {
  const shape = dtype === "float32" ? rt.km.shapes.f32 : rt.km.shapes.f64;
  // Built with thread 0's scratch; the pool moves it per thread.
  const task = (bStart: number, bCount: number, r0: number, rows: number, c0: number, cols: number) =>
    batchedGemmTask(rt, dtype, K, A, B, C, { bStart, bCount, r0, rows, c0, cols }, rt.scratch(0));

  const flops = 2 * count * M * N * K;
  const threads = flops < gemmConfig.parallelMinFlops ? 1 : rt.threads;
  if (threads === 1) {
    rt.pool.run([task(0, count, 0, M, 0, N)], rt.runLocal);
    return;
  }
  // Pieces claimed from a queue, so a worker that wakes late takes fewer. A batch splits into one
  // piece per thread; one matrix into `piecesPerThread` each (each piece packs the operand it does
  // not split again, so pieces stay large). B2, 2 threads, alternated 5 times: 1 piece per thread
  // +4 %, 2 pieces +7 %, 3 pieces worse than static halves; B3 and B5 unchanged within the noise.
  const pieces = Math.min(MAX_QUEUED, count >= threads ? threads
    : Math.max(threads, Math.min(threads * gemmConfig.piecesPerThread, Math.floor(flops / gemmConfig.parallelMinFlops))));
  let tasks: Task[];
  if (count < threads && workspace !== undefined && K >= gemmConfig.depthSplitRatio * Math.max(M, N)) {
    if (splitDepth(rt, dtype, count, M, N, K, A, B, C, workspace, threads)) return;
  }
  if (count >= threads) {
    tasks = [];
    const per = Math.ceil(count / pieces);
    for (let s = 0; s < count; s += per) tasks.push(task(s, Math.min(per, count - s), 0, M, 0, N));
  } else {
    tasks = splitProduct(shape, M, N, pieces, (r0, rows, c0, cols) => task(0, count, r0, rows, c0, cols));
  }
  // Every thread packs into its own scratch, one scratch block further on per thread.
  rt.pool.runQueue(tasks, rt.runLocal, GEMM_SCRATCH_ARGS, rt.km.scratchBytes);
}

/**
 * Deep products with a small C (B3's [64, 9216]·[9216, 128], B5's weight
 * gradients [256, 4096]·[4096, 256]) split K into one piece per thread:
 * splitting rows or columns would make every piece pack all of the other
 * operand again, K times larger than C. Piece 0 writes C, the others a
 * partial C each in `workspace`, added into C after. False (nothing done)
 * when the workspace does not fit.
 */
function splitDepth(
  rt: WasmRuntime, dtype: "float32" | "float64", count: number, M: number, N: number, K: number,
  A: StagedMatrix, B: StagedMatrix, C: { addr: number; ldc: number; stride: number }, workspace: number, threads: number,
): boolean {
  const es = dtype === "float32" ? 4 : 8;
  const per = Math.ceil(K / threads), pieces = Math.ceil(K / per);
  const partBytes = align(count * M * N * es), work = align(workspace);
  if (!rt.ensure(work + (pieces - 1) * partBytes)) return false;
  const tasks: Task[] = [];
  for (let p = 0; p < pieces; p++) {
    const k0 = p * per;
    const a = { ...A, addr: A.addr + k0 * A.cs * es }, b = { ...B, addr: B.addr + k0 * B.rs * es };
    const c = p === 0 ? C : { addr: work + (p - 1) * partBytes, ldc: N, stride: M * N };
    tasks.push(batchedGemmTask(rt, dtype, Math.min(per, K - k0), a, b, c, { bStart: 0, bCount: count, r0: 0, rows: M, c0: 0, cols: N }, rt.scratch(0)));
  }
  rt.pool.runQueue(tasks, rt.runLocal, GEMM_SCRATCH_ARGS, rt.km.scratchBytes);
  addPartials(rt, dtype, count, M, N, C, work, partBytes, pieces - 1);
  return true;
}

/**
 * C[b] += the `parts` partial products of a depth split, each `count` contiguous M×N items, the
 * first at `work`, `partBytes` apart: row by row, in part order (`add_rows`).
 */
export function addPartials(
  rt: WasmRuntime, dtype: "float32" | "float64", count: number, M: number, N: number,
  C: { addr: number; ldc: number; stride: number }, work: number, partBytes: number, parts: number,
): void {
  const es = dtype === "float32" ? 4 : 8;
  const addRows = rt.exports[dtype === "float32" ? "add_rows_f32" : "add_rows_f64"];
  if (C.ldc === N && (count === 1 || C.stride === M * N)) return void addRows(C.addr, work, parts, partBytes, count * M * N);
  for (let b = 0; b < count; b++) {
    for (let i = 0; i < M; i++) addRows(C.addr + (b * C.stride + i * C.ldc) * es, work + (b * M + i) * N * es, parts, partBytes, N);
  }
}

/** Positions of the scratch addresses (packed A, packed B, edge tile) among a `batchedGemmTask`'s arguments. */
export const GEMM_SCRATCH_ARGS = [15, 16, 17];

/**
 * The task computing rows [r0, r0 + rows) × columns [c0, c0 + cols) of
 * C[b] = A[b]·B[b] for b in [bStart, bStart + bCount), packing into the
 * scratch at `scratch` (gemm-kernel.ts `gemmScratch`).
 */
export function batchedGemmTask(
  rt: WasmRuntime, dtype: "float32" | "float64", K: number, A: StagedMatrix, B: StagedMatrix, C: { addr: number; ldc: number; stride: number },
  { bStart, bCount, r0, rows, c0, cols }: { bStart: number; bCount: number; r0: number; rows: number; c0: number; cols: number }, scratch: number,
): Task {
  const es = dtype === "float32" ? 4 : 8;
  const shape = dtype === "float32" ? rt.km.shapes.f32 : rt.km.shapes.f64;
  const { packA, packB, tile } = gemmScratch(shape, scratch);
  const { kcb, mcb } = balancedBlocks(shape, rows, K);
  return {
    fn: workerFn(dtype === "float32" ? "gemm_f32_batched" : "gemm_f64_batched"),
    args: [
      bCount, A.stride * es, B.stride * es, C.stride * es,
      rows, cols, K,
      A.addr + (bStart * A.stride + r0 * A.rs) * es, A.rs, A.cs,
      B.addr + (bStart * B.stride + c0 * B.cs) * es, B.rs, B.cs,
      C.addr + (bStart * C.stride + r0 * C.ldc + c0) * es, C.ldc,
      packA, packB, tile, kcb, mcb,
    ],
  };
}

/**
 * An M×N product cut into `pieces` along its longer side (rows in whole
 * micro-tiles of mr, columns of nr); `piece` makes the task for one block.
 */
export function splitProduct(shape: GemmShape, M: number, N: number, pieces: number, piece: (r0: number, rows: number, c0: number, cols: number) => Task): Task[] {
  const tasks: Task[] = [];
  if (M >= N) {
    const per = Math.ceil(Math.ceil(M / pieces) / shape.mr) * shape.mr;
    for (let r = 0; r < M; r += per) tasks.push(piece(r, Math.min(per, M - r), 0, N));
  } else {
    const per = Math.ceil(Math.ceil(N / pieces) / shape.nr) * shape.nr;
    for (let c = 0; c < N; c += per) tasks.push(piece(0, M, c, Math.min(per, N - c)));
  }
  return tasks;
}

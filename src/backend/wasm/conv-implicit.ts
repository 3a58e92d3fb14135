/**
 * Convolution as one implicit GEMM per group, for shapes with few output
 * positions (the weight gradient's batch-as-channel convolution: a kernel
 * as big as the image, a 3×3 output). Without padding or input dilation,
 * the input element a patch entry reads splits into a part of its row and a
 * part of its column:
 *
 *   x[n, g·Cg + c, src(y, k)],  src(y, k) = pos(y) + tap(k)
 *   pos(y) = Σ_a (y_a·stride_a − lo_a)·S_a,   tap(k) = Σ_a k_a·rhsDilation_a·S_a
 *
 * (S_a the input's spatial strides), so the GEMM
 *
 *   T[(n, y), o] = Σ_{c, k} x[n, g·Cg + c, pos(y) + tap(k)] · W[g·Og + o, c, k]
 *
 * packs its A panels from the image through two offset tables, and the
 * im2col patch (9× the image for a 3×3 output) is never written. T is then
 * transposed block by block into out[n, g·Og + o, y]. The tables take any
 * element steps, so operands that are deferred transposes (the weight
 * gradient's xᵀ and ctᵀ) are read from the untransposed storage.
 */
import { allocateUninitialized, type TypedArray } from "../../core/dtype.js";
import type { Aval } from "../../core/tensor.js";
import type { KernelInput, PrimParams } from "../spec.js";
import { axisSources, rowMajorStrides } from "../reference/kernels/conv.js";
import { gemmGather } from "./gemm-gather.js";
import { align } from "./module.js";
import { getRuntime } from "./runtime.js";
import { splitAcrossThreads as split } from "./split.js";

const product = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/** Offsets (elements) of every index of a row-major grid of `sizes`, each axis contributing index·step[a]. */
function gridOffsets(sizes: readonly number[], step: readonly number[], start: number): Int32Array {
  let table = Int32Array.of(start);
  sizes.forEach((n, a) => {
    const next = new Int32Array(table.length * n);
    for (let i = 0; i < table.length; i++) for (let j = 0; j < n; j++) next[i * n + j] = table[i]! + j * step[a]!;
    table = next;
  });
  return table;
}

/** True when every patch entry reads an input element (no padding reached, no input dilation): src = pos + tap. */
export function implicitApplies(inSp: readonly number[], kSp: readonly number[], outSp: readonly number[], p: PrimParams["conv"]): boolean {
  return inSp.every((I, a) => p.lhsDilation[a] === 1
    && !axisSources(I, kSp[a]!, outSp[a]!, p.strides[a]!, p.padding[a]![0], 1, p.rhsDilation[a]!).includes(-1));
}

/** An operand as stored: `data` indexed by Σ index[a]·strides[a] (a transposed view's storage, read in place). */
export interface StridedInput extends KernelInput {
  strides: readonly number[];
}

/**
 * out = conv(x, w) through `gemm_<dtype>_gather`, or null when the operands do not fit in Wasm memory.
 * Operands are row-major unless they carry `strides` (TransposeView's, lazy-transpose.ts).
 */
export function convImplicitRows([x, w]: (KernelInput | StridedInput)[], p: PrimParams["conv"], out: Aval): TypedArray | null {
  const dtype = out.dtype as "float32" | "float64";
  const N = x!.shape[0]!;
  const [O, Cg] = w!.shape as [number, number];
  const G = p.groups, Og = O / G;
  const kSp = w!.shape.slice(2), outSp = out.shape.slice(2);
  const kSize = product(kSp), P = product(outSp);
  const K = Cg * kSize, M = N * P;
  const es = dtype === "float32" ? 4 : 8;
  // Element steps of every axis: x [N, C, ...in], w [O, Cg, ...k].
  const sx = "strides" in x! ? x.strides : rowMajorStrides(x!.shape), sw = "strides" in w! ? w.strides : rowMajorStrides(w!.shape);
  const S = sx.slice(2);
  const pos = gridOffsets(outSp, outSp.map((_, a) => p.strides[a]! * S[a]!), outSp.reduce((acc, _, a) => acc - p.padding[a]![0] * S[a]!, 0));
  const tap = gridOffsets(kSp, kSp.map((_, a) => p.rhsDilation[a]! * S[a]!), 0);
  const wTap = gridOffsets(kSp, sw.slice(2), 0);
  // Tables in bytes: A rows (n, y), A columns (c, k); B rows k' = (c, k), B columns o.
  const rowA = new Int32Array(M), colA = new Int32Array(K), rowB = new Int32Array(K), colB = new Int32Array(Og);
  for (let n = 0; n < N; n++) for (let y = 0; y < P; y++) rowA[n * P + y] = (n * sx[0]! + pos[y]!) * es;
  for (let c = 0; c < Cg; c++) for (let k = 0; k < kSize; k++) colA[c * kSize + k] = (c * sx[1]! + tap[k]!) * es;
  for (let c = 0; c < Cg; c++) for (let k = 0; k < kSize; k++) rowB[c * kSize + k] = (c * sw[1]! + wTap[k]!) * es;
  for (let o = 0; o < Og; o++) colB[o] = o * sw[0]! * es;

  const rt = getRuntime();
  const dst = allocateUninitialized(dtype, N * O * P);
  const addrX = rt.operandBase();
  const addrW = addrX + align(x!.data.length * es);
  const addrTables = addrW + align(w!.data.length * es);
  const tables = [rowA, colA, rowB, colB];
  const at: number[] = [];
  let next = addrTables;
  for (const t of tables) (at.push(next), (next += align(t.length * 4)));
  const addrT = next, addrOutStaged = addrT + align(M * Og * es);
  const end = addrOutStaged + align(N * O * P * es);
  if (end > rt.maxBytes || !rt.ensure(end)) return null;
  const xAt = rt.operandAt(x!.data, 0, x!.data.length, addrX), wAt = rt.operandAt(w!.data, 0, w!.data.length, addrW);
  tables.forEach((t, i) => new Int32Array(rt.memory.buffer, at[i]!, t.length).set(t));
  const outAt = rt.resultAt(dst, 0, addrOutStaged);
  for (let g = 0; g < G; g++) {
    gemmGather(rt, dtype, M, Og, K,
      { addr: xAt + g * Cg * sx[1]! * es, rows: at[0]!, cols: at[1]! },
      { addr: wAt + g * Og * sw[0]! * es, rows: at[2]!, cols: at[3]! },
      { addr: addrT, ldc: Og }, end);
    // T[n, y, o] → out[n, g·Og + o, y]
    split(rt, dtype === "float32" ? "transpose_f32" : "transpose_f64", N, M * Og, (b0, b1) => [
      addrT, outAt + g * Og * P * es, b0, b1, P, Og, P * Og * es, O * P * es, P * es,
    ]);
  }
  rt.landAt(dst, 0, N * O * P, outAt);
  return dst;
}

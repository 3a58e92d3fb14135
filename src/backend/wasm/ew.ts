/**
 * Runs the memory-bound Wasm kernels (ew-kernel.ts): copy the operands into
 * the shared Wasm memory with TypedArray.set, run one call on this thread,
 * copy the result out into a fresh GC-owned TypedArray (docs/memory.md).
 * Each function returns null for a case it does not take (the caller then
 * runs the JS kernel): a dtype without a kernel, an output smaller than
 * `ewConfig.minElements` (the copies and the call would cost more than the
 * JS loop), or a broadcast pattern that does not reduce to rows of the form
 * contiguous-or-constant with at most three merged axes.
 *
 * One thread: a worker hand-off costs about as much as these kernels take at
 * training sizes, and the copies (on this thread) are a large part of it.
 */
import { allocate, allocateUninitialized, itemSize, type DType, type TypedArray } from "../../core/dtype.js";
import { sizeOf } from "../../core/shape.js";
import type { Aval } from "../../core/tensor.js";
import type { BinaryName, CompareName, KernelInput, UnaryName } from "../spec.js";
import { BINARY_OPS, buildElementwiseModule, COMPARE_OPS, GATHER_RANK, UNARY_OPS, type CompareKind, type Kind } from "./ew-kernel.js";
import { isShared, wasmFeatures } from "./features.js";
import { KINDS } from "./kinds.js";
import { align, MAX_PAGES } from "./module.js";
import { broadcastStridesOf, contiguousStrides, mergeAxes } from "./rows.js";
import { getRuntime, type WasmRuntime } from "./runtime.js";
import { splitAcrossThreads, type PoolFunction } from "./split.js";
import { runRowsSplit, type RowPlan } from "./ew-split.js";

/**
 * Outputs (inputs, for reductions) with fewer than `minElements` elements stay
 * in JS (tests set 0 to run every case here). `split: false` keeps every call on
 * the calling thread (for A/B runs: with the other core busy, a hand-off cost
 * 0.2–0.4 ms more than it saved on B3's [64, 64, 24, 24] kernels). Calls that would stage more than
 * `maxStageBytes` also stay in JS: Wasm memory never shrinks, and this keeps
 * its growth for these kernels bounded (gemm's staging is bounded separately).
 */
export const ewConfig = { defaultMinElements: 2048, minElements: 2048, maxStageBytes: 128 * 2 ** 20, reduceChunkBytes: 256 * 1024, windowChunkBytes: 256 * 1024, split: true };

type Fn = (...args: number[]) => void;
const compiled = new Map<string, PoolFunction>();

/**
 * The kernel `name` (`fn` runs it on this thread, `pooled` on the pool's
 * threads too) and the runtime whose memory it works in; compiled on first use.
 */
function kernel(name: string): { rt: WasmRuntime; fn: Fn; pooled: PoolFunction } {
  const rt = getRuntime();
  let pooled = compiled.get(name);
  if (!pooled) {
    const bytes = buildElementwiseModule(MAX_PAGES, isShared(rt.memory.buffer), [name]);
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: rt.memory } });
    pooled = { index: rt.addWorkerFunction(bytes), local: (inst.exports as Record<string, Fn>)[name]! };
    compiled.set(name, pooled);
  }
  return { rt, fn: pooled.local, pooled };
}

const KIND: Partial<Record<DType, Kind>> = { float32: "f32", float64: "f64" };
const usable = (n: number) => n >= ewConfig.minElements && wasmFeatures().simd;

/**
 * Puts `inputs` and `outputs` at addresses in Wasm memory: an array that
 * lives in the call arena (runtime.ts) stays where it is, the others are
 * copied in (the same array twice is copied once) or, for outputs, reserved
 * after them. Outputs must be allocated before this call, so that an arena
 * block they take lies below the staging area. Null if staging does not fit.
 */
export function stage(rt: WasmRuntime, inputs: readonly TypedArray[], outputs: readonly TypedArray[]): { addrs: number[]; outs: number[] } | null {
  const base = rt.operandBase();
  let at = base;
  const reserve = (bytes: number) => {
    const a = at;
    at += align(bytes);
    return a;
  };
  const addrs: number[] = [];
  inputs.forEach((x, i) => {
    const resident = rt.residentAddress(x), first = inputs.indexOf(x);
    addrs.push(resident >= 0 ? resident : first < i ? addrs[first]! : reserve(x.byteLength));
  });
  // Kernels may write up to the 64-byte boundary past their last element: only a whole arena block is written in place.
  const outs = outputs.map((o) => (rt.isResidentBlock(o) ? o.byteOffset : reserve(o.byteLength)));
  if (at - base > ewConfig.maxStageBytes || !rt.ensure(at)) return null;
  inputs.forEach((x, i) => {
    if (inputs.indexOf(x) === i) rt.operandAt(x, 0, x.length, addrs[i]!);
  });
  return { addrs, outs };
}

/** Copies each output that `stage` placed in the staging area (not in place) into its array. */
export function land(rt: WasmRuntime, outputs: readonly TypedArray[], addrs: readonly number[]): void {
  outputs.forEach((o, k) => rt.landAt(o, 0, o.length, addrs[k]!));
}

/** The result at `addr` as a fresh `dtype` array of n elements. */
function copyOut(rt: WasmRuntime, dtype: DType, addr: number, n: number): TypedArray {
  const dst = allocateUninitialized(dtype, n);
  rt.landAt(dst, 0, n, addr);
  return dst;
}

/** Stages `inputs`, runs `call` with their addresses and the output's, and returns the output (a fresh `dtype` array of n). */
function runStaged(rt: WasmRuntime, inputs: readonly TypedArray[], dtype: DType, n: number, call: (out: number, addrs: number[]) => void): TypedArray | null {
  const dst = allocateUninitialized(dtype, n);
  const s = stage(rt, inputs, [dst]);
  if (!s) return null;
  call(s.outs[0]!, s.addrs);
  land(rt, [dst], s.outs);
  return dst;
}

/** Operands (shapes, element sizes) broadcast to `outShape` as at most 3 merged axes whose rows are contiguous or constant. */
function rowPlan(outShape: readonly number[], shapes: readonly (readonly number[])[], items: readonly number[]): RowPlan | null {
  const m = mergeAxes(outShape, shapes.map((s) => broadcastStridesOf(s, outShape)));
  const rank = m.shape.length;
  if (rank > 3) return null;
  const pad = 3 - rank;
  const dims = [...Array<number>(pad).fill(1), ...m.shape];
  let mode = 0;
  const strides = m.strides.map((s, i): [number, number] => {
    const full = [...Array<number>(pad).fill(0), ...s];
    if (full[2] !== 0 && full[2] !== 1) mode = -1;
    if (full[2] === 0) mode |= 1 << i;
    return [full[0]! * items[i]!, full[1]! * items[i]!];
  });
  if (mode < 0) return null;
  // A row of one element is read the same either way; call it contiguous (select needs that of its condition).
  if (dims[2] === 1) mode = 0;
  return { P: dims[0]!, Q: dims[1]!, R: dims[2]!, strides, mode };
}

/** Runs the row kernel `fn` over `plan`, split across the threads (ew-split.ts); `items` = bytes per element of each input. */
function runRows(fn: string, inputs: KernelInput[], out: Aval, plan: RowPlan, items: readonly number[]): TypedArray | null {
  const n = sizeOf(out.shape);
  if (n === 0) return allocate(out.dtype, 0);
  const { rt, pooled } = kernel(fn);
  return runStaged(rt, inputs.map((x) => x.data), out.dtype, n, (at, addrs) =>
    ewConfig.split ? runRowsSplit(rt, pooled, at, itemSize(out.dtype), addrs, items, plan) : pooled.local(at, ...addrs, plan.P, plan.Q, plan.R, ...plan.strides.flat(), plan.mode));
}

/** add/sub/mul/div/max/min of float32 or float64 operands (same dtype), NumPy broadcasting. */
export function binaryWasm(name: BinaryName, a: KernelInput, b: KernelInput, out: Aval): TypedArray | null {
  const kind = KIND[out.dtype];
  if (!usable(sizeOf(out.shape)) || !kind || !(name in BINARY_OPS)) return null;
  const items = [itemSize(out.dtype), itemSize(out.dtype)];
  const plan = rowPlan(out.shape, [a.shape, b.shape], items);
  return plan && runRows(`bin_${name}_${kind}`, [a, b], out, plan, items);
}

/** eq/ne/lt/le/gt/ge of float32, float64 or int32 operands into a bool array. */
export function compareWasm(name: CompareName, a: KernelInput, b: KernelInput, out: Aval): TypedArray | null {
  const kind: CompareKind | undefined = a.dtype === "int32" ? "i32" : KIND[a.dtype];
  if (!kind || a.dtype !== b.dtype || !(name in COMPARE_OPS) || !usable(sizeOf(out.shape))) return null;
  const items = [itemSize(a.dtype), itemSize(a.dtype)];
  const plan = rowPlan(out.shape, [a.shape, b.shape], items);
  return plan && runRows(`cmp_${name}_${kind}`, [a, b], out, plan, items);
}

/** neg/abs/sqrt of a float array. */
export function unaryWasm(name: UnaryName, x: KernelInput, out: Aval): TypedArray | null {
  const kind = KIND[out.dtype];
  const n = sizeOf(out.shape);
  if (!kind || !(name in UNARY_OPS) || !usable(n)) return null;
  return runRows(`un_${name}_${kind}`, [x], out, { P: 1, Q: 1, R: n, strides: [[0, 0]], mode: 0 }, [itemSize(x.dtype)]);
}

/**
 * select(c, a, b) for float32/float64 (and int32, moved as float32 bits)
 * with a bool/uint8 condition that varies along rows.
 */
export function selectWasm(c: KernelInput, a: KernelInput, b: KernelInput, out: Aval): TypedArray | null {
  const kind: Kind | undefined = out.dtype === "int32" ? "f32" : KIND[out.dtype];
  if (!kind || itemSize(c.dtype) !== 1 || !usable(sizeOf(out.shape))) return null;
  const it = itemSize(out.dtype);
  const plan = rowPlan(out.shape, [c.shape, a.shape, b.shape], [1, it, it]);
  if (!plan || plan.mode & 1) return null;
  return runRows(`select_${kind}`, [c, a, b], out, plan, [1, it, it]);
}

/**
 * Runs the reduction kernel `name` (rsum, rmax, rmin: x walked as rows that
 * fold into one accumulator or into a contiguous accumulator row) with
 * accumulators of `accItem` bytes filled with `init`; returns where they are.
 * The input is staged in chunks of about `ewConfig.reduceChunkBytes` (whole
 * P-slabs, rows or pieces of a row), each reduced while it is still
 * in L2: staged at once, a large input was written out to memory by the copy
 * and read back by the kernel (≈ 25% of the call on 4 MiB).
 */
function runReduction(name: string, x: KernelInput, axes: readonly number[], out: Aval, accItem: 4 | 8, init: number): { rt: WasmRuntime; at: number; m: number } | null {
  // The input is walked as the "output" of a row plan whose one operand is the
  // accumulator array at keepdims shape (broadcast along reduced axes).
  const keep = x.shape.map((d, ax) => (axes.includes(ax) ? 1 : d));
  const plan = rowPlan(x.shape, [keep], [accItem]);
  if (!plan) return null;
  const { P, Q, R, mode } = plan;
  const [aP, aQ] = plan.strides[0]!;
  const { rt, fn, pooled } = kernel(name);
  const m = sizeOf(out.shape);
  const item = itemSize(x.dtype), rowBytes = R * item, chunk = ewConfig.reduceChunkBytes;
  // An input already in Wasm memory (a compiled call's arena) is reduced in one call, nothing staged.
  const resident = rt.residentAddress(x.data) >= 0;
  // Per call: whole P-slabs when one fits, else rows of one slab, else pieces of one row
  // (a row folds piece after piece into the same accumulators, in order).
  const slabs = resident ? P : Math.min(P, Math.floor(chunk / (Q * rowBytes)));
  const rows = Math.min(Q, Math.max(1, Math.floor(chunk / rowBytes)));
  const piece = rowBytes > chunk ? Math.max(1, Math.floor(chunk / item)) : R;
  const base = rt.operandBase();
  const at = base + (resident ? 0 : align(slabs > 0 ? slabs * Q * rowBytes : piece < R ? piece * item : rows * rowBytes));
  const top = at + align(m * accItem);
  if (top - base > ewConfig.maxStageBytes || !rt.ensure(top)) return null;
  (accItem === 8 ? new Float64Array(rt.memory.buffer, at, m) : new Float32Array(rt.memory.buffer, at, m)).fill(init);
  const run = (p: number, q: number, i: number, np: number, nq: number, nr: number) => {
    const from = (p * Q + q) * R + i;
    const xAt = rt.operandAt(x.data, from, np * nq * nr, base), accAt = at + p * aP + q * aQ + (mode ? 0 : i * accItem);
    const work = np * nq * nr;
    // Threads take disjoint accumulators, so every one still sees its terms in input order: Q rows
    // with their own accumulators (a bias gradient's channels), else P slabs with their own. Only
    // the one-call resident case splits: a hand-off per staged 256 KiB chunk made eager B3 sizes
    // 10× slower (reduce_sum [64, 64, 24, 24]: 1.3 → 30 ms on a loaded host).
    if (!resident || !ewConfig.split) fn(xAt, accAt, np, nq, nr, aP, aQ, mode, 0);
    else if (aQ !== 0 && nq > 1) splitAcrossThreads(rt, pooled, nq, work, (q0, q1) => [xAt + q0 * nr * item, accAt + q0 * aQ, np, q1 - q0, nr, aP, aQ, mode, (nq - q1 + q0) * nr * item]);
    else if (aP !== 0 && np > 1) splitAcrossThreads(rt, pooled, np, work, (p0, p1) => [xAt + p0 * nq * nr * item, accAt + p0 * aP, p1 - p0, nq, nr, aP, aQ, mode, 0]);
    else fn(xAt, accAt, np, nq, nr, aP, aQ, mode, 0);
  };
  if (slabs > 0) for (let p = 0; p < P; p += slabs) run(p, 0, 0, Math.min(slabs, P - p), Q, R);
  else if (piece < R) for (let p = 0; p < P; p++) for (let q = 0; q < Q; q++) for (let i = 0; i < R; i += piece) run(p, q, i, 1, 1, Math.min(piece, R - i));
  else for (let p = 0; p < P; p++) for (let q = 0; q < Q; q += rows) run(p, q, 0, 1, Math.min(rows, Q - q), R);
  return { rt, at, m };
}

/**
 * reduce_sum over any axes of a float array whose rows (input order) either
 * fold into one output or add into a contiguous output row: accumulates in
 * float64 in input order, as the reference, then rounds once to the dtype.
 */
export function reduceSumWasm(x: KernelInput, axes: readonly number[], out: Aval): TypedArray | null {
  const kind = KIND[x.dtype];
  if (!kind || x.dtype !== out.dtype || !usable(x.data.length)) return null;
  if (x.data.length === 0) return allocate(out.dtype, sizeOf(out.shape)); // sums of nothing: +0
  const r = runReduction(`rsum_${kind}`, x, axes, out, 8, 0);
  if (!r) return null;
  const dst = allocate(out.dtype, r.m);
  dst.set(new Float64Array(r.rt.memory.buffer, r.at, r.m));
  return dst;
}

/** reduce_max / reduce_min over any axes of a float array, bit for bit the reference's (reduce-kernel.ts). */
export function reduceExtremumWasm(isMax: boolean, x: KernelInput, axes: readonly number[], out: Aval): TypedArray | null {
  const kind = KIND[x.dtype];
  if (!kind || x.dtype !== out.dtype || !usable(x.data.length)) return null;
  const init = isMax ? -Infinity : Infinity;
  if (x.data.length === 0) return allocate(out.dtype, sizeOf(out.shape)).fill(init); // extremes of nothing
  const r = runReduction(`${isMax ? "rmax" : "rmin"}_${kind}`, x, axes, out, kind === "f32" ? 4 : 8, init);
  return r && copyOut(r.rt, out.dtype, r.at, r.m);
}

/** argmax/argmin along `axis` of a float array: int32 indices (first extreme; a NaN wins). */
export function argWasm(isMax: boolean, x: KernelInput, axis: number, out: Aval): TypedArray | null {
  const kind = KIND[x.dtype];
  const n = x.data.length;
  if (!kind || out.dtype !== "int32" || !usable(n) || n === 0) return null;
  const { rt, fn } = kernel(`${isMax ? "argmax" : "argmin"}_${kind}`);
  const outer = sizeOf(x.shape.slice(0, axis)), inner = sizeOf(x.shape.slice(axis + 1));
  return runStaged(rt, [x.data], "int32", sizeOf(out.shape), (at, [xAt]) => fn(at, xAt!, outer, x.shape[axis]!, inner));
}

/**
 * Max-pool windows over the last two axes (window and stride 1 on the others,
 * no padding: the op pads before): mode 0 reduce_window_max(x), 1
 * select_and_gather_add(t, x), 2 select_and_scatter_add(t, x) (t = the
 * cotangent s). Float32/float64.
 *
 * Windows never cross planes (the leading axes), so the call walks whole
 * planes in chunks of about `ewConfig.windowChunkBytes` of x: each chunk is
 * staged, run and copied straight into the result while it is in L2. Staged
 * at once, the backward pass wrote x, t and a zeroed x-sized output out to
 * memory and read them back, and zeroed that output through a Uint8Array of
 * shared memory (one atomic byte store at a time: 6 ms for 9.4 MB).
 */
export function windowWasm(mode: 0 | 1 | 2, x: KernelInput, t: KernelInput | null, window: readonly number[], strides: readonly number[], out: Aval): TypedArray | null {
  const kind = KIND[x.dtype];
  const r = x.shape.length;
  const n = sizeOf(out.shape);
  if (!kind || out.dtype !== x.dtype || (t && t.dtype !== x.dtype) || r < 2 || !usable(Math.max(n, x.data.length))) return null;
  for (let a = 0; a < r - 2; a++) if (window[a] !== 1 || strides[a] !== 1) return null;
  if (n === 0 || x.data.length === 0) return null;
  const windows = mode === 2 ? t!.shape : out.shape;
  const H = x.shape[r - 2]!, W = x.shape[r - 1]!, OH = windows[r - 2]!, OW = windows[r - 1]!;
  // 2×2 windows at stride 2, the usual max pool: a window per SIMD lane (four float32s, two float64s).
  const pairs = window[r - 2] === 2 && window[r - 1] === 2 && strides[r - 2] === 2 && strides[r - 1] === 2 && OW >= KINDS[kind].lanes;
  const { rt, pooled } = kernel(pairs ? `window2x2_${kind}` : `window_${kind}`);
  const planes = sizeOf(x.shape.slice(0, r - 2));
  // Elements per plane; t is x-sized for the gather (read where x has its maxima), window-sized for the scatter.
  const xPlane = H * W, tPlane = mode === 2 ? OH * OW : xPlane, outPlane = n / planes;
  const es = itemSize(x.dtype);
  const dst = allocateUninitialized(out.dtype, n);
  // Operands and result all in Wasm memory (a compiled call's arena): one pass over every plane, nothing staged.
  const inPlace = rt.residentAddress(x.data) >= 0 && (!t || rt.residentAddress(t.data) >= 0) && rt.isResidentBlock(dst);
  const per = inPlace ? planes : Math.max(1, Math.min(planes, Math.floor(ewConfig.windowChunkBytes / (xPlane * es))));
  const base = rt.operandBase();
  const tAt = base + align(per * xPlane * es), outAt = tAt + (t ? align(per * tPlane * es) : 0);
  const top = outAt + align(per * outPlane * es);
  if (top - base > ewConfig.maxStageBytes || !rt.ensure(top)) return null;
  const View = x.data.constructor as new (b: ArrayBufferLike, at: number, n: number) => Float32Array | Float64Array;
  for (let p = 0; p < planes; p += per) {
    const k = Math.min(per, planes - p);
    // Operands in the call arena or kept blocks are read, and a result block written, where they lie.
    const xHere = rt.operandAt(x.data, p * xPlane, k * xPlane, base), tHere = t ? rt.operandAt(t.data, p * tPlane, k * tPlane, tAt) : tAt;
    const outHere = rt.resultAt(dst, p * outPlane, outAt);
    // The general kernel adds into its output; the 2×2 one writes every cell its windows cover.
    if (mode === 2 && !pairs) new View(rt.memory.buffer, outHere, k * outPlane).fill(0);
    // Windows never cross planes: threads take disjoint runs of planes, in the one-call in-place case
    // only (as reductions: a hand-off per staged chunk cost more than the chunk).
    const shape = pairs ? [H, W, OH, OW] : [H, W, window[r - 2]!, window[r - 1]!, strides[r - 2]!, strides[r - 1]!, OH, OW];
    const piece = (p0: number, p1: number) => [mode, xHere + p0 * xPlane * es, tHere + p0 * tPlane * es, outHere + p0 * outPlane * es, p1 - p0, ...shape];
    if (inPlace && ewConfig.split) splitAcrossThreads(rt, pooled, k, k * xPlane, piece);
    else pooled.local(...piece(0, k));
    rt.landAt(dst, p * outPlane, k * outPlane, outHere);
  }
  // Cells no 2×2 window covers (the last row / column of an odd H / W) get no gradient.
  if (mode === 2 && pairs && (H > 2 * OH || W > 2 * OW)) zeroUncovered(dst, planes, H, W, 2 * OH, 2 * OW);
  return dst;
}

/** Zeroes, in each [H, W] plane of `a`, the cells outside its top-left [h, w] corner. */
function zeroUncovered(a: TypedArray, planes: number, H: number, W: number, h: number, w: number): void {
  for (let p = 0; p < planes; p++) {
    const plane = p * H * W;
    if (w < W) for (let y = 0; y < h; y++) a.fill(0, plane + y * W + w, plane + (y + 1) * W);
    a.fill(0, plane + h * W, plane + H * W);
  }
}

/** out[i] = src[Σ i_k·strides_k] over `outShape`: a transpose or a broadcast, any dtype. */
function gatherWasm(src: TypedArray, strides: readonly number[], outShape: readonly number[], dtype: DType): TypedArray | null {
  const n = sizeOf(outShape);
  if (!usable(n)) return null;
  if (n === 0) return allocate(dtype, 0);
  const m = mergeAxes(outShape, [strides]);
  let rank = m.shape.length;
  const inner = m.strides[0]![rank - 1]!, run = m.shape[rank - 1]!;
  const item = itemSize(dtype);
  // Long contiguous rows not in whole vectors, and rows of 1 KiB and more, are copied fastest by
  // TypedArray.set in JS without staging (a conv weight gradient's [N, C, H, W] → [C, N, H, W]: 5 → 3 ms),
  // unless the source is already in Wasm memory (a compiled call's arena): nothing is staged then, and
  // whole vectors beat `set` on shared memory (B3's [64, 64, 24, 24] in the jitted step: 3.8 → 1.7 ms).
  const staged = getRuntime().residentAddress(src) < 0;
  if (inner === 1 && run >= 64 && ((item * run) % 16 !== 0 || (item * run >= 1024 && staged))) return null;
  let es = item;
  const dims = [...m.shape];
  const bytes = m.strides[0]!.map((v) => v * item);
  if (inner === 1 && rank > 1 && (item * run === 8 || item * run === 16)) {
    // A contiguous run of 8 or 16 bytes (max-pool windows: 2 floats) moves as one element.
    es = item * run;
    dims.pop();
    bytes.pop();
    rank--;
  } else if (inner === 1 && rank > 1 && (item * run) % 16 === 0) {
    // Longer contiguous runs in whole vectors (attention's head split: rows of 64 floats) move 16 bytes at a time.
    es = 16;
    dims[rank - 1] = (item * run) / 16;
    bytes[rank - 1] = 16;
  }
  if (rank > GATHER_RANK) return null;
  const { rt, fn } = kernel(`gather${es}`);
  const pad = GATHER_RANK - rank;
  return runStaged(rt, [src], dtype, n, (at, [srcAt]) => fn(at, srcAt!, ...Array<number>(pad).fill(1), ...dims, ...Array<number>(pad).fill(0), ...bytes));
}

/**
 * Stacked matrices [count, rows, cols] as [count, cols, rows] with the
 * blocked SIMD transpose (conv-kernel.ts), split over the threads by matrix,
 * or by bands of rows when there is one. This is how a deferred transpose
 * (lazy.ts) is materialized when a kernel other than dot reads it, e.g. a
 * Linear layer's weight gradient [out, in] reaching the optimizer's update.
 */
export function transposeMatrices(data: TypedArray, count: number, rows: number, cols: number, dtype: DType): TypedArray | null {
  const n = count * rows * cols, kind = KIND[dtype];
  if (!kind || !usable(n)) return null;
  const rt = getRuntime();
  const es = itemSize(dtype), plane = rows * cols * es, fn = `transpose_${kind}` as const;
  return runStaged(rt, [data], dtype, n, (out, [src]) => {
    if (count > 1) splitAcrossThreads(rt, fn, count, n, (b0, b1) => [src!, out, b0, b1, rows, cols, plane, plane, rows * es]);
    else splitAcrossThreads(rt, fn, rows, n, (r0, r1) => [src! + r0 * cols * es, out + r0 * es, 0, 1, r1 - r0, cols, 0, 0, rows * es]);
  });
}

export function transposeWasm(x: KernelInput, perm: readonly number[], out: Aval): TypedArray | null {
  const s = contiguousStrides(x.shape);
  return gatherWasm(x.data, perm.map((p) => s[p]!), out.shape, out.dtype);
}

export function broadcastToWasm(x: KernelInput, out: Aval): TypedArray | null {
  return gatherWasm(x.data, broadcastStridesOf(x.shape, out.shape), out.shape, out.dtype);
}

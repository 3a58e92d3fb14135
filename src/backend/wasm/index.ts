/**
 * The "wasm" backend: tensor data stays in JS TypedArrays (owned by the
 * garbage collector, see docs/memory.md); heavy kernels copy their operands
 * into the shared Wasm memory and run SIMD code there, on all threads. Every
 * primitive without a Wasm kernel runs the reference kernel. On an engine
 * without WebAssembly SIMD (FLUXION_WASM_SIMD=0 makes one) it runs only its
 * JavaScript kernels: no deferred views, no call arena, one thread.
 *
 *   fx.setBackend("wasm");
 *   fx.setThreads(2);
 *   fx.matmul(a, b); // SIMD GEMM
 */
import type { TypedArray } from "../../core/dtype.js";
import type { Aval, Buffer } from "../../core/tensor.js";
import { registerBackend } from "../registry.js";
import { ArrayBuffer_ } from "../reference/buffer.js";
import { referenceKernels } from "../reference/kernels.js";
import type { Backend, BinaryName, CompareName, KernelInput, PrimName, PrimParams, ReduceName, UnaryName } from "../spec.js";
import { wasmFeatures } from "./features.js";
import { wasmCallArena } from "./arena.js";
import { convWasm, type ConvOperand } from "./conv.js";
import { TransposeView } from "./lazy-transpose.js";
import { revStrided } from "./rev.js";
import { gemm, type GemmOperand } from "./gemm.js";
import { binaryFast, broadcastToFast, compareFast, reduceFast, selectFast, transposeFast, unaryFast } from "./js-kernels.js";
import { contiguousStrides } from "./rows.js";
import { isBatchBroadcast, isMatrixTranspose, MatrixView } from "./lazy.js";
import { fuseWasm, mathWasm } from "./fused.js";
import { argWasm, binaryWasm, broadcastToWasm, windowWasm, compareWasm, reduceExtremumWasm, reduceSumWasm, selectWasm, transposeWasm, unaryWasm } from "./ew.js";

type Input = { buffer: Buffer; shape: readonly number[]; dtype: Aval["dtype"] };
/** A fast path: returns null to fall back to the reference kernel. */
type Fast<K extends PrimName> = (inputs: Input[], params: PrimParams[K], outs: Aval[]) => Buffer[] | null;

function operand(b: Buffer): GemmOperand {
  if (b instanceof MatrixView) return { data: b.source() as Float32Array | Float64Array, transposed: b.transposed, shared: b.shared };
  return { data: b.view() as Float32Array | Float64Array, transposed: false, shared: false };
}

const isFloatDType = (d: Aval["dtype"]) => d === "float32" || d === "float64";

const dot: Fast<"dot"> = ([a, b], _p, [out]) => {
  const dtype = out!.dtype;
  if (!isFloatDType(dtype) || !wasmFeatures().simd) return null;
  const r = a!.shape.length;
  const M = a!.shape[r - 2]!, K = a!.shape[r - 1]!, N = b!.shape[r - 1]!;
  let batch = 1;
  for (let i = 0; i < r - 2; i++) batch *= a!.shape[i]!;
  const c = gemm(dtype, operand(a!.buffer), operand(b!.buffer), batch, M, N, K);
  return c ? [new ArrayBuffer_(c)] : null;
};

/**
 * Swapping the last two axes of float matrices is deferred: `dot` reads them through strides. So is any
 * float transpose that keeps the last axis in place: the conv weight gradient's implicit GEMM reads it
 * through strides (lazy-transpose.ts); other kernels materialize it once.
 */
const transpose: Fast<"transpose"> = ([x], { perm }, [out]) => {
  if (!wasmFeatures().simd) return wrap(transposeFast(view(x!), perm, out!));
  if (isFloatDType(x!.dtype) && !isMatrixTranspose(perm) && perm[perm.length - 1] === perm.length - 1) return [TransposeView.of(x!.buffer.view(), x!.shape, perm, x!.dtype)];
  if (!isFloatDType(x!.dtype) || !isMatrixTranspose(perm)) return wrap(transposeWasm(view(x!), perm, out!) ?? transposeFast(view(x!), perm, out!));
  const b = x!.buffer;
  if (b instanceof MatrixView) return [b.transpose(out!.shape)];
  return [new MatrixView(b.view(), out!.shape, x!.dtype, true, false)];
};

/** Broadcasting one float matrix over leading axes is deferred: `dot` reads it with a batch stride of 0. */
const broadcastTo: Fast<"broadcast_to"> = ([x], _p, [out]) => {
  if (wasmFeatures().simd && isFloatDType(x!.dtype) && isBatchBroadcast(x!.shape, out!.shape)) {
    const b = x!.buffer;
    const deferred = b instanceof MatrixView ? b.broadcast(out!.shape) : new MatrixView(b.view(), out!.shape, x!.dtype, false, true);
    if (deferred) return [deferred];
  }
  return wrap(broadcastToWasm(view(x!), out!) ?? broadcastToFast(view(x!), out!));
};

const view = (x: Input): KernelInput => ({ data: x.buffer.view(), shape: x.shape, dtype: x.dtype });
const wrap = (d: TypedArray | null) => (d ? [new ArrayBuffer_(d)] : null);

// Each operand's view is made once and shared by the Wasm kernel and its JS fallback.
const binary = (name: BinaryName): Fast<BinaryName> => (inputs, _p, outs) => {
  const a = view(inputs[0]!), b = view(inputs[1]!), out = outs[0]!;
  return wrap(binaryWasm(name, a, b, out) ?? binaryFast(name, a, b, out));
};
const compare = (name: CompareName): Fast<CompareName> => (inputs, _p, outs) => {
  const a = view(inputs[0]!), b = view(inputs[1]!), out = outs[0]!;
  return wrap(compareWasm(name, a, b, out) ?? compareFast(name, a, b, out));
};
const unary = (name: UnaryName): Fast<UnaryName> => (inputs, _p, outs) => {
  const x = view(inputs[0]!), out = outs[0]!;
  return wrap(unaryWasm(name, x, out) ?? mathWasm(name, x, out) ?? unaryFast(name, x, out));
};
const reduceWasm = (name: ReduceName, x: KernelInput, axes: readonly number[], out: Aval) =>
  name === "reduce_sum" ? reduceSumWasm(x, axes, out) : name === "reduce_max" || name === "reduce_min" ? reduceExtremumWasm(name === "reduce_max", x, axes, out) : null;
const reduce = (name: ReduceName): Fast<ReduceName> => ([x], { axes }, [out]) => {
  const v = view(x!);
  return wrap(reduceWasm(name, v, axes, out!) ?? reduceFast(name, v, axes, out!));
};

/** A deferred transpose with strides is handed over as stored: the routes that read strides read it in place (conv.ts). */
const convOperand = (b: Input): ConvOperand => {
  const t = b.buffer instanceof TransposeView && b.buffer.strides !== null ? b.buffer : null;
  return { stored: t ? { data: t.source(), shape: b.shape, dtype: b.dtype, strides: t.strides! } : view(b), rowMajor: () => view(b) };
};
const conv: Fast<"conv"> = ([x, w], p, [out]) => (wasmFeatures().simd ? wrap(convWasm([convOperand(x!), convOperand(w!)], p, out!)) : null);

/** rev reads a deferred transpose through its strides (rev.ts); anything else row-major. */
const rev: Fast<"rev"> = ([x], { axes }, [out]) => {
  const b = x!.buffer;
  if (b instanceof TransposeView && b.strides) return wrap(revStrided(b.source(), b.strides, x!.shape, axes, out!.dtype));
  return wrap(revStrided(b.view(), contiguousStrides(x!.shape), x!.shape, axes, out!.dtype));
};

const FAST: { [K in PrimName]?: Fast<K> } = {
  dot,
  rev,
  conv,
  reshape: ([x], _p, [out]) => (x!.buffer instanceof TransposeView ? [x!.buffer.reshaped(out!.shape)] : null),
  transpose,
  broadcast_to: broadcastTo,
  select: ([c, a, b], _p, [out]) => wrap(selectWasm(view(c!), view(a!), view(b!), out!) ?? selectFast(view(c!), view(a!), view(b!), out!)),
  add: binary("add"), sub: binary("sub"), mul: binary("mul"), div: binary("div"), max: binary("max"), min: binary("min"),
  eq: compare("eq"), ne: compare("ne"), lt: compare("lt"), le: compare("le"), gt: compare("gt"), ge: compare("ge"),
  neg: unary("neg"), exp: unary("exp"), log: unary("log"), sqrt: unary("sqrt"), tanh: unary("tanh"), abs: unary("abs"),
  logistic: unary("logistic"), erf: unary("erf"),
  reduce_window_max: ([x], { window, strides }, [out]) => wrap(windowWasm(0, view(x!), null, window, strides, out!)),
  select_and_gather_add: ([t, x], { window, strides }, [out]) => wrap(windowWasm(1, view(x!), view(t!), window, strides, out!)),
  select_and_scatter_add: ([s, x], { window, strides }, [out]) => wrap(windowWasm(2, view(x!), view(s!), window, strides, out!)),
  argmax: ([x], { axis }, [out]) => wrap(argWasm(true, view(x!), axis, out!)),
  argmin: ([x], { axis }, [out]) => wrap(argWasm(false, view(x!), axis, out!)),
  reduce_sum: reduce("reduce_sum"), reduce_max: reduce("reduce_max"), reduce_min: reduce("reduce_min"), reduce_prod: reduce("reduce_prod"),
};

export const wasmBackend: Backend = {
  name: "wasm",
  fromArray(data: TypedArray): Buffer {
    return new ArrayBuffer_(data);
  },
  run<K extends PrimName>(prim: K, inputs: Input[], params: PrimParams[K], outs: Aval[]): Buffer[] {
    const fast = FAST[prim] as Fast<K> | undefined;
    if (fast) {
      const res = fast(inputs, params, outs);
      if (res) return res;
    }
    const views: KernelInput[] = inputs.map((x) => ({ data: x.buffer.view(), shape: x.shape, dtype: x.dtype }));
    return referenceKernels[prim](views, params, outs).map((d) => new ArrayBuffer_(d));
  },
  fuse: fuseWasm,
  // Without SIMD there are no Wasm kernels to read a call's intermediates from Wasm memory.
  callArena: wasmFeatures().simd ? wasmCallArena : undefined,
};

registerBackend(wasmBackend);

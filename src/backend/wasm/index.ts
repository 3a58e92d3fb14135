/**
 * The "wasm" backend: tensor data stays in JS TypedArrays (owned by the
 * garbage collector, see docs/memory.md); heavy kernels copy their operands
 * into the shared Wasm memory and run SIMD code there, on all threads. Every
 * primitive without a Wasm kernel runs the reference kernel.
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
import type { Backend, KernelInput, PrimName, PrimParams } from "../spec.js";
import { wasmFeatures } from "./features.js";
import { gemm, type GemmOperand } from "./gemm.js";
import { isMatrixTranspose, TransposedBuffer } from "./lazy.js";

type Input = { buffer: Buffer; shape: readonly number[]; dtype: Aval["dtype"] };
/** A fast path: returns null to fall back to the reference kernel. */
type Fast<K extends PrimName> = (inputs: Input[], params: PrimParams[K], outs: Aval[]) => Buffer[] | null;

function operand(b: Buffer): GemmOperand {
  if (b instanceof TransposedBuffer) return { data: b.sourceView() as Float32Array | Float64Array, transposed: true };
  return { data: b.view() as Float32Array | Float64Array, transposed: false };
}

const dot: Fast<"dot"> = ([a, b], _p, [out]) => {
  const dtype = out!.dtype;
  if ((dtype !== "float32" && dtype !== "float64") || !wasmFeatures().simd) return null;
  const r = a!.shape.length;
  const M = a!.shape[r - 2]!, K = a!.shape[r - 1]!, N = b!.shape[r - 1]!;
  let batch = 1;
  for (let i = 0; i < r - 2; i++) batch *= a!.shape[i]!;
  const c = gemm(dtype, operand(a!.buffer), operand(b!.buffer), batch, M, N, K);
  return c ? [new ArrayBuffer_(c)] : null;
};

/** Swapping the last two axes of a float matrix is deferred: `dot` reads it through strides. */
const transpose: Fast<"transpose"> = ([x], { perm }) => {
  if ((x!.dtype !== "float32" && x!.dtype !== "float64") || !isMatrixTranspose(perm)) return null;
  if (x!.buffer instanceof TransposedBuffer) {
    // (xᵀ)ᵀ = x: hand back a copy of the untransposed storage.
    return [new ArrayBuffer_(x!.buffer.sourceView().slice())];
  }
  return [new TransposedBuffer(x!.buffer.view(), x!.shape, x!.dtype)];
};

const FAST: { [K in PrimName]?: Fast<K> } = { dot, transpose };

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
};

registerBackend(wasmBackend);

/**
 * Runs jit's fused elementwise groups as Wasm SIMD loops (fused-kernel.ts):
 * the inputs are copied into the shared memory, one call computes every
 * output, and the outputs are copied into the arrays jit hands over. The
 * copies cost ~0.3 ns per element; the generated JavaScript loop they replace
 * costs 5–20 ns per element once it divides or takes square roots.
 *
 * Code is generated once per group structure and shared by every group of
 * that structure (an optimizer's update of each parameter, whatever its size).
 * Each module is also loaded on the worker threads, and a large group is
 * split into ranges of iterations across them (an optimizer update, an
 * activation; with row, column or channel inputs — a conv's bias + ReLU —
 * ranges that start where each of those patterns starts again).
 */
import { allocateUninitialized, itemSize, type TypedArray } from "../../core/dtype.js";
import type { Aval } from "../../core/tensor.js";
import type { FusedGroup, FusedKernel, KernelInput, UnaryName } from "../spec.js";
import { ewConfig, land, stage } from "./ew.js";
import { MATH_OPS } from "./math-kernel.js";
import { isShared, wasmFeatures } from "./features.js";
import { buildFusedModule, fusedKey, fusedKind, VECTORS_PER_ITERATION } from "./fused-kernel.js";
import { align, MAX_PAGES } from "./module.js";
import { getRuntime } from "./runtime.js";
import { splitAcrossThreads, type PoolFunction } from "./split.js";
import { MAX_ARGS } from "./threads.js";

/**
 * Groups with fewer elements stay JavaScript (the call and the copies would
 * cost more than the loop); groups staging more than `maxBytes` too, so that
 * Wasm memory, which never shrinks, stays bounded. Tests set 0 to compile all.
 */
export const fusedConfig = { minElements: 256, maxBytes: 128 * 2 ** 20 };

type Fn = (...args: number[]) => void;

const gcd = (a: number, b: number): number => {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
};
const lcm = (a: number, b: number) => (a / gcd(a, b)) * b;
const compiled = new Map<string, PoolFunction>();

export function fuseWasm(group: FusedGroup): FusedKernel | null {
  const { n } = group;
  if (n < fusedConfig.minElements || !wasmFeatures().simd) return null;
  const kind = fusedKind(group);
  if (!kind) return null;
  const dtypes = [...group.inputs.map((x) => x.dtype), ...group.ops.map((o) => o.dtype)];
  const outBytes = group.outputs.map((v) => align(n * itemSize(dtypes[v]!)));
  const inBytes = group.inputs.map((x) => align(x.scalar ? 8 : (x.period ?? (x.repeat ? n / x.repeat : n)) * itemSize(x.dtype)));
  const outTotal = outBytes.reduce((a, b) => a + b, 0);
  if (outTotal + inBytes.reduce((a, b) => a + b, 0) > fusedConfig.maxBytes) return null;

  const rt = getRuntime();
  const key = `${kind}|${fusedKey(group)}`;
  let fn = compiled.get(key);
  if (!fn) {
    const bytes = buildFusedModule(group, kind, MAX_PAGES, isShared(rt.memory.buffer));
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: rt.memory } });
    fn = { index: rt.addWorkerFunction(bytes), local: (inst.exports as Record<string, Fn>).fused! };
    compiled.set(key, fn);
  }
  const pooled = fn;
  const perIteration = (kind === "f32" ? 4 : 2) * VECTORS_PER_ITERATION;
  const iterations = Math.ceil(n / perIteration);
  // Ranges start at multiples of `unit` iterations: where every row (period), column (repeat) and
  // channel (both) input is at the start of its pattern, so the kernel starts it there as for element 0.
  const cycle = (x: FusedGroup["inputs"][number]) => (x.period ?? 1) * (x.repeat ?? 1);
  const cycles = group.inputs.map(cycle);
  const unit = cycles.every((c) => Number.isInteger(c) && c > 0) ? cycles.reduce((u, c) => Math.min(lcm(u, c), n + perIteration), perIteration) / perIteration : Infinity;
  // Where a range starting at iteration i0 reads input i: whole arrays i0 iterations on, columns
  // i0·perIteration/repeat elements on, rows, channels and scalars at their start.
  const inOffset = group.inputs.map((x) => (x.scalar || x.period !== undefined ? 0 : itemSize(x.dtype) * perIteration / (x.repeat ?? 1)));
  const outSteps = group.outputs.map((v) => perIteration * itemSize(dtypes[v]!));
  const units = Math.ceil(iterations / unit);
  const splittable = units > 1 && 1 + inOffset.length + outSteps.length <= MAX_ARGS;
  const moved = n * (inOffset.length + outSteps.length);
  return (ins: TypedArray[], outs: TypedArray[]) => {
    const results = outs.map((out) => (out.length === n ? out : out.subarray(0, n)));
    const s = stage(rt, ins, results);
    if (!s) throw new RangeError(`fused kernel: cannot stage ${n} elements in Wasm memory`);
    if (splittable) {
      splitAcrossThreads(rt, pooled, units, moved, (u0, u1) => {
        const i0 = u0 * unit, i1 = Math.min(iterations, u1 * unit);
        return [i1 - i0, ...s.addrs.map((a, i) => a + i0 * inOffset[i]!), ...s.outs.map((a, k) => a + i0 * outSteps[k]!)];
      });
    } else {
      pooled.local(iterations, ...s.addrs, ...s.outs);
    }
    land(rt, results, s.outs);
  };
}

/** Eager exp/logistic on a large float array: the same code as a one-op fused group. */
export function mathWasm(name: UnaryName, x: KernelInput, out: Aval): TypedArray | null {
  const n = x.data.length;
  if (!(name in MATH_OPS) || n < ewConfig.minElements || x.dtype !== out.dtype) return null;
  const kernel = fuseWasm({ inputs: [{ dtype: x.dtype, scalar: false }], ops: [{ prim: name, args: [0], dtype: out.dtype }], outputs: [1], n });
  if (!kernel) return null;
  const dst = allocateUninitialized(out.dtype, n);
  kernel([x.data], [dst]);
  return dst;
}

/**
 * Runs the direct convolution kernels (conv-direct-kernel.ts) for the two
 * stride-1, unpadded, one-group 2-D shapes where a GEMM has one tiny side:
 *
 * - "taps": K = C·kh·kw ≤ `directConfig.maxTapsK` (B3's first conv, [64, 1, 28, 28] · [32, 1, 3, 3]:
 *   the im2col GEMM ran at ≈ 9 GFLOP/s in the 2-thread step with K = 9);
 * - "positions": N·OH·OW ≤ `directConfig.maxPositionRows` and OH·OW ≤ 9 (that conv's weight gradient,
 *   [1, 64, 28, 28] · [32, 64, 26, 26] → [1, 32, 3, 3]: the implicit GEMM had M = 9 rows).
 *
 * Operands that are deferred transposes with strides are read in place
 * (last axis contiguous); the work is split across the threads by (n, o).
 */
import { allocate, allocateUninitialized, type TypedArray } from "../../core/dtype.js";
import type { Aval } from "../../core/tensor.js";
import type { KernelInput, PrimParams } from "../spec.js";
import { emitConvPositions, emitConvTaps, positionsName, tapsName } from "./conv-direct-kernel.js";
import type { StridedInput } from "./conv-implicit.js";
import { ModuleBuilder } from "./emitter.js";
import { isShared } from "./features.js";
import type { Kind } from "./kinds.js";
import { align, MAX_PAGES } from "./module.js";
import { getRuntime } from "./runtime.js";
import { splitAcrossThreads, type PoolFunction } from "./split.js";

/**
 * Bounds of the two routes (tests change them). Same-process A/B against the GEMM routes, operands
 * in the call arena, float32, min of 16 on a host loaded to 4–5 on its 2 cores: K = 9
 * ([64, 1, 28, 28]·[32, 1, 3, 3]) 1.32 → 1.25 ms on 1 thread, 2.18 → 1.77 on 2; K = 18 3.10 → 2.68 /
 * 2.77 → 2.55; K = 27 ([64, 3, 32, 32]) 4.86 → 5.12 / 5.05 → 4.97, a tie, so it stays with GEMM.
 * Positions: B3's weight gradient (M = 9 GEMM rows) 2.2–3.5 → 1.9–2.0 ms on 1 thread; conv2's
 * (M = 288) runs at ≈ 43 GFLOP/s in the GEMM, far above this kernel.
 */
export const directConfig = { maxTapsK: 18, maxPositionRows: 9, enabled: true };

const MAX_POSITIONS = 9; // one v128 accumulator each, with the weight vector and the mask: 11 of 16 registers

type Fn = (...args: number[]) => void;
const compiled = new Map<string, PoolFunction>();

function kernel(name: string, emit: (m: ModuleBuilder) => void): PoolFunction {
  let fn = compiled.get(name);
  if (!fn) {
    const rt = getRuntime();
    const m = new ModuleBuilder();
    m.importMemory("env", "mem", 1, MAX_PAGES, isShared(rt.memory.buffer));
    emit(m);
    const bytes = m.bytes();
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: rt.memory } });
    fn = { index: rt.addWorkerFunction(bytes), local: (inst.exports as Record<string, Fn>)[name]! };
    compiled.set(name, fn);
  }
  return fn;
}

const rowMajor = (shape: readonly number[]) => shape.map((_, a) => shape.slice(a + 1).reduce((p, d) => p * d, 1));

/** Which direct kernel computes this conv, or null. */
export function directRoute(xShape: readonly number[], wShape: readonly number[], p: PrimParams["conv"], out: Aval): "taps" | "positions" | null {
  if (!directConfig.enabled || (out.dtype !== "float32" && out.dtype !== "float64") || xShape.length !== 4 || p.groups !== 1) return null;
  for (let a = 0; a < 2; a++) {
    if (p.strides[a] !== 1 || p.lhsDilation[a] !== 1 || p.rhsDilation[a] !== 1 || p.padding[a]![0] !== 0 || p.padding[a]![1] !== 0) return null;
  }
  const [N, C, , ] = xShape as [number, number, number, number];
  const [, , kh, kw] = wShape as [number, number, number, number];
  const [, , OH, OW] = out.shape as [number, number, number, number];
  if (C * kh * kw <= directConfig.maxTapsK) return "taps";
  const lanes = out.dtype === "float32" ? 4 : 2;
  if (OH * OW <= MAX_POSITIONS && N * OH * OW <= directConfig.maxPositionRows && kw >= lanes) return "positions";
  return null;
}

/** out = conv(x, w) by the direct kernel `route`; null when the operands do not fit in Wasm memory. */
export function convDirect(route: "taps" | "positions", x: KernelInput | StridedInput, w: KernelInput | StridedInput, out: Aval): TypedArray | null {
  const dtype = out.dtype as "float32" | "float64";
  const kind: Kind = dtype === "float32" ? "f32" : "f64";
  const es = dtype === "float32" ? 4 : 8;
  const [N, C] = x.shape as [number, number];
  const [O, , kh, kw] = w.shape as [number, number, number, number];
  const [, , OH, OW] = out.shape as [number, number, number, number];
  const n = N * O * OH * OW;
  if (n === 0 || C * kh * kw === 0) return allocate(dtype, n); // empty sums are 0
  const sx = ("strides" in x ? x.strides : rowMajor(x.shape)).map((s) => s * es);
  const sw = ("strides" in w ? w.strides : rowMajor(w.shape)).map((s) => s * es);
  // Columns must be contiguous; the taps kernel also reads each (o, c)'s kh·kw weights as one run.
  if (sx[3] !== es || sw[3] !== es || (route === "taps" && (sw[2] !== kw * es))) return null;
  const rt = getRuntime();
  // Compiled first: loading it on the workers passes its bytes through the staging area.
  const fn = route === "taps" ? kernel(tapsName(kind, kh, kw), (m) => emitConvTaps(m, kind, kh, kw)) : kernel(positionsName(kind, OH, OW), (m) => emitConvPositions(m, kind, OH, OW));
  const dst = allocateUninitialized(dtype, n);
  const addrX = rt.operandBase(), addrW = addrX + align(x.data.length * es), addrMask = addrW + align(w.data.length * es);
  const addrOut = addrMask + 64, end = addrOut + align(n * es);
  if (end > rt.maxBytes || !rt.ensure(end)) return null;
  const xAt = rt.operandAt(x.data, 0, x.data.length, addrX), wAt = rt.operandAt(w.data, 0, w.data.length, addrW);
  const outAt = rt.resultAt(dst, 0, addrOut);
  const macs = n * C * kh * kw;
  // Lanes j ≥ lanes − rem of a row's last vector are columns not yet written (taps) or summed (positions).
  const lanes = 16 / es, rem = (route === "taps" ? OW : kw) % lanes;
  const mask = new Int32Array(rt.memory.buffer, addrMask, 4);
  for (let j = 0; j < 4; j++) mask[j] = Math.floor(j / (4 / lanes)) >= lanes - rem ? -1 : 0;
  if (route === "taps") {
    splitAcrossThreads(rt, fn, N * O, macs, (i0, i1) => [xAt, wAt, outAt, i0, i1, O, C, OH, OW, sx[0]!, sx[1]!, sx[2]!, sw[0]!, sw[1]!, addrMask]);
  } else {
    splitAcrossThreads(rt, fn, N * O, macs, (i0, i1) => [xAt, wAt, outAt, i0, i1, O, C, kh, kw, sx[0]!, sx[1]!, sx[2]!, sw[0]!, sw[1]!, sw[2]!, addrMask]);
  }
  rt.landAt(dst, 0, n, outAt);
  return dst;
}

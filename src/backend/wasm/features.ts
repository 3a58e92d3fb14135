/**
 * What this engine's WebAssembly can do: SIMD128 (needed by every Wasm
 * kernel), relaxed SIMD's fused multiply-add (optional, ~1.3-2x on GEMM), and
 * shared memory + Atomics (needed for threads).
 */
import { F32, FuncBuilder, ModuleBuilder, Simd, V128 } from "./emitter.js";
import { envVar, optionalNodeModule } from "../../core/platform.js";

function validates(build: (f: FuncBuilder) => void, result: number): boolean {
  try {
    const m = new ModuleBuilder();
    build(m.func("f", [], [result as typeof F32]));
    return WebAssembly.validate(m.bytes());
  } catch {
    return false;
  }
}

const simdProbe = (f: FuncBuilder) => f.f32Const(1).simd(Simd.f32x4_splat);
const relaxedProbe = (f: FuncBuilder) =>
  f.f32Const(1).simd(Simd.f32x4_splat).f32Const(2).simd(Simd.f32x4_splat).f32Const(3).simd(Simd.f32x4_splat).simd(Simd.f32x4_relaxed_madd);

let cache: { simd: boolean; relaxed: boolean; threads: boolean } | null = null;

/**
 * Probes once. Node 20's V8 ships relaxed SIMD behind a flag; V8 reads wasm
 * feature flags at compile time, so turning it on here is enough. Set
 * FLUXION_WASM_RELAXED=0 to keep separate multiply and add (bit-identical
 * results on every engine).
 */
export function wasmFeatures(): { simd: boolean; relaxed: boolean; threads: boolean } {
  if (cache) return cache;
  // FLUXION_WASM_SIMD=0 behaves as an engine without SIMD (tests the fallback).
  const simd = typeof WebAssembly === "object" && envVar("FLUXION_WASM_SIMD") !== "0" && validates(simdProbe, V128);
  let relaxed = false;
  if (simd && envVar("FLUXION_WASM_RELAXED") !== "0") {
    relaxed = validates(relaxedProbe, V128);
    if (!relaxed) {
      enableNodeFlag("--experimental-wasm-relaxed-simd");
      relaxed = validates(relaxedProbe, V128);
    }
  }
  let threads = false;
  try {
    threads = typeof Atomics === "object" && isShared(new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer);
  } catch {
    threads = false;
  }
  cache = { simd, relaxed, threads };
  return cache;
}

function enableNodeFlag(flag: string): void {
  try {
    optionalNodeModule("node:v8")?.setFlagsFromString(flag);
  } catch {
    // Not Node, or the flag is unknown to this V8: stay without it.
  }
}

/** Whether `buffer` is shared memory (false where SharedArrayBuffer does not exist, as in a page that is not cross-origin isolated). */
export function isShared(buffer: ArrayBufferLike): boolean {
  return typeof SharedArrayBuffer === "function" && buffer instanceof SharedArrayBuffer;
}

/**
 * The Wasm kernel module: generated once per process, compiled once, and
 * instantiated on every thread against the one shared memory.
 */
import { ModuleBuilder } from "./emitter.js";
import { wasmFeatures } from "./features.js";
import { buildGemm, gemmScratch, type GemmShape } from "./gemm-kernel.js";
import { buildIm2col, buildTranspose } from "./conv-kernel.js";
import { buildWinogradInput, buildWinogradOutput } from "./winograd-kernel.js";
import { buildWinograd4Input, buildWinograd4Output } from "./winograd4-kernel.js";
import { buildWinograd4Cotangent, buildWinograd4Scatter } from "./winograd4-transposed-kernel.js";
import { buildWinogradCotangent } from "./winograd-filter-kernel.js";
import { buildAddRows } from "./add-rows-kernel.js";

/** Register tiles and cache blocks (elements). 6×8 f32 (6×4 f64) keeps 12 accumulators + 2 B vectors + 1 A splat in the 15 XMM registers V8 allocates on x64. */
export function gemmShapes(relaxed: boolean): { f32: GemmShape; f64: GemmShape } {
  return {
    f32: { dtype: "float32", mr: 6, nr: 8, kc: 256, mc: 72, nc: 2048, relaxed },
    f64: { dtype: "float64", mr: 6, nr: 4, kc: 256, mc: 72, nc: 1024, relaxed },
  };
}

/** Pages of 64 KiB. The maximum only reserves address space. */
export const MAX_PAGES = 16384;

export interface KernelModule {
  module: WebAssembly.Module;
  shapes: { f32: GemmShape; f64: GemmShape };
  /** Bytes of per-thread scratch (packed A, packed B, edge tile for either dtype). */
  scratchBytes: number;
}

let compiled: KernelModule | null = null;

export function kernelModule(): KernelModule {
  if (compiled) return compiled;
  const { relaxed } = wasmFeatures();
  const shapes = gemmShapes(relaxed);
  const m = new ModuleBuilder();
  m.importMemory("env", "mem", 1, MAX_PAGES, wasmFeatures().threads);
  buildGemm(m, shapes.f32);
  buildGemm(m, shapes.f64);
  buildIm2col(m);
  buildTranspose(m, "float32");
  buildTranspose(m, "float64");
  for (const d of ["float32", "float64"] as const) {
    buildWinogradInput(m, d);
    buildWinogradOutput(m, d);
    buildWinogradCotangent(m, d);
    buildAddRows(m, d);
  }
  buildWinograd4Input(m, relaxed);
  buildWinograd4Output(m, relaxed);
  buildWinograd4Cotangent(m, relaxed);
  buildWinograd4Scatter(m, relaxed);
  const scratchBytes = Math.max(gemmScratch(shapes.f32, 0).end, gemmScratch(shapes.f64, 0).end);
  compiled = { module: new WebAssembly.Module(m.bytes()), shapes, scratchBytes };
  return compiled;
}

export function align(n: number, to = 64): number {
  return Math.ceil(n / to) * to;
}

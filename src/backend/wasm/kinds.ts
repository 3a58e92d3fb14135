/** Element kinds of the memory-bound Wasm kernels: sizes, lane counts and the opcodes that move them. */
import { F32, F64, I32, MemOp, SimdMem, type ValType } from "./emitter.js";

export type Kind = "f32" | "f64";
/** Comparisons also take int32 operands (argmax indices against an iota, in max-pool gradients). */
export type CompareKind = Kind | "i32";

export interface KindInfo {
  es: number;
  lanes: number;
  type: ValType;
  load: number;
  store: number;
  align: number;
  splat: number;
}

export const KINDS: Record<CompareKind, KindInfo> = {
  i32: { es: 4, lanes: 4, type: I32, load: MemOp.i32_load, store: MemOp.i32_store, align: 2, splat: SimdMem.v128_load32_splat },
  f32: { es: 4, lanes: 4, type: F32, load: MemOp.f32_load, store: MemOp.f32_store, align: 2, splat: SimdMem.v128_load32_splat },
  f64: { es: 8, lanes: 2, type: F64, load: MemOp.f64_load, store: MemOp.f64_store, align: 3, splat: SimdMem.v128_load64_splat },
};


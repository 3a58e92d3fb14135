import type { Aval, Tensor } from "./tensor.js";

/** A cotangent or tangent that is known to be zero is `null` (a symbolic zero). */
export type MaybeTensor = Tensor | null;

/**
 * One primitive with all its rules, kept together (as in JAX's lax):
 * the shape/dtype rule, forward- and reverse-mode derivatives written in
 * primitives (so derivatives are themselves differentiable), the batching
 * rule for `vmap`. Kernels live with each backend, keyed by `name`.
 */
export interface Primitive<P = any> {
  readonly name: string;
  /** Shape/dtype rule; throws the user-facing error for bad input. */
  abstractEval(args: readonly Aval[], params: P): Aval[];
  /** Tangents of the outputs from tangents of the inputs (`null` = zero). */
  jvp(primals: Tensor[], tangents: MaybeTensor[], params: P, outs: Tensor[]): MaybeTensor[];
  /**
   * Cotangents of the inputs from cotangents of the outputs. A cotangent may
   * have the broadcast output shape: the driver sums it back to the input shape.
   * `needed[i]` false means no gradient flows to input i (a constant), so the
   * rule may return null for it instead of computing it; absent, all are needed.
   */
  vjp(cts: MaybeTensor[], primals: Tensor[], outs: Tensor[], params: P, needed?: readonly boolean[]): MaybeTensor[];
  /** Batching rule: `dims[i]` is the batch axis of `args[i]` or null; returns outputs and their batch axes. */
  batch(args: Tensor[], dims: (number | null)[], params: P, axisSize: number): [Tensor[], (number | null)[]];
  /**
   * Eager evaluation for higher-order primitives (scan, cond, while) that run
   * sub-programs instead of one backend kernel.
   */
  impl?(args: Tensor[], params: P): Tensor[];
}

/** Whether a VJP rule must compute input i's cotangent, given its `needed` argument. */
export function needsCotangent(needed: readonly boolean[] | undefined, i: number): boolean {
  return needed === undefined || needed[i] !== false;
}

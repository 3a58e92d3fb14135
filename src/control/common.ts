/** Pieces shared by the control-flow primitives. */
import type { Aval, Tensor } from "../core/tensor.js";
import * as lax from "../primitives/lax.js";
import type { Program } from "../transforms/program.js";

/** The avals of a list of tensors (shape and dtype only). */
export const avalsOf = (xs: readonly Aval[]): Aval[] => xs.map((x) => ({ shape: [...x.shape], dtype: x.dtype }));

/** A program as a function of flat tensors. */
export const asFn = (program: Program) => (...xs: Tensor[]) => program.run(xs);

/** Element t of x along axis 0. */
export function indexAt(x: Tensor, t: number): Tensor {
  const starts = x.shape.map((_, i) => (i === 0 ? t : 0));
  const limits = x.shape.map((d, i) => (i === 0 ? t + 1 : d));
  return lax.reshape(lax.slice(x, starts, limits), x.shape.slice(1));
}

/** Stacks equal-shaped tensors along a new axis 0 (an empty list gives shape [0, ...aval.shape]). */
export function stackAxis0(xs: Tensor[], aval: Aval): Tensor {
  if (xs.length === 0) return lax.broadcastTo(lax.cst(0, aval), [0, ...aval.shape]);
  return lax.concatenate(xs.map((x) => lax.reshape(x, [1, ...x.shape])), 0);
}

export const zerosOr = (t: Tensor | null | undefined, like: Aval): Tensor => t ?? lax.zerosLike(like);

export function sameAval(a: Aval, b: Aval): boolean {
  return a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
}

export const describeAval = (a: Aval) => `${a.dtype}[${a.shape.join(", ")}]`;

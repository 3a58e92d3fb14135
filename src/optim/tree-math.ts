/** Pytree arithmetic shared by the optimizers. Leaves are tensors; null marks "no leaf". */
import type { DType } from "../core/dtype.js";
import { ValueError, fmtShape } from "../core/errors.js";
import { shapesEqual } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { leaves, map } from "../core/tree.js";
import { asTensor } from "../ops/convert.js";
import { zeros, full } from "../ops/creation.js";
import { add, astype, less, sqrt, square, where } from "../ops/elementwise.js";
import { sum } from "../ops/reduce.js";

/** A leaf as a tensor (numbers become float32 scalars). */
export function leafTensor(x: Tensor | number): Tensor {
  return x instanceof Tensor ? x : asTensor(x);
}

/** Maps over the tensor leaves of one or more trees of the same structure. */
export function mapTensors<T>(f: (x: Tensor, ...rest: Tensor[]) => Tensor, tree: T, ...rest: unknown[]): T {
  return map((x: Tensor | number, ...r: (Tensor | number)[]) => f(leafTensor(x), ...r.map(leafTensor)), tree, ...rest);
}

/** Zeros (or `value`) shaped like every leaf. */
export function fullLikeTree<T>(tree: T, value = 0): T {
  return mapTensors((x) => full([...x.shape], value, x.dtype), tree);
}

/** A scalar (from a number or tensor) in the dtype of `like`, for multiplying leaves. */
export function scalarFor(v: Tensor | number, dtype: DType): Tensor | number {
  return typeof v === "number" ? v : astype(v, dtype);
}

/** The step counter every stateful transformation starts from. */
export function zeroCount(): Tensor {
  return zeros([], "int32");
}

/** count + 1, saturating at the int32 maximum instead of wrapping to negative. */
export function incrementCount(count: Tensor): Tensor {
  return where(less(count, 2147483647), add(count, 1), count);
}

/**
 * √(Σ over all leaves of Σ x²): the norm of the whole tree seen as one vector,
 * in the widest float dtype among the leaves.
 *
 *   optim.globalNorm({ a: fx.tensor([3]), b: fx.tensor([4]) }).item(); // 5
 */
export function globalNorm(tree: unknown): Tensor {
  const ls = leaves(tree).map(leafTensor);
  if (ls.length === 0) return zeros([], "float32");
  return sqrt(ls.map((x) => sum(square(x))).reduce((a, b) => add(a, b)));
}

/** Checks that updates and params line up leaf by leaf (shape), naming the first mismatch. */
export function checkSameShapes(op: string, updates: unknown, params: unknown): void {
  const u = leaves(updates), p = leaves(params);
  if (u.length !== p.length) throw new ValueError(`${op}: updates have ${u.length} leaves but params have ${p.length} (pass the same tree structure)`);
  u.forEach((x, i) => {
    const a = leafTensor(x).shape, b = leafTensor(p[i]!).shape;
    if (!shapesEqual(a, b)) throw new ValueError(`${op}: leaf ${i} of the updates has shape ${fmtShape(a)} but the param has shape ${fmtShape(b)}`);
  });
}


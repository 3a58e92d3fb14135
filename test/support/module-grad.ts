/** Gradient checks of modules against float64 central differences. */
import * as fx from "../../src/index.js";
import { expectAllClose, flat } from "./numeric.js";

/** A copy of `t` with flat element i shifted by h. */
export function bump(t: fx.Tensor, i: number, h: number): fx.Tensor {
  const d = Float64Array.from(t.data());
  d[i]! += h;
  return fx.tensor(d, { shape: [...t.shape], dtype: "float64" });
}

/** Central differences of a scalar function of one tensor, element by element. */
export function numericGrad(f: (t: fx.Tensor) => number, t: fx.Tensor, h = 1e-6): number[] {
  return Array.from({ length: t.size }, (_, i) => (f(bump(t, i, h)) - f(bump(t, i, -h))) / (2 * h));
}

/**
 * Checks reverse-mode gradients of a scalar loss(tree) with respect to every
 * float leaf of the pytree against float64 central differences.
 */
export function checkTreeGrad<T>(loss: (tree: T) => fx.Tensor, tree: T, tol = 1e-6): void {
  const g = fx.grad(loss)(tree) as T;
  const [leaves, def] = fx.tree.flatten(tree);
  const gLeaves = fx.tree.leaves(g);
  leaves.forEach((leaf, li) => {
    const t = leaf as fx.Tensor;
    if (!(t instanceof fx.Tensor) || !fx.isFloat(t.dtype)) return;
    const numeric = numericGrad((v) => loss(fx.tree.unflatten(def, leaves.map((l, k) => (k === li ? v : l))) as T).item(), t);
    expectAllClose(flat((gLeaves[li] as fx.Tensor).toArray()), numeric, tol, tol);
  });
}

/**
 * Second order: the forward-over-reverse Hessian-vector product of a scalar
 * loss(x) along a random direction v, against central differences of the gradient.
 */
export function checkHvp(loss: (x: fx.Tensor) => fx.Tensor, x: fx.Tensor, seed = 77, tol = 1e-6): void {
  const v = fx.random.normal(fx.random.key(seed), [...x.shape], { dtype: "float64" });
  const [, hv] = fx.jvp(fx.grad(loss), [x], [v]);
  const h = 1e-5;
  const gPlus = fx.grad(loss)(x.add(v.mul(h))), gMinus = fx.grad(loss)(x.sub(v.mul(h)));
  expectAllClose(flat((hv as fx.Tensor).toArray()), flat(gPlus.sub(gMinus).div(2 * h).toArray()), tol, tol);
}

/**
 * Splitting a model into parts and joining them again (Equinox's
 * `partition`/`combine`): both parts keep the model's structure, with `null`
 * wherever a leaf belongs to the other part. Differentiate or optimize one
 * part while the other rides along unchanged.
 *
 *   const [params, buffers] = nn.partition(model, nn.isTrainable);
 *   const loss = (p, x, y) => losses.mse(nn.combine(p, buffers).forward(x), y);
 *   const grads = fx.grad(loss)(params, x, y);   // shaped like params
 */
import { isFloat } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";
import { PYTREE, isLeaf, type Leaf, type PytreeNode } from "../core/tree.js";
import { Module, isNode, isPlainObject, moduleFields } from "./module.js";
import { forEachLeaf, mapLeavesWithInfo, type LeafInfo } from "./walk.js";

/** Decides, per leaf, which part it goes to. */
export type Filter = (leaf: Leaf, info: LeafInfo) => boolean;

/** Any tensor leaf. */
export const isTensor: Filter = (leaf) => leaf instanceof Tensor;

/** A leaf in a field its module declares as a buffer (e.g. BatchNorm's running statistics). */
export const isBuffer: Filter = (leaf, info) => leaf instanceof Tensor && info.isBuffer;

/** A float tensor that is not a buffer: what an optimizer should update. */
export const isTrainable: Filter = (leaf, info) => leaf instanceof Tensor && isFloat(leaf.dtype) && !info.isBuffer;

/**
 * `[selected, rest]`: two trees shaped like `tree`, the first with the leaves
 * for which `filter` is true (null elsewhere), the second with the others.
 */
export function partition<T>(tree: T, filter: Filter): [T, T] {
  if (typeof filter !== "function") throw new ValueError("partition: filter must be a function (leaf, info) => boolean, e.g. nn.isTrainable");
  const picked = mapLeavesWithInfo(tree, (leaf, info) => (filter(leaf, info) ? leaf : null)) as T;
  const rest = mapLeavesWithInfo(tree, (leaf, info) => (filter(leaf, info) ? null : leaf)) as T;
  return [picked, rest];
}

/** `tree` with every leaf for which `filter` is false replaced by null (the first half of `partition`). */
export function filter<T>(tree: T, f: Filter): T {
  return mapLeavesWithInfo(tree, (leaf, info) => (f(leaf, info) ? leaf : null)) as T;
}

/**
 * Joins trees of one structure: at each position the first non-null value
 * wins. The inverse of `partition`: `combine(...partition(m, f))` rebuilds m.
 */
export function combine<T>(...trees: T[]): T {
  if (trees.length === 0) throw new ValueError("combine: needs at least one tree");
  const join = (xs: unknown[], path: string): unknown => {
    const present = xs.filter((x) => x !== null && x !== undefined);
    if (present.length === 0) return xs[0];
    const first = present[0];
    if (isLeaf(first)) return first;
    if (present.some((x) => isLeaf(x))) throw new ValueError(`combine: at "${path || "<root>"}" one tree has a leaf and another a subtree`);
    if (Array.isArray(first)) {
      for (const x of present) {
        if (!Array.isArray(x) || x.length !== first.length) throw new ValueError(`combine: at "${path || "<root>"}" the trees hold arrays of different lengths (or not arrays)`);
      }
      return first.map((_, i) => join(present.map((x) => (x as unknown[])[i]), `${path}[${i}]`));
    }
    if (first instanceof Module) {
      const parts = present.map((x) => {
        if (!(x instanceof Module) || x.constructor !== first.constructor) throw new ValueError(`combine: at "${path || "<root>"}" expected a ${first.constructor.name} in every tree`);
        return moduleFields(x);
      });
      const keys = parts[0]!.childKeys;
      for (const p of parts) {
        if (p.childKeys.join() !== keys.join()) throw new ValueError(`combine: at "${path || "<root>"}" the ${first.constructor.name}s have different child fields (${p.childKeys.join(", ")} vs ${keys.join(", ")})`);
      }
      return parts[0]!.rebuild(keys.map((k) => join(present.map((x) => (x as unknown as Record<string, unknown>)[k]), path ? `${path}.${k}` : k)));
    }
    if (isNode(first)) {
      const flat = present.map((x) => (x as PytreeNode)[PYTREE]());
      return flat[0]!.rebuild(flat[0]!.children.map((_, i) => join(flat.map((f) => f.children[i]), `${path}[${i}]`)));
    }
    if (isPlainObject(first)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(first)) out[k] = join(present.map((x) => (x as Record<string, unknown>)[k]), path ? `${path}.${k}` : k);
      return out;
    }
    return first;
  };
  return join(trees, "") as T;
}

/**
 * The number of scalar parameters: the total size of the leaves `filter`
 * selects (default `isTrainable`).
 *
 *   nn.countParams(new nn.Linear(784, 10, { key })); // 7850
 */
export function countParams(tree: unknown, f: Filter = isTrainable): number {
  let n = 0;
  forEachLeaf(tree, (leaf, info) => {
    if (f(leaf, info)) n += leaf instanceof Tensor ? leaf.size : 1;
  });
  return n;
}

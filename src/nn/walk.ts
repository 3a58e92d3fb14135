/**
 * Walking model trees with context: which module and field each leaf sits
 * in, and its path. Modules, arrays and plain objects are descended into;
 * other pytree nodes are descended through their PYTREE children.
 */
import { ValueError } from "../core/errors.js";
import { PYTREE, isLeaf, type Leaf } from "../core/tree.js";
import { Module, bufferNames, isNode, isPlainObject, moduleFields } from "./module.js";

/** Where a leaf sits in a model tree. */
export interface LeafInfo {
  /** A readable path such as `layers[0].weight`. */
  path: string;
  /** The module whose field holds the leaf (directly or in an array), or null. */
  module: Module | null;
  /** That field's name, or null. */
  field: string | null;
  /** True if the field is one of the module class's declared `buffers`. */
  isBuffer: boolean;
}

const join = (path: string, key: string) => (path === "" ? key : `${path}.${key}`);

/** Rebuilds the tree with every leaf replaced by f(leaf, info); null/undefined stay. */
export function mapLeavesWithInfo(tree: unknown, f: (leaf: Leaf, info: LeafInfo) => unknown): unknown {
  const walk = (x: unknown, path: string, module: Module | null, field: string | null): unknown => {
    if (isLeaf(x)) return f(x, { path, module, field, isBuffer: module !== null && field !== null && bufferNames(module).includes(field) });
    if (x === null || x === undefined) return x;
    if (Array.isArray(x)) return x.map((c, i) => walk(c, `${path}[${i}]`, module, field));
    if (x instanceof Module) {
      const { childKeys, rebuild } = moduleFields(x);
      const rec = x as unknown as Record<string, unknown>;
      return rebuild(childKeys.map((k) => walk(rec[k], join(path, k), x, k)));
    }
    if (isNode(x)) {
      const { children, rebuild } = x[PYTREE]();
      return rebuild(children.map((c, i) => walk(c, `${path}[${i}]`, null, null)));
    }
    if (isPlainObject(x)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(x)) out[k] = walk(x[k], join(path, k), module, field);
      return out;
    }
    throw new ValueError(`nn: cannot walk a ${(x as object)?.constructor?.name ?? typeof x} at "${path}" (use tensors, modules, arrays and plain objects)`);
  };
  return walk(tree, "", null, null);
}

/** Calls f on every leaf with its info, in flatten order. */
export function forEachLeaf(tree: unknown, f: (leaf: Leaf, info: LeafInfo) => void): void {
  mapLeavesWithInfo(tree, (leaf, info) => {
    f(leaf, info);
    return leaf;
  });
}

/** Rebuilds the tree bottom-up, passing every rebuilt node (and leaf) through `f`. */
export function mapNodes<T>(tree: T, f: (node: unknown) => unknown): T {
  const walk = (x: unknown): unknown => {
    if (isLeaf(x) || x === null || x === undefined) return f(x);
    if (Array.isArray(x)) return f(x.map(walk));
    if (x instanceof Module) {
      const { childKeys, rebuild } = moduleFields(x);
      const rec = x as unknown as Record<string, unknown>;
      const kids = childKeys.map((k) => walk(rec[k]));
      // Keep the instance when nothing below changed, so identity-based lookups still match.
      return f(kids.every((c, i) => c === rec[childKeys[i]!]) ? x : rebuild(kids));
    }
    if (isNode(x)) {
      const { children, rebuild } = x[PYTREE]();
      return f(rebuild(children.map(walk)));
    }
    if (isPlainObject(x)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(x)) out[k] = walk(x[k]);
      return f(out);
    }
    return f(x);
  };
  return walk(tree) as T;
}


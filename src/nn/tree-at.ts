/**
 * `nn.treeAt`: a copy of a tree with one node (or several) replaced, picked
 * by a function that reads it (Equinox's `tree_at`). Modules are immutable,
 * so this is how a weight is swapped or a layer exchanged.
 *
 *   const m2 = nn.treeAt(model, (m) => m.layers[0].weight, fx.zeros([4, 3]));
 *   const m3 = nn.treeAt(model, (m) => m.layers[1].bias, (b) => b.mul(0));
 */
import { ValueError } from "../core/errors.js";
import { PYTREE, isLeaf } from "../core/tree.js";
import { Module, isNode, isPlainObject, moduleFields } from "./module.js";

/** A unique stand-in for a leaf, so the selected position can be found by identity. */
class Marker {
  constructor(readonly index: number) {}
}

/** The children of a container node as [key, value] pairs plus a rebuild, or null for leaves. */
function childrenOf(x: unknown): { entries: [string, unknown][]; rebuild: (kids: unknown[]) => unknown } | null {
  if (Array.isArray(x)) return { entries: x.map((v, i) => [String(i), v]), rebuild: (k) => k };
  if (x instanceof Module) {
    const { childKeys, rebuild } = moduleFields(x);
    const rec = x as unknown as Record<string, unknown>;
    return { entries: childKeys.map((k) => [k, rec[k]]), rebuild };
  }
  if (isNode(x)) {
    const { children, rebuild } = x[PYTREE]();
    return { entries: children.map((c, i) => [String(i), c]), rebuild };
  }
  if (isPlainObject(x)) {
    const keys = Object.keys(x);
    return {
      entries: keys.map((k) => [k, x[k]]),
      rebuild: (kids) => Object.fromEntries(keys.map((k, i) => [k, kids[i]])),
    };
  }
  return null;
}

/** A copy in which every node is a fresh object and every leaf a unique Marker. */
function markedCopy(tree: unknown): unknown {
  let n = 0;
  const walk = (x: unknown): unknown => {
    if (isLeaf(x)) return new Marker(n++);
    const c = childrenOf(x);
    return c ? c.rebuild(c.entries.map(([, v]) => walk(v))) : x;
  };
  return walk(tree);
}

/** The child of a marked copy at `key` (field names for modules: their copies hold Markers, not tensors). */
function childOfMarked(marked: unknown, key: string, index: number): unknown {
  if (marked === null || typeof marked !== "object") return undefined;
  if (!Array.isArray(marked) && !(marked instanceof Module) && isNode(marked)) return marked[PYTREE]().children[index];
  return (marked as Record<string, unknown>)[key];
}

/** Replaces, in `tree`, the nodes at the positions of `targets` within `marked` (walked in step). */
function replaceAt(tree: unknown, marked: unknown, targets: unknown[], values: ((old: unknown) => unknown)[], found: boolean[]): unknown {
  const k = targets.findIndex((t) => t === marked);
  if (k >= 0) {
    found[k] = true;
    return values[k]!(tree);
  }
  const c = childrenOf(tree);
  if (!c) return tree;
  return c.rebuild(c.entries.map(([key, v], i) => replaceAt(v, childOfMarked(marked, key, i), targets, values, found)));
}

/**
 * Returns `tree` with the node(s) that `where` selects replaced by
 * `replacement` (a new value, or a function of the old node). If `where`
 * returns an array that is not itself a node of the tree, each element is a
 * target and `replacement` must be an array of values (or one function).
 * Only children can be selected: tensors, sub-modules and containers of them
 * (not static config such as a layer's stride, nor a null field).
 */
export function treeAt<T>(tree: T, where: (t: T) => unknown, replacement: unknown): T {
  const marked = markedCopy(tree);
  const selected = where(marked as T);
  const isNodeOfTree = (s: unknown) => {
    let hit = false;
    const walk = (orig: unknown, x: unknown) => {
      if (x === s) hit = true;
      childrenOf(orig)?.entries.forEach(([key, v], i) => walk(v, childOfMarked(x, key, i)));
    };
    walk(tree, marked);
    return hit;
  };
  const multi = Array.isArray(selected) && !isNodeOfTree(selected);
  const targets = multi ? (selected as unknown[]) : [selected];
  let values: ((old: unknown) => unknown)[];
  if (typeof replacement === "function") values = targets.map(() => replacement as (old: unknown) => unknown);
  else if (multi) {
    if (!Array.isArray(replacement) || replacement.length !== targets.length) {
      throw new ValueError(`treeAt: where selected ${targets.length} nodes, so replacement must be an array of ${targets.length} values (or a function)`);
    }
    values = replacement.map((v) => () => v);
  } else values = [() => replacement];
  for (const [i, t] of targets.entries()) {
    if (t === null || t === undefined || (typeof t !== "object" && typeof t !== "function")) {
      throw new ValueError(`treeAt: target ${i} selected by where is ${String(t)}, not a node of the tree (static fields and null slots cannot be selected; build a new module instead)`);
    }
  }
  const found = targets.map(() => false);
  const out = replaceAt(tree, marked, targets, values, found);
  const missing = found.findIndex((f) => !f);
  if (missing >= 0) {
    throw new ValueError(`treeAt: target ${missing} selected by where is not a node of the tree (only tensors, sub-modules and their containers can be replaced; static fields such as a stride cannot)`);
  }
  return out as T;
}

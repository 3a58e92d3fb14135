/**
 * Pytrees: nested JS arrays, plain objects and registered classes (such as
 * `nn.Module`) whose leaves are tensors (or numbers). Transforms flatten their
 * arguments to leaves, work on those, and rebuild the same structure.
 */
import { ValueError } from "./errors.js";
import { Tensor } from "./tensor.js";

/** Classes opt in by implementing this symbol: children are pytrees, aux is static data. */
export const PYTREE = Symbol.for("fluxion.pytree");

export interface PytreeNode {
  /** `keys` (optional) names the children, one per child, for paths such as "layers.0.weight" in saved files. */
  [PYTREE](): { children: unknown[]; aux: unknown; rebuild(children: unknown[]): unknown; keys?: readonly string[] };
}

export type Leaf = Tensor | number;

/** A tree's shape without its leaves: equal structures flatten to leaves that line up. */
export type TreeDef =
  | { kind: "leaf" }
  | { kind: "none"; value: null | undefined }
  | { kind: "array"; children: TreeDef[] }
  | { kind: "object"; keys: string[]; children: TreeDef[] }
  | { kind: "node"; aux: unknown; rebuild: (children: unknown[]) => unknown; ctor: unknown; children: TreeDef[] };

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object") return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function isNode(x: unknown): x is PytreeNode {
  return x !== null && typeof x === "object" && typeof (x as { [PYTREE]?: unknown })[PYTREE] === "function";
}

export function isLeaf(x: unknown): x is Leaf {
  return x instanceof Tensor || typeof x === "number";
}

export function flatten(tree: unknown): [Leaf[], TreeDef] {
  const leaves: Leaf[] = [];
  const def = flattenInto(tree, leaves);
  return [leaves, def];
}

// Module-level recursion rather than nested closures: transforms flatten their
// arguments at every call, and a closure per call costs more than the walk itself.
const LEAF: TreeDef = Object.freeze({ kind: "leaf" });

function flattenInto(x: unknown, leaves: Leaf[]): TreeDef {
  if (isLeaf(x)) {
    leaves.push(x);
    return LEAF;
  }
  if (x === null || x === undefined) return { kind: "none", value: x };
  if (Array.isArray(x)) return { kind: "array", children: flattenAll(x, leaves) };
  if (isNode(x)) {
    const { children, aux, rebuild } = x[PYTREE]();
    return { kind: "node", aux, rebuild, ctor: (x as object).constructor, children: flattenAll(children, leaves) };
  }
  if (isPlainObject(x)) {
    const keys = Object.keys(x);
    const children: TreeDef[] = [];
    for (const k of keys) children.push(flattenInto(x[k], leaves));
    return { kind: "object", keys, children };
  }
  throw new ValueError(`pytree: cannot use a ${describe(x)} as a tree node or leaf (use tensors, numbers, arrays, plain objects or nn.Module)`);
}

function flattenAll(xs: readonly unknown[], leaves: Leaf[]): TreeDef[] {
  const defs: TreeDef[] = [];
  for (const x of xs) defs.push(flattenInto(x, leaves));
  return defs;
}

/**
 * Applies `f` to every tensor of a tree whose other leaves may be anything:
 * strings, booleans, functions and class instances that are not pytree nodes
 * pass through unchanged (`flatten` rejects them). For auxiliary outputs
 * (`hasAux`), which may carry any data, as in JAX.
 *
 *   mapTensors((t) => t.mul(2), { loss: t, tag: "train" }) // { loss: 2·t, tag: "train" }
 */
export function mapTensors(f: (t: Tensor) => unknown, tree: unknown): unknown {
  if (tree instanceof Tensor) return f(tree);
  if (Array.isArray(tree)) return tree.map((x) => mapTensors(f, x));
  if (isNode(tree)) {
    const { children, rebuild } = tree[PYTREE]();
    return rebuild(children.map((c) => mapTensors(f, c)));
  }
  if (isPlainObject(tree)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(tree)) out[k] = mapTensors(f, tree[k]);
    return out;
  }
  return tree;
}

export function unflatten(def: TreeDef, leaves: readonly unknown[]): unknown {
  const cursor = { leaves, at: 0 };
  const out = build(def, cursor);
  if (cursor.at !== leaves.length) throw new ValueError(`pytree: structure has ${cursor.at} leaves but ${leaves.length} were given`);
  return out;
}

interface Cursor {
  readonly leaves: readonly unknown[];
  at: number;
}

function build(d: TreeDef, c: Cursor): unknown {
  switch (d.kind) {
    case "leaf": return c.leaves[c.at++];
    case "none": return d.value;
    case "array": return buildAll(d.children, c);
    case "object": {
      const out: Record<string, unknown> = {};
      for (let j = 0; j < d.keys.length; j++) out[d.keys[j]!] = build(d.children[j]!, c);
      return out;
    }
    case "node": return d.rebuild(buildAll(d.children, c));
    default: return d satisfies never;
  }
}

function buildAll(defs: readonly TreeDef[], c: Cursor): unknown[] {
  const out: unknown[] = [];
  for (const d of defs) out.push(build(d, c));
  return out;
}

export function leaves(tree: unknown): Leaf[] {
  return flatten(tree)[0];
}

export function numLeaves(def: TreeDef): number {
  switch (def.kind) {
    case "leaf": return 1;
    case "none": return 0;
    default: return def.children.reduce((n, c) => n + numLeaves(c), 0);
  }
}

/** A printable description of a structure, used for cache keys and error messages. */
export function structure(tree: unknown): string {
  return defToString(flatten(tree)[1]);
}

export function defToString(def: TreeDef): string {
  switch (def.kind) {
    case "leaf": return "*";
    case "none": return String(def.value);
    case "array": return `[${def.children.map(defToString).join(", ")}]`;
    case "object": return `{${def.keys.map((k, i) => `${k}: ${defToString(def.children[i]!)}`).join(", ")}}`;
    case "node": return `${(def.ctor as { name?: string })?.name ?? "Node"}(${safeJson(def.aux)})[${def.children.map(defToString).join(", ")}]`;
    default: return def satisfies never;
  }
}

function safeJson(x: unknown): string {
  try {
    return JSON.stringify(x) ?? "";
  } catch {
    return "?";
  }
}

/** Applies `f` to every leaf (with the matching leaves of `rest`, which must share the structure). */
export function map<T = unknown>(f: (leaf: any, ...rest: any[]) => unknown, tree: T, ...rest: unknown[]): T {
  const [ls, def] = flatten(tree);
  const others = rest.map((r, k) => {
    const [l, d] = flatten(r);
    if (defToString(d) !== defToString(def)) {
      throw new ValueError(`tree.map: tree ${k + 1} has structure ${defToString(d)}, expected ${defToString(def)}`);
    }
    return l;
  });
  return unflatten(def, ls.map((leaf, i) => f(leaf, ...others.map((o) => o[i])))) as T;
}

function describe(x: unknown): string {
  if (typeof x === "object" && x !== null) return (x as object).constructor?.name ?? "object";
  return typeof x;
}

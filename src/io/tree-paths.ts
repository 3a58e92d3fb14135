/**
 * Dotted path names for the leaves of a pytree, in the order `tree.flatten`
 * gives them: `{ layers: [{ weight }] }` has the leaf "layers.0.weight". These
 * are the names tensors get in saved files, the convention PyTorch's
 * `state_dict` uses too.
 *
 * Object keys and array indices are path parts; a registered class (such as
 * `nn.Module`) names its children through the optional `keys` it returns from
 * `[PYTREE]()`, and by child position otherwise.
 */
import { ValueError } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";
import { PYTREE, type Leaf, type PytreeNode } from "../core/tree.js";

export interface NamedLeaf {
  readonly name: string;
  readonly leaf: Leaf;
}

export function namedLeaves(op: string, tree: unknown): NamedLeaf[] {
  const out: NamedLeaf[] = [];
  const seen = new Set<string>();
  const join = (prefix: string, part: string): string => (prefix === "" ? part : `${prefix}.${part}`);
  const walk = (x: unknown, path: string): void => {
    if (x instanceof Tensor || typeof x === "number") {
      if (path === "") throw new ValueError(`${op}: a bare ${x instanceof Tensor ? "tensor" : "number"} has no name; pass an object such as { weight: t }`);
      if (seen.has(path)) throw new ValueError(`${op}: two leaves share the name ${JSON.stringify(path)} (a key containing "." collides with a nested path)`);
      seen.add(path);
      out.push({ name: path, leaf: x });
      return;
    }
    if (x === null || x === undefined) return;
    if (Array.isArray(x)) {
      x.forEach((c, i) => walk(c, join(path, String(i))));
      return;
    }
    if (typeof x === "object" && typeof (x as Partial<PytreeNode>)[PYTREE] === "function") {
      const { children, keys } = (x as PytreeNode)[PYTREE]();
      if (keys !== undefined && keys.length !== children.length) {
        throw new ValueError(`${op}: ${(x as object).constructor.name} names ${keys.length} children but has ${children.length}`);
      }
      children.forEach((c, i) => walk(c, join(path, keys?.[i] ?? String(i))));
      return;
    }
    if (typeof x === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(x))) {
      for (const k of Object.keys(x)) walk((x as Record<string, unknown>)[k], join(path, k));
      return;
    }
    throw new ValueError(`${op}: cannot name the leaves of a ${describe(x)}; use tensors inside arrays, plain objects or nn.Module`);
  };
  walk(tree, "");
  return out;
}

function describe(x: unknown): string {
  return typeof x === "object" && x !== null ? (x as object).constructor?.name ?? "object" : typeof x;
}

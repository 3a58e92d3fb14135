/**
 * `loadInto`: put saved tensors into the leaves of a model (any pytree), by
 * path name. The model is not changed; a new tree of the same structure is
 * returned, as everything in Fluxion is an immutable value.
 */
import { DTypeError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";
import { flatten, unflatten } from "../core/tree.js";
import { loadSafetensors } from "./safetensors.js";
import { namedLeaves } from "./tree-paths.js";

/**
 * Returns `model` with every leaf replaced by the tensor of the same dotted
 * name ("layers.0.weight") from a safetensors file (or from a record of
 * tensors already loaded). Every leaf must be found with the same shape and
 * dtype, and the file must hold nothing else; otherwise this throws, listing
 * what is missing, unexpected or mis-shaped. A number leaf takes the value of
 * a rank-0 tensor.
 *
 *   const restored = io.loadInto(model, "model.safetensors");
 */
export function loadInto<T>(model: T, source: string | Record<string, Tensor>): T {
  const op = typeof source === "string" ? `loadInto(${JSON.stringify(source)})` : "loadInto";
  const named = namedLeaves(op, model);
  const [, def] = flatten(model);
  const tensors = typeof source === "string" ? loadSafetensors(source).tensors : source;
  const has = (name: string): boolean => Object.prototype.hasOwnProperty.call(tensors, name);

  const wanted = new Set(named.map((n) => n.name));
  const missing = named.map((n) => n.name).filter((name) => !has(name));
  const extra = Object.keys(tensors).filter((name) => !wanted.has(name));
  if (missing.length > 0 || extra.length > 0) {
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`missing ${missing.length} (${preview(missing)})`);
    if (extra.length > 0) parts.push(`unexpected ${extra.length} (${preview(extra)})`);
    throw new ValueError(`${op}: the saved tensors do not match the model's leaves: ${parts.join("; ")}`);
  }

  const leaves = named.map(({ name, leaf }) => {
    const saved = tensors[name]!;
    if (typeof leaf === "number") {
      if (saved.ndim !== 0) throw new ShapeError(`${op}: ${JSON.stringify(name)} is a number in the model but has shape ${fmtShape(saved.shape)} in the file (expected [])`);
      return saved.item();
    }
    if (saved.ndim !== leaf.ndim || saved.shape.some((d, i) => d !== leaf.shape[i])) {
      throw new ShapeError(`${op}: ${JSON.stringify(name)} has shape ${fmtShape(saved.shape)} in the file but ${fmtShape(leaf.shape)} in the model`);
    }
    if (saved.dtype !== leaf.dtype) {
      throw new DTypeError(`${op}: ${JSON.stringify(name)} is ${saved.dtype} in the file but ${leaf.dtype} in the model (cast one with .astype)`);
    }
    return saved;
  });
  return unflatten(def, leaves) as T;
}

function preview(names: string[]): string {
  const shown = names.slice(0, 8).map((n) => JSON.stringify(n)).join(", ");
  return names.length > 8 ? `${shown}, ...` : shown;
}

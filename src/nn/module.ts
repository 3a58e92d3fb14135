/**
 * `nn.Module`: a model is an immutable pytree (as in Equinox). Fields that
 * hold tensors, sub-modules, or arrays/plain objects of them are the
 * children; `null` (an absent tensor, e.g. no bias, or a slot emptied by
 * `nn.partition`) is a child too. Every other field (numbers, strings,
 * functions, ...) is static configuration, kept in the tree's aux data.
 * Transforms (`grad`, `jit`, `vmap`, `tree.map`) see the tensor leaves and
 * rebuild a module of the same class, created with `Object.create` so the
 * constructor is not re-run.
 *
 *   class Affine extends nn.Module {
 *     constructor(readonly w: fx.Tensor, readonly b: fx.Tensor) { super(); }
 *     forward(x: fx.Tensor) { return x.mul(this.w).add(this.b); }
 *   }
 *   const g = fx.grad((m: Affine) => m.forward(x).sum())(model); // an Affine of gradients
 */
import { Tensor } from "../core/tensor.js";
import { PYTREE, type PytreeNode } from "../core/tree.js";
import type { Key } from "../random/index.js";
import type { StateUpdates } from "./state.js";

/** Options every `forward` accepts. */
export interface ForwardOptions {
  /** Training mode: Dropout drops, BatchNorm uses batch statistics (default false). */
  training?: boolean;
  /** Randomness for layers such as Dropout; containers split it between their layers. */
  key?: Key;
  /** Where stateful layers (BatchNorm) record new buffer values; set by `nn.call`. */
  state?: StateUpdates;
}

export abstract class Module implements PytreeNode {
  /**
   * Names of this class's fields that are buffers: tensors that are state,
   * not trainable parameters (BatchNorm's running statistics). `nn.isTrainable`
   * leaves them out.
   */
  static buffers: readonly string[] = [];

  /** Applies the module. Layers take a batch-first input; see each layer for shapes. */
  abstract forward(x: Tensor, ...rest: unknown[]): Tensor;

  [PYTREE]() {
    const { childKeys, aux, rebuild } = moduleFields(this);
    return { children: childKeys.map((k) => (this as unknown as Record<string, unknown>)[k]), aux, rebuild, keys: childKeys };
  }
}

/** True for registered pytree nodes (modules and other classes implementing PYTREE). */
export function isNode(v: unknown): v is PytreeNode {
  return v !== null && typeof v === "object" && typeof (v as { [PYTREE]?: unknown })[PYTREE] === "function";
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A field is a child if it is (or contains) a tensor, a pytree node (module), or null/undefined. */
export function isChildValue(v: unknown): boolean {
  if (v === null || v === undefined || v instanceof Tensor || isNode(v)) return true;
  if (Array.isArray(v)) return v.some(isChildValue);
  if (isPlainObject(v)) return Object.values(v).some(isChildValue);
  return false;
}

const functionIds = new WeakMap<object, number>();
let nextFunctionId = 0;

/** A JSON-able stand-in for static config: functions become a stable per-function id. */
function staticJson(statics: Record<string, unknown>): unknown {
  return JSON.parse(
    JSON.stringify(statics, (_k, v: unknown) => {
      if (typeof v === "function") {
        let id = functionIds.get(v);
        if (id === undefined) functionIds.set(v, (id = nextFunctionId++));
        return `fn#${id}:${v.name}`;
      }
      return typeof v === "bigint" ? String(v) : v;
    }) ?? "null",
  );
}

export interface ModuleFields {
  /** Field names of the children, in declaration order. */
  childKeys: string[];
  /** Static config as JSON (for structure comparison and jit cache keys) and the child names. */
  aux: { fields: string[]; static: unknown };
  /** A new module of the same class with the same static fields and these children. */
  rebuild(children: unknown[]): Module;
}

/** Splits a module's own fields into children and static config. */
export function moduleFields(m: Module): ModuleFields {
  const rec = m as unknown as Record<string, unknown>;
  const keys = Object.keys(rec);
  const childKeys = keys.filter((k) => isChildValue(rec[k]));
  const statics: Record<string, unknown> = {};
  for (const k of keys) if (!childKeys.includes(k)) statics[k] = rec[k];
  const proto = Object.getPrototypeOf(m) as object;
  return {
    childKeys,
    aux: { fields: childKeys, static: staticJson(statics) },
    rebuild(children: unknown[]) {
      const out = Object.create(proto) as Record<string, unknown>;
      let i = 0;
      for (const k of keys) out[k] = childKeys.includes(k) ? children[i++] : rec[k];
      return out as unknown as Module;
    },
  };
}

/** The buffer field names declared by a module's class (and its parent classes). */
export function bufferNames(m: Module): readonly string[] {
  return (m.constructor as typeof Module).buffers ?? [];
}

/**
 * State in, state out (Equinox style): stateful layers such as BatchNorm keep
 * their state in buffer fields and, in training mode, record the new values
 * here instead of mutating anything. `nn.call` collects them and returns the
 * model rebuilt with the new buffers.
 */
import type { Tensor } from "../core/tensor.js";
import { ValueError } from "../core/errors.js";
import { Module, moduleFields, type ForwardOptions } from "./module.js";
import { mapNodes } from "./walk.js";

/** New buffer values, by module instance and field name. */
export class StateUpdates {
  private readonly updates = new Map<Module, Record<string, Tensor>>();

  /** Records that `field` of `module` should become `value` after this call. */
  set(module: Module, field: string, value: Tensor): void {
    if (!(field in module)) throw new ValueError(`StateUpdates.set: ${module.constructor.name} has no field "${field}"`);
    const entry = this.updates.get(module) ?? {};
    entry[field] = value;
    this.updates.set(module, entry);
  }

  get size(): number {
    return this.updates.size;
  }

  /** `tree` with every recorded module rebuilt with its new buffer values. */
  applyTo<T>(tree: T): T {
    if (this.updates.size === 0) return tree;
    return mapNodes(tree, (node) => {
      if (!(node instanceof Module)) return node;
      const entry = this.updates.get(node);
      if (!entry) return node;
      const { childKeys, rebuild } = moduleFields(node);
      const rec = node as unknown as Record<string, unknown>;
      return rebuild(childKeys.map((k) => (k in entry ? entry[k] : rec[k])));
    });
  }
}

/**
 * Runs `model.forward(x, opts)` and returns `[output, newModel]`, where
 * newModel carries the buffers stateful layers updated (BatchNorm's running
 * statistics in training mode). In eval mode newModel is `model` itself.
 * Works under `grad` (return newModel as aux) and `jit`.
 *
 *   const [y, model2] = nn.call(model, x, { training: true, key });
 */
export function call<M extends Module>(model: M, x: Tensor, opts: ForwardOptions = {}): [Tensor, M] {
  const state = new StateUpdates();
  const y = model.forward(x, { ...opts, state });
  return [y, state.applyTo(model)];
}

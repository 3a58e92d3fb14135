/** The shapes of Optax-style optimizers: pure (init, update) pairs over pytrees. */
import type { Tensor } from "../core/tensor.js";

/**
 * A gradient transformation, as in Optax: `init(params)` builds the state (a
 * pytree of tensors, so it can be checkpointed and passed through `jit`), and
 * `update(updates, state, params?)` returns the transformed updates and the
 * next state. Nothing is mutated.
 *
 *   const opt = optim.adam(1e-3);
 *   let state = opt.init(params);
 *   const [updates, next] = opt.update(grads, state, params);
 *   params = optim.applyUpdates(params, updates);
 */
export interface GradientTransformation<S = unknown> {
  init<P>(params: P): S;
  update<P>(updates: P, state: S, params?: P): [P, S];
}

/**
 * A schedule maps the step count (an int32 scalar tensor, which is a tracer
 * under `jit`, so write it with fx ops) to a value. The built-in schedules
 * also take plain numbers: `schedules.cosineDecay({...})(100).item()`.
 */
export type Schedule = (step: Tensor | number) => Tensor | number;

/** A learning rate is a constant or a schedule of the step count. */
export type LearningRate = number | Schedule;

/** The state of transformations that only count steps. */
export interface CountState {
  count: Tensor;
}

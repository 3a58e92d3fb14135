/** The building blocks: identity, chain, scaling, learning rates, applyUpdates. */
import { ValueError } from "../core/errors.js";
import { add, astype, mul, neg } from "../ops/elementwise.js";
import { asTensor } from "../ops/convert.js";
import type { CountState, GradientTransformation, LearningRate, Schedule } from "./types.js";
import { checkSameShapes, incrementCount, mapTensors, scalarFor, zeroCount } from "./tree-math.js";

/** Leaves the updates unchanged (state: {}). */
export function identity(): GradientTransformation<Record<string, never>> {
  return {
    init: () => ({}),
    update: (updates, state) => [updates, state],
  };
}

/**
 * Runs transformations one after another, each on the previous one's output.
 * The state is the array of their states.
 *
 *   const opt = optim.chain(optim.clipByGlobalNorm(1), optim.scaleByAdam(), optim.scaleByLearningRate(1e-3));
 */
export function chain(...transforms: GradientTransformation<any>[]): GradientTransformation<unknown[]> {
  return {
    init: (params) => transforms.map((t) => t.init(params)),
    update(updates, state, params) {
      if (!Array.isArray(state) || state.length !== transforms.length) {
        throw new ValueError(`chain: expected a state array of ${transforms.length} entries (from this chain's init), got ${Array.isArray(state) ? `${state.length} entries` : typeof state}`);
      }
      const next: unknown[] = [];
      let u = updates;
      transforms.forEach((t, i) => {
        const [v, s] = t.update(u, state[i], params);
        u = v;
        next.push(s);
      });
      return [u, next];
    },
  };
}

/**
 * Multiplies every update by a constant: u ← factor · u (state: {}).
 *
 *   optim.scale(-0.1).update(grads, {})[0]; // −0.1 · grads
 */
export function scale(factor: number): GradientTransformation<Record<string, never>> {
  if (!Number.isFinite(factor)) throw new ValueError(`scale: factor must be a finite number, got ${factor}`);
  return {
    init: () => ({}),
    update: (updates, state) => [mapTensors((u) => mul(u, factor), updates), state],
  };
}

/**
 * Multiplies the updates by schedule(count) and counts the step; the first
 * update uses schedule(0). State: { count } (int32).
 */
export function scaleBySchedule(schedule: Schedule): GradientTransformation<CountState> {
  return {
    init: () => ({ count: zeroCount() }),
    update(updates, state) {
      const factor = schedule(state.count);
      const scaled = mapTensors((u) => mul(u, scalarFor(factor, u.dtype)), updates);
      return [scaled, { count: incrementCount(state.count) }];
    },
  };
}

/**
 * Scales updates by −lr (so that adding them descends): a constant or a
 * schedule of the step count.
 *
 *   optim.chain(optim.scaleByAdam(), optim.scaleByLearningRate(1e-3)); // = optim.adam(1e-3)
 */
export function scaleByLearningRate(lr: LearningRate, opts: { flipSign?: boolean } = {}): GradientTransformation<unknown> {
  const sign = opts.flipSign === false ? 1 : -1;
  if (typeof lr === "number") {
    if (!Number.isFinite(lr)) throw new ValueError(`scaleByLearningRate: the learning rate must be a finite number, got ${lr}`);
    return scale(sign * lr) as GradientTransformation<unknown>;
  }
  if (typeof lr !== "function") throw new ValueError(`scaleByLearningRate: the learning rate must be a number or a schedule function, got ${typeof lr}`);
  return scaleBySchedule((step) => {
    const v = lr(step);
    return typeof v === "number" ? sign * v : sign === 1 ? v : neg(asTensor(v));
  }) as GradientTransformation<unknown>;
}

/**
 * params + updates, leaf by leaf (updates are cast to each param's dtype).
 * Null leaves (from `nn.partition`) stay null.
 *
 *   params = optim.applyUpdates(params, updates);
 */
export function applyUpdates<P>(params: P, updates: P): P {
  checkSameShapes("applyUpdates", updates, params);
  return mapTensors((p, u) => add(p, astype(u!, p.dtype)), params, updates);
}

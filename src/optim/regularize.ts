/** Gradient clipping and weight decay. */
import { ValueError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { add, astype, div, maximum, mul } from "../ops/elementwise.js";
import type { GradientTransformation } from "./types.js";
import { globalNorm, mapTensors } from "./tree-math.js";

/**
 * Rescales the updates so their global norm ‖u‖ (all leaves as one vector) is
 * at most maxNorm: u ← u · maxNorm / max(‖u‖, maxNorm). Updates already inside
 * the ball are unchanged; a zero update stays zero (no division by 0). State: {}.
 *
 *   optim.chain(optim.clipByGlobalNorm(1.0), optim.adam(1e-3));
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<Record<string, never>> {
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) throw new ValueError(`clipByGlobalNorm: maxNorm must be a positive finite number, got ${maxNorm}`);
  return {
    init: () => ({}),
    update(updates, state) {
      const norm = globalNorm(updates);
      const factor = div(maxNorm, maximum(norm, maxNorm));
      return [mapTensors((u) => mul(u, astype(factor, u.dtype)), updates), state];
    },
  };
}

export interface DecayOptions {
  /** Decay only the params for which this returns true, e.g. `(p) => p.ndim > 1` to skip biases. */
  mask?: (param: Tensor) => boolean;
}

/**
 * Adds decoupled weight decay (Loshchilov & Hutter): u ← u + wd · param.
 * Put it before `scaleByLearningRate` so the decay is scaled by the learning
 * rate too (as `adamw` does). Needs `params` in `update`. State: {}.
 */
export function addDecayedWeights(weightDecay: number, opts: DecayOptions = {}): GradientTransformation<Record<string, never>> {
  if (!Number.isFinite(weightDecay)) throw new ValueError(`addDecayedWeights: weightDecay must be a finite number, got ${weightDecay}`);
  return {
    init: () => ({}),
    update(updates, state, params) {
      if (params === undefined) throw new ValueError("addDecayedWeights: update needs the params: opt.update(grads, state, params)");
      const out = mapTensors((u, p) => (opts.mask && !opts.mask(p!) ? u : add(u, mul(astype(p!, u.dtype), weightDecay))), updates, params);
      return [out, state];
    },
  };
}

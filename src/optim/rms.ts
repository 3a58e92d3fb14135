/** Scaling by running averages (RMSProp) and running sums (Adagrad) of squared gradients. */
import { ValueError } from "../core/errors.js";
import { add, div, mul, sqrt, square, sub } from "../ops/elementwise.js";
import type { GradientTransformation } from "./types.js";
import { fullLikeTree, mapTensors } from "./tree-math.js";

export interface RmsOptions {
  /** Decay ρ of the running average of g² (default 0.9). */
  decay?: number;
  /** Added to √v in the denominator (default 1e-8). */
  eps?: number;
  /** Also track the mean gradient and divide by the centered √(v − ḡ²) (default false). */
  centered?: boolean;
  /** Initial value of v (default 0). */
  initialScale?: number;
}

export interface RmsState {
  nu: unknown;
  /** The running mean gradient (centered only; null otherwise). */
  mu: unknown;
}

/**
 * RMSProp's scaling (Hinton's lecture 6e; PyTorch's `RMSprop`):
 *   v ← ρv + (1 − ρ)g²,  update = g / (√v + ε);
 * centered: ḡ ← ρḡ + (1 − ρ)g and the denominator is √(v − ḡ²) + ε.
 */
export function scaleByRms(opts: RmsOptions = {}): GradientTransformation<RmsState> {
  const decay = opts.decay ?? 0.9, eps = opts.eps ?? 1e-8, centered = opts.centered ?? false;
  if (!(decay >= 0 && decay < 1)) throw new ValueError(`scaleByRms: decay must be in [0, 1), got ${decay}`);
  if (!(eps >= 0)) throw new ValueError(`scaleByRms: eps must be ≥ 0, got ${eps}`);
  return {
    init: (params) => ({ nu: fullLikeTree(params, opts.initialScale ?? 0), mu: centered ? fullLikeTree(params) : null }),
    update(updates, state) {
      const nu = mapTensors((g, v) => add(mul(v!, decay), mul(square(g), 1 - decay)), updates, state.nu);
      if (!centered) {
        return [mapTensors((g, v) => div(g, add(sqrt(v!), eps)), updates, nu), { nu, mu: null }];
      }
      const mu = mapTensors((g, m) => add(mul(m!, decay), mul(g, 1 - decay)), updates, state.mu);
      const out = mapTensors((g, v, m) => div(g, add(sqrt(sub(v!, square(m!))), eps)), updates, nu, mu);
      return [out, { nu, mu }];
    },
  };
}

export interface RssOptions {
  /** Initial value of the accumulated sum G (default 0.1). */
  initialAccumulatorValue?: number;
  /** Added to √G in the denominator (default 1e-7). */
  eps?: number;
}

export interface RssState {
  sumOfSquares: unknown;
}

/**
 * Adagrad's scaling (Duchi et al., 2011): G ← G + g², update = g / (√G + ε).
 */
export function scaleByRss(opts: RssOptions = {}): GradientTransformation<RssState> {
  const init = opts.initialAccumulatorValue ?? 0.1, eps = opts.eps ?? 1e-7;
  if (!(init >= 0)) throw new ValueError(`scaleByRss: initialAccumulatorValue must be ≥ 0, got ${init}`);
  if (!(eps >= 0)) throw new ValueError(`scaleByRss: eps must be ≥ 0, got ${eps}`);
  return {
    init: (params) => ({ sumOfSquares: fullLikeTree(params, init) }),
    update(updates, state) {
      const sumOfSquares = mapTensors((g, s) => add(s!, square(g)), updates, state.sumOfSquares);
      return [mapTensors((g, s) => div(g, add(sqrt(s!), eps)), updates, sumOfSquares), { sumOfSquares }];
    },
  };
}

/** The ready-made optimizers: chains of the transformations, as Optax defines them. */
import { ValueError } from "../core/errors.js";
import { addDecayedWeights, type DecayOptions } from "./regularize.js";
import { chain, identity, scaleByLearningRate } from "./base.js";
import { scaleByAdam, type AdamOptions } from "./adam.js";
import { trace } from "./momentum.js";
import { scaleByRms, scaleByRss, type RmsOptions, type RssOptions } from "./rms.js";
import type { GradientTransformation, LearningRate } from "./types.js";

export interface SgdOptions {
  /** Momentum μ (default 0: plain gradient descent). */
  momentum?: number;
  /** Nesterov momentum (default false; needs momentum > 0). */
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent, with optional (Nesterov) momentum as PyTorch
 * writes it: b ← μb + g; θ ← θ − lr·b (Nesterov: θ ← θ − lr·(g + μb)).
 *
 *   const opt = optim.sgd(0.1, { momentum: 0.9, nesterov: true });
 */
export function sgd(lr: LearningRate, opts: SgdOptions = {}): GradientTransformation<unknown[]> {
  const momentum = opts.momentum ?? 0;
  if (opts.nesterov && !(momentum > 0)) throw new ValueError("sgd: nesterov needs a momentum > 0");
  return chain(momentum > 0 ? trace(momentum, { nesterov: opts.nesterov }) : identity(), scaleByLearningRate(lr));
}

/**
 * Adam (Kingma & Ba, 2015): `scaleByAdam` then `scaleByLearningRate`:
 * θ ← θ − lr · m̂ / (√v̂ + ε).
 *
 *   const opt = optim.adam(1e-3, { b1: 0.9, b2: 0.999, eps: 1e-8 });
 */
export function adam(lr: LearningRate, opts: AdamOptions = {}): GradientTransformation<unknown[]> {
  return chain(scaleByAdam(opts), scaleByLearningRate(lr));
}

export interface AdamWOptions extends AdamOptions, DecayOptions {
  /** Decoupled weight decay λ (default 1e-4, as Optax; PyTorch's default is 1e-2). */
  weightDecay?: number;
}

/**
 * AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay,
 * θ ← θ − lr · (m̂ / (√v̂ + ε) + λθ).
 *
 *   const opt = optim.adamw(1e-3, { weightDecay: 1e-2, mask: (p) => p.ndim > 1 });
 */
export function adamw(lr: LearningRate, opts: AdamWOptions = {}): GradientTransformation<unknown[]> {
  return chain(scaleByAdam(opts), addDecayedWeights(opts.weightDecay ?? 1e-4, { mask: opts.mask }), scaleByLearningRate(lr));
}

export interface RmspropOptions extends RmsOptions {
  /** Momentum on the scaled updates (default 0). */
  momentum?: number;
  nesterov?: boolean;
}

/**
 * RMSProp: v ← ρv + (1 − ρ)g², θ ← θ − lr · g / (√v + ε), optionally
 * centered and with momentum (PyTorch's formulation; ρ defaults to 0.9).
 *
 *   const opt = optim.rmsprop(1e-3, { decay: 0.9 });
 */
export function rmsprop(lr: LearningRate, opts: RmspropOptions = {}): GradientTransformation<unknown[]> {
  const m = opts.momentum ?? 0;
  return chain(scaleByRms(opts), m > 0 ? trace(m, { nesterov: opts.nesterov }) : identity(), scaleByLearningRate(lr));
}

/**
 * Adagrad: G ← G + g², θ ← θ − lr · g / (√G + ε) (G starts at 0.1).
 *
 *   const opt = optim.adagrad(0.1);
 */
export function adagrad(lr: LearningRate, opts: RssOptions = {}): GradientTransformation<unknown[]> {
  return chain(scaleByRss(opts), scaleByLearningRate(lr));
}

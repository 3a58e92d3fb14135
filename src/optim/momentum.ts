/** Momentum (heavy ball and Nesterov) as a transformation of its own. */
import { ValueError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { add, mul } from "../ops/elementwise.js";
import type { GradientTransformation } from "./types.js";
import { fullLikeTree, mapTensors } from "./tree-math.js";

export interface TraceState {
  trace: unknown;
}

/**
 * Momentum as PyTorch's SGD writes it (dampening 0): t ← μ·t + u; the update
 * is t, or u + μ·t with Nesterov. State: { trace } shaped like the params.
 *
 *   optim.chain(optim.trace(0.9), optim.scaleByLearningRate(0.01)); // = optim.sgd(0.01, { momentum: 0.9 })
 */
export function trace(decay: number, opts: { nesterov?: boolean } = {}): GradientTransformation<TraceState> {
  if (!(decay >= 0) || !Number.isFinite(decay)) throw new ValueError(`trace: momentum must be a finite number ≥ 0, got ${decay}`);
  const nesterov = opts.nesterov ?? false;
  return {
    init: (params) => ({ trace: fullLikeTree(params) }),
    update(updates, state) {
      const t = mapTensors((u, old) => add(mul(old!, decay), u), updates, state.trace);
      const out = nesterov ? mapTensors((u, tn) => add(u, mul(tn!, decay)), updates, t) : t;
      return [out as typeof updates, { trace: t as unknown as Tensor }];
    },
  };
}

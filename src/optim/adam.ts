/** Adam's moment estimates (Kingma & Ba, 2015). */
import { ValueError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { add, astype, div, mul, pow, sqrt, square, sub } from "../ops/elementwise.js";
import type { GradientTransformation } from "./types.js";
import { fullLikeTree, incrementCount, mapTensors, zeroCount } from "./tree-math.js";

export interface AdamOptions {
  /** Decay of the first moment (default 0.9). */
  b1?: number;
  /** Decay of the second moment (default 0.999). */
  b2?: number;
  /** Added to the denominator outside the square root (default 1e-8). */
  eps?: number;
  /** Added inside the square root (default 0). */
  epsRoot?: number;
}

export interface AdamState {
  count: Tensor;
  mu: unknown;
  nu: unknown;
}

export function checkAdamOptions(op: string, opts: AdamOptions): Required<AdamOptions> {
  const o = { b1: opts.b1 ?? 0.9, b2: opts.b2 ?? 0.999, eps: opts.eps ?? 1e-8, epsRoot: opts.epsRoot ?? 0 };
  for (const k of ["b1", "b2"] as const) {
    if (!(o[k] >= 0 && o[k] < 1)) throw new ValueError(`${op}: ${k} must be in [0, 1), got ${o[k]}`);
  }
  for (const k of ["eps", "epsRoot"] as const) {
    if (!(o[k] >= 0) || !Number.isFinite(o[k])) throw new ValueError(`${op}: ${k} must be a finite number ≥ 0, got ${o[k]}`);
  }
  return o;
}

/**
 * Adam's scaling, with t the step number (1 on the first update):
 *   m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,
 *   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ),  update = m̂ / (√(v̂ + ε_root) + ε).
 * State: { count, mu, nu }. Combine with `scaleByLearningRate` (see `adam`).
 */
export function scaleByAdam(opts: AdamOptions = {}): GradientTransformation<AdamState> {
  const { b1, b2, eps, epsRoot } = checkAdamOptions("scaleByAdam", opts);
  return {
    init: (params) => ({ count: zeroCount(), mu: fullLikeTree(params), nu: fullLikeTree(params) }),
    update(updates, state) {
      const mu = mapTensors((g, m) => add(mul(m!, b1), mul(g, 1 - b1)), updates, state.mu);
      const nu = mapTensors((g, v) => add(mul(v!, b2), mul(square(g), 1 - b2)), updates, state.nu);
      const count = incrementCount(state.count);
      // Bias corrections in float64, then cast to each leaf's dtype.
      const t = astype(count, "float64");
      const c1 = sub(1, pow(b1, t));
      const c2 = sub(1, pow(b2, t));
      const out = mapTensors((m, v) => {
        const mHat = div(m, astype(c1, m.dtype));
        const vHat = div(v!, astype(c2, v!.dtype));
        return div(mHat, add(sqrt(add(vHat, epsRoot)), eps));
      }, mu, nu);
      return [out as typeof updates, { count, mu, nu }];
    },
  };
}

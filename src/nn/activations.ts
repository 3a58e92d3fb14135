/**
 * Activation functions, elementwise on tensors of any shape. All are
 * composites of primitives, so every transform applies.
 */
import type { Tensor } from "../core/tensor.js";
import { asTensor, type ArrayLike } from "../ops/convert.js";
import * as ew from "../ops/elementwise.js";

/** max(x, 0); the derivative at 0 is 0. */
export function relu(x: ArrayLike): Tensor {
  return ew.relu(x);
}

/**
 * x for x > 0, else negativeSlope·x (PyTorch's default slope 0.01).
 *
 *   nn.leakyRelu(fx.tensor([-2, 3]), 0.1).toArray(); // [-0.2, 3]
 */
export function leakyRelu(x: ArrayLike, negativeSlope = 0.01): Tensor {
  const t = asTensor(x);
  return ew.where(ew.greater(t, 0), t, ew.mul(t, negativeSlope));
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU. Exact (the default, PyTorch's): x·Φ(x) = ½x(1 + erf(x/√2)).
 * With `approximate: true` the tanh form ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
 * (JAX's default, GPT-2's).
 *
 *   nn.gelu(fx.tensor([1])).item(); // 0.8413…
 */
export function gelu(x: ArrayLike, approximate = false): Tensor {
  const t = asTensor(x);
  if (approximate) {
    const inner = ew.mul(ew.add(t, ew.mul(ew.mul(ew.square(t), t), 0.044715)), SQRT_2_OVER_PI);
    return ew.mul(ew.mul(t, 0.5), ew.add(ew.tanh(inner), 1));
  }
  return ew.mul(ew.mul(t, 0.5), ew.add(ew.erf(ew.mul(t, Math.SQRT1_2)), 1));
}

/** σ(x) = 1 / (1 + e^(−x)). */
export function sigmoid(x: ArrayLike): Tensor {
  return ew.sigmoid(x);
}

export function tanh(x: ArrayLike): Tensor {
  return ew.tanh(x);
}

/** log(1 + eˣ), without overflow for large x. */
export function softplus(x: ArrayLike): Tensor {
  return ew.softplus(x);
}

/**
 * ELU: x for x > 0, else α(eˣ − 1). The exponential only sees min(x, 0), so
 * large positive inputs cannot turn into ∞·0 in the gradient.
 */
export function elu(x: ArrayLike, alpha = 1): Tensor {
  const t = asTensor(x);
  return ew.where(ew.greater(t, 0), t, ew.mul(ew.expm1(ew.minimum(t, 0)), alpha));
}

/** SiLU (swish): x·σ(x). */
export function silu(x: ArrayLike): Tensor {
  const t = asTensor(x);
  return ew.mul(t, ew.sigmoid(t));
}

/** The identity, e.g. as an MLP's final activation. */
export function identity(x: ArrayLike): Tensor {
  return asTensor(x);
}

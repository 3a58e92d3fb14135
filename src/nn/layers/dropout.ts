/** Dropout: keyed, so the same key drops the same units. */
import { ValueError } from "../../core/errors.js";
import type { Tensor } from "../../core/tensor.js";
import { bernoulli } from "../../random/index.js";
import { div, where } from "../../ops/elementwise.js";
import { zerosLike } from "../../ops/creation.js";
import { Module, type ForwardOptions } from "../module.js";

/**
 * In training, zeroes each element with probability p and scales the rest by
 * 1/(1 − p), so the expected value is unchanged ("inverted dropout"); in eval
 * (the default) it is the identity. Training needs `opts.key`; the same key
 * gives the same mask.
 *
 *   const drop = new nn.Dropout(0.5);
 *   drop.forward(x, { training: true, key: fx.random.key(1) });
 */
export class Dropout extends Module {
  readonly p: number;

  constructor(p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ValueError(`Dropout: p must be a probability in [0, 1], got ${p}`);
    this.p = p;
  }

  override forward(x: Tensor, opts: ForwardOptions = {}): Tensor {
    if (!opts.training || this.p === 0) return x;
    if (this.p === 1) return zerosLike(x);
    if (opts.key === undefined) {
      throw new ValueError("Dropout: training mode needs a key: forward(x, { training: true, key }) (or nn.call(model, x, { training: true, key }))");
    }
    const keep = bernoulli(opts.key, 1 - this.p, x.shape);
    return where(keep, div(x, 1 - this.p), 0);
  }
}

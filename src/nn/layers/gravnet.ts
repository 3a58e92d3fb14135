/** nn.GravNet: a point-cloud layer that learns its own connectivity. */
import type { DType } from "../../core/dtype.js";
import { ShapeError, fmtShape } from "../../core/errors.js";
import type { Tensor } from "../../core/tensor.js";
import type { Key } from "../../random/index.js";
import { GraphBatch } from "../../graph/batch.js";
import { knn } from "../../graph/neighbors.js";
import { add, exp, mul, square, sub } from "../../ops/elementwise.js";
import { take } from "../../ops/indexing.js";
import { max, mean, sum } from "../../ops/reduce.js";
import { concatenate, expandDims } from "../../ops/shape.js";
import { Module } from "../module.js";
import { Linear } from "./linear.js";
import { positiveInt, requireKey, splitKey } from "./common.js";

export interface GravNetOptions {
  key: Key;
  /** Dimensions of the learned space in which neighbours are found (default 4). */
  spaceDim?: number;
  /** Size of the features sent to neighbours (default 22). */
  propagateDim?: number;
  /** Neighbours per point (default 16; at most the smallest cloud's size − 1). */
  k?: number;
  dtype?: DType;
}

/**
 * GravNet (Qasim, Kieseler, Iiyama & Pierini, 2019 — "distance-weighted graph
 * networks", made for the irregular cells of a calorimeter). No graph is
 * given: each point computes learned coordinates s = W_s·x in a small space
 * and features f = W_f·x, connects to its k nearest points in that space,
 * and weights their features by the distance:
 *
 *   w_ij = exp(−10·|s_i − s_j|²),   m_i = [mean_j w_ij f_j ‖ max_j w_ij f_j]
 *   x'_i = W_out1·x_i + W_out2·m_i + b
 *
 * The neighbour choice carries no gradient, but the weights do, so training
 * moves points that should exchange information closer together: the layer
 * learns the connectivity. Parameters: lin_s, lin_h, lin_out1 (no bias), lin_out2.
 *
 *   const layer = new nn.GravNet(3, 32, { key, k: 8 });
 *   const h = layer.forward(points, batch); // kNN within each cloud of the batch
 */
export class GravNet extends Module {
  readonly lin_s: Linear;
  readonly lin_h: Linear;
  readonly lin_out1: Linear;
  readonly lin_out2: Linear;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly k: number;

  constructor(inFeatures: number, outFeatures: number, opts: GravNetOptions) {
    super();
    this.inFeatures = positiveInt("GravNet", "inFeatures", inFeatures);
    this.outFeatures = positiveInt("GravNet", "outFeatures", outFeatures);
    const S = positiveInt("GravNet", "spaceDim", opts?.spaceDim ?? 4);
    const P = positiveInt("GravNet", "propagateDim", opts.propagateDim ?? 22);
    this.k = positiveInt("GravNet", "k", opts.k ?? 16);
    const [k1, k2, k3, k4] = splitKey(requireKey("GravNet", opts.key), 4);
    this.lin_s = new Linear(inFeatures, S, { key: k1!, dtype: opts.dtype });
    this.lin_h = new Linear(inFeatures, P, { key: k2!, dtype: opts.dtype });
    this.lin_out1 = new Linear(inFeatures, outFeatures, { key: k3!, bias: false, dtype: opts.dtype });
    this.lin_out2 = new Linear(2 * P, outFeatures, { key: k4!, dtype: opts.dtype });
  }

  /** `clouds`: a GraphBatch (its node counts; edges are ignored) or the node counts; default one cloud. */
  override forward(x: Tensor, clouds?: GraphBatch | readonly number[]): Tensor {
    return this.forwardWithNeighbors(x, clouds).output;
  }

  /** The output together with the learned coordinates [N, spaceDim], the neighbours [N, k] and their weights [N, k]. */
  forwardWithNeighbors(x: Tensor, clouds?: GraphBatch | readonly number[]): { output: Tensor; coordinates: Tensor; neighbors: Tensor; weights: Tensor } {
    if (x.ndim !== 2 || x.shape[1] !== this.inFeatures) throw new ShapeError(`GravNet: expected point features [N, ${this.inFeatures}], got ${fmtShape(x.shape)}`);
    const nodeCounts = clouds instanceof GraphBatch ? clouds.nodeCounts : clouds ?? [x.shape[0]!];
    const s = this.lin_s.forward(x); // [N, S]
    const f = this.lin_h.forward(x); // [N, P]
    const nbr = knn(s, this.k, { nodeCounts });
    const d2 = sum(square(sub(expandDims(s, 1), take(s, nbr, 0))), -1); // [N, k], differentiable in s
    const w = exp(mul(d2, -10));
    const msg = mul(take(f, nbr, 0), expandDims(w, -1)); // [N, k, P]
    const m = concatenate([mean(msg, 1), max(msg, 1)], -1);
    return { output: add(this.lin_out1.forward(x), this.lin_out2.forward(m)), coordinates: s, neighbors: nbr, weights: w };
  }
}

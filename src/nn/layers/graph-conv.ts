/** nn.GraphConv: message passing with a chosen aggregation and a learned update. */
import type { DType } from "../../core/dtype.js";
import { ShapeError, ValueError, fmtShape } from "../../core/errors.js";
import type { Tensor } from "../../core/tensor.js";
import type { Key } from "../../random/index.js";
import type { GraphBatch } from "../../graph/batch.js";
import { segmentMax, segmentMean, segmentSum } from "../../graph/segment.js";
import { add } from "../../ops/elementwise.js";
import { take } from "../../ops/indexing.js";
import { concatenate } from "../../ops/shape.js";
import { Module } from "../module.js";
import { Linear } from "./linear.js";
import { positiveInt, requireKey, splitKey } from "./common.js";
import { edgesOf } from "./graph-common.js";

export type Aggregation = "sum" | "mean" | "max";

export interface GraphConvOptions {
  key: Key;
  /** How messages arriving at a node combine (default "sum"). */
  aggregation?: Aggregation;
  /** Size of edge features to include in the messages (default 0: none). */
  edgeDim?: number;
  bias?: boolean;
  dtype?: DType;
}

export interface GraphConvCallOptions {
  /** Edge features [E, edgeDim] (default: the GraphBatch's). */
  edgeFeatures?: Tensor | null;
}

/**
 * One round of message passing (Morris et al.'s GraphConv, with optional edge
 * features): every edge j → i sends m_ji = W_rel·[x_j ‖ e_ji], each node
 * aggregates what it receives and updates
 *
 *   x'_i = W_root·x_i + AGG_{j → i} m_ji + b,  AGG ∈ {sum, mean, max}.
 *
 * Nodes without incoming edges aggregate 0. Sum and mean are linear, so they
 * aggregate the raw [x_j ‖ e_ji] and project once per node; max projects per edge.
 * Parameters: lin_rel (Linear, no bias) and lin_root (Linear with the bias).
 *
 *   const conv = new nn.GraphConv(3, 16, { key, aggregation: "mean" });
 *   const h = conv.forward(g.nodes, g); // [g.numNodes, 16]
 */
export class GraphConv extends Module {
  readonly lin_rel: Linear;
  readonly lin_root: Linear;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly aggregation: Aggregation;
  readonly edgeDim: number;

  constructor(inFeatures: number, outFeatures: number, opts: GraphConvOptions) {
    super();
    this.inFeatures = positiveInt("GraphConv", "inFeatures", inFeatures);
    this.outFeatures = positiveInt("GraphConv", "outFeatures", outFeatures);
    this.aggregation = opts?.aggregation ?? "sum";
    if (!["sum", "mean", "max"].includes(this.aggregation)) throw new ValueError(`GraphConv: aggregation must be "sum", "mean" or "max", got ${String(this.aggregation)}`);
    this.edgeDim = opts.edgeDim ?? 0;
    if (!Number.isInteger(this.edgeDim) || this.edgeDim < 0) throw new ValueError(`GraphConv: edgeDim must be a non-negative integer, got ${this.edgeDim}`);
    const [kRel, kRoot] = splitKey(requireKey("GraphConv", opts.key), 2);
    this.lin_rel = new Linear(inFeatures + this.edgeDim, outFeatures, { key: kRel!, bias: false, dtype: opts.dtype });
    this.lin_root = new Linear(inFeatures, outFeatures, { key: kRoot!, bias: opts.bias, dtype: opts.dtype });
  }

  override forward(x: Tensor, graph: GraphBatch | Tensor, opts: GraphConvCallOptions = {}): Tensor {
    const e = edgesOf("GraphConv", x, graph);
    if (x.shape[1] !== this.inFeatures) throw new ShapeError(`GraphConv: expected node features [N, ${this.inFeatures}], got ${fmtShape(x.shape)}`);
    let msg = take(x, e.sources, 0);
    if (this.edgeDim > 0) {
      const ef = opts.edgeFeatures ?? e.edgeFeatures;
      if (!ef || ef.ndim !== 2 || ef.shape[0] !== msg.shape[0] || ef.shape[1] !== this.edgeDim) {
        throw new ShapeError(`GraphConv: needs edge features [${msg.shape[0]}, ${this.edgeDim}], got ${ef ? fmtShape(ef.shape) : "none"}`);
      }
      msg = concatenate([msg, ef], 1);
    }
    const N = x.shape[0]!;
    let agg: Tensor;
    switch (this.aggregation) {
      case "sum": agg = this.lin_rel.forward(segmentSum(msg, e.targets, N)); break;
      case "mean": agg = this.lin_rel.forward(segmentMean(msg, e.targets, N)); break;
      case "max": agg = segmentMax(this.lin_rel.forward(msg), e.targets, N, { maxSegmentSize: e.maxInDegree }); break;
      default: agg = this.aggregation satisfies never;
    }
    return add(this.lin_root.forward(x), agg);
  }
}

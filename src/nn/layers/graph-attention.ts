/** nn.GraphAttention: attention over each node's incoming edges (GAT). */
import type { DType } from "../../core/dtype.js";
import { ShapeError, ValueError, fmtShape } from "../../core/errors.js";
import type { Tensor } from "../../core/tensor.js";
import type { Key } from "../../random/index.js";
import type { GraphBatch } from "../../graph/batch.js";
import { addSelfLoops } from "../../graph/neighbors.js";
import { segmentSoftmax, segmentSum } from "../../graph/segment.js";
import { zeros } from "../../ops/creation.js";
import { add, mul } from "../../ops/elementwise.js";
import { take } from "../../ops/indexing.js";
import { mean, sum } from "../../ops/reduce.js";
import { expandDims, reshape } from "../../ops/shape.js";
import { Module } from "../module.js";
import { glorotUniform } from "../init.js";
import { leakyRelu } from "../activations.js";
import { Linear } from "./linear.js";
import { positiveInt, requireKey, splitKey } from "./common.js";
import { edgesOf } from "./graph-common.js";

export interface GraphAttentionOptions {
  key: Key;
  /** Attention heads (default 1). */
  heads?: number;
  /** Concatenate the heads' outputs (out = heads·outFeatures, default) or average them (out = outFeatures). */
  concat?: boolean;
  /** Let every node attend to itself (default true). */
  selfLoops?: boolean;
  /** Slope of the LeakyReLU on the scores (default 0.2). */
  negativeSlope?: number;
  bias?: boolean;
  dtype?: DType;
}

/**
 * Graph attention (Veličković et al., 2018). Per head, with h = W·x:
 *
 *   e_ji = LeakyReLU(a_srcᵀ h_j + a_dstᵀ h_i)         for each edge j → i
 *   α_ji = exp(e_ji) / Σ_{k → i} exp(e_ki)             (softmax over i's incoming edges)
 *   x'_i = Σ_{j → i} α_ji h_j                          (heads concatenated or averaged) + b
 *
 * Parameters: lin (Linear in → heads·out, no bias), att_src and att_dst
 * [heads, out], bias.
 *
 *   const gat = new nn.GraphAttention(3, 8, { key, heads: 4 });
 *   const h = gat.forward(g.nodes, g); // [N, 32]
 */
export class GraphAttention extends Module {
  readonly lin: Linear;
  readonly att_src: Tensor;
  readonly att_dst: Tensor;
  readonly bias: Tensor | null;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly heads: number;
  readonly concat: boolean;
  readonly selfLoops: boolean;
  readonly negativeSlope: number;

  constructor(inFeatures: number, outFeatures: number, opts: GraphAttentionOptions) {
    super();
    this.inFeatures = positiveInt("GraphAttention", "inFeatures", inFeatures);
    this.outFeatures = positiveInt("GraphAttention", "outFeatures", outFeatures);
    this.heads = positiveInt("GraphAttention", "heads", opts?.heads ?? 1);
    this.concat = opts.concat ?? true;
    this.selfLoops = opts.selfLoops ?? true;
    this.negativeSlope = opts.negativeSlope ?? 0.2;
    if (!(this.negativeSlope >= 0)) throw new ValueError(`GraphAttention: negativeSlope must be non-negative, got ${this.negativeSlope}`);
    const dtype = opts.dtype ?? "float32";
    const [kLin, kSrc, kDst] = splitKey(requireKey("GraphAttention", opts.key), 3);
    const H = this.heads, C = outFeatures;
    this.lin = new Linear(inFeatures, H * C, { key: kLin!, bias: false, dtype, weightInit: (k, s, o) => glorotUniform(k, s, o) });
    this.att_src = glorotUniform(kSrc!, [H, C], { dtype });
    this.att_dst = glorotUniform(kDst!, [H, C], { dtype });
    this.bias = opts.bias === false ? null : zeros([this.concat ? H * C : C], dtype);
  }

  override forward(x: Tensor, graph: GraphBatch | Tensor): Tensor {
    return this.forwardWithWeights(x, graph)[0];
  }

  /**
   * Also returns the attention weights α [E', heads] and the edge index
   * [2, E'] they belong to (the graph's edges, then the self-loops).
   */
  forwardWithWeights(x: Tensor, graph: GraphBatch | Tensor): [Tensor, Tensor, Tensor] {
    const e = edgesOf("GraphAttention", x, graph);
    if (x.shape[1] !== this.inFeatures) throw new ShapeError(`GraphAttention: expected node features [N, ${this.inFeatures}], got ${fmtShape(x.shape)}`);
    const N = x.shape[0]!, H = this.heads, C = this.outFeatures;
    const edgeIndex = this.selfLoops ? addSelfLoops(e.edgeIndex, N) : e.edgeIndex;
    const src = edgeIndex.slice(0), dst = edgeIndex.slice(1);
    const h = reshape(this.lin.forward(x), [N, H, C]);
    // Per-node halves of the score, then one gather per edge.
    const sSrc = sum(mul(h, this.att_src), -1), sDst = sum(mul(h, this.att_dst), -1); // [N, H]
    const scores = leakyRelu(add(take(sSrc, src, 0), take(sDst, dst, 0)), this.negativeSlope); // [E', H]
    const alpha = segmentSoftmax(scores, dst, N, { maxSegmentSize: e.maxInDegree === undefined ? undefined : e.maxInDegree + (this.selfLoops ? 1 : 0) });
    const out3 = segmentSum(mul(take(h, src, 0), expandDims(alpha, -1)), dst, N); // [N, H, C]
    let out = this.concat ? reshape(out3, [N, H * C]) : mean(out3, 1);
    if (this.bias) out = add(out, this.bias);
    return [out, alpha, edgeIndex];
  }
}

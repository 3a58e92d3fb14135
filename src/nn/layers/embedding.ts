/** A lookup table of vectors. */
import type { DType } from "../../core/dtype.js";
import type { Tensor } from "../../core/tensor.js";
import type { Key } from "../../random/index.js";
import { take } from "../../ops/indexing.js";
import { matmul } from "../../ops/matmul.js";
import { transpose } from "../../ops/shape.js";
import { Module } from "../module.js";
import { normal, type Initializer } from "../init.js";
import { expectAxis, positiveInt, requireKey } from "./common.js";

export interface EmbeddingOptions {
  key: Key;
  dtype?: DType;
  /** Initializer of the [num, dim] table (default N(0, 1), as PyTorch). */
  init?: Initializer;
}

/**
 * Maps integer indices of any shape to vectors: out = weight[indices], of
 * shape [...indices.shape, dim]; weight is [numEmbeddings, dim].
 *
 *   const emb = new nn.Embedding(100, 16, { key });
 *   emb.forward(fx.tensor([[1, 2, 3]], { dtype: "int32" })).shape; // [1, 3, 16]
 */
export class Embedding extends Module {
  readonly weight: Tensor;
  readonly numEmbeddings: number;
  readonly embeddingDim: number;

  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingOptions) {
    super();
    this.numEmbeddings = positiveInt("Embedding", "numEmbeddings", numEmbeddings);
    this.embeddingDim = positiveInt("Embedding", "embeddingDim", embeddingDim);
    const key = requireKey("Embedding", opts?.key);
    this.weight = (opts.init ?? normal)(key, [numEmbeddings, embeddingDim], { dtype: opts.dtype ?? "float32" });
  }

  /** Out-of-range or non-integer indices throw (an IndexError / DTypeError from `take`). */
  override forward(indices: Tensor): Tensor {
    return take(this.weight, indices, 0);
  }

  /**
   * Tied output weights (Press & Wolf, 2017): scores over the vocabulary
   * from vectors, logits = h · weightᵀ, [..., numEmbeddings] from [..., dim].
   * A language model that reads and writes tokens with one table uses
   * `forward` at its input and `attend` at its output.
   *
   *   const logits = emb.attend(hidden); // [B, T, numEmbeddings]
   */
  attend(h: Tensor): Tensor {
    expectAxis("Embedding.attend", h, -1, this.embeddingDim, "features");
    return matmul(h, transpose(this.weight));
  }
}

/** nn.MultiHeadAttention: self and cross attention with PyTorch's parameter layout. */
import type { DType } from "../../core/dtype.js";
import { ShapeError, ValueError, fmtShape } from "../../core/errors.js";
import type { Tensor } from "../../core/tensor.js";
import type { Key } from "../../random/index.js";
import { zeros } from "../../ops/creation.js";
import { add } from "../../ops/elementwise.js";
import { matmul } from "../../ops/matmul.js";
import { mean } from "../../ops/reduce.js";
import { expandDims, reshape, squeeze, transpose } from "../../ops/shape.js";
import { slice } from "../../ops/indexing.js";
import { Module, type ForwardOptions } from "../module.js";
import { glorotUniform } from "../init.js";
import { causal as causalMask, both } from "../masks.js";
import { scaledDotProductAttentionWithWeights } from "../attention.js";
import { Linear } from "./linear.js";
import { positiveInt, requireKey, splitKey } from "./common.js";

export interface MultiHeadAttentionOptions {
  key: Key;
  /** Feature size of keys (default dim); a different size gives separate q/k/v projection weights. */
  kdim?: number;
  /** Feature size of values (default dim). */
  vdim?: number;
  /** Learn the projection biases (default true). */
  bias?: boolean;
  /** Dropout on the attention weights in training (default 0). */
  dropout?: number;
  dtype?: DType;
}

export interface MultiHeadAttentionCallOptions extends ForwardOptions {
  /** Boolean (true = attend; see nn.masks) or additive float mask, broadcast to [B, heads, Tq, Tk]; a 3-D mask is [B, Tq, Tk]. */
  mask?: Tensor | null;
  /** Add a causal mask (query i sees keys j ≤ i). */
  causal?: boolean;
  /** Also return the attention weights. */
  returnWeights?: boolean;
  /** Average the returned weights over heads ([B, Tq, Tk], default) or keep them per head ([B, heads, Tq, Tk]). */
  averageWeights?: boolean;
}

/**
 * Multi-head attention (Vaswani et al.): project queries, keys and values,
 * split the width `dim` into `heads` heads of size dim/heads, attend in each
 * head with scaled dot products (scale 1/√(head size)), concatenate, project.
 *
 *   headᵢ = softmax(Q W_qᵢ (K W_kᵢ)ᵀ / √(dim/heads) + mask) V W_vᵢ
 *   out   = concat(head₁ … head_h) W_oᵀ + b_o
 *
 * Self attention: forward(x). Cross attention: forward(q, k, v) (or
 * forward(q, kv) for keys = values). Inputs are batch-first [B, T, features]
 * (or unbatched [T, features]).
 *
 * Parameters follow torch.nn.MultiheadAttention: `in_proj_weight` [3·dim, dim]
 * and `in_proj_bias` [3·dim] (q, k, v stacked) when kdim = vdim = dim, else
 * `q_proj_weight`, `k_proj_weight` [dim, kdim], `v_proj_weight` [dim, vdim];
 * `out_proj` is a Linear(dim, dim).
 *
 *   const mha = new nn.MultiHeadAttention(64, 4, { key });
 *   const y = mha.forward(x, null, null, { causal: true });                 // [B, T, 64]
 *   const [y2, w] = mha.forward(x, null, null, { mask, returnWeights: true }); // w [B, T, T]
 */
export class MultiHeadAttention extends Module {
  readonly dim: number;
  readonly heads: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly dropout: number;
  readonly in_proj_weight: Tensor | null;
  readonly q_proj_weight: Tensor | null;
  readonly k_proj_weight: Tensor | null;
  readonly v_proj_weight: Tensor | null;
  readonly in_proj_bias: Tensor | null;
  readonly out_proj: Linear;

  constructor(dim: number, heads: number, opts: MultiHeadAttentionOptions) {
    super();
    this.dim = positiveInt("MultiHeadAttention", "dim", dim);
    this.heads = positiveInt("MultiHeadAttention", "heads", heads);
    if (dim % heads !== 0) throw new ValueError(`MultiHeadAttention: dim ${dim} must be divisible by heads ${heads}`);
    this.kdim = positiveInt("MultiHeadAttention", "kdim", opts?.kdim ?? dim);
    this.vdim = positiveInt("MultiHeadAttention", "vdim", opts.vdim ?? dim);
    this.dropout = opts.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new ValueError(`MultiHeadAttention: dropout must be in [0, 1), got ${this.dropout}`);
    const dtype = opts.dtype ?? "float32";
    const [kIn, kQ, kK, kV, kOut] = splitKey(requireKey("MultiHeadAttention", opts.key), 5);
    const packed = this.kdim === dim && this.vdim === dim;
    // PyTorch: Xavier-uniform projections (the packed matrix as one [3·dim, dim] weight), zero biases.
    this.in_proj_weight = packed ? glorotUniform(kIn!, [3 * dim, dim], { dtype }) : null;
    this.q_proj_weight = packed ? null : glorotUniform(kQ!, [dim, dim], { dtype });
    this.k_proj_weight = packed ? null : glorotUniform(kK!, [dim, this.kdim], { dtype });
    this.v_proj_weight = packed ? null : glorotUniform(kV!, [dim, this.vdim], { dtype });
    this.in_proj_bias = opts.bias === false ? null : zeros([3 * dim], dtype);
    this.out_proj = new Linear(dim, dim, { key: kOut!, bias: opts.bias, dtype, biasInit: (_k, shape, o) => zeros([...shape], o?.dtype) });
  }

  get headSize(): number {
    return this.dim / this.heads;
  }

  /** Projection weight of q (0), k (1) or v (2), [dim, in]. */
  private projWeight(i: 0 | 1 | 2): Tensor {
    if (this.in_proj_weight) return slice(this.in_proj_weight, [i * this.dim, (i + 1) * this.dim]);
    return [this.q_proj_weight, this.k_proj_weight, this.v_proj_weight][i]!;
  }

  private project(x: Tensor, i: 0 | 1 | 2): Tensor {
    const y = matmul(x, transpose(this.projWeight(i)));
    return this.in_proj_bias ? add(y, slice(this.in_proj_bias, [i * this.dim, (i + 1) * this.dim])) : y;
  }

  /** [B, T, dim] → [B, heads, T, headSize]. */
  private splitHeads(x: Tensor): Tensor {
    const [B, T] = x.shape as [number, number];
    return transpose(reshape(x, [B, T, this.heads, this.headSize]), [0, 2, 1, 3]);
  }

  override forward(query: Tensor, key?: Tensor | null, value?: Tensor | null, opts?: MultiHeadAttentionCallOptions & { returnWeights?: false }): Tensor;
  override forward(query: Tensor, key: Tensor | null | undefined, value: Tensor | null | undefined, opts: MultiHeadAttentionCallOptions & { returnWeights: true }): [Tensor, Tensor];
  override forward(query: Tensor, key?: Tensor | null, value?: Tensor | null, opts: MultiHeadAttentionCallOptions = {}): Tensor | [Tensor, Tensor] {
    const [out, w] = this.forwardWithWeights(query, key, value, opts);
    return opts.returnWeights ? [out, w] : out;
  }

  /** Like forward, always returning [output, weights]. */
  forwardWithWeights(query: Tensor, key?: Tensor | null, value?: Tensor | null, opts: MultiHeadAttentionCallOptions = {}): [Tensor, Tensor] {
    let k = key ?? query;
    let v = value ?? k;
    const unbatched = query.ndim === 2;
    this.checkInputs(query, k, v, unbatched);
    let q = query;
    if (unbatched) [q, k, v] = [expandDims(q, 0), expandDims(k, 0), expandDims(v, 0)];
    // Three products with slices of the packed weight rather than one product
    // split afterwards: slicing the [3·dim, dim] weight (and padding its
    // gradient) moves far fewer numbers than slicing the [B, T, 3·dim] result.
    const [qp, kp, vp] = [this.project(q, 0), this.project(k, 1), this.project(v, 2)];
    const Tq = q.shape[1]!, Tk = k.shape[1]!;
    let mask = opts.mask ?? null;
    if (mask && mask.ndim === 3) mask = expandDims(mask, 1); // [B, Tq, Tk] → [B, 1, Tq, Tk]
    if (mask && mask.ndim > 4) throw new ShapeError(`MultiHeadAttention: a mask has at most 4 axes [B, heads, Tq, Tk], got ${fmtShape(mask.shape)}`);
    if (opts.causal) mask = mask ? both(mask, causalMask(Tq, Tk)) : causalMask(Tq, Tk);
    const [heads, w] = scaledDotProductAttentionWithWeights(this.splitHeads(qp), this.splitHeads(kp), this.splitHeads(vp), {
      mask, dropout: this.dropout, training: opts.training, key: opts.key,
    });
    const B = q.shape[0]!;
    const merged = reshape(transpose(heads, [0, 2, 1, 3]), [B, Tq, this.dim]);
    let out = this.out_proj.forward(merged);
    let weights = opts.averageWeights === false ? w : mean(w, 1);
    if (unbatched) [out, weights] = [squeeze(out, 0), squeeze(weights, 0)];
    return [out, weights];
  }

  private checkInputs(q: Tensor, k: Tensor, v: Tensor, unbatched: boolean): void {
    const rank = unbatched ? 2 : 3;
    const where = unbatched ? "[T, features]" : "[B, T, features]";
    const want: [string, Tensor, number][] = [["query", q, this.dim], ["key", k, this.kdim], ["value", v, this.vdim]];
    for (const [n, t, f] of want) {
      if (t.ndim !== rank || t.shape[rank - 1] !== f) {
        throw new ShapeError(`MultiHeadAttention: ${n} must be ${where} with ${f} features (query ${fmtShape(q.shape)}, key ${fmtShape(k.shape)}, value ${fmtShape(v.shape)})`);
      }
    }
    if (k.shape[rank - 2] !== v.shape[rank - 2]) throw new ShapeError(`MultiHeadAttention: key and value need the same length, got key ${fmtShape(k.shape)} and value ${fmtShape(v.shape)}`);
    if (!unbatched && (k.shape[0] !== q.shape[0] || v.shape[0] !== q.shape[0])) {
      throw new ShapeError(`MultiHeadAttention: query, key and value need the same batch size, got ${fmtShape(q.shape)}, ${fmtShape(k.shape)}, ${fmtShape(v.shape)}`);
    }
  }
}

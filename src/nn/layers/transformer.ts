/** nn.TransformerBlock: the pre-LayerNorm block of GPT-2 and most modern transformers. */
import type { DType } from "../../core/dtype.js";
import { ValueError } from "../../core/errors.js";
import type { Tensor } from "../../core/tensor.js";
import type { Key } from "../../random/index.js";
import { add } from "../../ops/elementwise.js";
import { Module, type ForwardOptions } from "../module.js";
import { gelu } from "../activations.js";
import { Dropout } from "./dropout.js";
import { Linear } from "./linear.js";
import { LayerNorm } from "./norm.js";
import { MultiHeadAttention } from "./attention.js";
import { positiveInt, requireKey, splitKey } from "./common.js";

export interface TransformerBlockOptions {
  key: Key;
  /** Hidden width of the MLP (default 4·dim). */
  mlpHidden?: number;
  /** Always apply a causal mask (a decoder block; default false). */
  causal?: boolean;
  /** Dropout on the attention weights and on both residual branches, in training (default 0). */
  dropout?: number;
  /** The MLP's activation (default exact GELU). */
  activation?: (x: Tensor) => Tensor;
  /** LayerNorm epsilon (default 1e-5). */
  eps?: number;
  dtype?: DType;
}

export interface TransformerBlockCallOptions extends ForwardOptions {
  /** Extra attention mask (true = attend), combined with the causal mask when the block is causal. */
  mask?: Tensor | null;
}

/**
 * x ← x + Attention(LN₁(x));  x ← x + W₂·act(W₁·LN₂(x) + b₁) + b₂.
 * Normalizing before each branch (pre-LN) keeps the residual path an
 * identity, so deep stacks train without warm-up tricks.
 *
 *   const block = new nn.TransformerBlock(64, 4, { key, causal: true });
 *   block.forward(fx.zeros([2, 16, 64])).shape; // [2, 16, 64]
 */
export class TransformerBlock extends Module {
  readonly ln1: LayerNorm;
  readonly attn: MultiHeadAttention;
  readonly ln2: LayerNorm;
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly dim: number;
  readonly causal: boolean;
  readonly dropout: number;
  readonly activation: (x: Tensor) => Tensor;

  constructor(dim: number, heads: number, opts: TransformerBlockOptions) {
    super();
    this.dim = positiveInt("TransformerBlock", "dim", dim);
    const hidden = positiveInt("TransformerBlock", "mlpHidden", opts?.mlpHidden ?? 4 * dim);
    this.causal = opts.causal ?? false;
    this.dropout = opts.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new ValueError(`TransformerBlock: dropout must be in [0, 1), got ${this.dropout}`);
    this.activation = opts.activation ?? gelu;
    const dtype = opts.dtype ?? "float32";
    const [kA, k1, k2] = splitKey(requireKey("TransformerBlock", opts.key), 3);
    this.ln1 = new LayerNorm(dim, { eps: opts.eps, dtype });
    this.attn = new MultiHeadAttention(dim, heads, { key: kA!, dropout: this.dropout, dtype });
    this.ln2 = new LayerNorm(dim, { eps: opts.eps, dtype });
    this.fc1 = new Linear(dim, hidden, { key: k1!, dtype });
    this.fc2 = new Linear(hidden, dim, { key: k2!, dtype });
  }

  override forward(x: Tensor, opts: TransformerBlockCallOptions = {}): Tensor {
    const training = opts.training ?? false;
    const keys = training && this.dropout > 0 ? splitKey(requireKey("TransformerBlock dropout", opts.key), 3) : [undefined, undefined, undefined];
    const drop = (t: Tensor, key: Key | undefined) => (key ? new Dropout(this.dropout).forward(t, { training, key }) : t);
    const a = this.attn.forward(this.ln1.forward(x), null, null, { mask: opts.mask, causal: this.causal, training, key: keys[0] });
    const h = add(x, drop(a, keys[1]));
    const m = this.fc2.forward(this.activation(this.fc1.forward(this.ln2.forward(h))));
    return add(h, drop(m, keys[2]));
  }

  /** The attention weights of this block for input x, averaged over heads: [B, T, T]. */
  attentionWeights(x: Tensor, opts: TransformerBlockCallOptions = {}): Tensor {
    return this.attn.forward(this.ln1.forward(x), null, null, { mask: opts.mask, causal: this.causal, returnWeights: true })[1];
  }
}

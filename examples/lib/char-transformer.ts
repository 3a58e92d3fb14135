/**
 * A small GPT-style character model: token embedding + learned positions,
 * a stack of causal pre-LN transformer blocks, a final LayerNorm, and the
 * embedding table reused as the output layer (tied weights).
 */
import * as fx from "../../src/index.js";

const { nn } = fx;

export interface CharTransformerConfig {
  vocabSize: number;
  context: number;
  width: number;
  heads: number;
  layers: number;
}

export class CharTransformer extends nn.Module {
  readonly embed: fx.nn.Embedding;
  readonly positions: fx.nn.LearnedPositionalEmbedding;
  readonly blocks: fx.nn.TransformerBlock[];
  readonly norm: fx.nn.LayerNorm;

  constructor(cfg: CharTransformerConfig, key: fx.random.Key) {
    super();
    const keys = fx.random.split(key, cfg.layers + 2);
    this.embed = new nn.Embedding(cfg.vocabSize, cfg.width, { key: keys[0]!, init: (k, s, o) => nn.init.normal(k, s, { std: 0.05, dtype: o?.dtype }) });
    this.positions = new nn.LearnedPositionalEmbedding(cfg.context, cfg.width, { key: keys[1]! });
    this.blocks = Array.from({ length: cfg.layers }, (_, i) => new nn.TransformerBlock(cfg.width, cfg.heads, { key: keys[i + 2]!, causal: true }));
    this.norm = new nn.LayerNorm(cfg.width);
  }

  /** The last hidden states [B, T, width] for token ids [B, T]. */
  hidden(ids: fx.Tensor): fx.Tensor {
    let h = this.positions.forward(this.embed.forward(ids));
    for (const b of this.blocks) h = b.forward(h);
    return this.norm.forward(h);
  }

  /** Next-character logits [B, T, vocab]. */
  override forward(ids: fx.Tensor): fx.Tensor {
    return this.embed.attend(this.hidden(ids));
  }

  /** Attention weights of every block [layers][B, T, T] (averaged over heads). */
  attentionMaps(ids: fx.Tensor): fx.Tensor[] {
    let h = this.positions.forward(this.embed.forward(ids));
    return this.blocks.map((b) => {
      const w = b.attentionWeights(h);
      h = b.forward(h);
      return w;
    });
  }
}

/**
 * End-to-end: the sequence layers learn small tasks with the tokenizers,
 * losses and optimizers (inline data only, so no system packages are needed).
 */
import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { rng } from "./support/numeric.js";

const { nn, optim, losses, text } = fx;

const CORPUS = [
  "the quick brown fox jumps over the lazy dog.",
  "a stitch in time saves nine.",
  "all that glitters is not gold.",
  "the early bird catches the worm.",
].join(" ");

class TinyLM extends nn.Module {
  readonly embed: fx.nn.Embedding;
  readonly pos: fx.nn.LearnedPositionalEmbedding;
  readonly block: fx.nn.TransformerBlock;
  readonly norm: fx.nn.LayerNorm;
  constructor(vocab: number, T: number, key: fx.random.Key) {
    super();
    const [a, b, c] = fx.random.split(key, 3);
    this.embed = new nn.Embedding(vocab, 24, { key: a!, init: (k, s, o) => nn.init.normal(k, s, { std: 0.1, dtype: o?.dtype }) });
    this.pos = new nn.LearnedPositionalEmbedding(T, 24, { key: b! });
    this.block = new nn.TransformerBlock(24, 2, { key: c!, causal: true, mlpHidden: 48 });
    this.norm = new nn.LayerNorm(24);
  }
  override forward(ids: fx.Tensor): fx.Tensor {
    return this.embed.attend(this.norm.forward(this.block.forward(this.pos.forward(this.embed.forward(ids)))));
  }
}

describe("sequence models learn", () => {
  it("a tiny causal transformer beats the unigram baseline by far on a small corpus", () => {
    const tok = text.CharTokenizer.fromText(CORPUS);
    const ids = Int32Array.from(tok.encode(CORPUS));
    const counts = new Map<number, number>();
    for (const i of ids) counts.set(i, (counts.get(i) ?? 0) + 1);
    const unigramBits = -[...counts.values()].reduce((s, c) => s + (c / ids.length) * Math.log2(c / ids.length), 0);
    const T = 16, B = 8;
    const r = rng(1);
    const batch = () => {
      const x = new Int32Array(B * T), y = new Int32Array(B * T);
      for (let b = 0; b < B; b++) {
        const s = Math.floor(r() * (ids.length - T - 1));
        x.set(ids.subarray(s, s + T), b * T);
        y.set(ids.subarray(s + 1, s + T + 1), b * T);
      }
      return [fx.tensor(x, { dtype: "int32", shape: [B, T] }), fx.tensor(y, { dtype: "int32", shape: [B, T] })] as const;
    };
    let model = new TinyLM(tok.vocabSize, T, fx.random.key(0));
    const opt = optim.chain(optim.clipByGlobalNorm(1), optim.adam(1e-2));
    let state = opt.init(model);
    const loss = (m: TinyLM, x: fx.Tensor, y: fx.Tensor) => losses.softmaxCrossEntropyWithIntegerLabels(m.forward(x), y);
    const step = fx.jit((m: TinyLM, s: unknown[], x: fx.Tensor, y: fx.Tensor) => {
      const [l, g] = fx.valueAndGrad(loss)(m, x, y);
      const [u, s2] = opt.update(g, s, m);
      return [optim.applyUpdates(m, u), s2, l] as const;
    });
    let last = Infinity;
    for (let i = 0; i < 60; i++) {
      const [x, y] = batch();
      let l: fx.Tensor;
      [model, state, l] = step(model, state, x, y) as unknown as [TinyLM, unknown[], fx.Tensor];
      last = l.item() / Math.LN2;
    }
    expect(step.cacheSize).toBe(1);
    expect(last).toBeLessThan(unigramBits - 2);
  });

  it("an LSTM remembers the first symbol of a sequence through the later ones (BPTT)", () => {
    const T = 6, B = 32;
    const r = rng(2);
    const batch = () => {
      const x = new Float32Array(B * T), y = new Int32Array(B);
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < T; t++) x[b * T + t] = r() < 0.5 ? 1 : -1;
        y[b] = x[b * T]! > 0 ? 1 : 0;
      }
      return [fx.tensor(x, { shape: [B, T, 1] }), fx.tensor(y, { dtype: "int32" })] as const;
    };
    class Net extends nn.Module {
      readonly lstm = new nn.LSTM(1, 8, { key: fx.random.key(3) });
      readonly head = new nn.Linear(8, 2, { key: fx.random.key(4) });
      override forward(x: fx.Tensor): fx.Tensor {
        return this.head.forward(this.lstm.forward(x).slice(":", -1));
      }
    }
    let model = new Net();
    const opt = optim.adam(3e-2);
    let state = opt.init(model);
    const step = fx.jit((m: Net, s: unknown[], x: fx.Tensor, y: fx.Tensor) => {
      const [l, g] = fx.valueAndGrad((mm: Net) => losses.softmaxCrossEntropyWithIntegerLabels(mm.forward(x), y))(m);
      const [u, s2] = opt.update(g, s, m);
      return [optim.applyUpdates(m, u), s2, l] as const;
    });
    for (let i = 0; i < 120; i++) {
      const [x, y] = batch();
      [model, state] = step(model, state, x, y) as unknown as [Net, unknown[], fx.Tensor];
    }
    const [x, y] = batch();
    const acc = fx.mean(fx.equal(fx.argmax(model.forward(x), 1), y)).item();
    expect(acc).toBeGreaterThan(0.95);
  });
});

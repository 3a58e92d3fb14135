/**
 * Sampling from a character language model: feed the last `context`
 * characters, draw the next one from softmax(logits / temperature), repeat.
 * A causal model can read a right-padded window, so one compiled signature
 * (one window length) serves every prompt length.
 *
 * Temperature < 1 sharpens the distribution toward the likeliest characters
 * (more common words, fewer inventions); 1 samples the model as trained.
 */
import * as fx from "../../src/index.js";
import type { CharTransformer } from "./char-transformer.js";

export type Sampler = (prompt: string, length: number, key: fx.random.Key, temperature: number) => string;

export function makeSampler(model: CharTransformer, tok: fx.text.CharTokenizer, context: number): Sampler {
  const logitsAt = fx.jit((m: CharTransformer, x: fx.Tensor) => m.forward(x));
  return (prompt, length, key, temperature) => {
    const ids = tok.encode(prompt);
    for (let i = 0; i < length; i++) {
      const ctx = ids.slice(-context);
      const window = new Int32Array(context);
      window.set(ctx);
      const logits = logitsAt(model, fx.tensor(window, { dtype: "int32", shape: [1, context] })).slice(0, ctx.length - 1);
      const [k, sub] = fx.random.split(key);
      key = k!;
      ids.push(fx.random.categorical(sub!, logits.div(temperature)).item() as number);
    }
    return tok.decode(ids);
  };
}

/** The prompts the examples sample from. */
export const PROMPTS = ["A ", "The ", "Q: ", "You will "];

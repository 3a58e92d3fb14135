/**
 * A character-level transformer language model trained on the fortunes of
 * the Debian `fortunes` package (apt-get install -y fortunes).
 *
 * Fortunes are shuffled with a fixed seed and split 95% / 5%: the model
 * trains on random 48-character windows of the first part and is scored on
 * the held-out fortunes, in bits per character, against the unigram baseline
 * (the best model that ignores context: the training text's character
 * frequencies). It then samples new text. The trained model, its vocabulary
 * and the figures go to runs/char-lm/ (attention-map.ts reads them).
 *
 *   npx tsx examples/char-lm.ts            # 400 steps; minutes to tens of minutes on the reference backend, by machine load
 *   STEPS=50 npx tsx examples/char-lm.ts   # a quick look (FLUXION_BACKEND=reference for the reference backend)
 *
 * Also read from the environment: BATCH, WIDTH, LAYERS, CONTEXT, OUT, and
 * CHECKPOINT_EVERY (save the model and print the validation loss every N steps).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as fx from "../src/index.js";
import { CharTransformer, type CharTransformerConfig } from "./lib/char-transformer.js";
import { makeSampler, PROMPTS } from "./lib/char-sampling.js";
import { loadFortunes, seededRandom, shuffled } from "./lib/fortunes.js";
import { useBackend } from "./lib/backend.js";
import { isMain } from "./is-main.js";

const { nn, optim, losses, text } = fx;

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

export interface CharLmResult {
  backend: string;
  trainChars: number;
  validationChars: number;
  vocabSize: number;
  params: number;
  steps: number;
  seconds: number;
  unigramBits: number;
  validationBits: number;
  samples: string[];
}

/** Cross-entropy of the validation text under the training text's character frequencies (add-one smoothing), bits/char. */
function unigramBits(train: Int32Array, valid: Int32Array, vocab: number): number {
  const counts = new Float64Array(vocab).fill(1);
  for (const id of train) counts[id]! += 1;
  const total = counts.reduce((a, b) => a + b, 0);
  let bits = 0;
  for (const id of valid) bits -= Math.log2(counts[id]! / total);
  return bits / valid.length;
}

/** A batch of random windows: inputs [B, T] and next-character targets [B, T]. */
function batchOf(ids: Int32Array, starts: number[], T: number): [fx.Tensor, fx.Tensor] {
  const x = new Int32Array(starts.length * T), y = new Int32Array(starts.length * T);
  starts.forEach((s, b) => {
    x.set(ids.subarray(s, s + T), b * T);
    y.set(ids.subarray(s + 1, s + T + 1), b * T);
  });
  return [fx.tensor(x, { dtype: "int32", shape: [starts.length, T] }), fx.tensor(y, { dtype: "int32", shape: [starts.length, T] })];
}

export function main(): CharLmResult {
  const backend = useBackend();
  const OUT = process.env.OUT ?? "runs/char-lm";
  const steps = env("STEPS", 400), batchSize = env("BATCH", 16);
  const cfg: CharTransformerConfig = { vocabSize: 0, context: env("CONTEXT", 48), width: env("WIDTH", 48), heads: 4, layers: env("LAYERS", 2) };

  // --- data ---
  const all = shuffled(loadFortunes().flatMap((f) => f.fortunes), 1);
  const cut = Math.floor(all.length * 0.95);
  const trainText = all.slice(0, cut).join("\n\n");
  const validText = all.slice(cut).join("\n\n");
  const tok = text.CharTokenizer.fromText(trainText);
  cfg.vocabSize = tok.vocabSize;
  const trainIds = Int32Array.from(tok.encode(trainText));
  const validIds = Int32Array.from(tok.encode(validText));
  const baseline = unigramBits(trainIds, validIds, tok.vocabSize);
  console.log(`corpus: ${all.length} fortunes, ${trainIds.length} training and ${validIds.length} validation characters, vocabulary ${tok.vocabSize}`);
  console.log(`unigram baseline on validation: ${baseline.toFixed(3)} bits/char`);

  // --- model and training step ---
  let model = new CharTransformer(cfg, fx.random.key(0));
  console.log(`model: ${cfg.layers} blocks, width ${cfg.width}, ${cfg.heads} heads, context ${cfg.context}: ${nn.countParams(model)} parameters`);
  const schedule = optim.schedules.warmupCosineDecay({ init: 0, peak: 3e-3, warmupSteps: Math.min(30, Math.floor(steps / 5)), decaySteps: steps, end: 3e-4 });
  const opt = optim.chain(optim.clipByGlobalNorm(1), optim.adamw(schedule, { weightDecay: 0.01 }));
  let state = opt.init(model);
  const lossOf = (m: CharTransformer, x: fx.Tensor, y: fx.Tensor) => losses.softmaxCrossEntropyWithIntegerLabels(m.forward(x), y);
  const step = fx.jit((m: CharTransformer, s: unknown, x: fx.Tensor, y: fx.Tensor) => {
    const [loss, g] = fx.valueAndGrad(lossOf)(m, x, y);
    const [updates, s2] = opt.update(g, s as never, m);
    return [optim.applyUpdates(m, updates), s2, loss] as const;
  }, { donateArgnums: [0, 1] }); // the new model and optimizer state reuse the old ones' storage
  const evalLoss = fx.jit(lossOf);

  const T = cfg.context;
  const rand = seededRandom(2);
  const validStarts = Array.from({ length: Math.floor((validIds.length - 1) / T) }, (_, i) => i * T).slice(0, 256);
  const validation = () => {
    let total = 0, n = 0;
    for (let i = 0; i + batchSize <= validStarts.length; i += batchSize) {
      const [x, y] = batchOf(validIds, validStarts.slice(i, i + batchSize), T);
      total += evalLoss(model, x, y).item();
      n++;
    }
    return total / n / Math.LN2;
  };

  // A long run saves the model as it goes (CHECKPOINT_EVERY steps), so stopping it early still leaves one to sample from.
  const checkpointEvery = env("CHECKPOINT_EVERY", 0);
  const saveModel = () => {
    mkdirSync(OUT, { recursive: true });
    fx.io.saveSafetensors(`${OUT}/model.safetensors`, model);
    text.saveTokenizer(`${OUT}/tokenizer.json`, tok);
    writeFileSync(`${OUT}/config.json`, JSON.stringify(cfg, null, 2));
  };

  const t0 = performance.now();
  let smooth = 0;
  for (let i = 1; i <= steps; i++) {
    const starts = Array.from({ length: batchSize }, () => Math.floor(rand() * (trainIds.length - T - 1)));
    const [x, y] = batchOf(trainIds, starts, T);
    let loss: fx.Tensor;
    [model, state, loss] = step(model, state, x, y) as unknown as [CharTransformer, unknown[], fx.Tensor];
    const l = loss.item() / Math.LN2;
    smooth = i === 1 ? l : 0.95 * smooth + 0.05 * l;
    if (i % 50 === 0 || i === steps) console.log(`step ${i}/${steps}  train ${smooth.toFixed(3)} bits/char  ${((performance.now() - t0) / i / 1000).toFixed(2)} s/step`);
    if (checkpointEvery > 0 && i % checkpointEvery === 0 && i < steps) {
      saveModel();
      console.log(`checkpoint at step ${i}: validation ${validation().toFixed(3)} bits/char`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const validationBits = validation();
  console.log(`validation: ${validationBits.toFixed(3)} bits/char (unigram baseline ${baseline.toFixed(3)}) after ${steps} steps, ${seconds.toFixed(0)} s`);

  // --- samples ---
  const sample = makeSampler(model, tok, T);
  const samples = PROMPTS.map((p, i) => sample(p, 200, fx.random.key(100 + i), 0.8));
  samples.forEach((s) => console.log(`--- sample ---\n${s}\n`));

  saveModel();
  const result: CharLmResult = {
    backend, trainChars: trainIds.length, validationChars: validIds.length, vocabSize: tok.vocabSize, params: nn.countParams(model),
    steps, seconds, unigramBits: baseline, validationBits, samples,
  };
  writeFileSync(`${OUT}/metrics.json`, JSON.stringify(result, null, 2));
  return result;
}

if (isMain(import.meta.url)) main();

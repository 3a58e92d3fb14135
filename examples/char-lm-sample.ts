/**
 * Samples text from a language model char-lm.ts saved (its model,
 * tokenizer and config), at several temperatures, and writes them to
 * <RUN>/samples.json. Lower temperatures keep to the likeliest characters:
 * more familiar words, less invention.
 *
 *   RUN=runs/char-lm TEMPERATURES=0.5,0.8,1 npx tsx examples/char-lm-sample.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as fx from "../src/index.js";
import { CharTransformer, type CharTransformerConfig } from "./lib/char-transformer.js";
import { makeSampler, PROMPTS } from "./lib/char-sampling.js";
import { useBackend } from "./lib/backend.js";
import { isMain } from "./is-main.js";

export interface SampleSet {
  temperature: number;
  samples: string[];
}

export function main(): SampleSet[] {
  useBackend();
  const run = process.env.RUN ?? "runs/char-lm";
  const temperatures = (process.env.TEMPERATURES ?? "0.5,0.8").split(",").map(Number);
  const length = Number(process.env.LENGTH ?? 300);
  const cfg = JSON.parse(readFileSync(`${run}/config.json`, "utf8")) as CharTransformerConfig;
  const tok = fx.text.loadTokenizer(`${run}/tokenizer.json`) as fx.text.CharTokenizer;
  const model = fx.io.loadInto(new CharTransformer(cfg, fx.random.key(0)), `${run}/model.safetensors`);
  const sample = makeSampler(model, tok, cfg.context);
  const sets = temperatures.map((temperature) => ({
    temperature,
    samples: PROMPTS.map((p, i) => sample(p, length, fx.random.key(200 + i), temperature)),
  }));
  for (const { temperature, samples } of sets) {
    for (const s of samples) console.log(`--- temperature ${temperature} ---\n${s}\n`);
  }
  writeFileSync(`${run}/samples.json`, JSON.stringify(sets, null, 2));
  return sets;
}

if (isMain(import.meta.url)) main();

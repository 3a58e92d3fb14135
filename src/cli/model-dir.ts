/**
 * A trained model on disk: model.safetensors (every leaf of the module,
 * named by path as PyTorch's state_dict names them, e.g. "layers.0.weight")
 * and config.json (what to rebuild and how inputs were prepared).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DataNotFoundError, FileFormatError } from "../core/errors.js";
import { loadInto } from "../io/load-into.js";
import { saveSafetensors } from "../io/safetensors.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { key } from "../random/index.js";
import type { Module } from "../nn/module.js";
import { buildModel, checkModelName, type ModelName } from "./models.js";
import type { Normalization } from "./datasets.js";

export interface ModelConfig {
  fluxionVersion: string;
  model: ModelName;
  dataset: string;
  classes: string[];
  /** One example as the model takes it: [1, H, W] (CNNs) or [H·W] (MLP). */
  inputShape: number[];
  /** The image size inputs are resized to, [H, W]. */
  imageSize: [number, number];
  normalization: Normalization;
  split: string;
  training: { epochs: number; batchSize: number; lr: number; schedule?: string; seed: number; optimizer: string; validationSplit: number };
  createdAt: string;
}

export function writeJson(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, "writeJson");
}

export function saveModelDir(dir: string, model: Module, config: ModelConfig): void {
  saveSafetensors(join(dir, "model.safetensors"), model, { format: "fluxion", model: config.model });
  writeJson(join(dir, "config.json"), config);
}

export function loadModelDir(dir: string): { model: Module; config: ModelConfig } {
  const configPath = join(dir, "config.json");
  const weights = join(dir, "model.safetensors");
  if (!existsSync(configPath) || !existsSync(weights)) {
    throw new DataNotFoundError(`--model-dir ${dir}: expected config.json and model.safetensors there (written by \`fluxion train --out DIR\`)`);
  }
  let config: ModelConfig;
  try {
    config = JSON.parse(readFileSync(configPath, "utf8")) as ModelConfig;
  } catch (e) {
    throw new FileFormatError(`${configPath}: not valid JSON (${(e as Error).message})`);
  }
  const name = checkModelName(String(config.model));
  const template = buildModel({ name, inputShape: config.inputShape, classes: config.classes.length }, key(0));
  return { model: loadInto(template, weights), config };
}

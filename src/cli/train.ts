/**
 * `fluxion train`: trains a model on a data set and writes a model
 * directory with model.safetensors, config.json, metrics.json and
 * report.html.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { countParams } from "../nn/partition.js";
import { adam } from "../optim/index.js";
import { cosineDecay } from "../optim/schedules.js";
import { key } from "../random/index.js";
import { fit } from "../train/fit.js";
import { evaluate } from "../train/evaluate.js";
import { softmaxCrossEntropyWithIntegerLabels } from "../losses/index.js";
import { applyBackend, BACKEND_HELP } from "./backend.js";
import { loadData } from "./datasets.js";
import { buildModel, checkModelName, layoutOf, MODEL_DESCRIPTIONS, MODEL_NAMES } from "./models.js";
import { saveModelDir, writeJson, type ModelConfig } from "./model-dir.js";
import { buildReport } from "./report.js";
import { fraction, oneOf, positiveInt, positiveNumber, nonNegativeInt } from "./options.js";
import { packageVersion } from "./version.js";
import type { Output } from "./output.js";

export interface TrainArgs {
  dataset: string;
  model: string;
  epochs: number;
  batchSize: number;
  lr: number;
  schedule: "constant" | "cosine";
  seed: number;
  threads?: number;
  backend?: string;
  out?: string;
  validationSplit: number;
  limit?: number;
}

export interface TrainSummary {
  outDir: string;
  testAccuracy: number;
  totalSeconds: number;
}

function timestamp(d = new Date()): string {
  return d.toISOString().replace(/\.\d+Z$/, "").replace(/:/g, "-");
}

export async function runTrain(args: TrainArgs, out: Output): Promise<TrainSummary> {
  const start = performance.now();
  const { backend, threads } = applyBackend(args);
  const name = checkModelName(args.model);
  const data = loadData(args.dataset, { layout: layoutOf(name), validationSplit: args.validationSplit, limit: args.limit });
  const inputShape = data.train[0].shape.slice(1);
  const spec = { name, inputShape, classes: data.classes.length };
  const [modelKey, trainKey] = [key(args.seed), key(args.seed + 1)];
  const model = buildModel(spec, modelKey);
  const outDir = resolve(args.out ?? join("runs", timestamp()));
  mkdirSync(outDir, { recursive: true });

  const params = countParams(model);
  out.log(`Training ${name} (${params} parameters) on ${args.dataset}: ${data.train[0].shape[0]} train / ${data.validation[0].shape[0]} validation / ${data.test[0].shape[0]} test examples`);
  const steps = args.epochs * Math.ceil(data.train[0].shape[0]! / args.batchSize);
  // Cosine decay to 0 over the whole run: the last epochs take small steps and settle.
  const lr = args.schedule === "cosine" ? cosineDecay({ init: args.lr, decaySteps: steps }) : args.lr;
  out.log(`backend ${backend}, ${threads} thread${threads === 1 ? "" : "s"}; Adam lr ${args.lr}${args.schedule === "cosine" ? " with cosine decay" : ""}, batch ${args.batchSize}, ${args.epochs} epoch${args.epochs === 1 ? "" : "s"}, seed ${args.seed}`);
  const { model: trained, history } = fit(model, adam(lr), data.train, {
    lossFn: softmaxCrossEntropyWithIntegerLabels,
    epochs: args.epochs,
    batchSize: args.batchSize,
    key: trainKey,
    validation: data.validation,
    progress: out.progress,
  });

  const test = evaluate(trained, data.test, { lossFn: softmaxCrossEntropyWithIntegerLabels });
  const labels = Int32Array.from(data.test[1].data());
  const config: ModelConfig = {
    fluxionVersion: packageVersion(),
    model: name,
    dataset: args.dataset,
    classes: data.classes,
    inputShape,
    imageSize: [data.imageShape[1], data.imageShape[2]],
    normalization: data.normalization,
    split: data.splitDescription,
    training: { epochs: args.epochs, batchSize: args.batchSize, lr: args.lr, schedule: args.schedule, seed: args.seed, optimizer: "adam", validationSplit: args.validationSplit },
    createdAt: new Date().toISOString(),
  };
  saveModelDir(outDir, trained, config);
  const trainSeconds = history.epochs.reduce((s, e) => s + e.seconds, 0);
  const totalSeconds = (performance.now() - start) / 1000;
  const last = history.epochs[history.epochs.length - 1];
  writeJson(join(outDir, "metrics.json"), {
    epochs: history.epochs,
    validation: { loss: last?.valLoss, accuracy: last?.valAccuracy },
    test: { loss: test.loss, accuracy: test.accuracy, examples: test.count },
    samplesPerSecond: history.epochs.reduce((s, e) => s + e.samplesPerSecond, 0) / Math.max(1, history.epochs.length),
    trainSeconds,
    totalSeconds,
    backend,
    threads,
    stepLosses: history.stepLosses,
  });
  const { mean, std } = data.normalization;
  const report = buildReport({
    config,
    history,
    test: { loss: test.loss, accuracy: test.accuracy, predictions: test.predictions, labels },
    testImages: data.test[0].mul(std).add(mean),
    totalSeconds,
    modelDescription: MODEL_DESCRIPTIONS[name],
    parameters: params,
  });
  const reportPath = join(outDir, "report.html");
  await report.save(reportPath);
  out.log(`Test accuracy ${(test.accuracy * 100).toFixed(2)}% (loss ${test.loss.toFixed(4)}) after ${trainSeconds.toFixed(1)} s of training, ${totalSeconds.toFixed(1)} s in all`);
  out.log(`Wrote ${join(outDir, "model.safetensors")}, config.json, metrics.json`);
  out.log(`Report: ${reportPath}`);
  return { outDir, testAccuracy: test.accuracy, totalSeconds };
}

export function registerTrain(program: Command, out: Output): void {
  program
    .command("train")
    .description("train a model and write model.safetensors, config.json, metrics.json and report.html")
    .option("--dataset <name>", "mnist (the embedded digits), fashion-mnist, or a directory of IDX files", "mnist")
    .option("--model <name>", `${MODEL_NAMES.join(" | ")}: ${MODEL_NAMES.map((m) => `${m} = ${MODEL_DESCRIPTIONS[m]}`).join("; ")}`, "cnn-small")
    .option("--epochs <n>", "passes over the training examples", positiveInt("--epochs"), 3)
    .option("--batch-size <n>", "examples per step", positiveInt("--batch-size"), 64)
    .option("--lr <x>", "Adam learning rate", positiveNumber("--lr"), 0.002)
    .option("--schedule <name>", "learning rate over the run: constant, or cosine (decays to 0 by the last step)", oneOf("--schedule", ["constant", "cosine"] as const), "constant")
    .option("--seed <n>", "seed of the initialization, data order and dropout", nonNegativeInt("--seed"), 0)
    .option("--threads <n>", "threads for backends that use them (the reference backend uses one)", positiveInt("--threads"))
    .option("--backend <name>", BACKEND_HELP)
    .option("--validation-split <x>", "fraction of the training examples held out for validation", fraction("--validation-split"), 0.1)
    .option("--limit <n>", "use at most N examples of each split (for quick trials)", positiveInt("--limit"))
    .option("--out <dir>", "output directory (default runs/<timestamp>)")
    .action(async (opts: TrainArgs) => {
      await runTrain(opts, out);
    });
}

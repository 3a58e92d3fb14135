/**
 * `fluxion eda --dataset D [--out FILE]`: writes an HTML report for a first
 * look at a data set (fx.viz.edaReport): summary statistics, class balance,
 * examples of each class, histograms, correlations, PCA and t-SNE coloured by class.
 *
 *   fluxion eda --dataset fashion-mnist --split test --tsne-samples 10000 --out runs/eda-fashion.html
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { ValueError } from "../core/errors.js";
import { tensor } from "../ops/creation.js";
import { edaReport } from "../viz/eda-report.js";
import { firstRows, loadTabular } from "./ml-datasets.js";

export interface EdaOptions {
  dataset: string;
  split: "train" | "test";
  samples?: number;
  tsneSamples: number;
  tsne: boolean;
  tsneEmbedding?: string;
  target?: string;
  seed: number;
  out: string;
}

export async function runEda(o: EdaOptions, print: (line: string) => void = console.log): Promise<string> {
  if (o.split !== "train" && o.split !== "test") throw new ValueError(`eda: --split must be train or test, got ${JSON.stringify(o.split)}`);
  const data = loadTabular(o.dataset, { seed: o.seed, ...(o.target ? { target: o.target } : {}) });
  const [x, y] = firstRows(o.split === "train" ? data.xTrain : data.xTest, o.split === "train" ? data.yTrain : data.yTest, o.samples);
  const n = x.shape[0]!;
  let embedding;
  if (o.tsneEmbedding) {
    // A JSON file with { embedding: number[] (n·2, row-major) } as bench/tsne-fashion.ts writes.
    const saved = JSON.parse(readFileSync(o.tsneEmbedding, "utf8")) as { embedding?: number[] };
    if (!Array.isArray(saved.embedding) || saved.embedding.length % 2 !== 0) throw new ValueError(`eda: ${o.tsneEmbedding} has no "embedding" array of 2-D points`);
    const m = Math.min(n, saved.embedding.length / 2);
    embedding = tensor(Float64Array.from(saved.embedding.slice(0, 2 * m)), { shape: [m, 2], dtype: "float64" });
  }
  const images = data.imageShape ? x.reshape([n, ...data.imageShape]) : undefined;
  const t0 = performance.now();
  const report = await edaReport(x, {
    title: `${data.name} (${o.split} split): exploratory data analysis`,
    labels: y,
    ...(data.classNames ? { classNames: data.classNames } : {}),
    ...(data.featureNames ? { featureNames: data.featureNames } : {}),
    ...(images ? { images } : {}),
    ...(embedding ? { tsneEmbedding: embedding } : { tsne: o.tsne ? { samples: o.tsneSamples, key: o.seed } : false }),
    log: (m) => print(`  ${m} (${((performance.now() - t0) / 1000).toFixed(1)} s)`),
  });
  await report.save(o.out);
  print(`wrote ${o.out}`);
  return o.out;
}

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`expected a positive whole number, got ${JSON.stringify(v)}`);
  return n;
};

export function register(program: Command): void {
  program
    .command("eda")
    .description("write an exploratory-data-analysis HTML report (histograms, correlations, PCA, t-SNE)")
    .option("--dataset <name>", "fashion-mnist, mnist, or a CSV file", "mnist")
    .option("--split <split>", "train or test", "train")
    .option("--samples <n>", "use the first n samples of the split", int)
    .option("--tsne-samples <n>", "points in the t-SNE scatter", int, 2000)
    .option("--no-tsne", "skip t-SNE")
    .option("--tsne-embedding <file>", "use a saved embedding (JSON with an \"embedding\" array) instead of computing one")
    .option("--target <column>", "label column of a CSV file (default: the last)")
    .option("--seed <n>", "seed", (v: string) => Number(v), 0)
    .option("--out <file>", "where to write the report", "runs/eda.html")
    .action(async (o: EdaOptions) => { await runEda(o); });
}

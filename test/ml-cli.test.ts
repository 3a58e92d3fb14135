import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { buildProgram } from "../src/cli/main.js";
import { resolveEstimator, runFit } from "../src/cli/fit.js";
import { runEda } from "../src/cli/eda.js";
import { blobs } from "./ml-data.js";

const dir = mkdtempSync(join(tmpdir(), "fluxion-ml-cli-"));
const csv = join(dir, "blobs.csv");
const { xs, ys } = blobs(91, [[0, 0, 0], [4, 0, 1], [0, 4, -1]], 40, 0.8);
writeFileSync(csv, ["a,b,c,label", ...xs.map((r, i) => [...r, ys[i]].join(","))].join("\n"));

describe("fluxion fit", () => {
  it("fits each estimator on a CSV file and reports train/test accuracy", () => {
    for (const estimator of ["logistic-regression", "perceptron", "svc", "k-neighbors", "gaussian-nb", "lda", "qda"]) {
      const lines: string[] = [];
      const r = runFit({ estimator, dataset: csv, seed: 0 }, (l) => lines.push(l));
      expect(r.trainSamples).toBe(90);
      expect(r.testSamples).toBe(30);
      expect(r.testScore, estimator).toBeGreaterThan(0.9);
      expect(lines.join("\n")).toMatch(/test accuracy\s+[01]\.\d{4}/);
    }
  });

  it("takes --subset and aliases, and rejects unknown estimators", () => {
    const r = runFit({ estimator: "GaussianNB", dataset: "mnist", subset: 500, testSubset: 200, seed: 0, json: true }, () => {});
    expect(r.trainSamples).toBe(500);
    expect(r.testSamples).toBe(200);
    expect(r.testScore).toBeGreaterThan(0.4);
    expect(resolveEstimator("KNeighborsClassifier")).toBe("k-neighbors");
    expect(() => resolveEstimator("forest")).toThrow(/unknown estimator "forest"/);
  });

  it("parses its options through commander", async () => {
    const out: string[] = [];
    const log = console.log;
    console.log = (l: string) => out.push(l);
    try {
      await buildProgram().parseAsync(["node", "fluxion", "fit", "--estimator", "lda", "--dataset", csv, "--json"]);
    } finally {
      console.log = log;
    }
    const r = JSON.parse(out.at(-1)!);
    expect(r.estimator).toBe("lda");
    expect(r.testScore).toBeGreaterThan(0.9);
  });
});

describe("fluxion eda", () => {
  it("writes an HTML report with every section", async () => {
    const out = join(dir, "eda.html");
    await runEda({ dataset: csv, split: "train", tsne: true, tsneSamples: 90, seed: 0, out }, () => {});
    expect(existsSync(out)).toBe(true);
    const html = readFileSync(out, "utf8");
    for (const section of ["Summary statistics", "Class balance", "Feature distributions", "Feature correlations", "PCA", "t-SNE"]) expect(html).toContain(section);
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(6);
  });

  it("can reuse a saved t-SNE embedding", async () => {
    const saved = join(dir, "emb.json");
    const emb = new fx.ml.PCA({ nComponents: 2 }).fitTransform(fx.tensor(xs.slice(0, 30)));
    writeFileSync(saved, JSON.stringify({ embedding: Array.from(emb.data()) }));
    const out = join(dir, "eda2.html");
    await runEda({ dataset: csv, split: "test", tsne: true, tsneSamples: 10, tsneEmbedding: saved, seed: 0, out }, () => {});
    expect(readFileSync(out, "utf8")).toContain("t-SNE (30 samples)");
  });
});

/**
 * t-SNE of the 10 000 Fashion-MNIST test images (cosine metric, perplexity 20,
 * Barnes–Hut, 1 000 iterations by default): wall and CPU time, and the
 * 1-nearest-neighbour class agreement in the embedding (the fraction of points
 * whose nearest other point has the same label; target ≥ 0.8). Writes the
 * embedding as JSON for `fluxion eda --tsne-embedding`. Results: docs/eda.md.
 *
 *   npx tsx bench/tsne-fashion.ts [--n 10000] [--perplexity 20] [--iter 1000] [--metric cosine|euclidean] [--out runs/tsne-fashion.json]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { loadavg } from "node:os";
import * as fx from "../src/index.js";


const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const n = Number(arg("n", "10000"));
const out = arg("out", "runs/tsne-fashion.json");
const perplexity = Number(arg("perplexity", "20"));
const nIter = Number(arg("iter", "1000"));
const metric = arg("metric", "cosine") as "euclidean" | "cosine";

const { test } = fx.data.fashionMnist({ layout: "flat" });
const [images, labels] = test.take(n).collect();
const y = Array.from(labels.data(), Number);
console.log(`t-SNE of ${n} Fashion-MNIST test images, perplexity ${perplexity}, ${nIter} iterations, ${metric} (load average ${loadavg().map((v) => v.toFixed(1)).join(" ")})`);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const tsne = new fx.ml.TSNE({ perplexity, nIter, metric, key: 0, onIteration: (it, kl) => console.log(`  iteration ${it}: KL ${kl.toFixed(3)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`), callbackEvery: 100 });
const emb = tsne.fitTransform(images);
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const agreement = fx.ml.oneNnAgreement(emb, y);
console.log(`phases (wall s): PCA ${(tsne.timings.pca / 1000).toFixed(1)}, affinities ${(tsne.timings.affinities / 1000).toFixed(1)}, optimisation ${(tsne.timings.optimize / 1000).toFixed(1)}`);
console.log(`method ${tsne.methodUsed}, wall time ${seconds.toFixed(1)} s, CPU time ${cpuSeconds.toFixed(1)} s, KL ${tsne.klDivergence.toFixed(3)}, 1-NN agreement ${agreement.toFixed(4)}`);
console.log(`load average after: ${loadavg().map((v) => v.toFixed(1)).join(" ")}`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ n, perplexity, nIter, metric, seconds, cpuSeconds, timings: tsne.timings, agreement, kl: tsne.klDivergence, embedding: Array.from(emb.data()), labels: y }));

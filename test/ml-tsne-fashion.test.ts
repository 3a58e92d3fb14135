/**
 * The acceptance check for t-SNE on real data: the 10 000
 * Fashion-MNIST test images (cosine metric, perplexity 20, Barnes–Hut, 1 000
 * iterations, key 0) embed with a 1-nearest-neighbour class agreement of at
 * least 0.8. It runs bench/tsne-fashion.ts in a child process (a minute or
 * more of synchronous work would starve the test worker's event loop) and
 * reads the embedding it writes. Needs `apt-get install dataset-fashion-mnist`
 * (.ci/run installs it); a missing data set fails with the loader's message.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as fx from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "fluxion-tsne-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: join(import.meta.dirname, "..") });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("t-SNE of Fashion-MNIST", () => {
  it("separates the classes of the 10 000 test images (1-NN agreement ≥ 0.8)", async () => {
    const out = join(dir, "tsne.json");
    const { code, output } = await run(["bench/tsne-fashion.ts", "--n", "10000", "--perplexity", "20", "--iter", "1000", "--metric", "cosine", "--out", out]);
    expect(code, output).toBe(0);
    const result = JSON.parse(readFileSync(out, "utf8")) as { agreement: number; embedding: number[]; labels: number[] };
    expect(result.labels.length).toBe(10000);
    const emb = fx.tensor(Float64Array.from(result.embedding), { shape: [10000, 2] });
    const agreement = fx.ml.oneNnAgreement(emb, result.labels);
    expect(agreement).toBeCloseTo(result.agreement, 12);
    expect(agreement).toBeGreaterThanOrEqual(0.8);
    // The same embedding with the labels shuffled agrees at chance (~0.1): the check can fail.
    const order = Array.from(fx.random.permutation(fx.random.key(1), 10000).data(), Number);
    expect(fx.ml.oneNnAgreement(emb, order.map((i) => result.labels[i]!))).toBeLessThan(0.2);
  }, 900_000);
});

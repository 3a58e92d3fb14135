import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { conditionalRow, denseP, sparseP, type SparseP } from "../src/ml/tsne/affinities.js";
import { barnesHutGradient, exactGradient } from "../src/ml/tsne/gradients.js";
import { blobs, gaussian, maxDiff, oneNnAgreement, rng, vals } from "./ml-data.js";

const { ml } = fx;

function randomEmbedding(seed: number, n: number, scale: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: 2 * n }, () => scale * gaussian(r));
}

function asSparse(p: Float64Array, n: number): SparseP {
  const rowPtr = new Int32Array(n + 1), cols: number[] = [], v: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) if (j !== i && p[i * n + j]! > 0) { cols.push(j); v.push(p[i * n + j]!); }
    rowPtr[i + 1] = cols.length;
  }
  return { rowPtr, cols: Int32Array.from(cols), vals: Float64Array.from(v) };
}

describe("t-SNE affinities", () => {
  it("each conditional row has the requested perplexity", () => {
    const r = rng(71);
    const d2 = Float64Array.from({ length: 200 }, () => 10 * r());
    for (const perplexity of [5, 30, 80]) {
      const p = new Float64Array(200);
      conditionalRow(d2, p, perplexity);
      const entropy = -p.reduce((s, v) => s + (v > 0 ? v * Math.log(v) : 0), 0);
      expect(Math.exp(entropy)).toBeCloseTo(perplexity, 3);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
  });

  it("joint P is symmetric and sums to 1 (dense and k-NN sparse)", () => {
    const { x } = blobs(72, [[0, 0, 0], [5, 5, 5]], 30, 1);
    const data = x.data() as Float64Array;
    const P = denseP(data, 60, 3, 10);
    expect(P.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    for (let i = 0; i < 60; i++) for (let j = 0; j < 60; j++) expect(P[i * 60 + j]).toBeCloseTo(P[j * 60 + i]!, 15);
    const S = sparseP(data, 60, 3, 10, 30);
    expect(S.vals.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
});

describe("t-SNE gradients", () => {
  const n = 40;
  const { x } = blobs(73, [[0, 0, 0], [4, 0, 0], [0, 4, 0]], 14, 1);
  const P = denseP((x.data() as Float64Array).slice(0, n * 3), n, 3, 8);

  it("the exact gradient matches finite differences of KL(P ‖ Q)", () => {
    const y = randomEmbedding(74, n, 1);
    const g = new Float64Array(2 * n), scratch = new Float64Array(2 * n);
    exactGradient(P, y, n, 1, g);
    const h = 1e-6;
    for (const t of [0, 7, 33, 79]) {
      const plus = y.slice(), minus = y.slice();
      plus[t]! += h; minus[t]! -= h;
      const fd = (exactGradient(P, plus, n, 1, scratch) - exactGradient(P, minus, n, 1, scratch)) / (2 * h);
      expect(g[t]).toBeCloseTo(fd, 6);
    }
  });

  it("Barnes–Hut with θ = 0 equals the exact gradient; θ = 0.5 stays close", () => {
    const y = randomEmbedding(75, n, 3);
    const exact = new Float64Array(2 * n), bh0 = new Float64Array(2 * n), bh5 = new Float64Array(2 * n);
    const klExact = exactGradient(P, y, n, 1, exact);
    const klBh = barnesHutGradient(asSparse(P, n), y, n, 1, 0, bh0);
    expect(maxDiff(Array.from(bh0), Array.from(exact))).toBeLessThan(1e-12);
    expect(klBh).toBeCloseTo(klExact, 10);
    barnesHutGradient(asSparse(P, n), y, n, 1, 0.5, bh5);
    const norm = Math.hypot(...exact);
    expect(Math.hypot(...Array.from(bh5, (v, i) => v - exact[i]!)) / norm).toBeLessThan(0.05);
  });

  it("coincident points do not break the quadtree", () => {
    const y = new Float64Array(2 * n); // all at the origin
    const g = new Float64Array(2 * n);
    const kl = barnesHutGradient(asSparse(P, n), y, n, 1, 0.5, g);
    expect(Number.isFinite(kl)).toBe(true);
    expect(g.every((v) => v === 0)).toBe(true);
  });
});

describe("TSNE", () => {
  const centres = Array.from({ length: 4 }, (_, k) => Array.from({ length: 10 }, (_, j) => (j === k ? 8 : 0)));

  it("exact t-SNE keeps well-separated clusters apart (1-NN class agreement)", () => {
    const d = blobs(76, centres, 40, 1);
    const tsne = new ml.TSNE({ perplexity: 15, nIter: 400, key: 1 });
    const emb = tsne.fitTransform(d.x);
    expect(tsne.methodUsed).toBe("exact");
    expect(emb.shape).toEqual([160, 2]);
    expect(oneNnAgreement(emb, d.ys)).toBeGreaterThanOrEqual(0.97);
    expect(tsne.klDivergence).toBeGreaterThan(0);
    expect(tsne.klDivergence).toBeLessThan(2);
  });

  it("Barnes–Hut t-SNE with random (keyed) init does the same, reproducibly", () => {
    const d = blobs(77, centres, 100, 1);
    const opts = { perplexity: 20, nIter: 400, method: "barnesHut" as const, init: "random" as const, key: fx.random.key(3) };
    const a = new ml.TSNE(opts).fitTransform(d.x);
    expect(oneNnAgreement(a, d.ys)).toBeGreaterThanOrEqual(0.97);
    const b = new ml.TSNE(opts).fitTransform(d.x);
    expect(vals(a)).toEqual(vals(b));
  });

  it("the cosine metric ignores the length of each row", () => {
    const d = blobs(79, centres, 15, 1);
    const r = rng(80);
    const scales = Array.from({ length: 60 }, () => 0.5 + 3 * r());
    const scaled = fx.mul(d.x, fx.tensor(scales, { dtype: "float64" }).reshape([60, 1]));
    // Few iterations: the same affinities give the same steps (later, rounding differences grow chaotically).
    const opts = { perplexity: 10, nIter: 10, metric: "cosine" as const, key: 2 };
    const a = vals(new ml.TSNE(opts).fitTransform(d.x)), b = vals(new ml.TSNE(opts).fitTransform(scaled));
    expect(maxDiff(a, b)).toBeLessThan(1e-6 * Math.max(...a.map(Math.abs)));
    // ... which the Euclidean metric does not.
    const e = vals(new ml.TSNE({ ...opts, metric: "euclidean" }).fitTransform(scaled));
    expect(maxDiff(e, b)).toBeGreaterThan(1e-3);
  });

  it("rejects a perplexity as large as the data", () => {
    const d = blobs(78, centres, 3, 1);
    expect(() => new ml.TSNE({ perplexity: 12 }).fit(d.x)).toThrow(/perplexity/);
  });
});

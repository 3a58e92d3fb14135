import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe as group, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { launchChromium } from "./support/chromium.js";
import { blobs, f64, ints, rng, vals } from "./ml-data.js";

group("fx.data.describe", () => {
  it("gives count, mean, std, min, quartiles and max per feature, and the class balance", () => {
    const x = f64([1, 10, 2, 20, 3, 30, 4, 40, 5, NaN], [5, 2]);
    const d = fx.data.describe(x, { featureNames: ["a", "b"], labels: ints([1, 0, 1, 1, 2]), classNames: ["zero", "one", "two"] });
    const [a, b] = d.features;
    expect(a).toEqual({ name: "a", count: 5, mean: 3, std: Math.sqrt(2.5), min: 1, q25: 2, median: 3, q75: 4, max: 5 });
    // NaN is left out: four values 10..40.
    expect(b!.count).toBe(4);
    expect(b!.mean).toBe(25);
    expect(b!.q25).toBe(17.5);
    expect(b!.median).toBe(25);
    expect(b!.q75).toBe(32.5);
    expect(d.classBalance).toEqual([
      { label: "zero", count: 1, fraction: 0.2 }, { label: "one", count: 3, fraction: 0.6 }, { label: "two", count: 1, fraction: 0.2 },
    ]);
    const text = d.toString();
    expect(text).toContain("25%");
    expect(text).toContain("one: 3 (60.0%)");
  });

  it("flattens images into pixel features and checks its inputs", () => {
    const d = fx.data.describe(fx.zeros([3, 1, 2, 2]));
    expect(d.features.length).toBe(4);
    expect(d.features[0]!.std).toBe(0);
    expect(() => fx.data.describe(fx.zeros([3, 2]), { featureNames: ["one"] })).toThrow(fx.ShapeError);
    expect(() => fx.data.describe(fx.zeros([3, 2]), { labels: [1, 2] })).toThrow(/3 samples but there are 2 labels/);
  });
});

group("EDA charts", () => {
  const d = blobs(81, [[0, 0, 0], [3, 1, -1], [-2, 4, 1]], 40, 1);

  it("correlationMatrix is Pearson's r (1 on the diagonal, −1 for a negated feature)", () => {
    const r = rng(82);
    const a = Array.from({ length: 50 }, () => r());
    const x = f64(a.flatMap((v, i) => [v, -2 * v + 1, Math.sin(i)]), [50, 3]);
    const c = fx.viz.correlationMatrix(x);
    expect(c[0]![0]).toBeCloseTo(1, 12);
    expect(c[0]![1]).toBeCloseTo(-1, 12);
    expect(c[1]![0]).toBe(c[0]![1]);
  });

  it("render to SVG: histograms, correlations, class balance, embeddings, images by class", async () => {
    const hist = await fx.viz.featureHistograms(d.x, { featureNames: ["u", "v", "w"], bins: 10 }).toSVG();
    expect(hist).toContain("mark-rect");
    for (const name of ["u", "v", "w"]) expect(hist).toContain(`>${name}<`);
    const corr = await fx.viz.correlationHeatmap(d.x).toSVG();
    expect(corr).toContain(">1<");
    const bal = await fx.viz.classBalance(d.y, { classNames: ["red", "green", "blue"] }).toSVG();
    expect(bal).toContain(">green<");
    const emb = new fx.ml.PCA({ nComponents: 2 }).fitTransform(d.x);
    const sc = await fx.viz.embeddingScatter(emb, { labels: d.y, classNames: ["red", "green", "blue"] }).toSVG();
    expect((sc.match(/<path/g) ?? []).length).toBeGreaterThanOrEqual(120);
    const legend = fx.viz.embeddingScatter(emb, { labels: d.y, classNames: ["red", "green", "blue"] }).spec.encoding as { color: { sort: string[] } };
    expect(legend.color.sort).toEqual(["red", "green", "blue"]);
    const images = fx.reshape(fx.arange(0, 6 * 16, 1, "float32").div(96), [6, 4, 4]);
    const grid = fx.viz.imagesByClass(images, [0, 1, 0, 1, 2, 2], { perClass: 2, classNames: ["a", "b", "c"] });
    const values = (grid.spec.data as { values: { caption: string }[] }).values;
    expect(values.map((v) => v.caption)).toEqual(["a", "a", "b", "b", "c", "c"]);
    expect(await grid.toSVG()).toContain("<image");
  });

  it("picks the highest-variance features when there are many", () => {
    const r = rng(83);
    const x = f64(Array.from({ length: 40 * 20 }, (_, i) => (i % 20 === 7 || i % 20 === 13 ? 10 : 0.1) * r()), [40, 20]);
    expect(fx.viz.highestVarianceFeatures(x, 2)).toEqual([7, 13]);
  });
});

group("edaReport in a browser", () => {
  it("renders in headless Chromium without console errors, with every chart", async () => {
    const { x: xs, y } = blobs(84, [[0, 0, 0, 0], [4, 1, -1, 2], [-3, 4, 1, 0]], 70, 1);
    // 4 features, and tiny 2×2 "images" built from them, so every section of the report appears.
    const images = fx.reshape(fx.sigmoid(xs).astype("float32"), [210, 2, 2]);
    const report = await fx.viz.edaReport(xs, {
      title: "synthetic blobs", labels: y, classNames: ["a", "b", "c"], featureNames: ["f0", "f1", "f2", "f3"], images,
      tsne: { samples: 210, nIter: 500, perplexity: 15 },
    });
    const html = await report.toHTML();
    expect(html).toContain("1-nearest-neighbour class agreement");
    const agreement = Number(/agreement in the embedding: ([0-9]+\.[0-9]+)/.exec(html)![1]);
    expect(agreement).toBeGreaterThan(0.9);
    const dir = mkdtempSync(join(tmpdir(), "fluxion-eda-"));
    const path = join(dir, "eda.html");
    await report.save(path);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const problems: string[] = [];
      page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(`file://${path}`);
      const charts = await page.$$eval("figure.chart svg", (svgs) => svgs.map((s) => {
        const r = s.getBoundingClientRect();
        return { w: r.width, h: r.height, marks: s.querySelectorAll("path, rect, image, text").length };
      }));
      // class balance, images, histograms, correlations, PCA scatter, explained variance, t-SNE scatter
      expect(charts.length).toBe(7);
      for (const c of charts) {
        expect(c.w).toBeGreaterThan(100);
        expect(c.h).toBeGreaterThan(40);
        expect(c.marks).toBeGreaterThan(5);
      }
      expect(await page.$$eval("table tr", (rows) => rows.length)).toBe(5);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});

group("vals helper sanity", () => {
  it("reads tensors as numbers", () => expect(vals(f64([1, 2], [2]))).toEqual([1, 2]));
});

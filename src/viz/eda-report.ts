/**
 * `edaReport`: an HTML report for a first look at a data set — summary
 * statistics, class balance, sample images, per-feature histograms, feature
 * correlations, and PCA and t-SNE scatter plots coloured by class.
 *
 *   const report = await fx.viz.edaReport(X, { labels: y, classNames, images, title: "Fashion-MNIST" });
 *   await report.save("runs/eda.html");
 */
import { ShapeError, fmtShape } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { describe } from "../data/describe.js";
import { asTensor, type ArrayLike } from "../ops/convert.js";
import { PCA } from "../ml/pca.js";
import { TSNE, type TSNEOptions } from "../ml/tsne/tsne.js";
import { oneNnAgreement2d } from "../ml/tsne/agreement.js";
import { line } from "./charts.js";
import { classBalance, correlationHeatmap, embeddingScatter, featureHistograms, highestVarianceFeatures, imagesByClass } from "./eda.js";
import { Report } from "./report.js";

export interface EdaReportOptions {
  title?: string;
  /** Class labels [n] (integers). */
  labels?: Tensor;
  classNames?: readonly string[];
  featureNames?: readonly string[];
  /** Images [n, H, W] or [n, 1, H, W] for a grid of examples per class. */
  images?: Tensor;
  /** Features shown in histograms and correlations (default: the highest-variance ones). */
  features?: readonly number[];
  /** A t-SNE scatter: false to skip; or options, with `samples` (default 2 000) the number of points embedded. */
  tsne?: false | (TSNEOptions & { samples?: number });
  /** A t-SNE embedding computed elsewhere [m, 2] of the first m samples (skips computing one). */
  tsneEmbedding?: Tensor;
  /** Points in the PCA scatter (default 5 000). */
  pcaSamples?: number;
  /** Called with progress messages (e.g. console.log). */
  log?: (message: string) => void;
}

const CLASS_LIMIT = 50;

/** Builds the report (t-SNE may take a while for many samples). */
export async function edaReport(x: ArrayLike, opts: EdaReportOptions = {}): Promise<Report> {
  const data = asTensor(x);
  if (data.ndim !== 2) throw new ShapeError(`edaReport: X must be [nSamples, nFeatures] (flatten images first), got ${fmtShape(data.shape)}`);
  const [n, d] = data.shape as [number, number];
  const log = opts.log ?? (() => {});
  const labels = opts.labels;
  if (labels && labels.shape[0] !== n) throw new ShapeError(`edaReport: X has ${n} samples but labels has ${labels.shape[0]}`);
  const ys = labels ? Array.from(labels.data(), Number) : undefined;
  const report = new Report(opts.title ?? "Exploratory data analysis");

  const summary = describe(data, { ...(opts.featureNames ? { featureNames: opts.featureNames } : {}), ...(labels ? { labels } : {}), ...(opts.classNames ? { classNames: opts.classNames } : {}) });
  const classes = summary.classBalance?.length;
  report.figures({ samples: n, features: d, ...(classes ? { classes } : {}) });

  report.heading("Summary statistics");
  const shown = opts.features ?? (d <= 12 ? Array.from({ length: d }, (_, j) => j) : highestVarianceFeatures(data, 12));
  if (d > shown.length) report.text(`${shown.length} of ${d} features shown (those with the largest variance).`);
  report.table(
    ["feature", "count", "mean", "std", "min", "25%", "50%", "75%", "max"],
    shown.map((j) => { const f = summary.features[j]!; return [f.name, f.count, f.mean, f.std, f.min, f.q25, f.median, f.q75, f.max]; }),
  );

  if (labels && summary.classBalance && summary.classBalance.length <= CLASS_LIMIT) {
    report.heading("Class balance");
    report.chart(classBalance(labels, { ...(opts.classNames ? { classNames: opts.classNames } : {}) }));
  }

  if (opts.images && labels) {
    report.heading("Examples of each class");
    report.chart(imagesByClass(opts.images, labels, { perClass: 8, ...(opts.classNames ? { classNames: opts.classNames } : {}) }));
  }

  log("histograms and correlations");
  report.heading("Feature distributions");
  const featureOpts = { ...(opts.featureNames ? { featureNames: opts.featureNames } : {}), ...(opts.features ? { features: opts.features } : {}) };
  report.chart(featureHistograms(data, featureOpts), "Histogram of each feature (20 bins).");
  report.heading("Feature correlations");
  report.chart(correlationHeatmap(data, featureOpts), "Pearson correlation between features.");

  log("PCA");
  report.heading("PCA");
  const pcaSamples = Math.min(n, opts.pcaSamples ?? 5000);
  const pcaComponents = Math.min(d, n, 10);
  const pca = new PCA({ nComponents: pcaComponents, key: 0 }).fit(data);
  const ratio = Array.from(pca.explainedVarianceRatio.data(), Number);
  const cumulative = ratio.map((_, i) => ratio.slice(0, i + 1).reduce((a, b) => a + b, 0));
  const first = data.shape[0] === pcaSamples ? data : data.slice([0, pcaSamples]);
  const projected = pca.transform(first).slice([null, null], [0, 2]);
  report.chart(embeddingScatter(projected, {
    title: `PCA (first ${pcaSamples} samples)`, xTitle: `PC1 (${(100 * ratio[0]!).toFixed(1)}% of variance)`, yTitle: `PC2 (${(100 * (ratio[1] ?? 0)).toFixed(1)}%)`,
    ...(ys ? { labels: ys.slice(0, pcaSamples) } : {}), ...(opts.classNames ? { classNames: opts.classNames } : {}), width: 520, height: 420,
  }));
  report.chart(line({ "per component": ratio, cumulative }, { title: "explained variance ratio", xTitle: "component", yTitle: "fraction of variance" }));

  if (opts.tsneEmbedding || opts.tsne !== false) {
    report.heading("t-SNE");
    let emb = opts.tsneEmbedding;
    let note = "";
    if (!emb) {
      const { samples = 2000, ...tsneOpts } = opts.tsne || {};
      const m = Math.min(n, samples);
      log(`t-SNE of ${m} samples`);
      const t0 = performance.now();
      const tsne = new TSNE({ key: 0, ...tsneOpts });
      emb = tsne.fitTransform(m === n ? data : data.slice([0, m]));
      note = `${m} samples, perplexity ${tsne.perplexity}, ${tsne.methodUsed === "barnesHut" ? `Barnes–Hut (θ = ${tsne.theta})` : "exact"}, ${tsne.nIter} iterations, ${((performance.now() - t0) / 1000).toFixed(1)} s. `;
    }
    const m = emb.shape[0]!;
    if (ys) note += `1-nearest-neighbour class agreement in the embedding: ${oneNnAgreement2d(emb, ys.slice(0, m)).toFixed(3)}.`;
    report.chart(embeddingScatter(emb, {
      title: `t-SNE (${m} samples)`, xTitle: "", yTitle: "",
      ...(ys ? { labels: ys.slice(0, m) } : {}), ...(opts.classNames ? { classNames: opts.classNames } : {}), width: 600, height: 520,
    }), note.trim());
  }
  return report;
}

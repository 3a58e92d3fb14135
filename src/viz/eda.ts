/**
 * Charts for exploratory data analysis: per-feature histograms, a
 * correlation heatmap, class balance, 2-D embeddings (PCA, t-SNE) coloured by
 * class, and sample images per class. Each returns a `Chart` (a Vega-Lite spec).
 *
 *   fx.viz.featureHistograms(X, { featureNames });
 *   fx.viz.correlationHeatmap(X);
 *   fx.viz.embeddingScatter(new fx.ml.PCA({ nComponents: 2 }).fitTransform(X), { labels: y });
 */
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";
import { asTensor, type ArrayLike } from "../ops/convert.js";
import { tensor } from "../ops/creation.js";
import { Chart, heatmap, imageGrid, scatter, type ChartOptions } from "./charts.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** X as [n, d] rows of numbers (1-D: one feature; images flattened). */
function columns(op: string, x: ArrayLike): { data: globalThis.ArrayLike<number>; n: number; d: number } {
  const t = asTensor(x);
  if (t.ndim === 0) throw new ShapeError(`${op}: expected samples [n, features...], got a scalar`);
  const n = t.shape[0]!;
  const d = t.ndim === 1 ? 1 : t.shape.slice(1).reduce((a, b) => a * b, 1);
  return { data: t.data() as globalThis.ArrayLike<number>, n, d };
}

/** The indices of the `max` features with the largest variance, in their original order. */
export function highestVarianceFeatures(x: ArrayLike, max: number): number[] {
  const { data, n, d } = columns("highestVarianceFeatures", x);
  const variance = Array.from({ length: d }, (_, j) => {
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) { const v = data[i * d + j]!; s += v; s2 += v * v; }
    return s2 / n - (s / n) ** 2;
  });
  return Array.from(variance.keys()).sort((a, b) => variance[b]! - variance[a]!).slice(0, max).sort((a, b) => a - b);
}

function pickFeatures(op: string, x: ArrayLike, d: number, features: readonly number[] | undefined, max: number): number[] {
  if (features) {
    for (const j of features) if (!Number.isInteger(j) || j < 0 || j >= d) throw new ValueError(`${op}: feature index ${j} is outside 0..${d - 1}`);
    return [...features];
  }
  return d <= max ? Array.from({ length: d }, (_, j) => j) : highestVarianceFeatures(x, max);
}

export interface HistogramGridOptions extends ChartOptions {
  featureNames?: readonly string[];
  /** Which features (column indices); default all, or the 16 with the largest variance. */
  features?: readonly number[];
  bins?: number;
  columns?: number;
}

/** One histogram per feature, binned here (so the chart stays small for large n), in a grid. */
export function featureHistograms(x: ArrayLike, opts: HistogramGridOptions = {}): Chart {
  const { data, n, d } = columns("featureHistograms", x);
  const bins = opts.bins ?? 20;
  const chosen = pickFeatures("featureHistograms", x, d, opts.features, 16);
  const values: { feature: string; lo: number; hi: number; count: number }[] = [];
  for (const j of chosen) {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < n; i++) { const v = data[i * d + j]!; if (v < lo) lo = v; if (v > hi) hi = v; }
    const width = hi > lo ? (hi - lo) / bins : 1;
    const counts = new Array<number>(bins).fill(0);
    for (let i = 0; i < n; i++) {
      const v = data[i * d + j]!;
      if (Number.isFinite(v)) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]!++;
    }
    const name = opts.featureNames?.[j] ?? `x${j}`;
    counts.forEach((c, b) => values.push({ feature: name, lo: lo + b * width, hi: lo + (b + 1) * width, count: c }));
  }
  return new Chart({
    $schema: SCHEMA,
    ...(opts.title ? { title: opts.title } : {}),
    data: { values },
    facet: { field: "feature", type: "nominal", title: null, sort: chosen.map((j) => opts.featureNames?.[j] ?? `x${j}`) },
    columns: opts.columns ?? 4,
    spec: {
      width: opts.width ?? 150,
      height: opts.height ?? 90,
      mark: { type: "rect", tooltip: true },
      encoding: {
        x: { field: "lo", type: "quantitative", title: null, scale: { zero: false } },
        x2: { field: "hi" },
        y: { field: "count", type: "quantitative", title: null },
      },
    },
    resolve: { scale: { x: "independent", y: "independent" } },
  });
}

/** Pearson correlations between the columns of X [d, d] (NaN where a column is constant). */
export function correlationMatrix(x: ArrayLike): number[][] {
  const { data, n, d } = columns("correlationMatrix", x);
  const mean = new Float64Array(d), sd = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += data[i * d + j]!;
    mean[j] = s / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (data[i * d + j]! - mean[j]!) ** 2;
    sd[j] = Math.sqrt(ss);
  }
  const out = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (data[i * d + a]! - mean[a]!) * (data[i * d + b]! - mean[b]!);
      const r = sd[a]! > 0 && sd[b]! > 0 ? s / (sd[a]! * sd[b]!) : NaN;
      out[a]![b] = r;
      out[b]![a] = r;
    }
  }
  return out;
}

export interface CorrelationOptions extends ChartOptions {
  featureNames?: readonly string[];
  /** Which features; default all, or the 30 with the largest variance. */
  features?: readonly number[];
}

/** Heatmap of the Pearson correlations between features (red positive, blue negative). */
export function correlationHeatmap(x: ArrayLike, opts: CorrelationOptions = {}): Chart {
  const { data, n, d } = columns("correlationHeatmap", x);
  const chosen = pickFeatures("correlationHeatmap", x, d, opts.features, 30);
  const sub = new Float64Array(n * chosen.length);
  for (let i = 0; i < n; i++) chosen.forEach((j, c) => { sub[i * chosen.length + c] = data[i * d + j]!; });
  const corr = correlationMatrix(tensor(sub, { shape: [n, chosen.length], dtype: "float64" }));
  const names = chosen.map((j) => opts.featureNames?.[j] ?? `x${j}`);
  const chart = heatmap(corr.map((r) => r.map((v) => (Number.isNaN(v) ? 0 : Math.round(v * 1000) / 1000))), {
    title: opts.title ?? "feature correlations", xLabels: names, yLabels: names, width: opts.width ?? 420, height: opts.height ?? 420, scheme: "redblue",
    annotate: chosen.length <= 12,
  });
  // Pin the colour scale to [−1, 1] so that 0 is white.
  const layer = (chart.spec.layer as Record<string, any>[])[0]!;
  layer.encoding.color.scale = { scheme: "redblue", domain: [-1, 1], reverse: true };
  return chart;
}

export interface ClassBalanceOptions extends ChartOptions {
  classNames?: readonly string[];
}

/** Bar chart of the number of samples per class. */
export function classBalance(labels: Tensor | readonly (number | string)[], opts: ClassBalanceOptions = {}): Chart {
  const ys = labels instanceof Tensor ? Array.from(labels.data(), Number) : [...labels];
  const counts = new Map<number | string, number>();
  for (const v of ys) counts.set(v, (counts.get(v) ?? 0) + 1);
  const keys = [...counts.keys()].sort((a, b) => (typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b))));
  const name = (k: number | string) => (typeof k === "number" && opts.classNames?.[k] !== undefined ? opts.classNames[k]! : String(k));
  return new Chart({
    $schema: SCHEMA,
    title: opts.title ?? "class balance",
    width: opts.width ?? 360,
    height: opts.height ?? 200,
    data: { values: keys.map((k) => ({ class: name(k), count: counts.get(k)! })) },
    mark: { type: "bar", tooltip: true },
    encoding: {
      x: { field: "class", type: "nominal", sort: keys.map(name), title: null },
      y: { field: "count", type: "quantitative" },
    },
  });
}

export interface EmbeddingScatterOptions extends ChartOptions {
  labels?: Tensor | readonly (number | string)[];
  classNames?: readonly string[];
  size?: number;
}

/** Scatter plot of a 2-D embedding [n, 2] (PCA, t-SNE, ...) coloured by class. */
export function embeddingScatter(points: Tensor, opts: EmbeddingScatterOptions = {}): Chart {
  if (points.ndim !== 2 || points.shape[1]! < 2) throw new ShapeError(`embeddingScatter: expected points [n, 2], got ${fmtShape(points.shape)}`);
  const raw = opts.labels instanceof Tensor ? Array.from(opts.labels.data(), Number) : opts.labels ? [...opts.labels] : undefined;
  const labels = raw?.map((k) => (typeof k === "number" && opts.classNames?.[k] !== undefined ? opts.classNames[k]! : String(k)));
  const pts = points.shape[1] === 2 ? points : asTensor(points).slice([null, null], [0, 2]);
  // Round coordinates: the chart does not need 17 digits, and the HTML stays small.
  const rows = (pts.toArray() as number[][]).map((r) => r.map((v) => Math.round(v * 1000) / 1000));
  const chart = scatter(rows, { ...opts, ...(labels ? { labels } : {}), size: opts.size ?? (rows.length > 2000 ? 4 : 14) });
  if (raw && labels) {
    // Legend in label order (0, 1, 2, ...), not alphabetical.
    const order: string[] = [];
    const seen = new Set<string>();
    raw.map((k, i) => [k, labels[i]!] as const)
      .sort((a, b) => (typeof a[0] === "number" && typeof b[0] === "number" ? a[0] - b[0] : String(a[0]).localeCompare(String(b[0]))))
      .forEach(([, name]) => { if (!seen.has(name)) { seen.add(name); order.push(name); } });
    ((chart.spec.encoding as Record<string, Record<string, unknown>>).color!).sort = order;
  }
  return chart;
}

export interface ImagesByClassOptions extends ChartOptions {
  classNames?: readonly string[];
  /** Images shown per class (default 8). */
  perClass?: number;
  scale?: number;
}

/** A grid with the first `perClass` images of each class, one row per class, captioned with the class name. */
export function imagesByClass(images: Tensor, labels: Tensor | readonly number[], opts: ImagesByClassOptions = {}): Chart {
  const ys = labels instanceof Tensor ? Array.from(labels.data(), Number) : [...labels];
  if (ys.length !== images.shape[0]) throw new ShapeError(`imagesByClass: ${images.shape[0]} images but ${ys.length} labels`);
  const perClass = opts.perClass ?? 8;
  const classes = [...new Set(ys)].sort((a, b) => a - b);
  const picked: number[] = [], captions: string[] = [];
  for (const c of classes) {
    let taken = 0;
    for (let i = 0; i < ys.length && taken < perClass; i++) {
      if (ys[i] !== c) continue;
      picked.push(i);
      captions.push(opts.classNames?.[c] ?? String(c));
      taken++;
    }
    // Pad short rows so that each class starts a new row.
    for (; taken < perClass; taken++) { picked.push(-1); captions.push(""); }
  }
  const [, ...rest] = images.shape;
  const size = rest.reduce((a, b) => a * b, 1);
  const src = images.data();
  const out = new Float32Array(picked.length * size);
  picked.forEach((i, r) => { if (i >= 0) for (let p = 0; p < size; p++) out[r * size + p] = Number(src[i * size + p]); });
  const grid = tensor(out, { shape: [picked.length, ...rest] });
  return imageGrid(grid, { ...opts, captions, columns: perClass, scale: opts.scale ?? 2 });
}

/**
 * Charts as Vega-Lite specs. Each function returns a `Chart`: the spec (to
 * embed, edit or save) and `toSVG()`, rendered by Vega in Node (no browser).
 *
 *   const c = fx.viz.line({ train: [0.9, 0.5, 0.3], validation: [1.0, 0.6, 0.4] }, { title: "loss" });
 *   const svg = await c.toSVG();
 */
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";
import { pngDataUri } from "./png.js";
import { renderSvg } from "./render.js";

export type Spec = Record<string, unknown>;

export class Chart {
  constructor(readonly spec: Spec) {}
  toSVG(): Promise<string> {
    return renderSvg(this.spec);
  }
}

export interface ChartOptions {
  title?: string;
  width?: number;
  height?: number;
  xTitle?: string;
  yTitle?: string;
}

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

function base(opts: ChartOptions, extra: Spec): Spec {
  return {
    $schema: SCHEMA,
    ...(opts.title ? { title: opts.title } : {}),
    width: opts.width ?? 360,
    height: opts.height ?? 240,
    ...extra,
  };
}

function numbers(op: string, x: Tensor | ArrayLike<number>): number[] {
  if (x instanceof Tensor) {
    if (x.ndim !== 1) throw new ShapeError(`${op}: expected a 1-D tensor, got ${fmtShape(x.shape)}`);
    return Array.from(x.data());
  }
  return Array.from(x);
}

/** Line chart of one or more named series against their index (e.g. loss per epoch). */
export function line(series: Record<string, Tensor | ArrayLike<number>>, opts: ChartOptions & { x?: ArrayLike<number> } = {}): Chart {
  const values: { x: number; y: number; series: string }[] = [];
  for (const [name, ys] of Object.entries(series)) {
    numbers("line", ys).forEach((y, i) => values.push({ x: opts.x ? opts.x[i]! : i + 1, y, series: name }));
  }
  return new Chart(base(opts, {
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "x", type: "quantitative", title: opts.xTitle ?? "epoch" },
      y: { field: "y", type: "quantitative", title: opts.yTitle ?? "value", scale: { zero: false } },
      color: { field: "series", type: "nominal", title: null },
    },
  }));
}

/** Scatter plot of 2-D points [N, 2], coloured by an optional label per point. */
export function scatter(points: Tensor | number[][], opts: ChartOptions & { labels?: Tensor | ArrayLike<number | string>; size?: number } = {}): Chart {
  const rows = points instanceof Tensor ? (points.toArray() as number[][]) : points;
  if (!Array.isArray(rows) || rows.some((r) => !Array.isArray(r) || r.length < 2)) {
    throw new ShapeError(`scatter: points must have shape [N, 2], got ${points instanceof Tensor ? fmtShape(points.shape) : "an array of other shape"}`);
  }
  const labels = opts.labels instanceof Tensor ? Array.from(opts.labels.data()) : opts.labels ? Array.from(opts.labels) : null;
  if (labels && labels.length !== rows.length) throw new ShapeError(`scatter: ${rows.length} points but ${labels.length} labels`);
  const values = rows.map((r, i) => ({ x: r[0], y: r[1], label: labels ? String(labels[i]) : "" }));
  return new Chart(base(opts, {
    data: { values },
    mark: { type: "circle", size: opts.size ?? 12, opacity: 0.7 },
    encoding: {
      x: { field: "x", type: "quantitative", title: opts.xTitle ?? "x", scale: { zero: false } },
      y: { field: "y", type: "quantitative", title: opts.yTitle ?? "y", scale: { zero: false } },
      ...(labels ? { color: { field: "label", type: "nominal", title: "class" } } : {}),
    },
  }));
}

/** Histogram of values with `bins` equal-width bins. */
export function histogram(values: Tensor | ArrayLike<number>, opts: ChartOptions & { bins?: number } = {}): Chart {
  const data = values instanceof Tensor ? Array.from(values.data()) : Array.from(values);
  return new Chart(base(opts, {
    data: { values: data.map((v) => ({ v })) },
    mark: "bar",
    encoding: {
      x: { field: "v", type: "quantitative", bin: { maxbins: opts.bins ?? 30 }, title: opts.xTitle ?? "value" },
      y: { aggregate: "count", type: "quantitative", title: opts.yTitle ?? "count" },
    },
  }));
}

/** Heatmap of a matrix (e.g. a confusion matrix or correlations), with the values written in the cells when small. */
export function heatmap(matrix: Tensor | number[][], opts: ChartOptions & { xLabels?: string[]; yLabels?: string[]; annotate?: boolean; scheme?: string } = {}): Chart {
  const rows = matrix instanceof Tensor ? (matrix.toArray() as number[][]) : matrix;
  if (!Array.isArray(rows) || rows.length === 0 || !Array.isArray(rows[0])) throw new ShapeError("heatmap: expects a 2-D matrix");
  const values: { x: string; y: string; v: number }[] = [];
  rows.forEach((r, i) => r.forEach((v, j) => values.push({ x: opts.xLabels?.[j] ?? String(j), y: opts.yLabels?.[i] ?? String(i), v })));
  const annotate = opts.annotate ?? rows.length * rows[0]!.length <= 400;
  const xOrder = rows[0]!.map((_, j) => opts.xLabels?.[j] ?? String(j));
  const yOrder = rows.map((_, i) => opts.yLabels?.[i] ?? String(i));
  const layers: Spec[] = [
    { mark: "rect", encoding: { color: { field: "v", type: "quantitative", title: null, scale: { scheme: opts.scheme ?? "blues" } } } },
  ];
  if (annotate) {
    layers.push({ mark: { type: "text", fontSize: 9 }, encoding: { text: { field: "v", type: "quantitative", format: ".3~g" } } });
  }
  return new Chart(base(opts, {
    data: { values },
    encoding: {
      x: { field: "x", type: "ordinal", sort: xOrder, title: opts.xTitle ?? null },
      y: { field: "y", type: "ordinal", sort: yOrder, title: opts.yTitle ?? null },
    },
    layer: layers,
  }));
}

/** A grid of grayscale images ([N, H, W] or [N, 1, H, W]) with optional captions. */
export function imageGrid(images: Tensor, opts: ChartOptions & { captions?: string[]; columns?: number; scale?: number } = {}): Chart {
  let shape = images.shape;
  if (shape.length === 4 && shape[1] === 1) shape = [shape[0]!, shape[2]!, shape[3]!];
  if (shape.length !== 3) throw new ShapeError(`imageGrid: expects [N, H, W] or [N, 1, H, W] images, got ${fmtShape(images.shape)}`);
  const [n, h, w] = shape as [number, number, number];
  if (opts.captions && opts.captions.length !== n) throw new ValueError(`imageGrid: ${n} images but ${opts.captions.length} captions`);
  const cols = opts.columns ?? Math.min(n, 8);
  const scale = opts.scale ?? 2;
  const data = images.data();
  const cell = w * scale + 10;
  const cellH = h * scale + 22;
  const values = Array.from({ length: n }, (_, i) => ({
    url: pngDataUri(data.subarray(i * h * w, (i + 1) * h * w) as ArrayLike<number> as never, w, h),
    col: (i % cols) * cell,
    row: Math.floor(i / cols) * cellH,
    caption: opts.captions?.[i] ?? "",
  }));
  const rowsN = Math.ceil(n / cols);
  return new Chart({
    $schema: SCHEMA,
    ...(opts.title ? { title: opts.title } : {}),
    width: cols * cell,
    height: rowsN * cellH,
    data: { values },
    encoding: {
      x: { field: "col", type: "quantitative", axis: null, scale: { domain: [0, cols * cell] } },
      y: { field: "row", type: "quantitative", axis: null, scale: { domain: [0, rowsN * cellH], reverse: true } },
    },
    layer: [
      { mark: { type: "image", aria: false, width: w * scale, height: h * scale, align: "left", baseline: "top" }, encoding: { url: { field: "url", type: "nominal" } } },
      { mark: { type: "text", align: "left", baseline: "top", dy: h * scale + 3, fontSize: 10 }, encoding: { text: { field: "caption" } } },
    ],
  });
}

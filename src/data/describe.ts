/**
 * `describe`: summary statistics per feature (as pandas' DataFrame.describe)
 * and the class balance of the labels — the first look at a data set.
 *
 *   const d = fx.data.describe(X, { featureNames: ["age", "income"], labels: y });
 *   d.features[0].mean; d.classBalance; console.log(d.toString());
 */
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";
import { asTensor, type ArrayLike } from "../ops/convert.js";

export interface FeatureSummary {
  name: string;
  count: number;
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator, as pandas). */
  std: number;
  min: number;
  /** Quartiles by linear interpolation between order statistics. */
  q25: number;
  median: number;
  q75: number;
  max: number;
}

export interface ClassCount {
  label: number | string;
  count: number;
  fraction: number;
}

export interface Description {
  samples: number;
  features: FeatureSummary[];
  /** Present when labels were given: each class with its count and share, in label order. */
  classBalance?: ClassCount[];
  /** A fixed-width table of the statistics (features as columns, as pandas prints). */
  toString(): string;
}

export interface DescribeOptions {
  featureNames?: readonly string[];
  /** Class labels [n] (numbers or strings) for the class balance. */
  labels?: Tensor | readonly (number | string)[];
  /** Names for numeric labels (label k is classNames[k]). */
  classNames?: readonly string[];
}

/** Value at quantile q of sorted values (linear interpolation, pandas' default). */
export function quantileSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Statistics of each column of X [n, d] (a 1-D X is one feature; higher ranks
 * are flattened to [n, ∏ rest], e.g. images to pixels). NaN values are left out of a
 * feature's statistics, and `count` says how many values were used.
 */
export function describe(x: ArrayLike, opts: DescribeOptions = {}): Description {
  const t = asTensor(x);
  if (t.ndim === 0) throw new ShapeError(`describe: expected samples [n] or [n, features...], got a scalar`);
  const n = t.shape[0]!;
  const d = t.ndim === 1 ? 1 : t.shape.slice(1).reduce((a, b) => a * b, 1);
  if (opts.featureNames && opts.featureNames.length !== d) {
    throw new ShapeError(`describe: ${opts.featureNames.length} feature names for ${d} features (X has shape ${fmtShape(t.shape)})`);
  }
  const data = t.data();
  const features: FeatureSummary[] = [];
  const column = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const v = Number(data[i * d + j]);
      if (!Number.isNaN(v)) column[m++] = v;
    }
    const values = column.slice(0, m).sort();
    let mean = 0;
    for (const v of values) mean += v;
    mean /= m;
    let ss = 0;
    for (const v of values) ss += (v - mean) ** 2;
    features.push({
      name: opts.featureNames?.[j] ?? (d === 1 ? "x" : `x${j}`),
      count: m,
      mean: m > 0 ? mean : NaN,
      std: m > 1 ? Math.sqrt(ss / (m - 1)) : NaN,
      min: m > 0 ? values[0]! : NaN,
      q25: quantileSorted(values, 0.25),
      median: quantileSorted(values, 0.5),
      q75: quantileSorted(values, 0.75),
      max: m > 0 ? values[m - 1]! : NaN,
    });
  }
  const description: Description = { samples: n, features, toString: () => formatTable(description) };
  if (opts.labels !== undefined) description.classBalance = classBalance(opts.labels, n, opts.classNames);
  return description;
}

function classBalance(labels: Tensor | readonly (number | string)[], n: number, names?: readonly string[]): ClassCount[] {
  const values: (number | string)[] = labels instanceof Tensor ? Array.from(labels.data(), Number) : [...labels];
  if (labels instanceof Tensor && labels.ndim !== 1) throw new ShapeError(`describe: labels must be 1-D [${n}], got ${fmtShape(labels.shape)}`);
  if (values.length !== n) throw new ShapeError(`describe: X has ${n} samples but there are ${values.length} labels`);
  const counts = new Map<number | string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const keys = [...counts.keys()].sort((a, b) => (typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b))));
  return keys.map((k) => {
    let label: number | string = k;
    if (names && typeof k === "number") {
      if (!Number.isInteger(k) || k < 0 || k >= names.length) throw new ValueError(`describe: label ${k} has no entry in classNames (${names.length} names)`);
      label = names[k]!;
    }
    return { label, count: counts.get(k)!, fraction: counts.get(k)! / n };
  });
}

const fmt = (v: number) => (Number.isNaN(v) ? "NaN" : Number.isInteger(v) && Math.abs(v) < 1e9 ? String(v) : v.toPrecision(5));

function formatTable(d: Description): string {
  const rows: [string, (f: FeatureSummary) => number][] = [
    ["count", (f) => f.count], ["mean", (f) => f.mean], ["std", (f) => f.std], ["min", (f) => f.min],
    ["25%", (f) => f.q25], ["50%", (f) => f.median], ["75%", (f) => f.q75], ["max", (f) => f.max],
  ];
  const shown = d.features.length > 12 ? [...d.features.slice(0, 6), null, ...d.features.slice(-6)] : d.features;
  const cells = rows.map(([name, get]) => [name, ...shown.map((f) => (f ? fmt(get(f)) : "…"))]);
  const header = ["", ...shown.map((f) => (f ? f.name : "…"))];
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((s, c) => s.padStart(widths[c]!)).join("  ");
  let out = [line(header), ...cells.map(line)].join("\n");
  out += `\n[${d.samples} samples × ${d.features.length} features]`;
  if (d.classBalance) {
    out += "\nclass balance: " + d.classBalance.map((c) => `${c.label}: ${c.count} (${(100 * c.fraction).toFixed(1)}%)`).join(", ");
  }
  return out;
}

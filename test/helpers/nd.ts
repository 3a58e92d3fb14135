/**
 * A tiny float64 n-d array used as the independent reference for op tests:
 * plain loops over indices, no Fluxion code, so a bug in a kernel or a rule
 * cannot hide in its own reference.
 */
import * as fx from "../../src/index.js";

export class Nd {
  readonly strides: number[];
  constructor(readonly shape: number[], readonly data: Float64Array) {
    this.strides = stridesOf(shape);
    if (data.length !== sizeOf(shape)) throw new Error(`Nd: ${data.length} values for shape [${shape}]`);
  }
  get size(): number {
    return this.data.length;
  }
  get ndim(): number {
    return this.shape.length;
  }
  get(idx: readonly number[]): number {
    let o = 0;
    for (let i = 0; i < idx.length; i++) o += idx[i]! * this.strides[i]!;
    return this.data[o]!;
  }
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Calls `visit` with every multi-index of `shape` in row-major order. */
export function forEachIndex(shape: readonly number[], visit: (idx: number[], flat: number) => void): void {
  const n = sizeOf(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < n; flat++) {
    visit(idx, flat);
    for (let ax = shape.length - 1; ax >= 0; ax--) {
      if (++idx[ax]! < shape[ax]!) break;
      idx[ax] = 0;
    }
  }
}

export function fromFn(shape: readonly number[], fn: (idx: number[]) => number): Nd {
  const data = new Float64Array(sizeOf(shape));
  forEachIndex(shape, (idx, flat) => (data[flat] = fn(idx)));
  return new Nd([...shape], data);
}

export function scalarNd(v: number): Nd {
  return new Nd([], Float64Array.of(v));
}

export function fromTensor(t: fx.Tensor): Nd {
  return new Nd([...t.shape], Float64Array.from(t.data() as ArrayLike<number>));
}

export function toTensor(x: Nd, dtype: fx.DType = "float64"): fx.Tensor {
  return fx.tensor(Float64Array.from(x.data), { dtype, shape: [...x.shape] });
}

/** NumPy broadcasting of two shapes (throws when they do not fit). */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Reads x at an index of a (possibly larger) broadcast shape. */
export function getBroadcast(x: Nd, idx: readonly number[]): number {
  const off = idx.length - x.ndim;
  let o = 0;
  for (let i = 0; i < x.ndim; i++) o += (x.shape[i] === 1 ? 0 : idx[i + off]!) * x.strides[i]!;
  return x.data[o]!;
}

export function map1(x: Nd, f: (v: number) => number): Nd {
  return new Nd([...x.shape], x.data.map(f));
}

export function mapN(xs: Nd[], f: (...v: number[]) => number): Nd {
  const shape = xs.reduce<number[]>((s, x) => broadcastShape(s, x.shape), []);
  return fromFn(shape, (idx) => f(...xs.map((x) => getBroadcast(x, idx))));
}

/** Reduces over `axes` (all when undefined) with a JS reducer over the slice's values. */
export function reduce(x: Nd, axes: number[] | undefined, f: (vals: number[]) => number, keepdims = false): Nd {
  const ax = (axes ?? x.shape.map((_, i) => i)).map((a) => (a < 0 ? a + x.ndim : a));
  const outShape = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const groups = new Map<number, number[]>();
  const outStrides = stridesOf(outShape);
  forEachIndex(x.shape, (idx, flat) => {
    let o = 0;
    idx.forEach((v, i) => (o += (ax.includes(i) ? 0 : v) * outStrides[i]!));
    let g = groups.get(o);
    if (!g) groups.set(o, (g = []));
    g.push(x.data[flat]!);
  });
  const res = fromFn(outShape, (idx) => {
    let o = 0;
    idx.forEach((v, i) => (o += v * outStrides[i]!));
    return f(groups.get(o) ?? []);
  });
  return keepdims ? res : new Nd(x.shape.filter((_, i) => !ax.includes(i)), res.data);
}

export const sumOf = (v: number[]) => v.reduce((a, b) => a + b, 0);
export const prodOf = (v: number[]) => v.reduce((a, b) => a * b, 1);

/** log Σ exp, written the textbook way with the max subtracted. */
export function lseOf(v: number[]): number {
  const m = Math.max(...v);
  if (!Number.isFinite(m)) return m === -Infinity || v.length === 0 ? -Infinity : m;
  return m + Math.log(sumOf(v.map((x) => Math.exp(x - m))));
}

export function varOf(v: number[], ddof = 0): number {
  const mu = sumOf(v) / v.length;
  return sumOf(v.map((x) => (x - mu) ** 2)) / (v.length - ddof);
}

/** Applies `f` to each 1-D lane along `axis` (f returns a lane of the same length). */
export function alongAxis(x: Nd, axis: number, f: (lane: number[]) => number[]): Nd {
  const a = axis < 0 ? axis + x.ndim : axis;
  const out = new Float64Array(x.size);
  const n = x.shape[a]!;
  const outer = x.shape.map((d, i) => (i === a ? 1 : d));
  forEachIndex(outer, (idx) => {
    const lane: number[] = [];
    const offs: number[] = [];
    for (let k = 0; k < n; k++) {
      const j = [...idx];
      j[a] = k;
      let o = 0;
      j.forEach((v, i) => (o += v * x.strides[i]!));
      offs.push(o);
      lane.push(x.data[o]!);
    }
    const r = f(lane);
    offs.forEach((o, k) => (out[o] = r[k]!));
  });
  return new Nd([...x.shape], out);
}

/**
 * Naive Einstein summation by looping over every label value: the reference
 * for matmul, dot, outer and einsum. Labels are single letters; `->` required.
 */
export function einsumRef(spec: string, ...xs: Nd[]): Nd {
  const [lhs, rhs] = spec.split("->") as [string, string];
  const ins = lhs.split(",");
  const size = new Map<string, number>();
  ins.forEach((labels, k) => [...labels].forEach((c, i) => {
    const d = xs[k]!.shape[i]!;
    const prev = size.get(c);
    if (prev === undefined || prev === 1) size.set(c, d);
  }));
  const all = [...size.keys()];
  const summed = all.filter((c) => !rhs.includes(c));
  return fromFn([...rhs].map((c) => size.get(c)!), (outIdx) => {
    const val = new Map<string, number>([...rhs].map((c, i) => [c, outIdx[i]!]));
    let total = 0;
    forEachIndex(summed.map((c) => size.get(c)!), (sIdx) => {
      summed.forEach((c, i) => val.set(c, sIdx[i]!));
      let p = 1;
      ins.forEach((labels, k) => {
        const x = xs[k]!;
        p *= x.get([...labels].map((c, i) => (x.shape[i] === 1 ? 0 : val.get(c)!)));
      });
      total += p;
    });
    return total;
  });
}

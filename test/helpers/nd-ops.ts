/**
 * Float64 references for the shape and indexing ops, written from NumPy's
 * definitions with index arithmetic only (see nd.ts).
 */
import { Nd, broadcastShape, fromFn, getBroadcast } from "./nd.js";

const norm = (a: number, n: number) => (a < 0 ? a + n : a);

/** Python's slice.indices: the indices a slice visits on an axis of size n. */
export function sliceIndices(start: number | null, stop: number | null, step: number | null, n: number): number[] {
  const st = step ?? 1;
  const out: number[] = [];
  if (st > 0) {
    const lo = start === null ? 0 : start < 0 ? Math.max(0, start + n) : Math.min(start, n);
    const hi = stop === null ? n : stop < 0 ? Math.max(0, stop + n) : Math.min(stop, n);
    for (let i = lo; i < hi; i += st) out.push(i);
  } else {
    const lo = start === null ? n - 1 : start < 0 ? Math.max(-1, start + n) : Math.min(start, n - 1);
    const hi = stop === null ? -1 : stop < 0 ? Math.max(-1, stop + n) : Math.min(stop, n - 1);
    for (let i = lo; i > hi; i += st) out.push(i);
  }
  return out;
}

export type RefSpec = number | string | null | [number | null, (number | null)?, (number | null)?];

/** NumPy basic indexing: ints drop an axis, slices keep it, null inserts one, "..." fills. */
export function sliceRef(x: Nd, specs: RefSpec[]): Nd {
  const consuming = specs.filter((s) => s !== null && s !== "...").length;
  const full: RefSpec[] = [];
  for (const s of specs) {
    if (s === "...") for (let k = 0; k < x.ndim - consuming; k++) full.push(":");
    else full.push(s);
  }
  while (full.filter((s) => s !== null).length < x.ndim) full.push(":");
  // Per output axis: either a new axis, or (input axis, the indices it visits).
  const outAxes: ({ kind: "new" } | { kind: "axis"; axis: number; idx: number[] })[] = [];
  const fixed = new Map<number, number>();
  let axis = 0;
  for (const s of full) {
    if (s === null) {
      outAxes.push({ kind: "new" });
      continue;
    }
    const n = x.shape[axis]!;
    if (typeof s === "number") fixed.set(axis, norm(s, n));
    else {
      const [a, b, c] = typeof s === "string" ? s.split(":").map((p) => (p.trim() === "" ? null : Number(p))) : [s[0], s[1] ?? null, s[2] ?? null];
      outAxes.push({ kind: "axis", axis, idx: sliceIndices(a ?? null, b ?? null, c ?? null, n) });
    }
    axis++;
  }
  const shape = outAxes.map((o) => (o.kind === "new" ? 1 : o.idx.length));
  return fromFn(shape, (outIdx) => {
    const inIdx = new Array<number>(x.ndim).fill(0);
    for (const [a, v] of fixed) inIdx[a] = v;
    outAxes.forEach((o, k) => {
      if (o.kind === "axis") inIdx[o.axis] = o.idx[outIdx[k]!]!;
    });
    return x.get(inIdx);
  });
}

export function transposeRef(x: Nd, perm?: number[]): Nd {
  const p = perm ? perm.map((a) => norm(a, x.ndim)) : x.shape.map((_, i) => x.ndim - 1 - i);
  return fromFn(p.map((a) => x.shape[a]!), (idx) => {
    const inIdx = new Array<number>(x.ndim);
    p.forEach((a, k) => (inIdx[a] = idx[k]!));
    return x.get(inIdx);
  });
}

export function broadcastToRef(x: Nd, shape: number[]): Nd {
  return fromFn(shape, (idx) => getBroadcast(x, idx));
}

export function flipRef(x: Nd, axes?: number[]): Nd {
  const ax = (axes ?? x.shape.map((_, i) => i)).map((a) => norm(a, x.ndim));
  return fromFn(x.shape, (idx) => x.get(idx.map((v, i) => (ax.includes(i) ? x.shape[i]! - 1 - v : v))));
}

/** Constant padding with optional interior padding (elements spread `interior` apart). */
export function padRef(x: Nd, lo: number[], hi: number[], interior = lo.map(() => 0), value = 0): Nd {
  const shape = x.shape.map((d, i) => lo[i]! + hi[i]! + d + Math.max(0, d - 1) * interior[i]!);
  return fromFn(shape, (idx) => {
    const src: number[] = [];
    for (let i = 0; i < idx.length; i++) {
      const r = idx[i]! - lo[i]!;
      const step = interior[i]! + 1;
      if (r < 0 || r % step !== 0 || r / step >= x.shape[i]!) return value;
      src.push(r / step);
    }
    return x.get(src);
  });
}

export function concatRef(xs: Nd[], axis: number): Nd {
  const a = norm(axis, xs[0]!.ndim);
  const shape = [...xs[0]!.shape];
  shape[a] = xs.reduce((s, x) => s + x.shape[a]!, 0);
  return fromFn(shape, (idx) => {
    let i = idx[a]!;
    for (const x of xs) {
      if (i < x.shape[a]!) return x.get(idx.map((v, k) => (k === a ? i : v)));
      i -= x.shape[a]!;
    }
    throw new Error("concatRef: out of range");
  });
}

export function stackRef(xs: Nd[], axis: number): Nd {
  const a = norm(axis, xs[0]!.ndim + 1);
  const expanded = xs.map((x) => new Nd([...x.shape.slice(0, a), 1, ...x.shape.slice(a)], x.data));
  return concatRef(expanded, a);
}

export function tileRef(x: Nd, reps: number[]): Nd {
  const rank = Math.max(x.ndim, reps.length);
  const xs = [...new Array(rank - x.ndim).fill(1), ...x.shape];
  const rs = [...new Array(rank - reps.length).fill(1), ...reps];
  const xr = new Nd(xs, x.data);
  return fromFn(xs.map((d, i) => d * rs[i]!), (idx) => xr.get(idx.map((v, i) => v % xs[i]!)));
}

export function repeatRef(x: Nd, r: number, axis?: number): Nd {
  const src = axis === undefined ? new Nd([x.size], x.data) : x;
  const a = axis === undefined ? 0 : norm(axis, x.ndim);
  return fromFn(src.shape.map((d, i) => (i === a ? d * r : d)), (idx) => src.get(idx.map((v, i) => (i === a ? Math.floor(v / r) : v))));
}

/** NumPy take along an axis; `idxShape`/`idx` describe an integer index array. */
export function takeRef(x: Nd, idx: number[], idxShape: number[], axis?: number): Nd {
  const src = axis === undefined ? new Nd([x.size], x.data) : x;
  const a = axis === undefined ? 0 : norm(axis, x.ndim);
  const n = src.shape[a]!;
  const r = idxShape.length;
  const shape = [...src.shape.slice(0, a), ...idxShape, ...src.shape.slice(a + 1)];
  const idxNd = new Nd(idxShape, Float64Array.from(idx));
  return fromFn(shape, (o) => {
    const k = norm(idxNd.get(o.slice(a, a + r)), n);
    return src.get([...o.slice(0, a), k, ...o.slice(a + r)]);
  });
}

/** x with updates added at idx along axis (repeated indices accumulate); updates broadcast to the gathered shape. */
export function scatterAddRef(x: Nd, idx: number[], idxShape: number[], upd: Nd, axis: number): Nd {
  const a = norm(axis, x.ndim);
  const n = x.shape[a]!;
  const r = idxShape.length;
  const updShape = [...x.shape.slice(0, a), ...idxShape, ...x.shape.slice(a + 1)];
  const u = fromFn(updShape, (i) => getBroadcast(upd, i));
  const out = Float64Array.from(x.data);
  const idxNd = new Nd(idxShape, Float64Array.from(idx));
  const res = new Nd([...x.shape], out);
  fromFn(updShape, (o) => {
    const k = norm(idxNd.get(o.slice(a, a + r)), n);
    const target = [...o.slice(0, a), k, ...o.slice(a + r)];
    let off = 0;
    target.forEach((v, i) => (off += v * res.strides[i]!));
    out[off]! += u.get(o);
    return 0;
  });
  return res;
}

/** NumPy matmul: 1-D operands promoted and the added axis dropped; batch axes broadcast. */
export function matmulRef(a: Nd, b: Nd): Nd {
  const A = a.ndim === 1 ? new Nd([1, a.shape[0]!], a.data) : a;
  const B = b.ndim === 1 ? new Nd([b.shape[0]!, 1], b.data) : b;
  const M = A.shape[A.ndim - 2]!, K = A.shape[A.ndim - 1]!, N = B.shape[B.ndim - 1]!;
  const batch = broadcastShape(A.shape.slice(0, -2), B.shape.slice(0, -2));
  const full = fromFn([...batch, M, N], (idx) => {
    const bi = idx.slice(0, -2);
    const i = idx[idx.length - 2]!, j = idx[idx.length - 1]!;
    let s = 0;
    for (let k = 0; k < K; k++) {
      s += getBroadcast(A, [...bi, i, k]) * getBroadcast(B, [...bi, k, j]);
    }
    return s;
  });
  const shape = [...batch, ...(a.ndim === 1 ? [] : [M]), ...(b.ndim === 1 ? [] : [N])];
  return new Nd(shape, full.data);
}

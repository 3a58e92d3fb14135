/**
 * Indexing: basic slicing (`t.slice(...)`), integer gather (`take`), scatter-add,
 * and functional updates (`t.at(...).set(v)` / `.add(v)`), as in NumPy and JAX.
 *
 * An index spec per axis is one of:
 * - an integer (negative counts from the end; the axis is dropped),
 * - a string slice `"start:stop:step"` (any part may be empty, e.g. `":"`, `"::-1"`, `"1:"`),
 * - an array `[start, stop, step?]` (null for an empty part),
 * - `null` (a new axis of size 1), or `"..."` (as many full axes as needed).
 */
import { isInteger } from "../core/dtype.js";
import { DTypeError, IndexError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { checkIndexInRange, normalizeAxis } from "../core/shape.js";
import { ConcreteTensor, Tensor } from "../core/tensor.js";
import * as lax from "../primitives/lax.js";
import { fromTypedArray } from "../primitives/constant.js";
import { asTensor, type ArrayLike } from "./convert.js";

export type SliceTuple = [number | null, (number | null)?, (number | null)?];
export type IndexSpec = number | string | SliceTuple | null;

interface AxisRange {
  start: number;
  step: number;
  count: number;
  drop: boolean;
}

function parsePart(s: string, what: string, spec: string): number | null {
  if (s.trim() === "") return null;
  const v = Number(s);
  if (!Number.isInteger(v)) throw new IndexError(`slice: ${what} in "${spec}" is not an integer`);
  return v;
}

/** NumPy's slice.indices: clamp start/stop for a given step, count the elements. */
function resolveSlice(start: number | null, stop: number | null, step: number | null, n: number, axis: number): AxisRange {
  const st = step ?? 1;
  if (st === 0) throw new IndexError(`slice: step cannot be zero (axis ${axis})`);
  if (!Number.isInteger(st)) throw new IndexError(`slice: step ${st} is not an integer (axis ${axis})`);
  for (const v of [start, stop]) {
    if (v !== null && !Number.isInteger(v)) throw new IndexError(`slice: bound ${v} is not an integer (axis ${axis})`);
  }
  let lo: number, hi: number;
  if (st > 0) {
    lo = start === null ? 0 : start < 0 ? Math.max(0, start + n) : Math.min(start, n);
    hi = stop === null ? n : stop < 0 ? Math.max(0, stop + n) : Math.min(stop, n);
    return { start: lo, step: st, count: Math.max(0, Math.ceil((hi - lo) / st)), drop: false };
  }
  lo = start === null ? n - 1 : start < 0 ? Math.max(-1, start + n) : Math.min(start, n - 1);
  hi = stop === null ? -1 : stop < 0 ? Math.max(-1, stop + n) : Math.min(stop, n - 1);
  return { start: lo, step: st, count: Math.max(0, Math.ceil((hi - lo) / st)), drop: false };
}

/** Turns specs into one range per axis of `shape`, plus where new axes go. */
function resolve(op: string, shape: readonly number[], specs: IndexSpec[]): { ranges: AxisRange[]; newAxes: number[] } {
  const ellipses = specs.filter((s) => s === "...").length;
  if (ellipses > 1) throw new IndexError(`${op}: at most one "..." is allowed`);
  const consuming = specs.filter((s) => s !== null && s !== "...").length;
  if (consuming > shape.length) {
    throw new IndexError(`${op}: too many indices (${consuming}) for a tensor of shape ${fmtShape(shape)}`);
  }
  const expanded: IndexSpec[] = [];
  for (const s of specs) {
    if (s === "...") for (let k = 0; k < shape.length - consuming; k++) expanded.push(":");
    else expanded.push(s);
  }
  while (expanded.filter((s) => s !== null).length < shape.length) expanded.push(":");
  const ranges: AxisRange[] = [];
  const newAxes: number[] = [];
  let axis = 0;
  let outPos = 0;
  for (const s of expanded) {
    if (s === null) {
      newAxes.push(outPos++);
      continue;
    }
    const n = shape[axis]!;
    if (typeof s === "number") {
      const i = checkIndexInRange(op, s, n, axis);
      ranges.push({ start: i, step: 1, count: 1, drop: true });
    } else if (typeof s === "string") {
      const parts = s.split(":");
      if (parts.length < 2 || parts.length > 3) throw new IndexError(`${op}: cannot parse slice "${s}" (use "start:stop:step")`);
      ranges.push(resolveSlice(parsePart(parts[0]!, "start", s), parsePart(parts[1]!, "stop", s), parts.length === 3 ? parsePart(parts[2]!, "step", s) : null, n, axis));
      outPos++;
    } else if (Array.isArray(s)) {
      ranges.push(resolveSlice(s[0] ?? null, s[1] ?? null, s[2] ?? null, n, axis));
      outPos++;
    } else {
      throw new IndexError(`${op}: index ${JSON.stringify(s)} for axis ${axis} is not an integer, slice string, [start, stop, step] or null`);
    }
    axis++;
  }
  return { ranges, newAxes };
}

/** Reads a basic slice. */
export function slice(x: ArrayLike, ...specs: IndexSpec[]): Tensor {
  const t = asTensor(x);
  const { ranges, newAxes } = resolve("slice", t.shape, specs);
  let v = t;
  const flipAxes = ranges.flatMap((r, i) => (r.step < 0 && r.count > 0 ? [i] : []));
  const starts = ranges.map((r, i) => (flipAxes.includes(i) ? t.shape[i]! - 1 - r.start : r.count === 0 ? 0 : r.start));
  const steps = ranges.map((r) => Math.abs(r.step));
  const limits = ranges.map((r, i) => (r.count === 0 ? starts[i]! : starts[i]! + (r.count - 1) * steps[i]! + 1));
  if (flipAxes.length) v = lax.rev(v, flipAxes);
  const needsSlice = ranges.some((r, i) => starts[i] !== 0 || limits[i] !== t.shape[i] || steps[i] !== 1);
  if (needsSlice) v = lax.slice(v, starts, limits, steps);
  return finishShape(v, ranges, newAxes);
}

function finishShape(v: Tensor, ranges: AxisRange[], newAxes: number[]): Tensor {
  const kept = v.shape.filter((_, i) => !ranges[i]!.drop);
  const out: number[] = [];
  let k = 0;
  for (let pos = 0; pos < kept.length + newAxes.length; pos++) out.push(newAxes.includes(pos) ? 1 : kept[k++]!);
  return lax.reshape(v, out);
}

function checkIndexTensor(op: string, idx: Tensor): void {
  if (!isInteger(idx.dtype)) throw new DTypeError(`${op}: indices must be an integer tensor (int32 or uint8), got ${idx.dtype}`);
}

function indexTensor(op: string, indices: ArrayLike): Tensor {
  if (typeof indices === "number" && !Number.isInteger(indices)) throw new IndexError(`${op}: index ${indices} is not an integer`);
  if (Array.isArray(indices)) {
    const flat = (indices as unknown[]).flat(Infinity) as number[];
    for (const v of flat) if (typeof v !== "number" || !Number.isInteger(v)) throw new IndexError(`${op}: index ${String(v)} is not an integer`);
    return asTensor(indices, "int32");
  }
  const t = typeof indices === "number" ? asTensor(indices, "int32") : asTensor(indices);
  checkIndexTensor(op, t);
  return t;
}

/** Gathers along `axis` (flattened when omitted): out.shape = x.shape[:axis] + indices.shape + x.shape[axis+1:]. */
export function take(x: ArrayLike, indices: ArrayLike, axis?: number): Tensor {
  let t = asTensor(x);
  if (axis === undefined) {
    t = lax.reshape(t, [t.size]);
    axis = 0;
  }
  const a = normalizeAxis("take", axis, t.ndim);
  return lax.gather(t, indexTensor("take", indices), a);
}

/** Adds `updates` into `x` at `indices` along `axis` (repeated indices accumulate). */
export function scatterAdd(x: ArrayLike, indices: ArrayLike, updates: ArrayLike, axis = 0): Tensor {
  const t = asTensor(x);
  const a = normalizeAxis("scatterAdd", axis, t.ndim);
  const idx = indexTensor("scatterAdd", indices);
  const u = lax.cast(asTensor(updates), t.dtype);
  const shape = [...t.shape.slice(0, a), ...idx.shape, ...t.shape.slice(a + 1)];
  const fits = u.shape.length <= shape.length && u.shape.every((d, i) => d === 1 || d === shape[shape.length - u.shape.length + i]);
  if (!fits) {
    throw new ShapeError(`scatterAdd: updates of shape ${fmtShape(u.shape)} do not broadcast to the indexed region ${fmtShape(shape)} (operand ${fmtShape(t.shape)}, indices ${fmtShape(idx.shape)}, axis ${a})`);
  }
  return lax.scatterAdd(t, idx, lax.broadcastTo(u, shape), a);
}

/** Functional updates, JAX style: `x.at(...).set(v)` and `.add(v)` return new tensors. */
export class IndexUpdate {
  constructor(private readonly x: Tensor, private readonly specs: (IndexSpec | Tensor)[]) {}

  get(): Tensor {
    const tIdx = this.tensorIndex();
    return tIdx ? lax.gather(this.x, tIdx, 0) : slice(this.x, ...(this.specs as IndexSpec[]));
  }

  add(v: ArrayLike): Tensor {
    const tIdx = this.tensorIndex();
    if (tIdx) return scatterAdd(this.x, tIdx, v, 0);
    return lax.add(this.x, this.spread(v, false));
  }

  set(v: ArrayLike): Tensor {
    const tIdx = this.tensorIndex();
    const x = this.x;
    if (tIdx) {
      // A repeated index keeps its last update (as NumPy's assignment), not the sum of them.
      const rest = x.shape.slice(1);
      const u = lax.broadcastTo(lax.cast(asTensor(v), x.dtype), [...tIdx.shape, ...rest]);
      const keep = lax.reshape(lastWrites(tIdx, x.shape[0]!), [...tIdx.shape, ...rest.map(() => 1)]);
      const hit = scatterAdd(lax.broadcastTo(lax.cst(0, x), x.shape), tIdx, lax.cst(1, x), 0);
      const vals = scatterAdd(lax.broadcastTo(lax.cst(0, x), x.shape), tIdx, lax.select(keep, u, lax.cst(0, u)), 0);
      return lax.select(lax.gt(hit, lax.cst(0, hit)), vals, x);
    }
    const mask = this.spread(true, true);
    return lax.select(mask, this.spread(v, false), x);
  }

  private tensorIndex(): Tensor | null {
    if (this.specs.length === 1 && (this.specs[0] instanceof Tensor || Array.isArray(this.specs[0]) && (this.specs[0] as unknown[]).length > 3)) {
      return indexTensor("at", this.specs[0] as ArrayLike);
    }
    if (this.specs.some((s) => s instanceof Tensor)) throw new ValueError("at: a tensor index must be the only index (it selects along axis 0)");
    return null;
  }

  /** Places `v` (broadcast to the selected region) into a tensor of x's shape, zeros (or false) elsewhere. */
  private spread(v: ArrayLike, asMask: boolean): Tensor {
    const x = this.x;
    const { ranges } = resolve("at", x.shape, this.specs as IndexSpec[]);
    if ((this.specs as IndexSpec[]).some((s) => s === null)) throw new IndexError("at: new axes (null) are not allowed in updates");
    const regionKept = ranges.filter((r) => !r.drop).map((r) => r.count);
    let u = asMask ? lax.broadcastTo(asTensor(true), regionKept) : lax.broadcastTo(lax.cast(asTensor(v), x.dtype), regionKept);
    u = lax.reshape(u, ranges.map((r) => r.count));
    const flipAxes = ranges.flatMap((r, i) => (r.step < 0 && r.count > 0 ? [i] : []));
    // Express each axis as a positive-step range, flipping where the step was negative.
    const lo = ranges.map((r, i) => {
      if (r.count === 0) return 0;
      return flipAxes.includes(i) ? x.shape[i]! - 1 - r.start : r.start;
    });
    const steps = ranges.map((r) => Math.abs(r.step));
    const hi = ranges.map((r, i) => (r.count === 0 ? x.shape[i]! : x.shape[i]! - (lo[i]! + (r.count - 1) * steps[i]! + 1)));
    let placed = lax.pad(u, lo, hi, steps.map((s, i) => (ranges[i]!.count > 1 ? s - 1 : 0)));
    if (flipAxes.length) placed = lax.rev(placed, flipAxes);
    return placed;
  }
}

/**
 * For each index (any shape, into an axis of size n): true unless a later
 * index hits the same position. Concrete indices are checked in JS; traced
 * ones (under jit or vmap) compare every pair.
 */
function lastWrites(idx: Tensor, n: number): Tensor {
  const m = idx.size;
  if (idx instanceof ConcreteTensor) {
    const ids = idx.data();
    const seen = new Set<number>();
    const keep = new Uint8Array(m);
    for (let j = m - 1; j >= 0; j--) {
      const k = ids[j]! < 0 ? ids[j]! + n : ids[j]!;
      if (!seen.has(k)) keep[j] = 1;
      seen.add(k);
    }
    return fromTypedArray(keep, idx.shape, "bool");
  }
  const flat = lax.reshape(idx, [m]);
  const wrapped = lax.select(lax.lt(flat, lax.cst(0, flat)), lax.add(flat, lax.cst(n, flat)), flat);
  const same = lax.eq(lax.reshape(wrapped, [m, 1]), lax.reshape(wrapped, [1, m]));
  const laterMask = new Uint8Array(m * m);
  for (let j = 0; j < m; j++) for (let k = j + 1; k < m; k++) laterMask[j * m + k] = 1;
  const laterHit = lax.and(same, fromTypedArray(laterMask, [m, m], "bool"));
  const overwritten = lax.reduceSum(lax.cast(laterHit, "int32"), [1]);
  return lax.reshape(lax.eq(overwritten, lax.cst(0, overwritten)), idx.shape);
}

export function at(x: ArrayLike, ...specs: (IndexSpec | Tensor)[]): IndexUpdate {
  return new IndexUpdate(asTensor(x), specs);
}

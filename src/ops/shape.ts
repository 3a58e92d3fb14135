/** Shape operations with NumPy's conventions. */
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { broadcastShapes, normalizeAxes, normalizeAxis, sizeOf } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import * as lax from "../primitives/lax.js";
import { asTensor, unify, type ArrayLike } from "./convert.js";

/** Reshape, with one −1 standing for "whatever is left". */
export function reshape(x: ArrayLike, shape: readonly number[]): Tensor {
  const t = asTensor(x);
  const holes = shape.filter((d) => d === -1).length;
  if (holes > 1) throw new ShapeError(`reshape: only one −1 is allowed, got ${fmtShape(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < -1) throw new ShapeError(`reshape: invalid size ${d} in ${fmtShape(shape)}`);
  }
  let resolved = [...shape];
  if (holes === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || t.size % known !== 0) {
      throw new ShapeError(`reshape: cannot reshape ${fmtShape(t.shape)} (${t.size} elements) to ${fmtShape(shape)}`);
    }
    resolved = shape.map((d) => (d === -1 ? t.size / known : d));
  }
  return lax.reshape(t, resolved);
}

export function transpose(x: ArrayLike, axes?: readonly number[]): Tensor {
  const t = asTensor(x);
  const perm = axes ? axes.map((a) => normalizeAxis("transpose", a, t.ndim)) : t.shape.map((_, i) => t.ndim - 1 - i);
  return lax.transpose(t, perm);
}

export function moveaxis(x: ArrayLike, source: number, destination: number): Tensor {
  const t = asTensor(x);
  return lax.moveAxis(t, normalizeAxis("moveaxis", source, t.ndim), normalizeAxis("moveaxis", destination, t.ndim));
}

export function swapaxes(x: ArrayLike, a: number, b: number): Tensor {
  const t = asTensor(x);
  const perm = t.shape.map((_, i) => i);
  const i = normalizeAxis("swapaxes", a, t.ndim), j = normalizeAxis("swapaxes", b, t.ndim);
  [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  return lax.transpose(t, perm);
}

/** Removes size-1 axes (all of them, or the given ones, which must have size 1). */
export function squeeze(x: ArrayLike, axis?: number | number[]): Tensor {
  const t = asTensor(x);
  const axes = axis === undefined ? t.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes("squeeze", axis, t.ndim);
  for (const a of axes) {
    if (t.shape[a] !== 1) throw new ShapeError(`squeeze: axis ${a} of shape ${fmtShape(t.shape)} has size ${t.shape[a]}, not 1`);
  }
  return lax.reshape(t, t.shape.filter((_, i) => !axes.includes(i)));
}

/** Inserts a size-1 axis at `axis` (negative counts from the end of the result). */
export function expandDims(x: ArrayLike, axis: number | number[]): Tensor {
  const t = asTensor(x);
  const list = typeof axis === "number" ? [axis] : axis;
  const outRank = t.ndim + list.length;
  const axes = list.map((a) => normalizeAxis("expandDims", a, outRank));
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < outRank; i++) shape.push(axes.includes(i) ? 1 : t.shape[k++]!);
  return lax.reshape(t, shape);
}

export function broadcastTo(x: ArrayLike, shape: readonly number[]): Tensor {
  return lax.broadcastTo(asTensor(x), shape);
}

/** Broadcasts all arguments to their common shape. */
export function broadcastArrays(...xs: ArrayLike[]): Tensor[] {
  const ts = xs.map((x) => asTensor(x));
  const shape = ts.reduce<number[]>((s, t) => broadcastShapes("broadcastArrays", s, t.shape), []);
  return ts.map((t) => lax.broadcastTo(t, shape));
}

export function flatten(x: ArrayLike): Tensor {
  const t = asTensor(x);
  return lax.reshape(t, [t.size]);
}

export function concatenate(xs: readonly ArrayLike[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new ValueError("concatenate: needs a non-empty list of tensors");
  const ts = unify(xs);
  const rank = ts[0]!.ndim;
  if (rank === 0) throw new ShapeError("concatenate: cannot concatenate rank-0 tensors (use stack)");
  for (const [i, t] of ts.entries()) {
    if (t.ndim !== rank) throw new ShapeError(`concatenate: tensor ${i} has rank ${t.ndim} (shape ${fmtShape(t.shape)}), expected rank ${rank}`);
  }
  return lax.concatenate(ts, normalizeAxis("concatenate", axis, rank));
}

/** Joins tensors of one shape along a new axis. */
export function stack(xs: readonly ArrayLike[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new ValueError("stack: needs a non-empty list of tensors");
  const ts = unify(xs);
  const shape = ts[0]!.shape;
  for (const [i, t] of ts.entries()) {
    if (t.ndim !== shape.length || t.shape.some((d, k) => d !== shape[k])) {
      throw new ShapeError(`stack: tensor ${i} has shape ${fmtShape(t.shape)}, expected ${fmtShape(shape)} (all must match)`);
    }
  }
  const a = normalizeAxis("stack", axis, shape.length + 1);
  return lax.concatenate(ts.map((t) => expandDims(t, a)), a);
}

/** Splits into `sections` equal parts, or at the given indices, along `axis`. */
export function split(x: ArrayLike, sections: number | number[], axis = 0): Tensor[] {
  const t = asTensor(x);
  const a = normalizeAxis("split", axis, t.ndim);
  const n = t.shape[a]!;
  let cuts: number[];
  if (typeof sections === "number") {
    if (!Number.isInteger(sections) || sections <= 0 || n % sections !== 0) {
      throw new ShapeError(`split: axis ${axis} of shape ${fmtShape(t.shape)} (size ${n}) cannot be split into ${sections} equal parts`);
    }
    cuts = Array.from({ length: sections - 1 }, (_, i) => ((i + 1) * n) / sections);
  } else {
    cuts = sections.map((c) => (c < 0 ? c + n : c));
  }
  const bounds = [0, ...cuts.map((c) => Math.min(Math.max(c, 0), n)), n];
  const parts: Tensor[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const lo = bounds[i]!, hi = Math.max(bounds[i]!, bounds[i + 1]!);
    parts.push(lax.slice(t, t.shape.map((_, k) => (k === a ? lo : 0)), t.shape.map((d, k) => (k === a ? hi : d))));
  }
  return parts;
}

export function flip(x: ArrayLike, axis?: number | number[]): Tensor {
  const t = asTensor(x);
  return lax.rev(t, normalizeAxes("flip", axis, t.ndim));
}

export type PadWidth = number | [number, number] | readonly (readonly [number, number])[];

/** Pads with a constant: `width` is one number, one (before, after) pair, or a pair per axis. */
export function pad(x: ArrayLike, width: PadWidth, value = 0): Tensor {
  const t = asTensor(x);
  let pairs: (readonly [number, number])[];
  if (typeof width === "number") pairs = t.shape.map(() => [width, width] as const);
  else if (width.length === 2 && typeof width[0] === "number") pairs = t.shape.map(() => width as [number, number]);
  else pairs = [...(width as readonly (readonly [number, number])[])];
  if (pairs.length !== t.ndim) throw new ShapeError(`pad: got ${pairs.length} (before, after) pairs for a tensor of rank ${t.ndim} (shape ${fmtShape(t.shape)})`);
  const lo = pairs.map((p) => p[0]);
  const hi = pairs.map((p) => p[1]);
  const padded = lax.pad(t, lo, hi);
  if (value === 0) return padded;
  const inside = lax.pad(lax.broadcastTo(asTensor(true), t.shape), lo, hi);
  return lax.select(inside, padded, lax.cst(value, padded));
}

/** Repeats the whole tensor `reps` times along each axis. */
export function tile(x: ArrayLike, reps: number | number[]): Tensor {
  let t = asTensor(x);
  const r = typeof reps === "number" ? [reps] : reps;
  if (r.some((n) => !Number.isInteger(n) || n < 0)) throw new ValueError(`tile: reps must be non-negative integers, got ${fmtShape(r)} for shape ${fmtShape(t.shape)}`);
  const rank = Math.max(t.ndim, r.length);
  t = lax.reshape(t, [...new Array(rank - t.ndim).fill(1), ...t.shape]);
  const rr = [...new Array(rank - r.length).fill(1), ...r];
  // Insert an axis before each one, broadcast it to the repeat count, then merge.
  const expanded = lax.reshape(t, t.shape.flatMap((d) => [1, d]));
  const big = lax.broadcastTo(expanded, t.shape.flatMap((d, i) => [rr[i]!, d]));
  return lax.reshape(big, t.shape.map((d, i) => d * rr[i]!));
}

/** Repeats each element `repeats` times along `axis` (flattened when axis is omitted). */
export function repeat(x: ArrayLike, repeats: number, axis?: number): Tensor {
  let t = asTensor(x);
  if (!Number.isInteger(repeats) || repeats < 0) throw new ValueError(`repeat: repeats must be a non-negative integer, got ${repeats}`);
  if (axis === undefined) {
    t = lax.reshape(t, [t.size]);
    axis = 0;
  }
  const a = normalizeAxis("repeat", axis, t.ndim);
  const withAxis = lax.reshape(t, [...t.shape.slice(0, a + 1), 1, ...t.shape.slice(a + 1)]);
  const big = lax.broadcastTo(withAxis, [...t.shape.slice(0, a + 1), repeats, ...t.shape.slice(a + 1)]);
  return lax.reshape(big, t.shape.map((d, i) => (i === a ? d * repeats : d)));
}

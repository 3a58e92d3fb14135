import { IndexError, ShapeError, ValueError, fmtShape } from "./errors.js";

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  // An indexed loop: for-of over a tensor's frozen shape takes V8's slow iterator path.
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function checkShape(op: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) throw new ValueError(`${op}: shape must be an array of non-negative integers, got ${String(shape)}`);
  for (const d of shape) {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
      throw new ValueError(`${op}: shape must hold non-negative integers, got ${fmtShape(shape as number[])}`);
    }
  }
  return shape as number[];
}

/**
 * NumPy broadcasting: align trailing axes; each pair must be equal or one of
 * them 1 (so 0 against 1 gives 0, and 0 against 3 is an error).
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)]!;
    const db = i < n - b.length ? 1 : b[i - (n - b.length)]!;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else {
      throw new ShapeError(
        `${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} do not broadcast: axis ${i - n} has sizes ${da} and ${db} (each pair must be equal or 1)`,
      );
    }
  }
  return out;
}

/** Resolves a possibly negative axis against `ndim`, checking it is an integer in range. */
export function normalizeAxis(op: string, axis: number, ndim: number): number {
  if (typeof axis !== "number" || !Number.isInteger(axis)) {
    throw new IndexError(`${op}: axis must be an integer, got ${String(axis)}`);
  }
  if (axis < -ndim || axis >= ndim) {
    throw new IndexError(`${op}: axis ${axis} is out of range for a tensor of rank ${ndim} (valid: ${-ndim}..${ndim - 1})`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** Axes argument of reductions: undefined means all; duplicates are an error. */
export function normalizeAxes(op: string, axis: number | readonly number[] | undefined | null, ndim: number): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : [...axis];
  const out = list.map((a) => normalizeAxis(op, a, ndim));
  if (new Set(out).size !== out.length) throw new IndexError(`${op}: repeated axis in ${fmtShape(list)}`);
  return out.sort((x, y) => x - y);
}

/** Index i (negative counts from the end) into an axis of size n, checked; the non-negative index. */
export function checkIndexInRange(op: string, i: number, n: number, axis: number): number {
  if (!Number.isInteger(i)) throw new IndexError(`${op}: index ${i} is not an integer`);
  if (i < -n || i >= n) throw new IndexError(`${op}: index ${i} is out of range for axis ${axis} of size ${n}`);
  return i < 0 ? i + n : i;
}

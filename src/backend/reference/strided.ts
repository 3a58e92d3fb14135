/** Index arithmetic shared by the reference kernels. */
import { stridesOf, type Shape } from "../../core/shape.js";

/** Strides of `inShape` seen from `outShape` under NumPy broadcasting (0 on broadcast axes). */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const s = stridesOf(inShape);
  const out = new Array<number>(outShape.length).fill(0);
  const off = outShape.length - inShape.length;
  for (let i = 0; i < inShape.length; i++) out[i + off] = inShape[i] === 1 ? 0 : s[i]!;
  return out;
}

/**
 * The same walk over fewer axes: size-1 axes dropped, and neighbouring axes
 * merged wherever every operand steps through them as through one axis
 * (stride[i] = stride[i+1] · size[i+1]). Broadcasting and transposes leave
 * long contiguous runs, so this makes the innermost loop long.
 */
export function coalesce(shape: Shape, strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const keep: number[] = [];
  for (let ax = 0; ax < shape.length; ax++) if (shape[ax] !== 1) keep.push(ax);
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (const ax of keep) {
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[ax]! * shape[ax]!);
    if (mergeable) {
      outShape[last]! *= shape[ax]!;
      strides.forEach((s, k) => { outStrides[k]![last] = s[ax]!; });
    } else {
      outShape.push(shape[ax]!);
      strides.forEach((s, k) => outStrides[k]!.push(s[ax]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Walks the output in row-major order one innermost run at a time: calls
 * `visit(start, offsets, length, inner)` where output elements
 * start..start+length-1 read operand k at offsets[k] + j·inner[k]. Kernels
 * put their own tight loop inside, so the per-element cost is a plain loop.
 */
export function forEachRow(
  outShape: Shape,
  strides: readonly (readonly number[])[],
  visit: (start: number, offsets: readonly number[], length: number, inner: readonly number[]) => void,
): void {
  for (const d of outShape) if (d === 0) return;
  const c = coalesce(outShape, strides);
  const n = c.shape.length;
  if (n === 0) {
    visit(0, strides.map(() => 0), 1, strides.map(() => 0));
    return;
  }
  const length = c.shape[n - 1]!;
  const inner = c.strides.map((s) => s[n - 1]!);
  let rows = 1;
  for (let ax = 0; ax < n - 1; ax++) rows *= c.shape[ax]!;
  const idx = new Array<number>(n).fill(0);
  const offsets = strides.map(() => 0);
  const m = strides.length;
  for (let r = 0; r < rows; r++) {
    visit(r * length, offsets, length, inner);
    for (let ax = n - 2; ax >= 0; ax--) {
      idx[ax]!++;
      for (let k = 0; k < m; k++) offsets[k]! += c.strides[k]![ax]!;
      if (idx[ax]! < c.shape[ax]!) break;
      for (let k = 0; k < m; k++) offsets[k]! -= c.strides[k]![ax]! * c.shape[ax]!;
      idx[ax] = 0;
    }
  }
}

/**
 * Calls `visit(outIndex, offsets)` for every output element in row-major order,
 * with the matching flat offset into each input (given by its strides).
 * Convenient but slow (a call per element): hot kernels use `forEachRow`.
 */
export function forEachStrided(outShape: Shape, strides: number[][], visit: (i: number, offsets: number[]) => void): void {
  const current = strides.map(() => 0);
  forEachRow(outShape, strides, (start, offsets, length, inner) => {
    for (let j = 0; j < length; j++) {
      for (let k = 0; k < current.length; k++) current[k] = offsets[k]! + j * inner[k]!;
      visit(start + j, current);
    }
  });
}

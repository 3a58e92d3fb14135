/**
 * Row iteration for strided kernels: the output (row-major, contiguous) is
 * walked one innermost row at a time, with each input's offset at the row
 * start and its stride along the row. Adjacent axes that every input can
 * traverse as one (contiguous, or broadcast on both) are merged first, so
 * `[128, 512] + [512]` is 128 rows of 512 and `[4, 5] + [4, 5]` one row of 20.
 * Work per element is then a plain loop the JIT can keep monomorphic; the
 * bookkeeping costs O(rank) per row, not per element.
 */
import { stridesOf as contiguousStrides } from "../../core/shape.js";

export interface Rows {
  /** Merged output shape (last axis = the row). */
  shape: number[];
  /** Per input, merged strides (elements). */
  strides: number[][];
}

/** Merges axes of `shape` where every stride vector is contiguous across the pair. */
export function mergeAxes(shape: readonly number[], strides: readonly (readonly number[])[]): Rows {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let ax = 0; ax < shape.length; ax++) {
    const d = shape[ax]!;
    if (d === 1) continue; // size-1 axes never move any offset
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[ax]! * d);
    if (mergeable) {
      outShape[last]! *= d;
      strides.forEach((s, k) => (outStrides[k]![last] = s[ax]!));
    } else {
      outShape.push(d);
      strides.forEach((s, k) => outStrides[k]!.push(s[ax]!));
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    outStrides.forEach((s) => s.push(0));
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Calls `row(outOffset, inOffsets, length)` for every innermost row of the
 * output of shape `shape`, inputs given by their strides in that shape
 * (0 on broadcast axes). `inOffsets` is reused between calls.
 */
export function forEachRow(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  row: (out: number, offsets: number[], length: number, rowStrides: number[]) => void,
): void {
  let size = 1;
  for (const d of shape) size *= d;
  if (size === 0) return;
  const m = mergeAxes(shape, strides);
  const rank = m.shape.length;
  const n = m.shape[rank - 1]!;
  const rowStrides = m.strides.map((s) => s[rank - 1]!);
  const offsets = m.strides.map(() => 0);
  const idx = new Array<number>(rank - 1).fill(0);
  const rows = size / n;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    row(o, offsets, n, rowStrides);
    for (let ax = rank - 2; ax >= 0; ax--) {
      idx[ax]!++;
      for (let k = 0; k < offsets.length; k++) offsets[k]! += m.strides[k]![ax]!;
      if (idx[ax]! < m.shape[ax]!) break;
      for (let k = 0; k < offsets.length; k++) offsets[k]! -= m.strides[k]![ax]! * m.shape[ax]!;
      idx[ax] = 0;
    }
  }
}

export { contiguousStrides };

/** Strides of `inShape` read at `outShape` under NumPy broadcasting (0 on broadcast axes). */
export function broadcastStridesOf(inShape: readonly number[], outShape: readonly number[]): number[] {
  const s = contiguousStrides(inShape);
  const out = new Array<number>(outShape.length).fill(0);
  const off = outShape.length - inShape.length;
  for (let i = 0; i < inShape.length; i++) out[i + off] = inShape[i] === 1 ? 0 : s[i]!;
  return out;
}

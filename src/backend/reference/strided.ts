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
 * Calls `visit(outIndex, offsets)` for every output element in row-major order,
 * with the matching flat offset into each input (given by its strides).
 */
export function forEachStrided(outShape: Shape, strides: number[][], visit: (i: number, offsets: number[]) => void): void {
  const n = outShape.length;
  let size = 1;
  for (const d of outShape) size *= d;
  if (size === 0) return;
  const idx = new Array<number>(n).fill(0);
  const offsets = strides.map(() => 0);
  for (let i = 0; i < size; i++) {
    visit(i, offsets);
    for (let ax = n - 1; ax >= 0; ax--) {
      idx[ax]!++;
      for (let k = 0; k < strides.length; k++) offsets[k]! += strides[k]![ax]!;
      if (idx[ax]! < outShape[ax]!) break;
      for (let k = 0; k < strides.length; k++) offsets[k]! -= strides[k]![ax]! * outShape[ax]!;
      idx[ax] = 0;
    }
  }
}

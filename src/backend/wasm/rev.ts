/**
 * rev (reverse the order along some axes) as a row walk over strides, read
 * straight from a deferred transpose's storage when the operand is one: the
 * conv input gradient reverses the transposed weight [C, O, kh, kw] →
 * flipped, and materializing that transpose first cost as much as the rev.
 * Reversed axes get negative strides and still merge (a flipped kh×kw
 * window is one row of kh·kw elements read backwards), so the loop runs
 * over rows, not elements.
 *
 *   revStrided(w.data, [3, 1], [2, 3], [1], "float32") // w [2, 3] with each row reversed
 */
import { allocateUninitialized, type DType, type TypedArray } from "../../core/dtype.js";
import { mergeAxes } from "./rows.js";

/** out[i] = src[base + Σ i_a·s_a], s_a = −strides[a] on reversed axes (base = their far ends). */
export function revStrided(src: TypedArray, strides: readonly number[], shape: readonly number[], axes: readonly number[], dtype: DType): TypedArray {
  let base = 0, n = 1;
  const s = shape.map((d, a) => {
    n *= d;
    if (!axes.includes(a) || d === 0) return strides[a]!;
    base += (d - 1) * strides[a]!;
    return -strides[a]!;
  });
  const dst = allocateUninitialized(dtype, n);
  if (n === 0) return dst;
  // An odometer over the merged outer axes, the row loop inline (a callback per row cost 0.4 µs a row).
  const m = mergeAxes(shape, [s]);
  const rank = m.shape.length, len = m.shape[rank - 1]!, step = m.strides[0]![rank - 1]!;
  const dims = m.shape, st = m.strides[0]!, idx = new Array<number>(rank).fill(0);
  for (let o = 0, p = base; o < n; o += len) {
    for (let j = 0, q = p; j < len; j++, q += step) dst[o + j] = src[q]!;
    for (let a = rank - 2; a >= 0; a--) {
      p += st[a]!;
      if (++idx[a]! < dims[a]!) break;
      p -= st[a]! * dims[a]!;
      idx[a] = 0;
    }
  }
  return dst;
}

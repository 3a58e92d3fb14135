/**
 * A deferred transpose of any axes: "this stored array, of shape `base`,
 * with its axes permuted by `perm`", possibly reshaped afterwards, without
 * moving data. Kernels that read operands through strides take `strides`
 * (the element step of each logical axis; null when a reshape merged axes
 * that are not consecutive in storage); every other kernel asks for
 * `view()` and gets the logical tensor materialized once and cached (the
 * transpose it would have paid anyway).
 *
 * What reads it: the convolution weight gradient's batch-as-channel
 * convolution of xᵀ and ctᵀ (primitives/conv.ts), computed as an implicit
 * GEMM straight from x and ct (conv-implicit.ts), so neither [N, C, ...] →
 * [C, N, ...] transpose is written.
 *
 *   t = TransposeView.of(x, [2, 3, 4], [1, 0, 2], "float32") // shape [3, 2, 4], strides [4, 12, 1]
 */
import type { DType, TypedArray } from "../../core/dtype.js";
import { DeferredView, type MaterializedCache } from "./deferred-view.js";
import { transposeWasm } from "./ew.js";
import { transposeFast } from "./js-kernels.js";

const rowMajor = (shape: readonly number[]) => {
  const s = new Array<number>(shape.length);
  let step = 1;
  for (let a = shape.length - 1; a >= 0; a--) (s[a] = step), (step *= shape[a]!);
  return s;
};

export class TransposeView extends DeferredView {
  private constructor(
    stored: TypedArray,
    private readonly base: readonly number[],
    private readonly perm: readonly number[],
    shape: readonly number[],
    dtype: DType,
    readonly strides: readonly number[] | null,
    cache?: MaterializedCache, // shared with its reshapes (same row-major data)
  ) {
    super(stored, shape, dtype, cache);
  }

  /** `stored` (row-major, shape `base`) with its axes permuted by `perm`. */
  static of(stored: TypedArray, base: readonly number[], perm: readonly number[], dtype: DType): TransposeView {
    const s = rowMajor(base);
    return new TransposeView(stored, base, perm, perm.map((p) => base[p]!), dtype, perm.map((p) => s[p]!));
  }

  /**
   * The same elements under another shape (a reshape keeps row-major order,
   * so the materialized data is the same); strides survive when the reshape
   * only drops or inserts axes of size 1.
   */
  reshaped(shape: readonly number[]): TransposeView {
    this.check();
    const kept = (xs: readonly number[]) => xs.map((d, a) => [d, a] as const).filter(([d]) => d !== 1);
    const from = kept(this.shape), to = kept(shape);
    let strides: number[] | null = null;
    if (this.strides && from.length === to.length && from.every(([d], i) => d === to[i]![0])) {
      strides = shape.map(() => 0);
      to.forEach(([, a], i) => (strides![a] = this.strides![from[i]![1]]!));
    }
    return new TransposeView(this.stored, this.base, this.perm, shape, this.dtype, strides, this.cache);
  }

  restored(stored: TypedArray): TransposeView {
    this.check();
    return new TransposeView(stored, this.base, this.perm, this.shape, this.dtype, this.strides);
  }

  protected materialize(): TypedArray {
    const x = { data: this.stored, shape: this.base, dtype: this.dtype };
    const out = { shape: this.perm.map((p) => this.base[p]!), dtype: this.dtype };
    return transposeWasm(x, this.perm, out) ?? transposeFast(x, this.perm, out);
  }
}

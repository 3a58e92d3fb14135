/**
 * A buffer that holds "the source with its last two axes swapped" without
 * moving data. `dot` reads it through swapped strides (the VJP of matmul is
 * A·Bᵀ and Aᵀ·B, each through a `transpose`); any other kernel that asks for
 * its `view()` gets the transpose materialized once and cached.
 */
import type { DType, TypedArray } from "../../core/dtype.js";
import type { Buffer } from "../../core/tensor.js";
import { transposeFast } from "./js-kernels.js";

export class TransposedBuffer implements Buffer {
  private materialized: TypedArray | null = null;
  private disposed = false;

  /**
   * `source` (the storage itself, not its Buffer: disposing the source tensor
   * must not break this one) has shape `sourceShape`; this buffer is its
   * transpose over the last two axes.
   */
  constructor(
    private readonly source: TypedArray,
    readonly sourceShape: readonly number[],
    readonly dtype: DType,
  ) {}

  /** The untransposed storage, for kernels that take strides. */
  sourceView(): TypedArray {
    this.check();
    return this.source;
  }

  view(): TypedArray {
    this.check();
    if (this.materialized === null) {
      const n = this.sourceShape.length;
      const perm = this.sourceShape.map((_, i) => i);
      perm[n - 2] = n - 1;
      perm[n - 1] = n - 2;
      const outShape = perm.map((p) => this.sourceShape[p]!);
      this.materialized = transposeFast({ data: this.source, shape: this.sourceShape, dtype: this.dtype }, perm, { shape: outShape, dtype: this.dtype });
    }
    return this.materialized;
  }

  read(): TypedArray {
    return this.view().slice();
  }

  dispose(): void {
    this.disposed = true;
    this.materialized = null;
  }

  private check(): void {
    if (this.disposed) throw new Error("buffer already freed");
  }
}

/** True when `perm` swaps the last two axes and keeps the others in place. */
export function isMatrixTranspose(perm: readonly number[]): boolean {
  const n = perm.length;
  if (n < 2 || perm[n - 2] !== n - 1 || perm[n - 1] !== n - 2) return false;
  for (let i = 0; i < n - 2; i++) if (perm[i] !== i) return false;
  return true;
}

/**
 * A deferred view of stacked matrices: "these stored matrices, transposed
 * and/or one matrix shared by every batch item", without moving data. It is
 * what `transpose` (last two axes) and `broadcast_to` (leading axes only)
 * return for float tensors on the wasm backend, because `dot` can read both
 * for free: a transpose through swapped strides, a broadcast through a batch
 * stride of 0. That covers matmul's VJP (A·Bᵀ, Aᵀ·B) and `[B, T, C] @ [C, D]`
 * (whose weight the ops layer broadcasts to [B, C, D]). Any other kernel that
 * asks for `view()` gets the logical tensor materialized once and cached.
 *
 * The stored data is the source tensor's own storage, shared (tensors never
 * write into their storage; jit's buffer reuse knows these primitives alias
 * their input, see transforms/compile/executable.ts).
 */
import type { DType, TypedArray } from "../../core/dtype.js";
import { DeferredView } from "./deferred-view.js";
import { transposeMatrices } from "./ew.js";
import { broadcastToFast, transposeFast } from "./js-kernels.js";

export class MatrixView extends DeferredView {

  /**
   * @param stored row-major matrices: one if `shared`, else one per batch item
   * @param shape the logical shape [...batch, R, C] the tensor has
   * @param transposed each logical matrix is its stored matrix transposed (stored C×R)
   * @param shared one stored matrix serves every batch item
   */
  constructor(
    stored: TypedArray,
    shape: readonly number[],
    dtype: DType,
    readonly transposed: boolean,
    readonly shared: boolean,
  ) {
    super(stored, shape, dtype);
  }

  /** The same matrices with the last two logical axes swapped. */
  transpose(shape: readonly number[]): MatrixView {
    this.check();
    return new MatrixView(this.stored, shape, this.dtype, !this.transposed, this.shared);
  }

  restored(stored: TypedArray): MatrixView {
    this.check();
    return new MatrixView(stored, this.shape, this.dtype, this.transposed, this.shared);
  }

  /** The same matrices broadcast over new leading axes (only from a single matrix). */
  broadcast(shape: readonly number[]): MatrixView | null {
    this.check();
    if (!this.shared && batchOf(this.shape) !== 1) return null;
    return new MatrixView(this.stored, shape, this.dtype, this.transposed, true);
  }

  protected materialize(): TypedArray {
    const n = this.shape.length;
    const R = this.shape[n - 2]!, C = this.shape[n - 1]!;
    const count = this.shared ? 1 : batchOf(this.shape);
    let data = this.stored;
    if (this.transposed) {
      data = transposeMatrices(data, count, C, R, this.dtype)
        ?? transposeFast({ data, shape: [count, C, R], dtype: this.dtype }, [0, 2, 1], { shape: [count, R, C], dtype: this.dtype });
    } else {
      data = data.slice();
    }
    if (this.shared && batchOf(this.shape) !== 1) {
      data = broadcastToFast({ data, shape: [1, R, C], dtype: this.dtype }, { shape: [batchOf(this.shape), R, C], dtype: this.dtype });
    }
    return data;
  }
}

export function batchOf(shape: readonly number[]): number {
  let b = 1;
  for (let i = 0; i < shape.length - 2; i++) b *= shape[i]!;
  return b;
}

/** True when `perm` swaps the last two axes and keeps the others in place. */
export function isMatrixTranspose(perm: readonly number[]): boolean {
  const n = perm.length;
  if (n < 2 || perm[n - 2] !== n - 1 || perm[n - 1] !== n - 2) return false;
  for (let i = 0; i < n - 2; i++) if (perm[i] !== i) return false;
  return true;
}

/** True when broadcasting `from` to `to` only adds or stretches axes before the last two. */
export function isBatchBroadcast(from: readonly number[], to: readonly number[]): boolean {
  const n = to.length;
  if (n < 3 || from.length < 2) return false;
  const m = from.length;
  if (from[m - 1] !== to[n - 1] || from[m - 2] !== to[n - 2]) return false;
  for (let i = 0; i < m - 2; i++) if (from[i] !== 1) return false;
  return batchOf(to) > 1;
}

/**
 * What the wasm backend's deferred views share (lazy.ts's MatrixView,
 * lazy-transpose.ts's TransposeView): a tensor that is "this stored array,
 * read another way", so kernels that take strides read it without moving
 * data, and every other kernel gets it materialized once and cached.
 */
import { outsideCallStorage, type DType, type TypedArray } from "../../core/dtype.js";
import type { Buffer } from "../../core/tensor.js";
import { getRuntime } from "./runtime.js";

/** The materialized elements; a view and the views derived from it that hold the same row-major data share one. */
export interface MaterializedCache {
  data: TypedArray | null;
}

export abstract class DeferredView implements Buffer {
  private disposed = false;

  protected constructor(
    protected readonly stored: TypedArray,
    readonly shape: readonly number[],
    readonly dtype: DType,
    protected cache: MaterializedCache = { data: null },
  ) {}

  /** The stored array, for kernels that read it through strides. */
  source(): TypedArray {
    this.check();
    return this.stored;
  }

  /** The same view of a copy of the stored array (moved out of the call arena, arena.ts). */
  abstract restored(stored: TypedArray): DeferredView;

  /** The logical tensor, row-major, in a new array. */
  protected abstract materialize(): TypedArray;

  view(): TypedArray {
    this.check();
    if (this.cache.data === null) {
      // The cache lives as long as this view, which may outlive a compiled
      // call: in the call arena only when the stored data is there too.
      this.cache.data = getRuntime().inCallArena(this.stored) ? this.materialize() : outsideCallStorage(() => this.materialize());
    }
    return this.cache.data;
  }

  read(): TypedArray {
    return this.view().slice();
  }

  storage(): TypedArray[] {
    return this.cache.data ? [this.stored, this.cache.data] : [this.stored];
  }

  dispose(): void {
    this.disposed = true;
    this.cache = { data: null }; // views derived from this one keep the shared cache
  }

  protected check(): void {
    if (this.disposed) throw new Error("buffer already freed");
  }
}

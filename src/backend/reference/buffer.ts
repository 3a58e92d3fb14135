import type { TypedArray } from "../../core/dtype.js";
import type { Buffer } from "../../core/tensor.js";

/** Storage in a JS TypedArray, owned by V8's garbage collector. */
export class ArrayBuffer_ implements Buffer {
  constructor(private data: TypedArray | null) {}

  read(): TypedArray {
    return this.view().slice();
  }

  view(): TypedArray {
    if (this.data === null) throw new Error("buffer already freed");
    return this.data;
  }

  dispose(): void {
    this.data = null;
  }

  storage(): TypedArray[] {
    return this.data ? [this.data] : [];
  }
}

/**
 * The wasm backend's call arena (spec.ts `CallArena`): while a compiled `jit`
 * call runs, the storage kernels allocate for their results
 * (`allocateUninitialized`) is carved from the Wasm memory itself
 * (runtime.ts), so the next kernel reads it where it lies instead of copying
 * it in, and writes its own result there instead of copying it out. A
 * training step's activations, gradients and optimizer temporaries never
 * leave Wasm memory; only the step's outputs are copied into GC-owned arrays
 * when the call returns, and the whole arena is released (docs/memory.md).
 *
 * Nothing outside the call can see arena storage: outputs are detached, and
 * caches kept on tensors the caller owns are made outside it (lazy.ts).
 *
 * Donated inputs (jit's `donateArgnums`) go further: the call moves each
 * into a kept block (runtime.ts), the program writes the new state over it
 * in place, and the result keeps that block. From the second step on,
 * parameters and optimizer state stay in Wasm memory and cross no boundary.
 * A kept block is freed when its array is garbage-collected.
 */
import { allocateUninitialized, outsideCallStorage, setCallStorage, viewOf, type DType, type TypedArray } from "../../core/dtype.js";
import type { Buffer } from "../../core/tensor.js";
import { ArrayBuffer_ } from "../reference/buffer.js";
import type { CallArena } from "../spec.js";
import { DeferredView } from "./deferred-view.js";
import { getRuntime } from "./runtime.js";

/** Compiled calls under way (scan/cond/while bodies run inside their caller's call). */
let depth = 0;

/** `allocateUninitialized` while a call runs: a block of the arena, or null when it is full. */
function fromArena(dtype: DType, size: number, bytes: number): TypedArray | null {
  const rt = getRuntime();
  const at = rt.reserveResident(bytes);
  return at === null ? null : viewOf(dtype, rt.memory.buffer, at, size);
}

export const wasmCallArena: CallArena = {
  enter(): boolean {
    if (depth++ > 0) return false;
    setCallStorage(fromArena);
    return true;
  },

  exit(): void {
    if (--depth > 0) return;
    setCallStorage(null);
    getRuntime().releaseResident();
  },

  detach(buffer: Buffer, dtype: DType): Buffer {
    const rt = getRuntime();
    if (buffer instanceof DeferredView) {
      const stored = buffer.source();
      return rt.inCallArena(stored) ? buffer.restored(copyOutside(stored, dtype)) : buffer;
    }
    const data = buffer.view();
    return rt.inCallArena(data) ? new ArrayBuffer_(copyOutside(data, dtype)) : buffer;
  },

  adopt(buffer: Buffer, dtype: DType): Buffer {
    if (buffer instanceof DeferredView) return buffer;
    const data = buffer.view();
    const rt = getRuntime();
    if (rt.residentAddress(data) >= 0 || data.byteLength <= KEEP_MIN_BYTES) return buffer;
    const kept = rt.keep(data.byteLength, (memory, at) => viewOf(dtype, memory, at, data.length));
    if (!kept) return buffer;
    kept.set(data);
    return new ArrayBuffer_(kept);
  },
};

/** Smaller state stays in JS arrays (copying it is cheap; a block would waste most of its 64 bytes). */
const KEEP_MIN_BYTES = 2048;

/** `a` copied into GC-owned storage (pooled when a buffer of its size is free). */
function copyOutside(a: TypedArray, dtype: DType): TypedArray {
  const copy = outsideCallStorage(() => allocateUninitialized(dtype, a.length));
  copy.set(a);
  return copy;
}

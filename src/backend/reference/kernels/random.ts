/** Reference kernel of `random_bits`: Threefry-2x32 over counters (salt, block). */
import type { TypedArray } from "../../../core/dtype.js";
import { sizeOf } from "../../../core/shape.js";
import type { Aval } from "../../../core/tensor.js";
import type { KernelInput, PrimParams } from "../../spec.js";
import { threefry2x32 } from "./threefry.js";

/**
 * For each key (the input is [...K, 2]) fills `shape` in row-major order:
 * element i is word (i mod 2) of threefry2x32(key, (salt, floor(i / 2))).
 */
export function randomBitsKernel([key]: KernelInput[], { shape, salt }: PrimParams["random_bits"], [out]: Aval[]): TypedArray[] {
  const perKey = sizeOf(shape);
  const keys = key!.data;
  const nKeys = keys.length / 2;
  const dst = new Int32Array(sizeOf(out!.shape));
  const block = new Int32Array(2);
  for (let k = 0; k < nKeys; k++) {
    const k0 = keys[2 * k]!;
    const k1 = keys[2 * k + 1]!;
    const base = k * perKey;
    const full = perKey - (perKey % 2);
    for (let i = 0; i < full; i += 2) threefry2x32(k0, k1, salt, i / 2, dst, base + i);
    if (full < perKey) {
      threefry2x32(k0, k1, salt, full / 2, block);
      dst[base + full] = block[0]!;
    }
  }
  return [dst];
}

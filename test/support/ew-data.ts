/** Inputs and the bit-for-bit check of the elementwise-kernel tests (wasm-ew, wasm-ew-split). */
import { expect } from "vitest";
import { allocate, type DType, type TypedArray } from "../../src/core/dtype.js";
import type { KernelInput } from "../../src/backend/spec.js";

/** Random values with exact ties, zeros of both signs, NaN and ±Infinity for floats. */
export function edgyInput(rand: () => number, shape: readonly number[], dtype: DType): KernelInput {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (dtype === "bool") data[i] = r < 0.5 ? 1 : 0;
    else if (dtype === "uint8") data[i] = r < 0.5 ? 0 : Math.floor(r * 255);
    else if (dtype === "int32") data[i] = Math.floor((r - 0.5) * 2 ** 31);
    else data[i] = r < 0.04 ? [NaN, Infinity, -Infinity, -0, 0][Math.floor(r * 125)]! : r < 0.15 ? Math.round(r * 20) - 1 : (rand() - 0.5) * 8;
  }
  return { data, shape: [...shape], dtype };
}

/** `got` is `want` element for element (Object.is: −0 and NaN count), of the same array type. */
export function expectSame(got: TypedArray | null, want: TypedArray, what: string): void {
  expect(got, `${what}: the Wasm kernel declined`).not.toBeNull();
  expect(got!.constructor, what).toBe(want.constructor);
  expect(got!.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got![i], want[i])) expect.fail(`${what}: element ${i} is ${got![i]}, reference ${want[i]}`);
  }
}

/**
 * Deferred transposes on the wasm backend (backend/wasm/lazy-transpose.ts):
 * strides through reshapes, materialization, the cache a view shares with
 * its reshapes, and transposed values used by other kernels, returned from
 * `jit` (out of the call arena) and read after later calls.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tensorBytes } from "./support/numeric.js";
import * as fx from "../src/index.js";
import type { Tensor } from "../src/core/tensor.js";
import { TransposeView } from "../src/backend/wasm/lazy-transpose.js";
import { wasmFeatures } from "../src/backend/wasm/features.js";
import { arenaConfig } from "../src/backend/wasm/runtime.js";

let seed = 17;
const rand = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const data = (n: number) => Float64Array.from({ length: n }, () => rand() * 2 - 1);

/** The transpose by definition: out[i] = x[Σ index_a·stride[perm[a]]]. */
function transposeNaive(x: ArrayLike<number>, shape: number[], perm: number[]): number[] {
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((p, d) => p * d, 1));
  const outShape = perm.map((p) => shape[p]!);
  const n = shape.reduce((p, d) => p * d, 1);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let rest = i, src = 0;
    for (let a = outShape.length - 1; a >= 0; a--) {
      src += (rest % outShape[a]!) * strides[perm[a]!]!;
      rest = Math.floor(rest / outShape[a]!);
    }
    out.push(x[src]!);
  }
  return out;
}

describe("TransposeView", () => {
  it("shape, strides, materialized elements, and strides through reshapes that only drop or insert 1s", () => {
    const x = data(2 * 3 * 4 * 5);
    const t = TransposeView.of(x, [2, 3, 4, 5], [2, 0, 1, 3], "float64");
    expect(t.shape).toEqual([4, 2, 3, 5]);
    expect(t.strides).toEqual([5, 60, 20, 1]);
    expect(Array.from(t.view())).toEqual(transposeNaive(x, [2, 3, 4, 5], [2, 0, 1, 3]));
    // Every logical element is where the strides say.
    const v = t.view();
    for (let i = 0; i < 4; i++) for (let j = 0; j < 2; j++) for (let k = 0; k < 3; k++) for (let l = 0; l < 5; l++) {
      expect(x[i * 5 + j * 60 + k * 20 + l]).toBe(v[((i * 2 + j) * 3 + k) * 5 + l]);
    }
    const r = t.reshaped([4, 1, 2, 3, 1, 5]);
    expect(r.strides).toEqual([5, 0, 60, 20, 0, 1]);
    expect(r.reshaped([4, 2, 3, 5]).strides).toEqual([5, 60, 20, 1]);
    expect(t.reshaped([8, 15]).strides).toBeNull(); // merged axes not consecutive in storage
    expect(Array.from(t.reshaped([8, 15]).view())).toEqual(Array.from(v));
  });

  it("a reshape shares the materialized cache; a restored view and a disposed one do not", () => {
    const x = data(24);
    const t = TransposeView.of(x, [2, 3, 4], [1, 0, 2], "float64");
    const r = t.reshaped([3, 1, 2, 4]);
    const v = r.view();
    expect(t.view()).toBe(v);
    expect(t.storage()).toEqual([x, v]);
    const copy = t.restored(x.slice());
    expect(copy.view()).not.toBe(v);
    expect(Array.from(copy.view())).toEqual(Array.from(v));
    t.dispose();
    expect(() => t.view()).toThrow("freed");
    expect(r.view()).toBe(v);
  });
});

const bits = tensorBytes;

describe.skipIf(!wasmFeatures().simd)("deferred transposes on the wasm backend", () => {
  let previous = "";
  beforeAll(() => {
    previous = fx.getBackend().name;
    fx.setBackend("wasm");
  });
  afterAll(() => {
    arenaConfig.maxBytes = arenaConfig.defaultMaxBytes;
    fx.setBackend(previous);
  });

  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: transposed values read by other kernels, eager and jit, match the definition`, () => {
      const shape = [3, 4, 5, 6];
      const x0 = data(360);
      const x = fx.tensor(Array.from(x0), { shape, dtype });
      const f = (t: Tensor) => {
        const a = fx.transpose(t.mul(2), [2, 0, 1, 3]); // deferred
        const b = a.reshape([5, 12, 6]).add(1); // through reshape, then materialized
        const c = fx.transpose(a, [1, 0, 2, 3]).sum(0); // a deferred view transposed again
        return [a, b, c, fx.matmul(a.reshape([60, 6]), fx.transpose(a.reshape([60, 6])))] as const;
      };
      const want = transposeNaive(Array.from(x.data()).map((v) => v * 2), shape, [2, 0, 1, 3]);
      for (const g of [f, fx.jit(f)]) {
        const [a, b, c, d] = g(x) as unknown as Tensor[];
        const tol = dtype === "float32" ? 1e-5 : 1e-12;
        Array.from(a!.data()).forEach((v, i) => expect(v).toBe(want[i]));
        Array.from(b!.data()).forEach((v, i) => expect(Math.abs(v - (want[i]! + 1))).toBeLessThan(tol));
        // c = Σ over the first axis of aᵀ [3, 5, 4, 6].
        const aT = transposeNaive(want, [5, 3, 4, 6], [1, 0, 2, 3]);
        expect(c!.shape).toEqual([5, 4, 6]);
        Array.from(c!.data()).forEach((v, m) => expect(Math.abs(v - (aT[m]! + aT[120 + m]! + aT[240 + m]!))).toBeLessThan(tol * 10));
        expect(d!.shape).toEqual([60, 60]);
        const dd = d!.data();
        for (const [i, j] of [[0, 0], [7, 59], [33, 12]] as const) {
          const dot = [0, 1, 2, 3, 4, 5].reduce((s, k) => s + want[i * 6 + k]! * want[j * 6 + k]!, 0);
          expect(Math.abs(dd[i * 60 + j]! - dot)).toBeLessThan(tol * 10);
        }
      }
    });
  }

  it("a transposed result of a jitted call survives later calls (moved out of the arena) and equals eager", () => {
    for (const maxBytes of [arenaConfig.defaultMaxBytes, 0]) {
      arenaConfig.maxBytes = maxBytes;
      // Large enough that t·3 runs in Wasm and lands in the arena.
      const f = fx.jit((t: Tensor) => fx.transpose(t.mul(3), [1, 0, 2]).reshape([16, 1, 8, 40]));
      const x = fx.tensor(Array.from(data(5120)), { shape: [8, 16, 40] });
      const first = f(x);
      const want = bits(fx.transpose(x.mul(3), [1, 0, 2]).reshape([16, 1, 8, 40]));
      for (let i = 0; i < 3; i++) f(fx.tensor(Array.from(data(5120)), { shape: [8, 16, 40] }));
      expect(bits(first)).toEqual(want);
    }
  });
});

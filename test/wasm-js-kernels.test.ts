import { describe, expect, it } from "vitest";
import { allocate, type DType, type TypedArray } from "../src/core/dtype.js";
import { referenceKernels } from "../src/backend/reference/kernels.js";
import type { KernelInput } from "../src/backend/spec.js";
import { binaryFast, broadcastToFast, compareFast, reduceFast, selectFast, transposeFast, unaryFast } from "../src/backend/wasm/js-kernels.js";
import { mergeAxes } from "../src/backend/wasm/rows.js";

let seed = 7;
function rand(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
}

/** Random values with some exact ties, zeros of both signs, and (for floats) NaN and ±Infinity. */
function input(shape: number[], dtype: DType, specials = true): KernelInput {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (dtype === "bool") data[i] = r < 0.5 ? 1 : 0;
    else if (dtype === "float32" || dtype === "float64") {
      data[i] = specials && r < 0.03 ? [NaN, Infinity, -Infinity, -0, 0][Math.floor(r * 166)]! : r < 0.15 ? Math.round(r * 20) - 1 : (rand() - 0.5) * 8;
    } else data[i] = Math.floor(r * 10) - (dtype === "uint8" ? 0 : 5);
  }
  return { data, shape, dtype };
}

function same(got: TypedArray | null, want: TypedArray, what: string): void {
  expect(got, what).not.toBeNull();
  expect(got!.constructor, what).toBe(want.constructor);
  expect(got!.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got![i], want[i])) expect.fail(`${what}: element ${i} is ${got![i]}, reference ${want[i]}`);
  }
}

/** Broadcast-compatible operand shapes for `out`: some axes dropped or set to 1. */
function broadcastShape(out: number[]): number[] {
  const drop = Math.floor(rand() * (out.length + 1));
  return out.slice(drop).map((d) => (rand() < 0.35 ? 1 : d));
}

function randomShape(maxRank = 4): number[] {
  const rank = Math.floor(rand() * (maxRank + 1));
  return Array.from({ length: rank }, () => [0, 1, 1, 2, 3, 5, 7, 16][Math.floor(rand() * 8)]!);
}

const broadcastOut = (a: number[], b: number[]) => {
  const r = Math.max(a.length, b.length);
  const pa = [...Array(r - a.length).fill(1), ...a], pb = [...Array(r - b.length).fill(1), ...b];
  return pa.map((d, i) => (d === 1 ? pb[i]! : d));
};

describe("row merging", () => {
  it("merges contiguous axes and keeps broadcast ones apart", () => {
    expect(mergeAxes([4, 5], [[5, 1], [5, 1]])).toEqual({ shape: [20], strides: [[1], [1]] });
    expect(mergeAxes([128, 512], [[512, 1], [0, 1]])).toEqual({ shape: [128, 512], strides: [[512, 1], [0, 1]] });
    expect(mergeAxes([2, 1, 3], [[3, 0, 1]])).toEqual({ shape: [6], strides: [[1]] });
    expect(mergeAxes([], [[]])).toEqual({ shape: [1], strides: [[0]] });
  });
});

describe("fast JS kernels are bit-identical to the reference", () => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`binary add/sub/mul/div/max/min with broadcasting (${dtype})`, () => {
      for (let trial = 0; trial < 60; trial++) {
        const out = randomShape();
        const [sa, sb] = trial % 3 === 0 ? [out, broadcastShape(out)] : [broadcastShape(out), out];
        const a = input(sa, dtype), b = input(sb, dtype);
        const o = { shape: broadcastOut(sa, sb), dtype };
        for (const name of ["add", "sub", "mul", "div", "max", "min"] as const) {
          same(binaryFast(name, a, b, o), referenceKernels[name]([a, b], {}, [o])[0]!, `${name} ${dtype} [${sa}] [${sb}]`);
        }
      }
    });

    it(`max/min on signed zeros, NaN and infinities (${dtype})`, () => {
      const vals = [-0, 0, NaN, Infinity, -Infinity, 1, -1];
      const xs: number[] = [], ys: number[] = [];
      for (const x of vals) for (const y of vals) xs.push(x), ys.push(y);
      const Type = dtype === "float32" ? Float32Array : Float64Array;
      const a = { data: Type.from(xs), shape: [xs.length], dtype }, b = { data: Type.from(ys), shape: [ys.length], dtype };
      const o = { shape: [xs.length], dtype };
      for (const name of ["max", "min"] as const) same(binaryFast(name, a, b, o), referenceKernels[name]([a, b], {}, [o])[0]!, `${name} specials`);
    });

    it(`unary activations (${dtype})`, () => {
      const x = input([3, 37], dtype);
      for (const name of ["neg", "exp", "log", "sqrt", "tanh", "abs", "logistic"] as const) {
        const o = { shape: [3, 37], dtype };
        same(unaryFast(name, x, o), referenceKernels[name]([x], {}, [o])[0]!, `${name} ${dtype}`);
      }
    });

    it(`reductions over random axes (${dtype})`, () => {
      for (let trial = 0; trial < 60; trial++) {
        const shape = randomShape();
        const axes = shape.map((_, i) => i).filter(() => rand() < 0.5);
        const x = input(shape, dtype, trial % 2 === 0);
        const o = { shape: shape.filter((_, i) => !axes.includes(i)), dtype };
        for (const name of ["reduce_sum", "reduce_max", "reduce_min", "reduce_prod"] as const) {
          same(reduceFast(name, x, axes, o), referenceKernels[name]([x], { axes }, [o])[0]!, `${name} [${shape}] axes [${axes}]`);
        }
      }
    });
  }

  it("comparisons, select, transpose and broadcast_to on every dtype", () => {
    for (const dtype of ["float32", "float64", "int32", "uint8", "bool"] as const) {
      for (let trial = 0; trial < 25; trial++) {
        const out = randomShape();
        const sa = broadcastShape(out), sb = out;
        const a = input(sa, dtype), b = input(sb, dtype);
        const o = { shape: broadcastOut(sa, sb), dtype: "bool" as const };
        for (const name of ["eq", "ne", "lt", "le", "gt", "ge"] as const) {
          same(compareFast(name, a, b, o), referenceKernels[name]([a, b], {}, [o])[0]!, `${name} ${dtype}`);
        }
        const c = input(broadcastShape(out), "bool");
        const so = { shape: broadcastOut(broadcastOut(c.shape as number[], sa), sb), dtype };
        same(selectFast(c, a, b, so), referenceKernels.select([c, a, b], {}, [so])[0]!, `select ${dtype}`);

        const x = input(out, dtype);
        const perm = out.map((_, i) => i).sort(() => rand() - 0.5);
        const to = { shape: perm.map((p) => out[p]!), dtype };
        same(transposeFast(x, perm, to), referenceKernels.transpose([x], { perm }, [to])[0]!, `transpose ${dtype} [${out}] perm [${perm}]`);

        const small = input(broadcastShape(out), dtype);
        const bo = { shape: [2, ...out], dtype };
        same(broadcastToFast(small, bo), referenceKernels.broadcast_to([small], { shape: bo.shape }, [bo])[0]!, `broadcast_to ${dtype}`);
      }
    }
  });

  it("declines cases it does not take", () => {
    const i = input([4], "int32");
    expect(binaryFast("add", i, i, { shape: [4], dtype: "int32" })).toBeNull();
    expect(binaryFast("pow", input([4], "float32"), input([4], "float32"), { shape: [4], dtype: "float32" })).toBeNull();
    expect(unaryFast("erf", input([4], "float32"), { shape: [4], dtype: "float32" })).toBeNull();
    expect(reduceFast("reduce_sum", i, [0], { shape: [], dtype: "int32" })).toBeNull();
  });
});

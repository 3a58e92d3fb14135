/**
 * Implicit-GEMM convolution (backend/wasm/conv-implicit.ts) and the gather
 * GEMM under it (gemm-gather-kernel.ts): against the reference kernel on
 * random unpadded convolutions (1–3 spatial axes, strides, kernel dilation,
 * groups, cropping, odd and size-1 sizes, K across several depth blocks),
 * f32 and f64, one and two threads; and inside a jitted gradient, bit for
 * bit against eager, with the call arena large, tiny and absent.
 */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { tensorBytes } from "./support/numeric.js";
import * as fx from "../src/index.js";
import { givePooled } from "../src/core/storage-pool.js";
import type { ConvParams, KernelInput } from "../src/backend/spec.js";
import { convKernel } from "../src/backend/reference/kernels/conv.js";
import { randomInput, rng } from "./conv-reference.js";
import { convConfig, convGemm } from "../src/backend/wasm/conv.js";
import { convImplicitRows, implicitApplies } from "../src/backend/wasm/conv-implicit.js";
import { gemmConfig } from "../src/backend/wasm/gemm.js";
import { arenaConfig, getRuntime, setThreads } from "../src/backend/wasm/runtime.js";
import { wasmFeatures } from "../src/backend/wasm/features.js";
import type { Tensor } from "../src/core/tensor.js";

const rand = rng(4242);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
const input = (shape: number[], dtype: "float32" | "float64") => randomInput(rand, shape, dtype);

/** A random convolution without padding or input dilation (low or high side cropped by 1 sometimes). */
function randomUnpadded(dtype: "float32" | "float64", deep = false): { x: KernelInput; w: KernelInput; p: ConvParams; out: { shape: number[]; dtype: typeof dtype } } {
  const nd = deep ? 2 : pick([1, 2, 2, 3]);
  const G = pick([1, 1, 2, 3]);
  const N = pick([1, 2, 3, 5]), Cg = deep ? 3 : pick([1, 2, 3]), Og = pick([1, 2, 5, 9, 17]);
  // Sometimes a weight-gradient-like shape: a kernel nearly as big as the input; `deep` makes K = 3·11·11, over several depth blocks.
  const big = deep || (nd === 2 && rand() < 0.3);
  const k = Array.from({ length: nd }, () => (deep ? 11 : big ? pick([9, 11]) : pick([1, 2, 3, nd === 3 ? 2 : 5])));
  const p: ConvParams = {
    strides: Array.from({ length: nd }, () => pick([1, 1, 2, 3])),
    padding: Array.from({ length: nd }, () => [pick([0, 0, -1]), pick([0, 0, -1])] as [number, number]),
    lhsDilation: Array.from({ length: nd }, () => 1),
    rhsDilation: Array.from({ length: nd }, () => (big ? 1 : pick([1, 1, 2]))),
    groups: G,
  };
  const inSp = k.map((K, a) => (K - 1) * p.rhsDilation[a]! + 1 + 2 + pick([0, 1, 2, 5]) + (nd === 3 ? 0 : pick([0, 3])));
  const outSp = inSp.map((I, a) => Math.floor((I + p.padding[a]![0] + p.padding[a]![1] - ((k[a]! - 1) * p.rhsDilation[a]! + 1)) / p.strides[a]!) + 1);
  if (outSp.some((o) => o < 1)) return randomUnpadded(dtype, deep);
  return { x: input([N, G * Cg, ...inSp], dtype), w: input([G * Og, Cg, ...k], dtype), p, out: { shape: [N, G * Og, ...outSp], dtype } };
}

/** A NaN-filled buffer of the output's size in the storage pool: an element the kernel fails to write shows. */
function poisonPool(out: { shape: number[]; dtype: "float32" | "float64" }): void {
  const buf = new ArrayBuffer(out.shape.reduce((a, b) => a * b, 1) * (out.dtype === "float32" ? 4 : 8));
  new Uint8Array(buf).fill(0xff);
  givePooled(buf);
}

describe.skipIf(!wasmFeatures().simd).each([1, 2])("wasm implicit-GEMM conv vs reference, %i thread(s)", (threads) => {
  afterAll(() => {
    gemmConfig.parallelMinFlops = gemmConfig.defaultParallelMinFlops;
    convConfig.layout = null;
  });
  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: 60 random unpadded convolutions`, () => {
      setThreads(threads);
      gemmConfig.parallelMinFlops = 0;
      let deep = 0;
      for (let trial = 0; trial < 60; trial++) {
        const { x, w, p, out } = randomUnpadded(dtype, trial % 10 === 0);
        expect(implicitApplies(x.shape.slice(2), w.shape.slice(2), out.shape.slice(2), p)).toBe(true);
        const K = w.shape.slice(1).reduce((a, b) => a * b, 1);
        if (K > 256) deep++;
        const want = convKernel([x, w], p, [out])[0]!;
        poisonPool(out);
        const got = convImplicitRows([x, w], p, out)!;
        expect(got.length).toBe(want.length);
        const tol = (dtype === "float32" ? 2e-6 : 1e-14) * (K + 10);
        for (let i = 0; i < want.length; i++) {
          if (!(Math.abs(got[i]! - want[i]!) <= tol)) expect.fail(`trial ${trial} ${JSON.stringify(p)} x ${x.shape} w ${w.shape}: element ${i} ${got[i]} vs ${want[i]}`);
        }
        // Through the public entry point with the "rows" layout, the same numbers.
        convConfig.layout = "rows";
        expect(Array.from(convGemm([x, w], p, out)!)).toEqual(Array.from(got));
        convConfig.layout = null;
      }
      expect(deep).toBeGreaterThan(0);
    });
  }

  it("the weight gradient of a valid 3×3 conv (batch as channels, 3×3 output) matches", () => {
    setThreads(threads);
    gemmConfig.parallelMinFlops = 0;
    // As the VJP rule calls it for x [5, 7, 13, 12], ct [5, 10, 11, 10]: conv(xᵀ, ctᵀ) → [7, 10, 3, 3].
    const p: ConvParams = { strides: [1, 1], padding: [[0, 0], [0, 0]], lhsDilation: [1, 1], rhsDilation: [1, 1], groups: 1 };
    const x = input([7, 5, 13, 12], "float32"), w = input([10, 5, 11, 10], "float32");
    const out = { shape: [7, 10, 3, 3], dtype: "float32" as const };
    const want = convKernel([x, w], p, [out])[0]!;
    const got = convGemm([x, w], p, out)!;
    want.forEach((v, i) => expect(Math.abs(got[i]! - v), `element ${i}`).toBeLessThan(1e-4));
  });
});

describe.skipIf(!wasmFeatures().simd).each([1, 2, 3])("wasm implicit-GEMM deep weight gradients (K split across threads), %i thread(s)", (threads) => {
  afterAll(() => {
    gemmConfig.parallelMinFlops = gemmConfig.defaultParallelMinFlops;
  });
  // conv(xᵀ, ctᵀ) as the VJP rule calls it: K = N·(kernel) ≥ depthSplitRatio·max(M, Og). Size-1 output,
  // M not a multiple of mr, K pieces of unequal length.
  const CASES: [number[], number[]][] = [[[1, 2, 9, 9], [1, 2, 9, 9]], [[2, 3, 12, 7], [4, 3, 10, 5]], [[3, 4, 20, 19], [5, 4, 18, 17]]];
  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: matches the reference, split along K`, () => {
      setThreads(threads);
      gemmConfig.parallelMinFlops = 0;
      const p: ConvParams = { strides: [1, 1], padding: [[0, 0], [0, 0]], lhsDilation: [1, 1], rhsDilation: [1, 1], groups: 1 };
      const pool = getRuntime().pool;
      const runQueue = pool.runQueue;
      const depths: number[] = [];
      pool.runQueue = function (tasks, ...rest) {
        depths.push(...tasks.map((t) => t.args[2]!));
        return runQueue.call(this, tasks, ...rest);
      };
      try {
        for (const [xs, ws] of CASES) {
          const x = input(xs, dtype), w = input(ws, dtype);
          const out = { shape: [xs[0]!, ws[0]!, xs[2]! - ws[2]! + 1, xs[3]! - ws[3]! + 1], dtype };
          const K = ws.slice(1).reduce((a, b) => a * b, 1), M = xs[0]! * out.shape[2]! * out.shape[3]!;
          expect(K).toBeGreaterThanOrEqual(gemmConfig.depthSplitRatio * Math.max(M, ws[0]!));
          depths.length = 0;
          const want = convKernel([x, w], p, [out])[0]!;
          poisonPool(out);
          const got = convImplicitRows([x, w], p, out)!;
          const tol = (dtype === "float32" ? 2e-6 : 1e-14) * (K + 10);
          want.forEach((v, i) => expect(Math.abs(got[i]! - v), `${xs} ${ws} element ${i}`).toBeLessThanOrEqual(tol));
          // One piece per thread, each a part of K (none with one thread: no queue).
          if (threads > 1) expect(depths.length === threads && depths.every((d) => d < K) && depths.reduce((a, b) => a + b) === K, `${depths}`).toBe(true);
          else expect(depths).toEqual([]);
        }
      } finally {
        pool.runQueue = runQueue;
      }
    });
  }
});

describe("implicitApplies", () => {
  const base: ConvParams = { strides: [1, 1], padding: [[0, 0], [0, 0]], lhsDilation: [1, 1], rhsDilation: [1, 1], groups: 1 };
  it("holds when every patch entry reads the input: no padding reached, no input dilation", () => {
    expect(implicitApplies([8, 8], [3, 3], [6, 6], base)).toBe(true);
    expect(implicitApplies([8, 8], [3, 3], [5, 6], { ...base, padding: [[-1, 0], [0, 0]] })).toBe(true);
    expect(implicitApplies([8, 8], [3, 3], [8, 6], { ...base, padding: [[1, 1], [0, 0]] })).toBe(false);
    expect(implicitApplies([8, 8], [3, 3], [13, 6], { ...base, lhsDilation: [2, 1] })).toBe(false);
  });
});

const bits = tensorBytes;

describe.skipIf(!wasmFeatures().simd)("implicit-GEMM weight gradient inside jit", () => {
  const previous = fx.getBackend().name;
  afterEach(() => {
    arenaConfig.maxBytes = arenaConfig.defaultMaxBytes;
    gemmConfig.parallelMinFlops = gemmConfig.defaultParallelMinFlops;
  });
  afterAll(() => fx.setBackend(previous));
  for (const dtype of ["float32", "float64"] as const) {
    for (const [label, maxBytes] of [["large", arenaConfig.defaultMaxBytes], ["tiny", 16 * 1024], ["none", 0]] as const) {
      it(`${dtype}, arena ${label}: gradients of two valid convs equal eager bit for bit`, () => {
        fx.setBackend("wasm");
        setThreads(2);
        gemmConfig.parallelMinFlops = 0;
        arenaConfig.maxBytes = maxBytes;
        const r = (shape: number[]) => fx.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1), { shape, dtype });
        const params = { c1: r([6, 2, 3, 3]), c2: r([9, 6, 3, 3]) };
        const loss = (q: typeof params, x: Tensor) => {
          const h = fx.tanh(fx.conv2d(x.mul(1.5), q.c1)); // x·1.5 lives in the arena: the first weight gradient reads it there
          return fx.conv2d(h, q.c2, { stride: [1, 2] }).square().sum();
        };
        const g = (q: typeof params, x: Tensor) => fx.grad(loss)(q, x);
        for (let call = 0; call < 2; call++) {
          const x = r([5, 2, 15, 14]);
          const got = fx.tree.leaves(fx.jit(g)(params, x)) as Tensor[];
          const want = fx.tree.leaves(g(params, x)) as Tensor[];
          got.forEach((t, k) => expect(bits(t), `call ${call}, gradient ${k}`).toEqual(bits(want[k]!)));
        }
        // And against the reference backend, within rounding.
        const x = r([5, 2, 15, 14]);
        const wasm = fx.tree.leaves(g(params, x)) as Tensor[];
        fx.setBackend("reference");
        const ref = fx.tree.leaves(g(params, x)) as Tensor[];
        fx.setBackend("wasm");
        wasm.forEach((t, k) => {
          const a = t.data(), b = ref[k]!.data();
          for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), `gradient ${k} element ${i}`).toBeLessThan(dtype === "float32" ? 2e-3 : 1e-9);
        });
      });
    }
  }
});

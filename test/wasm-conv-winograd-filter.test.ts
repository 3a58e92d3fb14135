/**
 * The Winograd weight gradient (backend/wasm/winograd-filter.ts): the
 * batch-as-channel convolution conv(xᵀ, ctᵀ) → [C, O, 3, 3] that a 3×3,
 * stride-1 convolution's VJP emits, against the reference kernel on random
 * shapes (odd and even cotangent grids, padding, fewer examples than
 * threads, channels that are not multiples of the register tiles), with
 * plain operands and with deferred transposes read from their storage, f32
 * and f64, one to three threads; float32 with forward outputs ≥ 8×8 by
 * F(4×4, 3×3) (batches 1–20, partial tiles, in chains of one example and in
 * the longest chains); and inside a jitted gradient, bit for bit against
 * eager with the call arena large, tiny and absent.
 */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { tensorBytes } from "./support/numeric.js";
import * as fx from "../src/index.js";
import type { ConvParams, KernelInput } from "../src/backend/spec.js";
import { convKernel } from "../src/backend/reference/kernels/conv.js";
import { randomInput, rng } from "./conv-reference.js";
import { convGemm, convRoute } from "../src/backend/wasm/conv.js";
import type { StridedInput } from "../src/backend/wasm/conv-implicit.js";
import { convWinogradFilter, winogradFilterApplies, winogradFilterTile } from "../src/backend/wasm/winograd-filter.js";
import { winogradConfig } from "../src/backend/wasm/winograd.js";
import { arenaConfig, setThreads } from "../src/backend/wasm/runtime.js";
import { wasmFeatures } from "../src/backend/wasm/features.js";
import type { Tensor } from "../src/core/tensor.js";

const rand = rng(8080);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
const params = (lo: number, hi: number): ConvParams =>
  ({ strides: [1, 1], padding: [[lo, hi], [hi, lo]], lhsDilation: [1, 1], rhsDilation: [1, 1], groups: 1 });

/** Row-major [a, b, ...rest] data read as [b, a, ...rest] through strides, as a deferred transpose hands it over. */
function swapped(stored: KernelInput): StridedInput {
  const [a, b, h, w] = stored.shape as [number, number, number, number];
  return { data: stored.data, shape: [b, a, h, w], dtype: stored.dtype, strides: [h * w, b * h * w, w, 1] };
}

/** The same operand materialized as [b, a, ...]. */
function transposed(stored: KernelInput): KernelInput {
  const [a, b, h, w] = stored.shape as [number, number, number, number];
  const data = stored.data.slice();
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) data.set(stored.data.subarray((i * b + j) * h * w, (i * b + j + 1) * h * w), (j * a + i) * h * w);
  return { data, shape: [b, a, h, w], dtype: stored.dtype };
}

describe.skipIf(!wasmFeatures().simd).each([1, 2, 3])("wasm Winograd weight gradient vs reference, %i thread(s)", (threads) => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: 24 random weight-gradient convolutions, plain and as deferred transposes`, () => {
      setThreads(threads);
      for (let trial = 0; trial < 24; trial++) {
        // Forward: x [N, C, H, W] ⋆ w [O, C, 3, 3], padding (lo, hi) → ct [N, O, KH, KW].
        const N = pick([1, 2, 3, 5, 9]), C = pick([8, 9, 13, 16]), O = pick([8, 11, 12, 17]);
        // Every fourth trial without padding and with even sizes: stored planes are the transforms' planes (no copy).
        const direct = trial % 4 === 1;
        const lo = direct ? 0 : pick([0, 0, 1, 2]), hi = direct ? 0 : pick([0, 1]);
        const H = direct ? pick([4, 6, 10]) : pick([3, 4, 6, 7, 10]), W = direct ? pick([4, 8]) : pick([3, 5, 8, 9]);
        const KH = H + lo + hi - 2, KW = W + hi + lo - 2;
        const x = randomInput(rand, [N, C, H, W], dtype), ct = randomInput(rand, [N, O, KH, KW], dtype);
        const p = params(lo, hi);
        const out = { shape: [C, O, 3, 3], dtype };
        const xt = transposed(x), ctt = transposed(ct);
        expect(winogradFilterApplies(xt.shape, ctt.shape, p, out)).toBe(true);
        const want = convKernel([xt, ctt], p, [out])[0]!;
        const got = convWinogradFilter([xt, ctt], p, out)!;
        const terms = N * KH * KW;
        const tol = (dtype === "float32" ? 4e-6 : 1e-14) * (terms + 10);
        for (let i = 0; i < want.length; i++) {
          if (!(Math.abs(got[i]! - want[i]!) <= tol)) expect.fail(`trial ${trial} x ${x.shape} ct ${ct.shape} pad ${lo},${hi}: element ${i} ${got[i]} vs ${want[i]}`);
        }
        // Read through strides from the untransposed storage: the same numbers; and convGemm takes this route
        // (unless the cotangent is itself 3×3: then the forward Winograd path comes first).
        expect(Array.from(convWinogradFilter([swapped(x), swapped(ct)], p, out)!)).toEqual(Array.from(got));
        if (!convRoute(xt.shape, ctt.shape, p, out).winograd) expect(Array.from(convGemm([xt, ctt], p, out)!)).toEqual(Array.from(got));
      }
    });
  }
});

/**
 * F(4×4, 3×3) (float32, forward output ≥ 8×8) rounds more than F(2×2, 3×3): x and the cotangent are
 * transformed by coefficients up to 2.5 and 8 (|values| up to ~40 and ~200 for inputs in [−1, 1]), summed
 * over tiles in float32, and G4ᵀ·…·G4 cancels most of that magnitude. Measured against the reference, the
 * largest error is up to 1.9e-6 × max|dw| on these shapes (F(2×2, 3×3): 2–5e-7), 2.6e-6 on B3's conv2
 * (N 32, 64 channels, 24×24 cotangent); 4e-6 × max|dw| is a few times that, far below what a wrong
 * coefficient, tile or chain leaves (≥ 1e-2 × max|dw|).
 */
const F4_TOLERANCE = 4e-6;

describe.skipIf(!wasmFeatures().simd).each([1, 2, 3])("wasm Winograd weight gradient, F(4×4, 3×3), vs reference, %i thread(s)", (threads) => {
  const defaultBudget = winogradConfig.chainBudget;
  afterEach(() => {
    winogradConfig.chainBudget = defaultBudget;
    winogradConfig.tile4 = true;
  });
  it("float32: 16 random weight-gradient convolutions with forward outputs ≥ 8×8, in chains of one example and in the longest chains", () => {
    setThreads(threads);
    for (let trial = 0; trial < 16; trial++) {
      const N = 1 + Math.floor(rand() * 20), C = pick([8, 9, 13, 16]), O = pick([8, 11, 12, 17]);
      // Every fourth trial without padding and whole tiles (KH, KW multiples of 4): both operands' stored planes are
      // the transforms' planes (no copy); else partial tiles and padding.
      const direct = trial % 4 === 1;
      const lo = direct ? 0 : pick([0, 1, 2]), hi = direct ? 0 : pick([0, 1]);
      const H = direct ? pick([10, 14]) : pick([10, 11, 13, 17]), W = direct ? pick([10, 18]) : pick([10, 11, 12, 15]);
      const KH = H + lo + hi - 2, KW = W + hi + lo - 2;
      expect(winogradFilterTile("float32", KH, KW), `trial ${trial}: ${KH}×${KW}`).toBe(4);
      const x = randomInput(rand, [N, C, H, W], "float32"), ct = randomInput(rand, [N, O, KH, KW], "float32");
      const p = params(lo, hi), out = { shape: [C, O, 3, 3], dtype: "float32" as const };
      const xt = transposed(x), ctt = transposed(ct);
      const want = convKernel([xt, ctt], p, [out])[0]!;
      const tol = F4_TOLERANCE * Math.max(...Array.from(want, Math.abs));
      // Chains of one example (partial sums added in chain order), and the longest (about two per thread).
      for (const budget of [1, 1 << 30]) {
        winogradConfig.chainBudget = budget;
        const got = convWinogradFilter([xt, ctt], p, out)!;
        for (let i = 0; i < want.length; i++) {
          if (!(Math.abs(got[i]! - want[i]!) <= tol)) expect.fail(`trial ${trial} x ${x.shape} ct ${ct.shape} pad ${lo},${hi} budget ${budget}: element ${i} ${got[i]} vs ${want[i]}`);
        }
        // Read through strides from the untransposed storage: the same numbers.
        expect(Array.from(convWinogradFilter([swapped(x), swapped(ct)], p, out)!), `trial ${trial}, budget ${budget}: strided`).toEqual(Array.from(got));
      }
      // The route is F(4×4, 3×3)'s: with it turned off, F(2×2, 3×3) rounds differently.
      winogradConfig.chainBudget = defaultBudget;
      const f4 = convWinogradFilter([xt, ctt], p, out)!;
      winogradConfig.tile4 = false;
      expect(winogradFilterTile("float32", KH, KW)).toBe(2);
      expect(Array.from(convWinogradFilter([xt, ctt], p, out)!)).not.toEqual(Array.from(f4));
      winogradConfig.tile4 = true;
    }
  });
});

describe("winogradFilterTile", () => {
  afterEach(() => {
    winogradConfig.tile4 = true;
    winogradConfig.filterTile4 = true;
    fx.config.convPrecision = "fast";
  });
  it("is the forward pass's tile for the cotangent plane: 4 for float32 planes at least 8×8", () => {
    expect(winogradFilterTile("float32", 8, 8)).toBe(4);
    expect(winogradFilterTile("float32", 24, 9)).toBe(4);
    expect(winogradFilterTile("float32", 7, 24)).toBe(2);
    expect(winogradFilterTile("float64", 24, 24)).toBe(2);
    winogradConfig.tile4 = false;
    expect(winogradFilterTile("float32", 24, 24)).toBe(2);
    winogradConfig.tile4 = true;
    winogradConfig.filterTile4 = false;
    expect(winogradFilterTile("float32", 24, 24)).toBe(2);
    winogradConfig.filterTile4 = true;
    fx.config.convPrecision = "high";
    expect(winogradFilterTile("float32", 24, 24)).toBe(2);
  });
});

describe("winogradFilterApplies", () => {
  const out = { shape: [16, 8, 3, 3], dtype: "float32" as const };
  it("takes 2-D, stride-1, undilated, ungrouped convolutions with a 3×3 result and enough channels", () => {
    expect(winogradFilterApplies([16, 4, 10, 10], [8, 4, 8, 8], params(0, 0), out)).toBe(true);
    expect(winogradFilterApplies([16, 4, 10, 10], [8, 4, 8, 8], { ...params(0, 0), strides: [2, 1] }, out)).toBe(false);
    expect(winogradFilterApplies([16, 4, 10, 10], [8, 4, 8, 8], { ...params(0, 0), rhsDilation: [1, 2] }, out)).toBe(false);
    expect(winogradFilterApplies([16, 4, 10, 10], [8, 4, 8, 8], { ...params(0, 0), groups: 2 }, out)).toBe(false);
    expect(winogradFilterApplies([16, 4, 10, 10], [8, 4, 7, 7], params(0, 0), { ...out, shape: [16, 8, 4, 4] })).toBe(false);
    expect(winogradFilterApplies([4, 4, 10, 10], [8, 4, 8, 8], params(0, 0), { ...out, shape: [4, 8, 3, 3] })).toBe(false);
    expect(winogradFilterApplies([16, 4, 10, 10], [5, 4, 8, 8], params(0, 0), { ...out, shape: [16, 5, 3, 3] })).toBe(false);
  });
  it("is what convRoute reports", () => {
    expect(convRoute([16, 4, 10, 10], [8, 4, 8, 8], params(0, 0), out).winogradFilter).toBe(true);
    expect(convRoute([16, 4, 10, 10], [8, 4, 8, 8], { ...params(0, 0), strides: [2, 2] }, { ...out, shape: [16, 8, 2, 2] }).winogradFilter).toBe(false);
  });
});

const bits = tensorBytes;

describe.skipIf(!wasmFeatures().simd)("Winograd weight gradient inside jit", () => {
  const previous = fx.getBackend().name;
  afterEach(() => {
    arenaConfig.maxBytes = arenaConfig.defaultMaxBytes;
    winogradConfig.filter = true;
    winogradConfig.tile4 = true;
  });
  afterAll(() => fx.setBackend(previous));
  for (const dtype of ["float32", "float64"] as const) {
    for (const [label, maxBytes] of [["large", arenaConfig.defaultMaxBytes], ["tiny", 16 * 1024], ["none", 0]] as const) {
      it(`${dtype}, arena ${label}: gradients equal eager bit for bit and the reference within rounding`, () => {
        fx.setBackend("wasm");
        setThreads(2);
        arenaConfig.maxBytes = maxBytes;
        const r = (shape: number[]) => fx.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1), { shape, dtype });
        const q = { c1: r([9, 3, 3, 3]), c2: r([10, 9, 3, 3]) };
        const loss = (w: typeof q, x: Tensor) => {
          const h = fx.tanh(fx.conv2d(x, w.c1, { padding: "same" }));
          return fx.conv2d(h.mul(1.5), w.c2).square().sum(); // c2's weight gradient reads h·1.5 and its cotangent as deferred transposes
        };
        const g = (w: typeof q, x: Tensor) => fx.grad(loss)(w, x);
        const x = r([5, 3, 11, 12]);
        for (let call = 0; call < 2; call++) {
          const got = fx.tree.leaves(fx.jit(g)(q, x)) as Tensor[];
          const want = fx.tree.leaves(g(q, x)) as Tensor[];
          got.forEach((t, k) => expect(bits(t), `call ${call}, gradient ${k}`).toEqual(bits(want[k]!)));
        }
        const wasm = fx.tree.leaves(g(q, x)) as Tensor[];
        // c2's forward output is 9×10: float32 takes F(4×4, 3×3), whose sums round differently from F(2×2, 3×3)'s.
        expect(winogradFilterTile(dtype, 9, 10)).toBe(dtype === "float32" ? 4 : 2);
        if (dtype === "float32") {
          winogradConfig.tile4 = false;
          expect(bits((fx.tree.leaves(g(q, x)) as Tensor[])[1]!)).not.toEqual(bits(wasm[1]!));
          winogradConfig.tile4 = true;
        }
        // The Winograd route is the one taken: the implicit GEMM's sums round differently.
        winogradConfig.filter = false;
        const direct = fx.tree.leaves(g(q, x)) as Tensor[];
        expect(bits(direct[1]!)).not.toEqual(bits(wasm[1]!));
        fx.setBackend("reference");
        const ref = fx.tree.leaves(g(q, x)) as Tensor[];
        fx.setBackend("wasm");
        wasm.forEach((t, k) => {
          const a = t.data(), b = ref[k]!.data();
          // Within a few ulps of the gradient's largest element (~5e3 here).
          const tol = (dtype === "float32" ? 1e-6 : 1e-12) * Math.max(...Array.from(b, Math.abs));
          for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), `gradient ${k} element ${i}`).toBeLessThan(tol);
        });
      });
    }
  }
});

/**
 * The package's own exp and erf (backend/math): accuracy against values
 * computed in 30-digit arithmetic (mpmath) and against the engine's Math.exp,
 * continuity across erf's pieces, its derivative, float32's own erf against
 * float64's, and the Wasm SIMD code giving the same bits as the JavaScript
 * on float32 and float64 lanes.
 */
import { describe, expect, it } from "vitest";
import { exp } from "../src/backend/math/exp.js";
import { erf, ERFC_PIECES } from "../src/backend/math/erf.js";
import { fusedConfig, fuseWasm } from "../src/backend/wasm/fused.js";
import { wasmFeatures } from "../src/backend/wasm/features.js";
import { unaryFn } from "../src/backend/reference/kernels/elementwise.js";
import { erf32, ERF32_SPLIT } from "../src/backend/math/erf32.js";
import { exp32, logistic32 } from "../src/backend/math/exp32.js";
import { rng as seeded } from "./support/numeric.js";

const ulp = (x: number) => {
  const a = Math.abs(x);
  return a === 0 ? Number.MIN_VALUE : 2 ** (Math.floor(Math.log2(a)) - 52);
};

/** [x, erf(x)] and [x, e^x] from mpmath at 30 digits, rounded to float64. */
const ERF_VALUES: [number, number][] = [
  [1e-8, 1.1283791670955126e-8], [0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [0.9999, 0.8426592780487595],
  [1, 0.8427007929497149], [1.5, 0.9661051464753108], [1.9999, 0.9953201979070294], [2, 0.9953222650189527],
  [2.5, 0.999593047982555], [3, 0.9999779095030014], [3.7, 0.9999998328489421], [4, 0.9999999845827421],
  [5, 0.9999999999984626], [5.9, 0.9999999999999999], [6, 1],
];
const EXP_VALUES: [number, number][] = [
  [-745, 5e-324], [-708.5, 2.006132305331306e-308], [-100, 3.720075976020836e-44], [-1.5, 0.22313016014842982],
  [-1e-10, 0.9999999999], [0.3, 1.3498588075760032], [1, 2.718281828459045], [88.7, 3.325986980250579e38],
  [700, 1.0142320547350045e304], [709.78, 1.7928227943945155e308],
];

describe("exp", () => {
  it("is within one ulp of 30-digit values, and of Math.exp on a million random arguments", () => {
    for (const [x, want] of EXP_VALUES) expect(Math.abs(exp(x) - want), `exp(${x})`).toBeLessThanOrEqual(ulp(want));
    const r = seeded(7);
    for (let i = 0; i < 1e6; i++) {
      const x = (r() - 0.5) * (i % 3 === 0 ? 1400 : i % 3 === 1 ? 40 : 2);
      const want = Math.exp(x);
      if (Math.abs(exp(x) - want) > ulp(want)) expect.fail(`exp(${x}) = ${exp(x)}, Math.exp gives ${want}`);
    }
  });

  it("handles NaN, ±Infinity, overflow and underflow", () => {
    expect(exp(NaN)).toBeNaN();
    expect(exp(Infinity)).toBe(Infinity);
    expect(exp(-Infinity)).toBe(0);
    expect(exp(710)).toBe(Infinity);
    expect(exp(-800)).toBe(0);
    expect(exp(0)).toBe(1);
    expect(exp(-0)).toBe(1);
  });
});

describe("erf", () => {
  it("is within two ulps of 30-digit values, odd, and ±1 beyond 6", () => {
    for (const [x, want] of ERF_VALUES) {
      expect(Math.abs(erf(x) - want), `erf(${x})`).toBeLessThanOrEqual(2 * ulp(want));
      expect(erf(-x)).toBe(-erf(x));
    }
    expect(erf(7)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(NaN)).toBeNaN();
  });

  it("is continuous across its pieces and its slope is 2/√π·e^(−x²)", () => {
    for (const edge of [1, ...ERFC_PIECES.map((p) => p.hi)]) {
      const below = erf(edge * (1 - 2 ** -52)), at = erf(edge);
      expect(Math.abs(at - below), `jump at ${edge}`).toBeLessThanOrEqual(4 * ulp(at));
    }
    const r = seeded(3);
    for (let i = 0; i < 2000; i++) {
      const x = (r() - 0.5) * 9, h = 1e-5;
      const slope = (erf(x + h) - erf(x - h)) / (2 * h);
      const want = (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x);
      expect(Math.abs(slope - want), `slope at ${x}`).toBeLessThan(1e-9);
    }
  });
});

/** Distance between adjacent float32 values around |v|. */
const ulp32 = (v: number) => {
  const a = Math.fround(Math.abs(v));
  return a === 0 ? 2 ** -149 : Math.max(2 ** -149, 2 ** (Math.floor(Math.log2(a)) - 23));
};

describe("erf32 (float32 arithmetic)", () => {
  it("is within 2.5 float32 ulps of float64's erf on 10⁶ random float32 values and near its split", () => {
    const r = seeded(21);
    const xs = Float32Array.from({ length: 1_000_000 }, (_, i) => (r() - 0.5) * (i % 4 === 0 ? 12 : i % 4 === 1 ? 2 * ERF32_SPLIT : 2e-3));
    const near = Float32Array.from({ length: 2001 }, (_, i) => ERF32_SPLIT + (i - 1000) * 2 ** -24);
    let worst = 0;
    for (const x of [...xs, ...near]) {
      const err = Math.abs(erf32(x) - erf(x)) / ulp32(erf(x));
      worst = Math.max(worst, err);
    }
    expect(worst).toBeLessThanOrEqual(2.5);
    expect(worst).toBeGreaterThan(0); // it is not float64's erf rounded
  });

  it("is odd, monotone to within an ulp, exactly ±1 from |x| = 4, and keeps ±0, ±∞ and NaN", () => {
    expect(Object.is(erf32(-0), -0)).toBe(true);
    expect(Object.is(erf32(0), 0)).toBe(true);
    for (const x of [4, 4.5, 100, Infinity]) {
      expect(erf32(x)).toBe(1);
      expect(erf32(-x)).toBe(-1);
    }
    expect(erf32(NaN)).toBeNaN();
    const f32 = new Float32Array(1);
    let prev = -2;
    for (let x = -4.5; x <= 4.5; x += 1 / 4096) {
      f32[0] = x;
      const y = erf32(f32[0]!);
      // The fit's ripple can step back one ulp where erf is flat (|x| near 4).
      expect(y, `erf32 decreases at ${x}`).toBeGreaterThanOrEqual(prev - ulp32(prev));
      expect(erf32(-f32[0]!)).toBe(-y);
      prev = y;
    }
  });
});

describe("exp32 (float32 arithmetic)", () => {
  it("is within 1.3 float32 ulps of float64's exp, subnormal results included", () => {
    const r = seeded(22);
    const xs = Float32Array.from({ length: 1_000_000 }, (_, i) => (i % 3 === 0 ? (r() - 0.5) * 200 : i % 3 === 1 ? (r() - 0.5) * 4 : -88 - r() * 16));
    let worst = 0, differs = 0;
    for (const x of xs) {
      const want = exp(x), got = exp32(x);
      if (got !== Math.fround(want)) differs++;
      if (Number.isFinite(Math.fround(want))) worst = Math.max(worst, Math.abs(got - want) / ulp32(want));
    }
    expect(worst).toBeLessThanOrEqual(1.3);
    expect(differs).toBeGreaterThan(0); // it is not float64's exp rounded
  });

  it("overflows to ∞ and underflows to 0 where float32's e^x does; keeps NaN", () => {
    for (const x of [88.72283, 88.7228394, 88.72284, 89, 1000, Infinity, -103.9, -103.97, -103.98, -104, -1e4, -Infinity]) {
      const x32 = Math.fround(x), want = Math.fround(Math.exp(x32));
      if (want === Infinity || want === 0) expect(exp32(x32), `exp32(${x32})`).toBe(want);
      else expect(Math.abs(exp32(x32) - want), `exp32(${x32})`).toBeLessThanOrEqual(ulp32(want));
    }
    expect(exp32(0)).toBe(1);
    expect(exp32(-0)).toBe(1);
    expect(exp32(NaN)).toBeNaN();
  });

  it("gives σ(x) (logistic32) within 2.5 float32 ulps of float64's, saturating to 1 and 0 without NaN", () => {
    const r = seeded(23);
    const sigmoid = unaryFn("logistic", "float64");
    let worst = 0;
    for (let i = 0; i < 500_000; i++) {
      const x = Math.fround((r() - 0.5) * (i % 2 ? 40 : 240));
      worst = Math.max(worst, Math.abs(logistic32(x) - sigmoid(x)) / ulp32(sigmoid(x)));
    }
    expect(worst).toBeLessThanOrEqual(2.5);
    expect(logistic32(Infinity)).toBe(1);
    expect(logistic32(-Infinity)).toBe(0);
    expect(logistic32(0)).toBe(0.5);
    expect(logistic32(NaN)).toBeNaN();
  });
});

describe.skipIf(!wasmFeatures().simd)("exp, logistic and erf in Wasm SIMD", () => {
  for (const [dtype, prim] of [["float32", "exp"], ["float64", "exp"], ["float32", "logistic"], ["float64", "logistic"], ["float32", "erf"], ["float64", "erf"]] as const) {
    it(`${prim} gives the JavaScript kernel's bits on ${dtype} lanes, special values included`, () => {
      const previous = fusedConfig.minElements;
      fusedConfig.minElements = 0;
      try {
        const r = seeded(dtype === "float32" ? 11 : 12);
        const specials = [NaN, Infinity, -Infinity, 0, -0, 88.72, 88.73, -87.3, -103.9, -104, 709.78, 710, -745, -746, 1e-30];
        const n = 100_003;
        const x = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
        for (let i = 0; i < n; i++) x[i] = i < specials.length ? specials[i]! : (r() - 0.5) * (i % 2 ? 1600 : 30);
        const kernel = fuseWasm({ inputs: [{ dtype, scalar: false }], ops: [{ prim, args: [0], dtype }], outputs: [1], n })!;
        expect(kernel).not.toBeNull();
        const got = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
        kernel([x], [got]);
        for (let i = 0; i < n; i++) {
          const want = dtype === "float32" ? Math.fround(unaryFn(prim, dtype)(x[i]!)) : unaryFn(prim, dtype)(x[i]!);
          if (!Object.is(got[i], want)) expect.fail(`${prim}(${x[i]}) in Wasm is ${got[i]}, JavaScript ${want}`);
        }
      } finally {
        fusedConfig.minElements = previous;
      }
    });
  }
});

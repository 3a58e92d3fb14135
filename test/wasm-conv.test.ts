import { afterAll, describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { givePooled } from "../src/core/storage-pool.js";
import type { ConvParams, KernelInput } from "../src/backend/spec.js";
import { convKernel } from "../src/backend/reference/kernels/conv.js";
import { randomInput, rng } from "./conv-reference.js";
import { chooseLayout, convConfig, convGemm, type ConvLayout } from "../src/backend/wasm/conv.js";
import { runsOf } from "../src/backend/wasm/conv-runs.js";
import { config } from "../src/core/config.js";
import { convWinograd, winogradApplies, winogradConfig, winogradTile, winogradVariant } from "../src/backend/wasm/winograd.js";
import { gemmConfig } from "../src/backend/wasm/gemm.js";
import { getRuntime, setThreads } from "../src/backend/wasm/runtime.js";

const rand = rng(99);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
const input = (shape: number[], dtype: "float32" | "float64") => randomInput(rand, shape, dtype);

/** A random valid conv: 1–3 spatial axes, strides, padding, both dilations, groups. */
function randomConv(dtype: "float32" | "float64") {
  const nd = pick([1, 2, 2, 3]);
  const G = pick([1, 1, 2, 3]);
  const N = pick([0, 1, 2, 3]), Cg = pick([1, 2, 3]), Og = pick([1, 2, 5]);
  const k = Array.from({ length: nd }, () => pick([1, 2, 3]));
  const p: ConvParams = {
    strides: Array.from({ length: nd }, () => pick([1, 1, 2, 3])),
    padding: Array.from({ length: nd }, () => [pick([0, 1, 2]), pick([0, 1])] as [number, number]),
    lhsDilation: Array.from({ length: nd }, () => pick([1, 1, 2])),
    rhsDilation: Array.from({ length: nd }, () => pick([1, 1, 2])),
    groups: G,
  };
  const inSp = Array.from({ length: nd }, () => pick([1, 4, 5, 7, nd === 3 ? 4 : 9]));
  const outSp = inSp.map((I, a) => {
    const dilIn = I === 0 ? 0 : (I - 1) * p.lhsDilation[a]! + 1;
    const span = (k[a]! - 1) * p.rhsDilation[a]! + 1;
    return Math.max(0, Math.floor((dilIn + p.padding[a]![0] + p.padding[a]![1] - span) / p.strides[a]!) + 1);
  });
  const x = input([N, G * Cg, ...inSp], dtype), w = input([G * Og, Cg, ...k], dtype);
  return { x, w, p, out: { shape: [N, G * Og, ...outSp], dtype } };
}

/**
 * Puts a NaN-filled buffer of the output's byte size in the storage pool, so
 * the kernel's output storage starts dirty (as inside a jitted step): an
 * element the kernel fails to write shows as NaN.
 */
function poisonPool(out: { shape: number[]; dtype: "float32" | "float64" }): void {
  const n = out.shape.reduce((a, b) => a * b, 1);
  const buf = new ArrayBuffer(n * (out.dtype === "float32" ? 4 : 8));
  new Uint8Array(buf).fill(0xff);
  givePooled(buf);
}

function expectMatchesReference(trial: string, { x, w, p, out }: ReturnType<typeof randomConv>) {
  const want = convKernel([x, w], p, [out])[0]!;
  poisonPool(out);
  const got = convGemm([x, w], p, out)!;
  expect(got.length).toBe(want.length);
  const tol = out.dtype === "float32" ? 2e-5 : 1e-12;
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= tol)) expect.fail(`${trial} ${JSON.stringify(p)} x ${x.shape} w ${w.shape}: element ${i} ${got[i]} vs ${want[i]}`);
  }
}

describe.each([1, 2])("wasm conv (im2col + GEMM) vs reference, %i thread(s)", (threads) => {
  afterAll(() => {
    gemmConfig.parallelMinFlops = gemmConfig.defaultParallelMinFlops;
    convConfig.layout = null;
    convConfig.patchBudget = 1 << 22;
    convConfig.implicit = true;
  });
  for (const layout of [null, "wx", "rows"] as (ConvLayout | null)[]) {
    for (const dtype of ["float32", "float64"] as const) {
      it(`${dtype}, layout ${layout ?? "auto"}: 40 random convolutions, one chunk and many`, () => {
        setThreads(threads);
        gemmConfig.parallelMinFlops = 0;
        convConfig.layout = layout;
        for (let trial = 0; trial < 40; trial++) {
          const conv = randomConv(dtype);
          // Odd trials: a patch budget of a few rows, so every example is its own chunk.
          convConfig.patchBudget = trial % 2 ? 7 : 1 << 22;
          // Unpadded "rows" shapes go to the implicit GEMM (wasm-conv-implicit.test.ts) unless it is off: half the trials keep im2col.
          convConfig.implicit = trial % 4 < 2;
          expectMatchesReference(`trial ${trial}`, conv);
        }
      });
    }
  }

  it("a large stride-1 conv spreads its copies over the threads and matches", () => {
    setThreads(threads);
    convConfig.layout = null;
    convConfig.patchBudget = 1 << 22;
    const p: ConvParams = { strides: [1, 1], padding: [[2, 2], [1, 0]], lhsDilation: [1, 1], rhsDilation: [1, 1], groups: 1 };
    const x = input([3, 5, 21, 23], "float32"), w = input([8, 5, 3, 3], "float32");
    expectMatchesReference("large", { x, w, p, out: { shape: [3, 8, 23, 22], dtype: "float32" } });
  });
});

/**
 * A random 3×3 stride-1 2-D conv that Winograd takes: odd and even sizes, 1×1 outputs, padding on some sides only;
 * `unpadded`: no padding and even sizes, so the input planes are the tiles' planes (transformed where they lie).
 */
function randomWinogradConv(dtype: "float32" | "float64", unpadded = false): { x: KernelInput; w: KernelInput; p: ConvParams; out: { shape: number[]; dtype: "float32" | "float64" } } {
  const N = pick([0, 1, 2, 3]), C = pick([8, 9, 13]), O = pick([8, 11, 16]);
  const padding = (unpadded ? [[0, 0], [0, 0]] : [[pick([0, 1, 2]), pick([0, 1, 3])], [pick([0, 1, 2]), pick([0, 2])]]) as [number, number][];
  const inSp = unpadded ? [pick([4, 10]), pick([4, 6, 12])] : [pick([1, 3, 4, 7, 10]), pick([1, 2, 3, 6, 9])];
  const outSp = inSp.map((I, a) => I + padding[a]![0] + padding[a]![1] - 2);
  if (outSp.some((o) => o < 1)) return randomWinogradConv(dtype);
  return makeConv(dtype, N, C, O, padding, inSp, outSp);
}

function makeConv(dtype: "float32" | "float64", N: number, C: number, O: number, padding: [number, number][], inSp: number[], outSp: number[]) {
  const p: ConvParams = { strides: [1, 1], padding, lhsDilation: [1, 1], rhsDilation: [1, 1], groups: 1 };
  return { x: input([N, C, ...inSp], dtype), w: input([O, C, 3, 3], dtype), p, out: { shape: [N, O, ...outSp], dtype } };
}

/**
 * One Winograd trial: convWinograd (one example per chunk on odd trials) on a NaN-poisoned pool against the
 * reference within `tol`, and the public entry point taking the same path (the same bits).
 */
function expectWinogradTrial(trial: number, conv: ReturnType<typeof makeConv>, tol: number): void {
  winogradConfig.budget = trial % 2 ? 1 : 1 << 22;
  const want = convKernel([conv.x, conv.w], conv.p, [conv.out])[0]!;
  poisonPool(conv.out);
  const got = convWinograd([conv.x, conv.w], conv.p, conv.out)!;
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= tol)) expect.fail(`trial ${trial} ${JSON.stringify(conv.p)} x ${conv.x.shape} w ${conv.w.shape}: element ${i} ${got[i]} vs ${want[i]}`);
  }
  expect(Array.from(convGemm([conv.x, conv.w], conv.p, conv.out)!)).toEqual(Array.from(got));
}

describe.each([1, 2])("wasm conv by Winograd F(2×2, 3×3) vs reference, %i thread(s)", (threads) => {
  afterAll(() => {
    gemmConfig.parallelMinFlops = gemmConfig.defaultParallelMinFlops;
    winogradConfig.budget = 1 << 22;
  });
  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: 30 random 3×3 convolutions, one chunk and many`, () => {
      setThreads(threads);
      gemmConfig.parallelMinFlops = 0;
      for (let trial = 0; trial < 30; trial++) {
        const conv = randomWinogradConv(dtype, trial % 5 === 2);
        expect(winogradApplies(conv.x, conv.w, conv.p)).toBe(true);
        expectWinogradTrial(trial, conv, dtype === "float32" ? 2e-5 : 1e-12);
      }
    });
  }

  it("float32: 30 random convolutions by F(4×4, 3×3), partial blocks, one chunk and many, to its rounding", () => {
    setThreads(threads);
    gemmConfig.parallelMinFlops = 0;
    for (let trial = 0; trial < 30; trial++) {
      const N = pick([0, 1, 2, 3]), C = pick([8, 13, 40]), O = pick([8, 11, 33]);
      const padding = (trial % 5 === 2 ? [[0, 0], [0, 0]] : [[pick([0, 1, 2]), pick([0, 1, 3])], [pick([0, 1, 2]), pick([0, 2])]]) as [number, number][];
      const inSp = [pick([8, 10, 13, 26]), pick([8, 11, 16, 30])];
      const outSp = inSp.map((I, a) => I + padding[a]![0] + padding[a]![1] - 2);
      const conv = makeConv("float32", N, C, O, padding, inSp, outSp);
      if (Math.min(...outSp) < 8) continue;
      expect(winogradTile("float32", outSp[0]!, outSp[1]!)).toBe(4);
      // F(4×4, 3×3) rounds more than F(2×2, 3×3): a few float32 ulps of the sum of |terms| (C·9 terms of |x|, |w| ≤ 1).
      expectWinogradTrial(trial, conv, 2e-6 * C * 9);
    }
  });

  it("float32: 30 random full correlations (a conv's input gradient) by the transposed F(4×4, 3×3), one chunk and many", () => {
    setThreads(threads);
    gemmConfig.parallelMinFlops = 0;
    for (let trial = 0; trial < 30; trial++) {
      const N = pick([0, 1, 2, 3]), C = pick([8, 13, 40]), O = pick([8, 11, 33]);
      const padding = [[2, 2], [2, 2]] as [number, number][], inSp = [pick([8, 12, 24]), pick([8, 16, 20])];
      const outSp = inSp.map((I) => I + 2);
      const conv = makeConv("float32", N, C, O, padding, inSp, outSp);
      expect(winogradVariant("float32", conv.p, inSp[0]!, inSp[1]!, outSp[0]!, outSp[1]!)).toEqual({ tile: 4, transposed: true });
      expectWinogradTrial(trial, conv, 2e-6 * C * 9); // as for F(4×4, 3×3) above
    }
  });

  it("config.convPrecision picks F(4×4, 3×3), F(2×2, 3×3) or the direct sums", () => {
    setThreads(threads);
    const conv = makeConv("float32", 2, 40, 16, [[1, 1], [1, 1]], [12, 13], [12, 13]);
    const want = convKernel([conv.x, conv.w], conv.p, [conv.out])[0]!;
    const maxError = (got: ArrayLike<number>) => Math.max(...Array.from(want, (v, i) => Math.abs(got[i]! - v)));
    try {
      const byPrecision = new Map<string, ArrayLike<number>>();
      for (const precision of ["fast", "high", "highest"] as const) {
        config.convPrecision = precision;
        expect(winogradApplies(conv.x, conv.w, conv.p)).toBe(precision !== "highest");
        expect(winogradTile("float32", 12, 13)).toBe(precision === "fast" ? 4 : 2);
        byPrecision.set(precision, convGemm([conv.x, conv.w], conv.p, conv.out)!);
      }
      expect(maxError(byPrecision.get("fast")!)).toBeLessThan(2e-6 * 40 * 9);
      expect(maxError(byPrecision.get("high")!)).toBeLessThan(2e-5);
      // "highest" is the GEMM route Winograd would otherwise replace, bit for bit.
      config.convPrecision = "fast";
      winogradConfig.enabled = false;
      expect(Array.from(byPrecision.get("highest")!)).toEqual(Array.from(convGemm([conv.x, conv.w], conv.p, conv.out)!));
    } finally {
      config.convPrecision = "fast";
      winogradConfig.enabled = true;
    }
  });

  it("applies only to 2-D 3×3 stride-1 undilated single-group convs with enough channels", () => {
    const x = input([1, 8, 5, 5], "float32"), w = input([8, 8, 3, 3], "float32");
    const base: ConvParams = { strides: [1, 1], padding: [[0, 0], [0, 0]], lhsDilation: [1, 1], rhsDilation: [1, 1], groups: 1 };
    expect(winogradApplies(x, w, base)).toBe(true);
    expect(winogradApplies(x, w, { ...base, strides: [2, 1] })).toBe(false);
    expect(winogradApplies(x, w, { ...base, lhsDilation: [1, 2] })).toBe(false);
    expect(winogradApplies(x, w, { ...base, rhsDilation: [2, 1] })).toBe(false);
    expect(winogradApplies(x, w, { ...base, padding: [[-1, 0], [0, 0]] })).toBe(false);
    expect(winogradApplies(x, input([8, 4, 3, 3], "float32"), { ...base, groups: 2 })).toBe(false);
    expect(winogradApplies(x, input([8, 8, 3, 2], "float32"), base)).toBe(false);
    expect(winogradApplies(input([1, 4, 5, 5], "float32"), input([8, 4, 3, 3], "float32"), base)).toBe(false);
    expect(winogradApplies(x, input([4, 8, 3, 3], "float32"), base)).toBe(false);
  });
});

describe("conv layout helpers", () => {
  it("runsOf cuts a table into zero runs and consecutive-source runs, in bytes", () => {
    const table = Int32Array.of(-1, -1, 4, 5, 6, 9, -1, 0, 1);
    // Two rows of 4 (the last entry is not read), rows 10 elements apart in the patch.
    expect(Array.from(runsOf(table, 2, 4, 10, 4))).toEqual([0, -1, 8, 8, 16, 8, 40, 24, 4, 44, 36, 4, 48, -1, 4, 52, 0, 4]);
  });
  it("chooseLayout: fewer positions than 4 row tiles → rows, else wx", () => {
    expect(chooseLayout(9, 6)).toBe("rows");
    expect(chooseLayout(23, 6)).toBe("rows");
    expect(chooseLayout(24, 6)).toBe("wx");
  });
});

describe("conv on the wasm backend", () => {
  const initial = fx.getBackend().name;
  afterAll(() => fx.setBackend(initial));
  it("forward and both gradients match the reference backend", () => {
    const x0 = input([2, 3, 9, 8], "float32"), w0 = input([4, 3, 3, 3], "float32");
    const run = (backend: string) => {
      fx.setBackend(backend);
      const x = fx.tensor(x0.data, { shape: [...x0.shape] }), w = fx.tensor(w0.data, { shape: [...w0.shape] });
      const f = (a: fx.Tensor, b: fx.Tensor) => fx.conv2d(a, b, { stride: 2, padding: 1 }).tanh().sum();
      const [gx, gw] = fx.grad(f, { argnums: [0, 1] })(x, w) as fx.Tensor[];
      return [fx.conv2d(x, w, { padding: "same" }), gx!, gw!].map((t) => Array.from(t.data() as Float32Array));
    };
    const want = run("reference"), got = run("wasm");
    got.forEach((g, i) => g.forEach((v, j) => expect(Math.abs(v - want[i]![j]!), `output ${i} element ${j}`).toBeLessThan(1e-4)));
  });
});

describe("wasm transpose_f32 / transpose_f64 (blocks of 4×4 / 2×2 lanes, tiles, scalar edges)", () => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: random block counts, odd sizes, a wider destination stride; bits move unchanged`, () => {
      const rt = getRuntime();
      const es = dtype === "float32" ? 4 : 8;
      const View = dtype === "float32" ? Float32Array : Float64Array;
      const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 63, 64, 65, 130];
      for (let trial = 0; trial < 40; trial++) {
        const rows = pick(sizes), cols = pick(sizes), blocks = pick([1, 2, 3]);
        const pad = pick([0, 3]); // destination rows `rows + pad` elements apart
        const ldd = (rows + pad) * es, dstStride = cols * ldd + pick([0, 2]) * es, srcStride = rows * cols * es;
        const src = rt.operandBase(), dst = src + blocks * srcStride + 64;
        expect(rt.ensure(dst + blocks * dstStride + 64)).toBe(true);
        const input = new View(blocks * rows * cols);
        for (let i = 0; i < input.length; i++) input[i] = i % 17 === 5 ? NaN : i % 13 === 1 ? -0 : rand() * 2 - 1;
        new View(rt.memory.buffer, src, input.length).set(input);
        const sentinel = 12345.5;
        new View(rt.memory.buffer, dst, (blocks * dstStride) / es).fill(sentinel);
        const [first, last] = blocks > 1 && trial % 2 ? [1, blocks] : [0, blocks];
        rt.exports[dtype === "float32" ? "transpose_f32" : "transpose_f64"](src, dst, first, last, rows, cols, srcStride, dstStride, ldd);
        const out = new View(rt.memory.buffer, dst, (blocks * dstStride) / es);
        const bitsOf = (x: number) => (dtype === "float32" ? new Uint32Array(new Float32Array([x]).buffer)[0] : new BigUint64Array(new Float64Array([x]).buffer)[0]);
        for (let bl = 0; bl < blocks; bl++) {
          for (let j = 0; j < cols; j++) {
            for (let i = 0; i < rows + pad; i++) {
              const got = out[(bl * dstStride + j * ldd) / es + i]!;
              const want = i < rows && bl >= first ? input[bl * rows * cols + i * cols + j]! : sentinel;
              if (!Object.is(got, want) && !(Number.isNaN(got) && Number.isNaN(want))) {
                expect.fail(`${rows}×${cols} block ${bl} (blocks ${first}–${last}), dst row ${j} column ${i}: ${got} vs ${want}`);
              }
              if (Number.isNaN(want) && bitsOf(got) !== bitsOf(want)) expect.fail(`NaN bits changed at ${bl},${i},${j}`);
            }
          }
        }
      }
    });
  }
});

/**
 * Direct convolutions (backend/wasm/conv-direct.ts): the "taps" kernel (few
 * input taps, e.g. a one-channel 3×3 first layer) and the "positions"
 * kernel (few output positions, its weight gradient), against the reference
 * kernel on random shapes — odd sizes, sizes 0 and 1, widths that are not
 * multiples of the vector width, several input channels — f32 and f64, on
 * 1, 2 and 3 threads with every call split, operands row-major or read
 * through a deferred transpose's strides; and the route inside a jitted
 * gradient against eager evaluation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { givePooled } from "../src/core/storage-pool.js";
import type { ConvParams, KernelInput } from "../src/backend/spec.js";
import { convKernel } from "../src/backend/reference/kernels/conv.js";
import { convDirect, directConfig, directRoute } from "../src/backend/wasm/conv-direct.js";
import type { StridedInput } from "../src/backend/wasm/conv-implicit.js";
import { TransposeView } from "../src/backend/wasm/lazy-transpose.js";
import { splitConfig } from "../src/backend/wasm/split.js";
import { getThreads, setThreads } from "../src/backend/wasm/runtime.js";
import { wasmFeatures } from "../src/backend/wasm/features.js";
import { randomInput, rng } from "./conv-reference.js";

const rand = rng(9090);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
const VALID: ConvParams = { strides: [1, 1], padding: [[0, 0], [0, 0]], lhsDilation: [1, 1], rhsDilation: [1, 1], groups: 1 };
type Float = "float32" | "float64";

/** A NaN-filled buffer of `n` elements in the storage pool: an output element the kernel fails to write shows. */
function poisonPool(n: number, dtype: Float): void {
  const buf = new ArrayBuffer(n * (dtype === "float32" ? 4 : 8));
  new Uint8Array(buf).fill(0xff);
  givePooled(buf);
}

/** x [N, C, H, W] as the transpose of stored [C, N, H, W] (how the weight gradient sees its operands), strides and all. */
function transposed(x: KernelInput): StridedInput {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const data = new (x.data.constructor as new (n: number) => typeof x.data)(x.data.length);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) data.set(x.data.subarray((n * C + c) * H * W, (n * C + c + 1) * H * W), (c * N + n) * H * W);
  const view = TransposeView.of(data, [C, N, H, W], [1, 0, 2, 3], x.dtype);
  return { data, shape: x.shape, dtype: x.dtype, strides: view.strides! };
}

function check(route: "taps" | "positions", x: KernelInput, w: KernelInput, dtype: Float, what: string, strided = false): void {
  const [N, , H, W] = x.shape as [number, number, number, number];
  const [O, , kh, kw] = w.shape as [number, number, number, number];
  const out = { shape: [N, O, H - kh + 1, W - kw + 1], dtype };
  expect(directRoute(x.shape, w.shape, VALID, out), what).toBe(route);
  const want = convKernel([x, w], VALID, [out])[0]!;
  // Error bound per element from Σ|x·w| (the reference's and the kernel's sums differ in order).
  const bound = convKernel([{ ...x, data: x.data.map(Math.abs) }, { ...w, data: w.data.map(Math.abs) }], VALID, [out])[0]!;
  poisonPool(want.length, dtype);
  const xs = strided ? transposed(x) : x, ws = strided && route === "positions" ? transposed(w) : w;
  const got = convDirect(route, xs, ws, out);
  expect(got, `${what}: declined`).not.toBeNull();
  expect(got!.length, what).toBe(want.length);
  const eps = dtype === "float32" ? 2e-7 : 4e-16;
  const K = x.shape[1]! * kh * kw;
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got![i]! - want[i]!) <= eps * K * bound[i]! + 1e-30)) expect.fail(`${what}: element ${i} is ${got![i]}, reference ${want[i]}`);
  }
}

describe.skipIf(!wasmFeatures().simd)("direct convolutions vs the reference", () => {
  const threadsBefore = getThreads(), maxTapsK = directConfig.maxTapsK;
  beforeAll(() => {
    splitConfig.minElements = 0; // every call split into pieces, however small
    splitConfig.wakeMinElements = 0; // waking a sleeping worker if need be
    directConfig.maxTapsK = 27; // several input channels on the taps route too
  });
  afterAll(() => {
    splitConfig.minElements = splitConfig.defaultMinElements;
    splitConfig.wakeMinElements = splitConfig.defaultWakeMinElements;
    directConfig.maxTapsK = maxTapsK;
    setThreads(threadsBefore);
  });

  for (const threads of [1, 2, 3]) {
    for (const dtype of ["float32", "float64"] as const) {
      it(`taps: few-tap kernels over odd widths (${dtype}, ${threads} thread(s))`, () => {
        setThreads(threads);
        for (let trial = 0; trial < 30; trial++) {
          const kh = pick([1, 2, 3]), kw = pick([1, 2, 3, 4]);
          const C = pick([1, 1, 2, 3].filter((c) => c * kh * kw <= 27));
          // Output widths below, at and past the vector width, and not multiples of it.
          const OW = pick([1, 2, 3, 4, 5, 7, 8, 13, 26]), OH = pick([1, 2, 5]);
          const N = pick([0, 1, 2, 3]), O = pick([1, 2, 5]);
          const x = randomInput(rand, [N, C, OH + kh - 1, OW + kw - 1], dtype), w = randomInput(rand, [O, C, kh, kw], dtype);
          check("taps", x, w, dtype, `trial ${trial}: x [${x.shape}] w [${w.shape}]`, trial % 3 === 0);
        }
      });

      it(`positions: big kernels, few outputs (${dtype}, ${threads} thread(s))`, () => {
        setThreads(threads);
        for (let trial = 0; trial < 30; trial++) {
          const lanes = dtype === "float32" ? 4 : 2;
          // kw ≥ lanes: whole vectors only, or an overlapping last one (kw mod lanes ≠ 0).
          const kh = pick([1, 3, 10]), kw = pick([lanes, lanes + 1, 9, 10, 26]);
          const OH = pick([1, 2, 3]), OW = pick([1, 2, 3].filter((ow) => OH * ow <= 9));
          const N = 1, C = pick([1, 2, 5]), O = pick([1, 3, 6]);
          if (C * kh * kw <= directConfig.maxTapsK) continue; // the taps route's
          const x = randomInput(rand, [N, C, OH + kh - 1, OW + kw - 1], dtype), w = randomInput(rand, [O, C, kh, kw], dtype);
          check("positions", x, w, dtype, `trial ${trial}: x [${x.shape}] w [${w.shape}]`, trial % 2 === 0);
        }
      });
    }
  }

  it("declines padding, strides, dilation, groups and big-K / many-position shapes", () => {
    const out = (shape: number[]) => ({ shape, dtype: "float32" as const });
    expect(directRoute([2, 1, 8, 8], [4, 1, 3, 3], VALID, out([2, 4, 6, 6]))).toBe("taps");
    expect(directRoute([2, 1, 8, 8], [4, 1, 3, 3], { ...VALID, padding: [[1, 1], [1, 1]] }, out([2, 4, 8, 8]))).toBeNull();
    expect(directRoute([2, 1, 8, 8], [4, 1, 3, 3], { ...VALID, strides: [2, 2] }, out([2, 4, 3, 3]))).toBeNull();
    expect(directRoute([2, 1, 8, 8], [4, 1, 3, 3], { ...VALID, rhsDilation: [2, 2] }, out([2, 4, 4, 4]))).toBeNull();
    expect(directRoute([2, 2, 8, 8], [4, 1, 3, 3], { ...VALID, groups: 2 }, out([2, 4, 6, 6]))).toBeNull();
    expect(directRoute([2, 4, 8, 8], [4, 4, 3, 3], VALID, out([2, 4, 6, 6]))).toBeNull(); // K = 36 > 27 (as set here)
    expect(directRoute([1, 8, 28, 28], [4, 8, 26, 26], VALID, out([1, 4, 3, 3]))).toBe("positions");
    expect(directRoute([2, 8, 28, 28], [4, 8, 26, 26], VALID, out([2, 4, 3, 3]))).toBeNull(); // 18 GEMM rows: GEMM's
  });
});

describe.skipIf(!wasmFeatures().simd)("direct convolutions in a jitted gradient", () => {
  let previous = "";
  beforeAll(() => {
    previous = fx.getBackend().name;
    fx.setBackend("wasm");
  });
  afterAll(() => fx.setBackend(previous));

  it("a one-channel conv layer's value and gradients equal eager's, and the reference backend's", () => {
    const key = fx.random.key(3);
    const x = fx.random.uniform(fx.random.key(4), [5, 1, 13, 11]);
    const w = fx.random.normal(key, [6, 1, 3, 3]);
    const loss = (w: fx.Tensor, x: fx.Tensor) => fx.nn.relu(fx.conv2d(x, w)).square().sum();
    const [v, g] = fx.valueAndGrad(loss)(w, x);
    const [vj, gj] = fx.jit(fx.valueAndGrad(loss))(w, x) as [fx.Tensor, fx.Tensor];
    expect(Array.from(vj.data())).toEqual(Array.from(v.data()));
    expect(Array.from(gj.data())).toEqual(Array.from(g.data()));
    fx.setBackend("reference");
    const [vr, gr] = fx.valueAndGrad(loss)(fx.tensor(w.data(), { shape: [...w.shape] }), fx.tensor(x.data(), { shape: [...x.shape] }));
    fx.setBackend("wasm");
    expect(Math.abs(v.item() - vr.item())).toBeLessThan(1e-4 * Math.abs(vr.item()));
    const gref = gr.data();
    Array.from(g.data() as Float32Array).forEach((gi, i) => expect(Math.abs(gi - gref[i]!)).toBeLessThan(1e-3 * (1 + Math.abs(gref[i]!))));
  });
});

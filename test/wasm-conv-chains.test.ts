/**
 * Winograd run as chains (winograd.ts `winogradChains`): with more examples
 * than threads, each thread claims a few examples and runs the whole
 * pipeline (pad, input transform, 16 GEMMs, output transform) on them in its
 * own scratch, in one hand-off per convolution. Checked against the
 * phase-by-phase path (bit for bit: same arithmetic per tile) and the
 * reference kernel, on 1–3 threads, and jit against eager with and without
 * the call arena.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import type { Tensor } from "../src/core/tensor.js";
import { givePooled } from "../src/core/storage-pool.js";
import type { ConvParams, KernelInput } from "../src/backend/spec.js";
import { convKernel } from "../src/backend/reference/kernels/conv.js";
import { randomInput, rng } from "./conv-reference.js";
import { convWinograd, winogradApplies, winogradConfig } from "../src/backend/wasm/winograd.js";
import { gemmConfig } from "../src/backend/wasm/gemm.js";
import { arenaConfig, getRuntime, setThreads } from "../src/backend/wasm/runtime.js";

const rand = rng(2026);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
const defaultThreads = getRuntime().threads;

afterEach(() => {
  winogradConfig.budget = 1 << 22;
  winogradConfig.chainBudget = 1 << 20;
  winogradConfig.chains = true;
  gemmConfig.parallelMinFlops = gemmConfig.defaultParallelMinFlops;
  arenaConfig.maxBytes = arenaConfig.defaultMaxBytes;
});
afterAll(() => setThreads(defaultThreads));

/** A random conv Winograd takes, batch 1 to 9: odd sizes, padding on some sides. */
function randomConv(dtype: "float32" | "float64", unpadded = false, full = false): { x: KernelInput; w: KernelInput; p: ConvParams; out: { shape: number[]; dtype: "float32" | "float64" } } {
  const N = pick([1, 2, 3, 4, 5, 7, 9, 20]), C = pick([8, 9, 13]), O = pick([8, 11, 16]);
  if (full) {
    // A full correlation of planes with sides multiples of 4: float32 runs it by the transposed F(4×4, 3×3).
    const p: ConvParams = { strides: [1, 1], padding: [[2, 2], [2, 2]], lhsDilation: [1, 1], rhsDilation: [1, 1], groups: 1 };
    const [H, W] = [pick([8, 12]), pick([8, 16])];
    return { x: randomInput(rand, [N, C, H, W], dtype), w: randomInput(rand, [O, C, 3, 3], dtype), p, out: { shape: [N, O, H + 2, W + 2], dtype } };
  }
  // Unpadded with even sizes: the input planes are the tiles' planes, transformed where they lie.
  const padding = (unpadded ? [[0, 0], [0, 0]] : [[pick([0, 1, 2]), pick([0, 1, 3])], [pick([0, 1, 2]), pick([0, 2])]]) as [number, number][];
  const inSp = unpadded ? [pick([4, 10]), pick([4, 6, 12])] : [pick([3, 4, 7, 10]), pick([2, 3, 6, 9])];
  const outSp = inSp.map((I, a) => I + padding[a]![0] + padding[a]![1] - 2);
  if (outSp.some((o) => o < 1)) return randomConv(dtype);
  const p: ConvParams = { strides: [1, 1], padding, lhsDilation: [1, 1], rhsDilation: [1, 1], groups: 1 };
  return { x: randomInput(rand, [N, C, ...inSp], dtype), w: randomInput(rand, [O, C, 3, 3], dtype), p, out: { shape: [N, O, ...outSp], dtype } };
}

/** A NaN-filled buffer of the output's size in the storage pool: an element the kernel fails to write shows as NaN. */
function poisonPool(out: { shape: number[]; dtype: "float32" | "float64" }): void {
  const buf = new ArrayBuffer(out.shape.reduce((a, b) => a * b, 1) * (out.dtype === "float32" ? 4 : 8));
  new Uint8Array(buf).fill(0xff);
  givePooled(buf);
}

describe.each([1, 2, 3])("Winograd chains vs phase by phase and reference, %i thread(s)", (threads) => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: 30 random convolutions, batch below, at and above the thread count, chains of one example and of many`, () => {
      setThreads(threads);
      const rt = getRuntime();
      let chained = 0;
      for (let trial = 0; trial < 30; trial++) {
        const conv = randomConv(dtype, trial % 5 === 2, trial % 5 === 4);
        expect(winogradApplies(conv.x, conv.w, conv.p)).toBe(true);
        gemmConfig.parallelMinFlops = trial % 3 === 0 ? 0 : gemmConfig.defaultParallelMinFlops;
        // Odd trials: budgets of one example per chunk and per chain (as many chains as the queue holds).
        winogradConfig.budget = winogradConfig.chainBudget = trial % 2 ? 1 : 1 << 22;
        winogradConfig.chains = false;
        const phased = convWinograd([conv.x, conv.w], conv.p, conv.out)!;
        winogradConfig.chains = true;
        const handOffs = threads > 1 ? rt.pool.completed(1) : 0;
        poisonPool(conv.out);
        const got = convWinograd([conv.x, conv.w], conv.p, conv.out)!;
        const N = conv.x.shape[0]!;
        if (threads > 1 && N >= threads) {
          // One hand-off to each worker for the whole convolution.
          expect(rt.pool.completed(1) - handOffs, `trial ${trial}: hand-offs`).toBe(1);
          chained++;
        }
        const want = convKernel([conv.x, conv.w], conv.p, [conv.out])[0]!;
        const tol = dtype === "float32" ? 2e-5 : 1e-12;
        for (let i = 0; i < want.length; i++) {
          const where = `trial ${trial} ${JSON.stringify(conv.p)} x ${conv.x.shape} w ${conv.w.shape}: element ${i}`;
          if (!(Math.abs(got[i]! - want[i]!) <= tol)) expect.fail(`${where}: ${got[i]} vs reference ${want[i]}`);
          if (!Object.is(got[i], phased[i])) expect.fail(`${where}: ${got[i]} vs phase by phase ${phased[i]}`);
        }
      }
      if (threads > 1) expect(chained).toBeGreaterThan(10);
    });
  }
});

describe("Winograd chains inside jit", () => {
  let previous = "";
  beforeAll(() => {
    previous = fx.getBackend().name;
    fx.setBackend("wasm");
  });
  afterAll(() => fx.setBackend(previous));
  function bits(t: Tensor): Buffer {
    const d = t.data();
    return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  }
  const randn = (shape: number[], dtype: fx.DType) =>
    fx.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1), { shape, dtype });

  for (const threads of [2, 3]) {
    for (const dtype of ["float32", "float64"] as const) {
      for (const arena of [true, false]) {
        it(`${threads} threads, ${dtype}, arena ${arena ? "on" : "off"}: a conv's value and both gradients, jit equals eager bit for bit`, () => {
          setThreads(threads);
          arenaConfig.maxBytes = arena ? arenaConfig.defaultMaxBytes : 0;
          const w = randn([12, 9, 3, 3], dtype), x = randn([7, 9, 11, 8], dtype);
          // Forward (C = 9 → O = 12) and input gradient (12 → 9, padded) run through Winograd with 7 examples.
          const loss = (w: Tensor, x: Tensor) => fx.tanh(fx.conv2d(x, w, { padding: [[1, 0], [0, 1]] })).sum();
          const f = (w: Tensor, x: Tensor) => {
            const [l, g] = fx.valueAndGrad(loss, { argnums: [0, 1] })(w, x);
            return [l, ...(g as Tensor[])];
          };
          for (let call = 0; call < 2; call++) {
            const got = fx.jit(f)(w, x), want = f(w, x);
            got.forEach((t, k) => expect(bits(t), `call ${call}, output ${k}`).toEqual(bits(want[k]!)));
          }
        });
      }
    }
  }
});

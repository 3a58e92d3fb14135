/**
 * Memory-bound kernels on the "wasm" backend: each eager op with the JS
 * kernels (ewConfig.minElements = Infinity) and with the Wasm SIMD kernels,
 * alternated in one process; best of 5 rounds of 5 calls, in ms, as a
 * Markdown table (docs/performance.md). `data` as argument also copies each
 * result out with `.data()`.
 *
 *   npx tsx bench/memory-bound.ts [data]
 */
import * as fx from "../src/index.js";
import { ewConfig } from "../src/backend/wasm/ew.js";
import * as lax from "../src/primitives/lax.js";
fx.setBackend("wasm");
const x = fx.random.normal(fx.random.key(1), [64, 32, 26, 26]);
const x64 = x.astype("float64");
const b = fx.random.normal(fx.random.key(2), [32, 1, 1]);
const c = fx.greater(x, 0);
const z = fx.zerosLike(x);
const p6 = fx.random.normal(fx.random.key(1), [64, 64, 12, 2, 12, 2]);
const w = fx.random.normal(fx.random.key(1), [128, 9216]);
const row = fx.random.normal(fx.random.key(3), [9216]);
const p5 = p6.reshape([64, 64, 12, 12, 4]);
// B3's max pool: 2×2 windows at stride 2 over [64,64,24,24]; s is the cotangent of its output.
const pool = fx.random.normal(fx.random.key(4), [64, 64, 24, 24]), poolS = fx.random.normal(fx.random.key(5), [64, 64, 12, 12]);
const poolT = fx.random.normal(fx.random.key(6), [64, 64, 24, 24]);
const win = [1, 1, 2, 2];
const withData = process.argv[2] === "data";
function t(name: string, f: () => fx.Tensor) {
  const best = [Infinity, Infinity];
  for (let round = 0; round < (print ? 5 : 1); round++) {
    [Infinity, ewConfig.defaultMinElements].forEach((min, k) => {
      ewConfig.minElements = min;
      f(); f();
      const t0 = performance.now();
      for (let i = 0; i < 5; i++) { const r = f(); if (withData) r.data(); }
      best[k] = Math.min(best[k]!, (performance.now() - t0) / 5);
    });
  }
  if (print) console.log(`| ${name} | ${best[0]!.toFixed(2)} | ${best[1]!.toFixed(2)} | ${(best[0]! / best[1]!).toFixed(1)}× |`);
}
let print = false;
for (const pass of [0, 1]) {
print = pass === 1;
if (print) console.log("| op | JS kernels (ms) | Wasm kernels (ms) | speed-up |\n|---|---|---|---|");
t("add, same shapes [64,32,26,26] f32", () => fx.add(x, x));
t("add, same shapes, f64", () => fx.add(x64, x64));
t("add [64,32,26,26] + [32,1,1]", () => fx.add(x, b));
t("add [128,9216] + [9216]", () => fx.add(w, row));
t("mul by a scalar", () => fx.mul(x, 0.5));
t("maximum(x, 0)", () => fx.maximum(x, 0));
t("where(c, x, zeros)", () => fx.where(c, x, z));
t("relu (gt + select)", () => fx.nn.relu(x));
t("greater(x, 0)", () => fx.greater(x, 0));
t("neg", () => fx.neg(x));
t("sqrt", () => fx.sqrt(x));
t("sum over [0,2,3]", () => fx.sum(x, [0, 2, 3]));
t("sum over [0,2,3], f64", () => fx.sum(x64, [0, 2, 3]));
t("sum over axis 0 of [128,9216]", () => fx.sum(w, 0));
t("sum over axis 1 of [128,9216]", () => fx.sum(w, 1));
t("argmax over the last axis of [64,64,12,12,4]", () => fx.argmax(p5, -1));
t("transpose [0,2,3,1]", () => fx.transpose(x, [0, 2, 3, 1]));
t("transpose max-pool [0,1,2,4,3,5]", () => fx.transpose(p6, [0, 1, 2, 4, 3, 5]));
t("max pool 2×2 [64,64,24,24] (reduce_window_max)", () => lax.reduceWindowMax(pool, win, win));
t("its backward (select_and_scatter_add)", () => lax.selectAndScatterAdd(poolS, pool, win, win));
t("its tangent (select_and_gather_add)", () => lax.selectAndGatherAdd(poolT, pool, win, win));
}

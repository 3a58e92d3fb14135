/**
 * Small-op overhead (B4 of BENCHMARKS.md), eager on the current backend:
 *
 *   B4a  10,000 sequential elementwise ops (alternating add and multiply) on a
 *        100-element float32 tensor: µs per op and ops/s.
 *   B4b  reverse-mode gradient of f(x0, x1) = 2·x0 + x0·sin(x1) + x1³ at (1, 2),
 *        10,000 times: calls/s (also jit(grad(f)) for comparison).
 *
 * Each figure is the median of several runs after a warm-up, with min–max.
 *
 *   npx tsx bench/overhead.ts [--json] [--runs N]
 */
import os from "node:os";
import * as fx from "../src/index.js";

interface Figure {
  name: string;
  unit: string;
  median: number;
  min: number;
  max: number;
}

function measure(name: string, unit: string, runs: number, once: () => number): Figure {
  once(); // warm-up: JIT compilation of the JS, jit caches
  const xs: number[] = [];
  for (let r = 0; r < runs; r++) xs.push(once());
  xs.sort((a, b) => a - b);
  return { name, unit, median: xs[Math.floor(xs.length / 2)]!, min: xs[0]!, max: xs[xs.length - 1]! };
}

/** Microseconds per op for `n` alternating add/mul ops on tensors of `size` elements. */
export function elementwiseMicros(n = 10_000, size = 100, scalarOperands = false): number {
  const a = fx.full([size], 1e-3);
  const m = fx.full([size], 0.999);
  let x = fx.ones([size]);
  const t0 = performance.now();
  for (let i = 0; i < n; i += 2) {
    x = scalarOperands ? x.add(1e-3) : x.add(a);
    x = scalarOperands ? x.mul(0.999) : x.mul(m);
  }
  const us = ((performance.now() - t0) * 1000) / n;
  if (!Number.isFinite(x.data()[0]!)) throw new Error("bench: diverged");
  return us;
}

const seed = (x0: fx.Tensor, x1: fx.Tensor) => x0.mul(2).add(x0.mul(x1.sin())).add(x1.pow(3));

/** Gradient calls per second of the seed function. */
export function gradCallsPerSecond(n = 10_000, jitted = false): number {
  const df = fx.grad(seed, { argnums: [0, 1] });
  const g = jitted ? fx.jit(df) : df;
  const x0 = fx.tensor(1), x1 = fx.tensor(2);
  let check = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) check = (g(x0, x1) as fx.Tensor[])[1]!.item();
  const s = (performance.now() - t0) / 1000;
  if (Math.abs(check - 11.5839) > 1e-3) throw new Error(`bench: wrong gradient ${check}`);
  return n / s;
}

export function main(argv = process.argv.slice(2)): Figure[] {
  const runs = Number(argv[argv.indexOf("--runs") + 1]) || 7;
  const figures = [
    measure("B4a eager add/mul, 100 float32, tensor operands", "µs/op", runs, () => elementwiseMicros()),
    measure("B4a eager add/mul, 100 float32, JS-number operands", "µs/op", runs, () => elementwiseMicros(10_000, 100, true)),
    measure("B4b grad of the seed function (eager tape)", "calls/s", runs, () => gradCallsPerSecond()),
    measure("B4b jit(grad) of the seed function", "calls/s", runs, () => gradCallsPerSecond(10_000, true)),
  ];
  if (argv.includes("--json")) {
    console.log(JSON.stringify({ machine: machine(), figures }, null, 2));
  } else {
    console.log(`machine: ${machine()}`);
    for (const f of figures) {
      const fmt = (v: number) => (f.unit === "µs/op" ? v.toFixed(2) : Math.round(v).toString());
      const extra = f.unit === "µs/op" ? `  (${Math.round(1e6 / f.median).toLocaleString("en-US")} ops/s)` : "";
      console.log(`${f.name.padEnd(56)} ${fmt(f.median).padStart(8)} ${f.unit}  [${fmt(f.min)} – ${fmt(f.max)}]${extra}`);
    }
  }
  return figures;
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return `${cpu}, ${os.cpus().length} cores, Node ${process.version}, backend ${fx.getBackend().name}`;
}

if (/overhead\.[jt]s$/.test(process.argv[1] ?? "")) main(); // run as a script, from source (tsx) or compiled

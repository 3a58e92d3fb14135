import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { slope } from "./support/memory.js";

interface Trace {
  backend: string;
  step: number[];
  bytes: number[];
  firstLoss: number;
  lastLoss: number;
}

/**
 * Runs test/support/naive-training.ts in a child process: the loop must stay
 * synchronous (finalizers only run when a job yields, and a training loop
 * never does), and a long synchronous block would stall vitest's worker, so
 * the child is awaited, not waited for synchronously.
 */
async function naiveTraining(steps: number, warmup: number, every: number, mode = ""): Promise<Trace> {
  const script = fileURLToPath(new URL("./support/naive-training.ts", import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", "--import", "tsx", script, String(steps), String(warmup), String(every), mode], {
    encoding: "utf8",
    env: process.env, // carries FLUXION_BACKEND when the suite runs on another backend
  });
  return JSON.parse(stdout.trim().split("\n").pop()!) as Trace;
}

/** Bytes per step over the last half of the samples, and the largest rise over the first sample. */
function growth(t: Trace): { lateSlope: number; rise: number } {
  const half = Math.floor(t.step.length / 2);
  return {
    lateSlope: slope(t.step.slice(half), t.bytes.slice(half)),
    rise: Math.max(...t.bytes.slice(half)) - t.bytes[0]!,
  };
}

// Measured on the reference backend: one leaked scalar tensor per step shows as
// 400–480 bytes/step (the retain-loss run below); a clean loop creeps ~25 bytes/step
// over its first 10,000 steps while V8 warms up (flat after ~20,000), and one step's
// parameters, gradients and Adam moments are ~50 kB.
const MAX_BYTES_PER_STEP = 100;
const MAX_RISE = 1.5 * 1024 * 1024;

describe("memory", () => {
  it("the naive eager training loop runs 10,000 steps with flat memory", async () => {
    const trace = await naiveTraining(10_000, 1_000, 500);
    expect(trace.lastLoss).toBeLessThan(trace.firstLoss); // it really trained
    const { lateSlope, rise } = growth(trace);
    expect(lateSlope, `live memory grows ${lateSlope.toFixed(1)} bytes/step on ${trace.backend}`).toBeLessThan(MAX_BYTES_PER_STEP);
    expect(rise, `live memory rose ${(rise / 1024).toFixed(0)} KiB on ${trace.backend}`).toBeLessThan(MAX_RISE);
  }, 300_000);

  it("the measurement sees a leak of one scalar tensor per step", async () => {
    const { lateSlope } = growth(await naiveTraining(1_000, 100, 100, "retain-loss"));
    expect(lateSlope).toBeGreaterThan(MAX_BYTES_PER_STEP);
  }, 120_000);

  it("a disposed tensor used again throws DisposedError", () => {
    const t = fx.tensor([1, 2, 3]) as fx.ConcreteTensor;
    const u = t.add(1);
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(() => t.add(1)).toThrow(fx.DisposedError);
    expect(() => t.toArray()).toThrow(/disposed and cannot be used again/);
    expect(() => fx.grad((a: fx.Tensor) => a.sum())(t)).toThrow(fx.DisposedError);
    const s = fx.tensor(5) as fx.ConcreteTensor;
    s.dispose();
    expect(() => s.item()).toThrow(fx.DisposedError);
    expect(u.toArray()).toEqual([2, 3, 4]); // results computed before the dispose are untouched
  });
});

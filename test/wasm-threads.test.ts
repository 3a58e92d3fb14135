/**
 * The worker pool's shared task queue (backend/wasm/threads.ts `runQueue`, `runChains`):
 * every task runs exactly once, on whichever thread claims it, with its
 * per-thread arguments moved to that thread's region; a failure on any
 * thread is reported. Run with real workers (2 and 3 threads).
 */
import { afterAll, describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { getRuntime, WORKER_FNS } from "../src/backend/wasm/runtime.js";
import { MAX_QUEUED } from "../src/backend/wasm/threads.js";
import { chainLengths, splitAcrossThreads, splitConfig } from "../src/backend/wasm/split.js";
import { wasmFeatures } from "../src/backend/wasm/features.js";

const initialThreads = fx.getThreads();
afterAll(() => fx.setThreads(initialThreads));

describe.skipIf(!wasmFeatures().threads)("ThreadPool.runQueue", () => {
  for (const threads of [2, 3]) {
    it(`${threads} threads: runs each of many tasks once, relocating per-thread arguments`, async () => {
      fx.setThreads(threads);
      expect(await fx.threadsReady()).toBe(threads);
      const rt = getRuntime();
      const rows = 5, cols = 7, n = rows * cols, tasks = 40;
      // Sources, then one destination region per thread (each task transposes its source into its slot there).
      const src = rt.operandBase(), region = 4 * n * tasks, dst0 = src + region;
      rt.ensure(dst0 + threads * region);
      const mem = new Float32Array(rt.memory.buffer);
      for (let i = 0; i < n * tasks; i++) mem[src / 4 + i] = i + 1;
      const fn = WORKER_FNS.indexOf("transpose_f32");
      const list = Array.from({ length: tasks }, (_, k) => ({ fn, args: [src + 4 * n * k, dst0 + 4 * n * k, 0, 1, rows, cols, 0, 0, rows * 4] }));
      // The caller is slowed down so the workers certainly claim some of the tasks.
      const slowLocal = (t: { args: readonly number[] }) => {
        const until = performance.now() + 1;
        while (performance.now() < until);
        rt.exports.transpose_f32(...t.args);
      };
      mem.fill(NaN, dst0 / 4, (dst0 + threads * region) / 4);
      const before = Array.from({ length: threads - 1 }, (_, w) => rt.pool.completed(w + 1));
      rt.pool.runQueue(list, slowLocal, [1], region);
      const onWorkers = Array.from({ length: tasks }, (_, k) => Number.isNaN(mem[dst0 / 4 + n * k]!)).filter(Boolean).length;
      expect(onWorkers).toBeGreaterThan(0);
      // Every worker was handed the queue and finished with it.
      for (let w = 1; w < threads; w++) expect(rt.pool.completed(w)).toBe(before[w - 1]! + 1);
      for (let k = 0; k < tasks; k++) {
        const ran = Array.from({ length: threads }, (_, t) => !Number.isNaN(mem[(dst0 + t * region) / 4 + n * k]!));
        expect(ran.filter(Boolean).length, `task ${k}`).toBe(1);
        const t = ran.indexOf(true), out = (dst0 + t * region) / 4 + n * k;
        for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expect(mem[out + c * rows + r]).toBe(n * k + r * cols + c + 1);
      }
    });
  }

  for (const threads of [2, 3]) {
    it(`${threads} threads: runChains runs each chain's tasks in order on one thread, in that thread's scratch`, async () => {
      fx.setThreads(threads);
      expect(await fx.threadsReady()).toBe(threads);
      const rt = getRuntime();
      const rows = 6, cols = 5, n = rows * cols, chains = 20;
      // Sources, destinations, then one scratch matrix per thread: each chain transposes its source into the
      // scratch of the thread running it (argument 1 moved) and back from there (argument 0 moved) into its destination.
      const src = rt.operandBase(), dst = src + 4 * n * chains, scratch = dst + 4 * n * chains;
      rt.ensure(scratch + threads * 4 * n);
      const mem = new Float32Array(rt.memory.buffer);
      for (let i = 0; i < n * chains; i++) mem[src / 4 + i] = i + 1;
      mem.fill(NaN, dst / 4, (scratch + threads * 4 * n) / 4);
      const fn = WORKER_FNS.indexOf("transpose_f32");
      const list = Array.from({ length: chains }, (_, k) => [
        { fn, perThread: [1], args: [src + 4 * n * k, scratch, 0, 1, rows, cols, 0, 0, rows * 4] },
        { fn, perThread: [0], args: [scratch, dst + 4 * n * k, 0, 1, cols, rows, 0, 0, cols * 4] },
      ]);
      // The caller pauses between a chain's two tasks: a worker writing into the caller's scratch meanwhile shows.
      let first = true;
      const slowLocal = (t: { args: readonly number[] }) => {
        rt.exports.transpose_f32(...t.args);
        if (first) {
          const until = performance.now() + 1;
          while (performance.now() < until);
        }
        first = !first;
      };
      const before = Array.from({ length: threads - 1 }, (_, w) => rt.pool.completed(w + 1));
      rt.pool.runChains(list, slowLocal, 4 * n);
      for (let w = 1; w < threads; w++) expect(rt.pool.completed(w)).toBe(before[w - 1]! + 1);
      // Some chains ran on workers: their scratch holds a transposed source.
      const workersRan = Array.from({ length: threads - 1 }, (_, w) => !Number.isNaN(mem[(scratch + (w + 1) * 4 * n) / 4]!));
      expect(workersRan.some(Boolean)).toBe(true);
      for (let i = 0; i < n * chains; i++) expect(mem[dst / 4 + i], `element ${i}`).toBe(i + 1);
      expect(() => rt.pool.runChains([list[0]!, list[1]!.slice(1)], slowLocal, 4 * n)).toThrow(RangeError);
    });
  }

  it("rejects more tasks than the queue holds, and reports a task that fails on a worker", () => {
    fx.setThreads(2);
    const rt = getRuntime();
    const fn = WORKER_FNS.indexOf("transpose_f32");
    const many = Array.from({ length: MAX_QUEUED + 1 }, () => ({ fn, args: [] as number[] }));
    expect(() => rt.pool.runQueue(many, () => {})).toThrow(RangeError);
    // A source far outside memory traps wherever the task runs.
    const bad = Array.from({ length: 8 }, () => ({ fn, args: [0x7ff00000, rt.operandBase(), 0, 1, 64, 64, 0, 0, 256] }));
    expect(() => rt.pool.runQueue(bad, (t) => rt.exports.transpose_f32(...t.args))).toThrow();
    // The pool still works afterwards.
    const ok = [{ fn, args: [rt.operandBase(), rt.operandBase() + 64, 0, 1, 1, 1, 0, 0, 4] }];
    expect(() => rt.pool.runQueue(ok, (t) => rt.exports.transpose_f32(...t.args))).not.toThrow();
  });
});

describe.skipIf(!wasmFeatures().threads)("splitAcrossThreads and sleeping workers", () => {
  afterAll(() => {
    splitConfig.minElements = splitConfig.defaultMinElements;
    splitConfig.wakeMinElements = splitConfig.defaultWakeMinElements;
  });
  /** Blocks this thread long enough for the workers' spin to end: they sleep in Atomics.wait. */
  const letWorkersSleep = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);

  it("wakes a sleeping worker only for work of at least wakeMinElements; the result is the same either way", async () => {
    fx.setThreads(2);
    expect(await fx.threadsReady()).toBe(2);
    const rt = getRuntime();
    const rows = 64, cols = 48, n = rows * cols, src = rt.operandBase(), dst = src + 4 * n;
    rt.ensure(dst + 4 * n);
    const mem = new Float32Array(rt.memory.buffer);
    for (let i = 0; i < n; i++) mem[src / 4 + i] = i;
    // Transpose in pieces of rows: each piece writes its rows' columns.
    const transposeRows = () => {
      mem.fill(NaN, dst / 4, dst / 4 + n);
      splitAcrossThreads(rt, "transpose_f32", rows, n, (r0, r1) => [src + 4 * r0 * cols, dst + 4 * r0, 0, 1, r1 - r0, cols, 0, 0, rows * 4]);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expect(mem[dst / 4 + c * rows + r]).toBe(r * cols + c);
    };
    splitConfig.minElements = 0;
    for (const [wakeMin, handOffs] of [[n + 1, 0], [n, 1]] as const) {
      splitConfig.wakeMinElements = wakeMin;
      letWorkersSleep();
      expect(rt.pool.awake()).toBe(false);
      const before = rt.pool.completed(1);
      transposeRows();
      expect(rt.pool.completed(1) - before, `wakeMinElements ${wakeMin}`).toBe(handOffs);
    }
  });
});

describe("chainLengths", () => {
  it("covers every item once, in chains of at most `most`, shrinking toward the end", () => {
    for (const [total, most, threads, maxChains] of [[20, 4, 2, 16], [64, 4, 2, 32], [64, 4, 3, 32], [7, 10, 2, 16], [1, 4, 2, 16], [100, 3, 2, 64]]) {
      const lengths = chainLengths(total!, most!, threads!, maxChains!);
      expect(lengths.reduce((a, b) => a + b, 0)).toBe(total);
      expect(lengths.length).toBeLessThanOrEqual(maxChains!);
      expect(lengths.every((n, i) => n >= 1 && n <= most! && (i === 0 || n <= lengths[i - 1]!))).toBe(true);
      if (total! >= threads!) expect(lengths.length).toBeGreaterThanOrEqual(threads!);
    }
    expect(chainLengths(20, 4, 2, 16)).toEqual([4, 4, 3, 3, 2, 1, 1, 1, 1]);
  });
  it("falls back to equal chains when shrinking ones would be too many", () => {
    expect(chainLengths(64, 4, 2, 16)).toEqual(Array(16).fill(4));
    expect(chainLengths(10, 4, 2, 3)).toEqual([4, 4, 2]);
  });
});

/** Spreading one exported Wasm helper over the thread pool. */
import { WORKER_FNS, type WasmRuntime, type WorkerFn } from "./runtime.js";
import type { Task } from "./threads.js";

/** Below this many elements moved, helpers run on the calling thread only. */
const PARALLEL_MIN_ELEMENTS = 1 << 15;

/** Runs `fn` over items [0, total) split evenly across the threads (one thread when `work` is small). */
export function splitAcrossThreads(rt: WasmRuntime, fn: WorkerFn, total: number, work: number, args: (start: number, end: number) => number[]): void {
  const threads = work < PARALLEL_MIN_ELEMENTS ? 1 : Math.min(rt.threads, total);
  const per = Math.ceil(total / threads);
  const tasks: Task[] = [];
  for (let s = 0; s < total; s += per) tasks.push({ fn: WORKER_FNS.indexOf(fn), args: args(s, Math.min(total, s + per)) });
  rt.pool.run(tasks, (t) => rt.exports[WORKER_FNS[t.fn]!](...t.args));
}

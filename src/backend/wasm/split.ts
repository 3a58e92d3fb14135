/** Spreading one exported Wasm helper over the thread pool. */
import { WORKER_FNS, type WasmRuntime, type WorkerFn } from "./runtime.js";
import { MAX_QUEUED, type Task } from "./threads.js";

/**
 * Below `minElements` elements moved, helpers run on the calling thread only (tests set 0 to split everything);
 * below `wakeMinElements` they split only while a worker is awake (`ThreadPool.awake`): waking a sleeping one
 * costs more than half of such a kernel (a jitted 32 K-element select: 889 µs split, 118 µs on one thread).
 */
export const splitConfig = { defaultMinElements: 1 << 15, minElements: 1 << 15, defaultWakeMinElements: 1 << 20, wakeMinElements: 1 << 20 };

/** A function the pool can hand to workers: its table index, and how the calling thread runs it. */
export interface PoolFunction {
  index: number;
  local: (...args: number[]) => void;
}

/**
 * Runs `fn` over items [0, total) in pieces (one thread when `work` is
 * small): two per thread, claimed from the pool's queue, so a worker that
 * wakes late takes fewer (B3, 2 threads, four alternations with the
 * static halves: within this host's noise, the best run the queue's).
 */
export function splitAcrossThreads(rt: WasmRuntime, fn: WorkerFn | PoolFunction, total: number, work: number, args: (start: number, end: number) => number[]): void {
  const { index, local } = typeof fn === "string" ? { index: WORKER_FNS.indexOf(fn), local: rt.exports[fn] } : fn;
  const small = work < splitConfig.minElements || (work < splitConfig.wakeMinElements && !rt.pool.awake());
  const pieces = small ? 1 : Math.min(total, 2 * rt.threads, MAX_QUEUED);
  if (total === 0) return;
  if (pieces === 1) return void local(...args(0, total)); // no hand-off to prepare
  const per = Math.ceil(total / pieces);
  const tasks: Task[] = [];
  for (let s = 0; s < total; s += per) tasks.push({ fn: index, args: args(s, Math.min(total, s + per)) });
  rt.pool.runQueue(tasks, (t) => local(...t.args));
}

/**
 * Items per chain for `ThreadPool.runChains`: at most `most` each, and
 * shrinking toward the end (each a share of what is left), so that whichever
 * thread claims the last chain keeps the others waiting only briefly; at
 * least one chain per thread when there are enough items. Equal chains when
 * that would make more than `maxChains`.
 *
 *   chainLengths(20, 4, 2, 16) → [4, 4, 3, 3, 2, 1, 1, 1, 1]
 */
export function chainLengths(total: number, most: number, threads: number, maxChains: number): number[] {
  const lengths: number[] = [];
  for (let left = total; left > 0; left -= lengths[lengths.length - 1]!) {
    lengths.push(Math.max(1, Math.min(most, Math.ceil(left / (2 * threads)))));
  }
  if (lengths.length <= maxChains) return lengths;
  const chains = Math.min(maxChains, total), per = Math.ceil(total / chains);
  return Array.from({ length: Math.ceil(total / per) }, (_, i) => Math.min(per, total - i * per));
}

/**
 * Worker threads sharing the kernel module's one WebAssembly memory.
 *
 * Hand-off is a mailbox per worker in the low bytes of that memory: the
 * caller writes a function index and i32 arguments, bumps `seq` and notifies;
 * the worker runs the export and publishes `done = seq`. Both sides spin a
 * few microseconds before sleeping in Atomics.wait, so back-to-back kernels
 * (a training step) do not pay a futex round trip each. Workers are unref'd:
 * an idle pool never keeps the process alive.
 */
import { ValueError } from "../../core/errors.js";

/** Int32 slots per mailbox (256 bytes, so mailboxes never share a cache line). */
const SLOT_INTS = 64;
const SEQ = 0, DONE = 1, FN = 2, ARGC = 3, ARGS = 4, FAILED = 40;
export const MAX_ARGS = FAILED - ARGS;
export const MAX_WORKERS = 63;
/** The task queue: header [next, count, relocation stride, relocated count, 4 relocated positions], then tasks. */
const QUEUE_HEADER = 8, TASK_INTS = 2 + MAX_ARGS;
export const MAX_QUEUED = 64;
const QUEUE_BASE = (MAX_WORKERS + 1) * SLOT_INTS * 4;
/** Bytes reserved at address 0 for mailboxes and the task queue. */
export const MAILBOX_BYTES = QUEUE_BASE + (QUEUE_HEADER + MAX_QUEUED * TASK_INTS) * 4;
/** Function index that tells a worker to work through the queue. */
const DRAIN = -1;

const SPIN = 20000;

// Runs in each worker (CommonJS, eval'd): no imports of Fluxion needed.
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, base, fns, spin, slot } = workerData;
const inst = new WebAssembly.Instance(module, { env: { mem: memory } });
const table = fns.map((n) => inst.exports[n]);
const box = new Int32Array(memory.buffer, base, ${SLOT_INTS});
const queue = new Int32Array(memory.buffer, ${QUEUE_BASE}, ${QUEUE_HEADER + MAX_QUEUED * TASK_INTS});
function drain() {
  for (;;) {
    const i = Atomics.add(queue, 0, 1);
    if (i >= queue[1]) return;
    const at = ${QUEUE_HEADER} + i * ${TASK_INTS};
    const args = [];
    for (let k = 0; k < queue[at + 1]; k++) args.push(queue[at + 2 + k]);
    for (let r = 0; r < queue[3]; r++) args[queue[4 + r]] += slot * queue[2];
    table[queue[at]](...args);
  }
}
// Not read from the mailbox: a task may already be posted before this line runs.
let seen = 0;
for (;;) {
  let spins = 0;
  while (Atomics.load(box, ${SEQ}) === seen) {
    if (++spins > spin) { Atomics.wait(box, ${SEQ}, seen); spins = 0; }
  }
  seen = Atomics.load(box, ${SEQ});
  const args = [];
  for (let i = 0; i < box[${ARGC}]; i++) args.push(box[${ARGS} + i]);
  try { if (box[${FN}] === ${DRAIN}) drain(); else table[box[${FN}]](...args); box[${FAILED}] = 0; } catch (e) { box[${FAILED}] = 1; }
  Atomics.store(box, ${DONE}, seen);
  Atomics.notify(box, ${DONE});
}
`;

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
}
type WorkerCtor = new (src: string, opts: { eval: true; execArgv: string[]; workerData: unknown }) => NodeWorker;

function workerConstructor(): WorkerCtor | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown } }).process;
  const wt = proc?.getBuiltinModule?.("node:worker_threads") as { Worker?: WorkerCtor } | undefined;
  return wt?.Worker ?? null;
}

export interface Task {
  /** Index into the pool's function table. */
  fn: number;
  args: readonly number[];
}

/** A pool of `size - 1` workers; the calling thread is the size-th. */
export class ThreadPool {
  private workers: NodeWorker[] = [];
  private readonly Worker: WorkerCtor | null = workerConstructor();

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    private readonly fns: readonly string[],
  ) {}

  /** True when this platform can start workers at all. */
  get available(): boolean {
    return this.Worker !== null && this.memory.buffer instanceof SharedArrayBuffer;
  }

  /** Threads including the caller. */
  get size(): number {
    return this.workers.length + 1;
  }

  resize(threads: number): void {
    if (!Number.isInteger(threads) || threads < 1) throw new ValueError(`setThreads: expected an integer ≥ 1, got ${threads}`);
    const want = this.available ? Math.min(threads, MAX_WORKERS + 1) - 1 : 0;
    while (this.workers.length > want) void this.workers.pop()!.terminate();
    while (this.workers.length < want) {
      const slot = this.workers.length + 1;
      const base = slot * SLOT_INTS * 4;
      const box = this.mailbox(slot);
      Atomics.store(box, SEQ, 0);
      Atomics.store(box, DONE, 0);
      const w = new this.Worker!(WORKER_SOURCE, {
        eval: true,
        // No loaders (tsx, test runners): the worker is plain JS, and inherited hooks can stall its start.
        execArgv: [],
        workerData: { module: this.module, memory: this.memory, base, fns: this.fns, spin: SPIN, slot },
      });
      w.unref();
      this.workers.push(w);
    }
  }

  private mailbox(slot: number): Int32Array {
    return new Int32Array(this.memory.buffer, slot * SLOT_INTS * 4, SLOT_INTS);
  }

  /**
   * Runs tasks[0] on the calling thread and tasks[i] on worker i, and returns
   * when all are done. `local` runs a task here (the caller's own instance).
   */
  run(tasks: readonly Task[], local: (t: Task) => void): void {
    if (tasks.length > this.size) throw new RangeError(`ThreadPool.run: ${tasks.length} tasks for ${this.size} threads`);
    const posted: Posted[] = [];
    for (let i = 1; i < tasks.length; i++) posted.push(this.post(i, tasks[i]!));
    this.finish(posted, () => {
      if (tasks.length > 0) local(tasks[0]!);
    });
  }

  /**
   * Runs every task on whichever thread claims it first (the caller too),
   * and returns when all are done. Thread t runs a task with `slotStride`·t
   * added to the arguments at `perThread` (the addresses of its own scratch).
   */
  runQueue(tasks: readonly Task[], local: (t: Task) => void, perThread: readonly number[] = [], slotStride = 0): void {
    if (tasks.length > MAX_QUEUED) throw new RangeError(`ThreadPool.runQueue: ${tasks.length} tasks (max ${MAX_QUEUED})`);
    if (perThread.length > 4) throw new RangeError(`ThreadPool.runQueue: ${perThread.length} per-thread arguments (max 4)`);
    const queue = new Int32Array(this.memory.buffer, QUEUE_BASE, QUEUE_HEADER + tasks.length * TASK_INTS);
    queue[1] = tasks.length;
    queue[2] = slotStride;
    queue[3] = perThread.length;
    perThread.forEach((p, r) => (queue[4 + r] = p));
    tasks.forEach((t, i) => {
      if (t.args.length > MAX_ARGS) throw new RangeError(`ThreadPool.runQueue: ${t.args.length} arguments (max ${MAX_ARGS})`);
      const at = QUEUE_HEADER + i * TASK_INTS;
      queue[at] = t.fn;
      queue[at + 1] = t.args.length;
      for (let k = 0; k < t.args.length; k++) queue[at + 2 + k] = t.args[k]!;
    });
    Atomics.store(queue, 0, 0);
    const posted: Posted[] = [];
    for (let w = 1; w < Math.min(this.size, tasks.length); w++) posted.push(this.post(w, { fn: DRAIN, args: [] }));
    this.finish(posted, () => {
      for (let i = Atomics.add(queue, 0, 1); i < tasks.length; i = Atomics.add(queue, 0, 1)) local(tasks[i]!);
    });
  }

  /** Hands `task` to worker `slot`. */
  private post(slot: number, task: Task): Posted {
    if (task.args.length > MAX_ARGS) throw new RangeError(`ThreadPool.run: ${task.args.length} arguments (max ${MAX_ARGS})`);
    const box = this.mailbox(slot);
    box[FN] = task.fn;
    box[ARGC] = task.args.length;
    for (let j = 0; j < task.args.length; j++) box[ARGS + j] = task.args[j]!;
    const seq = (Atomics.load(box, SEQ) + 1) | 0;
    Atomics.store(box, SEQ, seq);
    Atomics.notify(box, SEQ);
    return { box, seq };
  }

  /** Runs the caller's share, then waits for every posted worker; rethrows a failure of either. */
  private finish(posted: readonly Posted[], mine: () => void): void {
    let error: unknown = null;
    try {
      mine();
    } catch (e) {
      error = e;
    }
    let failed = false;
    for (const { box, seq } of posted) {
      let spins = 0;
      while (Atomics.load(box, DONE) !== seq) {
        if (++spins > SPIN) {
          Atomics.wait(box, DONE, Atomics.load(box, DONE), 50);
          spins = 0;
        }
      }
      if (box[FAILED] !== 0) failed = true;
    }
    if (error !== null) throw error;
    if (failed) throw new Error("wasm backend: a kernel failed on a worker thread");
  }
}

interface Posted {
  box: Int32Array;
  seq: number;
}

/**
 * Worker threads sharing the kernel module's one WebAssembly memory.
 *
 * Hand-off is a mailbox per worker in the low bytes of that memory: the
 * caller writes a function index and i32 arguments, bumps `seq` and notifies;
 * the worker runs the export and publishes `done = seq`. Both sides spin a
 * few microseconds before sleeping in Atomics.wait, so back-to-back kernels
 * (a training step) do not pay a futex round trip each. Workers are unref'd:
 * an idle pool never keeps the process alive.
 *
 * In Node the workers are worker_threads; in a cross-origin isolated browser
 * page they are Web Workers made from the same source (a Blob URL), handed
 * the module and the memory by postMessage. A browser starts a worker only
 * once the page's thread returns to its event loop, so there each worker
 * raises a ready flag and is given work only after it has; until then the
 * caller does that share itself (`threadsReady()` waits for them). A page's
 * main thread may not block in Atomics.wait, so there the caller spins.
 */
import { ValueError } from "../../core/errors.js";
import { isShared } from "./features.js";
import { optionalNodeModule } from "../../core/platform.js";

/** Int32 slots per mailbox (256 bytes, so mailboxes never share a cache line). */
const SLOT_INTS = 64;
const SEQ = 0, DONE = 1, FN = 2, ARGC = 3, ARGS = 4, FAILED = 40, READY = 41, ASLEEP = 42;
export const MAX_ARGS = FAILED - ARGS;
export const MAX_WORKERS = 63;
/**
 * The task queue: header [next, claims, relocation stride, tasks per claim], then tasks as
 * [fn, argc, relocated-argument bit mask, args]. A thread claims `tasks per claim` consecutive tasks at once.
 */
const QUEUE_HEADER = 8, TASK_INTS = 3 + MAX_ARGS;
export const MAX_QUEUED = 128;
const QUEUE_BASE = (MAX_WORKERS + 1) * SLOT_INTS * 4;
/** Bytes reserved at address 0 for mailboxes and the task queue. */
export const MAILBOX_BYTES = QUEUE_BASE + (QUEUE_HEADER + MAX_QUEUED * TASK_INTS) * 4;
/** Function indices that tell a worker to work through the queue, or to load a module (see `addFunction`). */
const DRAIN = -1, LOAD = -2;

const SPIN = 20000;

// Runs in each worker: plain JS, no imports of Fluxion needed.
const SERVE_SOURCE = `
function serve({ module, memory, base, fns, extras, spin, slot }) {
  const inst = new WebAssembly.Instance(module, { env: { mem: memory } });
  const table = fns.map((n) => inst.exports[n]);
  // A further module's first exported function joins the table.
  const load = (bytes) => {
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: memory } }).exports;
    table.push(Object.values(exports).find((e) => typeof e === "function"));
  };
  extras.forEach(load);
  const box = new Int32Array(memory.buffer, base, ${SLOT_INTS});
  const queue = new Int32Array(memory.buffer, ${QUEUE_BASE}, ${QUEUE_HEADER + MAX_QUEUED * TASK_INTS});
  function drain() {
    for (;;) {
      const i = Atomics.add(queue, 0, 1);
      if (i >= queue[1]) return;
      for (let s = 0; s < queue[3]; s++) {
        const at = ${QUEUE_HEADER} + (i * queue[3] + s) * ${TASK_INTS};
        const args = [];
        for (let k = 0; k < queue[at + 1]; k++) args.push(queue[at + 3 + k] + ((queue[at + 2] >>> k) & 1) * slot * queue[2]);
        table[queue[at]](...args);
      }
    }
  }
  Atomics.store(box, ${READY}, 1);
  // Not read from the mailbox: a task may already be posted before this line runs.
  let seen = 0;
  for (;;) {
    let spins = 0;
    while (Atomics.load(box, ${SEQ}) === seen) {
      if (++spins > spin) {
        // ASLEEP tells callers that handing this worker a small task would cost a futex wake-up.
        Atomics.store(box, ${ASLEEP}, 1);
        Atomics.wait(box, ${SEQ}, seen);
        Atomics.store(box, ${ASLEEP}, 0);
        spins = 0;
      }
    }
    seen = Atomics.load(box, ${SEQ});
    const args = [];
    for (let i = 0; i < box[${ARGC}]; i++) args.push(box[${ARGS} + i]);
    try {
      if (box[${FN}] === ${DRAIN}) drain();
      else if (box[${FN}] === ${LOAD}) load(new Uint8Array(memory.buffer, args[0], args[1]).slice());
      else table[box[${FN}]](...args);
      box[${FAILED}] = 0;
    } catch (e) { box[${FAILED}] = 1; }
    Atomics.store(box, ${DONE}, seen);
    Atomics.notify(box, ${DONE});
  }
}
`;
const NODE_WORKER_SOURCE = `${SERVE_SOURCE}\nserve(require("node:worker_threads").workerData);`;
const BROWSER_WORKER_SOURCE = `${SERVE_SOURCE}\nonmessage = (e) => serve(e.data);`;

interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  base: number;
  fns: readonly string[];
  extras: readonly Uint8Array[];
  spin: number;
  slot: number;
}

interface PoolWorker {
  terminate(): unknown;
}

/** How this platform starts a worker (workerStarter() is null where it has none); `gated`: a worker needs the caller to return to its event loop before it runs. */
interface WorkerStarter {
  start(data: WorkerData): PoolWorker;
  gated: boolean;
}

type NodeWorkerCtor = new (src: string, opts: { eval: true; execArgv: string[]; workerData: unknown }) => PoolWorker & { unref(): void };
type WebWorkerCtor = new (url: string) => PoolWorker & { postMessage(data: unknown): void };

function workerStarter(): WorkerStarter | null {
  const NodeWorker = optionalNodeModule("node:worker_threads")?.Worker as unknown as NodeWorkerCtor | undefined;
  if (NodeWorker) {
    return {
      gated: false,
      start(workerData) {
        // No loaders (tsx, test runners): the worker is plain JS, and inherited hooks can stall its start.
        const w = new NodeWorker(NODE_WORKER_SOURCE, { eval: true, execArgv: [], workerData });
        w.unref();
        return w;
      },
    };
  }
  const WebWorker = (globalThis as { Worker?: WebWorkerCtor }).Worker;
  if (WebWorker && typeof Blob === "function" && typeof URL?.createObjectURL === "function") {
    let url: string | undefined;
    return {
      gated: true,
      start(data) {
        url ??= URL.createObjectURL(new Blob([BROWSER_WORKER_SOURCE], { type: "text/javascript" }));
        const w = new WebWorker(url);
        w.postMessage(data);
        return w;
      },
    };
  }
  return null;
}

/** Whether this thread may block in Atomics.wait (not a browser page's main thread). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

export interface Task {
  /** Index into the pool's function table. */
  fn: number;
  args: readonly number[];
}

/** A pool of `size - 1` workers; the calling thread is the size-th. */
export class ThreadPool {
  private workers: PoolWorker[] = [];
  /** Modules added by `addFunction`, and how many of them each worker slot has loaded. */
  private readonly extras: Uint8Array[] = [];
  private readonly loaded: number[] = [];
  private readonly starter: WorkerStarter | null = workerStarter();
  private readonly blocking = typeof SharedArrayBuffer === "function" && canBlock();

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    private readonly fns: readonly string[],
  ) {}

  /** True when this platform can start workers at all. */
  get available(): boolean {
    return this.starter !== null && isShared(this.memory.buffer);
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
      Atomics.store(box, READY, 0);
      this.workers.push(this.starter!.start({ module: this.module, memory: this.memory, base, fns: this.fns, extras: [...this.extras], spin: SPIN, slot }));
      this.loaded[slot] = this.extras.length;
    }
  }

  /** Whether worker `slot` has started and is waiting for work. */
  private started(slot: number): boolean {
    return Atomics.load(this.mailbox(slot), READY) === 1;
  }

  /** Whether worker `slot` may be given work now (a gated worker only once it has started), and `fn` (a task's function) is in its table. */
  private usable(slot: number, fn = 0): boolean {
    return (!this.starter!.gated || this.started(slot)) && (fn < this.fns.length || this.loaded[slot]! > fn - this.fns.length);
  }

  /**
   * Adds a module's first exported function (imports: `env.mem`) to every
   * worker's table and returns its index for tasks; the caller runs such
   * tasks with its own instance. The module's bytes must be at `addr` in the
   * shared memory until this returns. Workers started later get it at start;
   * a browser worker that has not started yet never takes these tasks.
   */
  addFunction(bytes: Uint8Array, addr: number): number {
    this.extras.push(bytes.slice());
    const fn = this.fns.length + this.extras.length - 1;
    const posted: Posted[] = [];
    for (let slot = 1; slot <= this.workers.length; slot++) {
      if (!this.usable(slot) || this.loaded[slot] !== this.extras.length - 1) continue;
      posted.push(this.post(slot, { fn: LOAD, args: [addr, bytes.length] }));
      this.loaded[slot] = this.extras.length;
    }
    this.finish(posted, () => {});
    return fn;
  }

  /**
   * Whether some worker that could take work is awake (still spinning after
   * its last task, or busy) rather than asleep in Atomics.wait: waking one
   * costs a futex round trip and a reschedule, 0.1–0.8 ms on this VM, more
   * than a small memory-bound kernel's second half saves.
   */
  awake(): boolean {
    for (let slot = 1; slot <= this.workers.length; slot++) if (this.usable(slot) && Atomics.load(this.mailbox(slot), ASLEEP) === 0) return true;
    return false;
  }

  /** Hand-offs worker `slot` has finished since it started (diagnostics and tests). */
  completed(slot: number): number {
    return Atomics.load(this.mailbox(slot), DONE);
  }

  /** Threads that have started, the caller included. */
  get readyThreads(): number {
    let n = 1;
    for (let slot = 1; slot <= this.workers.length; slot++) if (this.started(slot)) n++;
    return n;
  }

  /**
   * Resolves with the number of threads ready to work once every worker has
   * started, or after `timeoutMs` with however many have. Polls on timers, so
   * a browser page's event loop runs meanwhile and its workers can start.
   */
  async whenReady(timeoutMs = 10_000): Promise<number> {
    const until = performance.now() + timeoutMs;
    while (this.readyThreads < this.size && performance.now() < until) await new Promise((r) => setTimeout(r, 2));
    return this.readyThreads;
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
    const mine = tasks.slice(0, 1);
    for (let i = 1; i < tasks.length; i++) {
      if (this.usable(i, tasks[i]!.fn)) posted.push(this.post(i, tasks[i]!));
      else mine.push(tasks[i]!);
    }
    this.finish(posted, () => mine.forEach(local));
  }

  /**
   * Runs every task on whichever thread claims it first (the caller too),
   * and returns when all are done. Thread t runs a task with `slotStride`·t
   * added to the arguments at `perThread` (the addresses of its own scratch).
   */
  runQueue(tasks: readonly Task[], local: (t: Task) => void, perThread: readonly number[] = [], slotStride = 0): void {
    this.runChains(tasks.map((t) => [{ ...t, perThread }]), local, slotStride);
  }

  /**
   * Like `runQueue`, but a thread claims a whole chain (a few calls run in
   * order, all chains of one length) at once: a pipeline of kernels per
   * piece of work, one hand-off in all. Thread t adds `slotStride`·t to each
   * task's `perThread` arguments; the caller (t = 0) runs them as given.
   */
  runChains(chains: readonly (readonly (Task & { perThread?: readonly number[] })[])[], local: (t: Task) => void, slotStride = 0): void {
    const per = chains[0]?.length ?? 0;
    if (chains.some((c) => c.length !== per)) throw new RangeError("ThreadPool.runChains: chains of different lengths");
    if (chains.length * per > MAX_QUEUED) throw new RangeError(`ThreadPool.runChains: ${chains.length * per} tasks (max ${MAX_QUEUED})`);
    const queue = new Int32Array(this.memory.buffer, QUEUE_BASE, QUEUE_HEADER + chains.length * per * TASK_INTS);
    queue[1] = chains.length;
    queue[2] = slotStride;
    queue[3] = per;
    chains.flat().forEach((t, i) => {
      if (t.args.length > MAX_ARGS) throw new RangeError(`ThreadPool.runChains: ${t.args.length} arguments (max ${MAX_ARGS})`);
      const at = QUEUE_HEADER + i * TASK_INTS;
      queue[at] = t.fn;
      queue[at + 1] = t.args.length;
      if (t.perThread?.some((p) => p >= 32)) throw new RangeError("ThreadPool.runChains: per-thread arguments must be among the first 32");
      queue[at + 2] = (t.perThread ?? []).reduce((m, p) => m | (1 << p), 0);
      for (let k = 0; k < t.args.length; k++) queue[at + 3 + k] = t.args[k]!;
    });
    Atomics.store(queue, 0, 0);
    const posted: Posted[] = [];
    const fn = Math.max(...chains.flat().map((t) => t.fn));
    for (let w = 1; w < Math.min(this.size, chains.length); w++) if (this.usable(w, fn)) posted.push(this.post(w, { fn: DRAIN, args: [] }));
    this.finish(posted, () => {
      for (let i = Atomics.add(queue, 0, 1); i < chains.length; i = Atomics.add(queue, 0, 1)) chains[i]!.forEach(local);
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
        if (++spins > SPIN && this.blocking) {
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

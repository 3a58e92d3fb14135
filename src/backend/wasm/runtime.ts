/**
 * The Wasm runtime: one shared memory, the kernel module instantiated on the
 * calling thread, and the worker pool. Memory layout (bytes):
 *
 *   [mailboxes][kept blocks][scratch of thread 0]...[scratch of thread T-1][call arena][operands ...]
 *
 * Operands are staged per call from the bump pointer `operandBase()`: tensor
 * data lives in JS TypedArrays (see docs/memory.md), Wasm memory is scratch.
 * Two exceptions (arena.ts): while a compiled `jit` program runs, the storage
 * of its results is carved from the call arena, so the next kernel reads it
 * where it lies, and the whole arena is released when the call returns; and
 * state a call donates (parameters, optimizer moments) moves into kept
 * blocks, which outlive calls and are freed when their array is collected.
 * Kept blocks only grow between calls, so the scratch and the arena above
 * them move only while nothing is in them.
 */
import { kernelModule, MAX_PAGES, align, type KernelModule } from "./module.js";
import { MAILBOX_BYTES, ThreadPool, type Task } from "./threads.js";
import { isShared, wasmFeatures } from "./features.js";
import { ValueError } from "../../core/errors.js";
import type { TypedArray } from "../../core/dtype.js";
import { envVar, optionalNodeModule } from "../../core/platform.js";

/** Exported functions the workers can run, by index. */
export const WORKER_FNS = ["gemm_f32_batched", "gemm_f64_batched", "im2col_runs", "transpose_f32", "transpose_f64",
  "winograd_input_f32", "winograd_output_f32", "winograd_input_f64", "winograd_output_f64", "gemm_f32_gather", "gemm_f64_gather",
  "winograd_cotangent_f32", "winograd_cotangent_f64", "add_rows_f32", "add_rows_f64", "winograd4_input_f32", "winograd4_output_f32",
  "winograd4_cotangent_f32", "winograd4_scatter_f32"] as const;
export type WorkerFn = (typeof WORKER_FNS)[number];

/** A worker function's index: a Task's `fn`. */
export const workerFn = (name: WorkerFn) => WORKER_FNS.indexOf(name);

const PAGE = 65536;
/** Bounds of the call arena and of the kept blocks; past them storage is GC-owned as elsewhere (tests make them small). */
export const arenaConfig = { defaultMaxBytes: 384 * 2 ** 20, maxBytes: 384 * 2 ** 20, defaultKeptBytes: 256 * 2 ** 20, keptBytes: 256 * 2 ** 20 };

export class WasmRuntime {
  readonly km: KernelModule;
  readonly memory: WebAssembly.Memory;
  readonly exports: Record<WorkerFn, (...args: number[]) => void>;
  readonly pool: ThreadPool;
  /** Bytes of the call arena in use, and the blocks handed out from it and as kept blocks (start → bytes asked for). */
  private arenaBytes = 0;
  private readonly arenaBlocks = new Map<number, number>();
  private readonly keptBlocks = new Map<number, number>();
  /** Bytes of the kept-block region, its free blocks by (64-aligned) size, and what frees a block once its array is collected. */
  private keptBytes = 0;
  private readonly keptFree = new Map<number, number[]>();
  private readonly keptRelease = new FinalizationRegistry<number>((at) => this.freeKept(at));
  /** Every `memory.buffer` a resident view was made on (growing memory makes a new one). */
  private readonly residentBuffers = new WeakSet<ArrayBufferLike>();

  constructor(threads: number) {
    // Every kernel is SIMD code; without SIMD the backend runs its JavaScript kernels and never gets here.
    if (!wasmFeatures().simd) throw new Error("wasm backend: this engine has no WebAssembly SIMD, so there is no kernel module to run");
    this.km = kernelModule();
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: wasmFeatures().threads } as WebAssembly.MemoryDescriptor);
    const inst = new WebAssembly.Instance(this.km.module, { env: { mem: this.memory } });
    this.exports = inst.exports as unknown as Record<WorkerFn, (...args: number[]) => void>;
    this.pool = new ThreadPool(this.km.module, this.memory, WORKER_FNS);
    this.setThreads(threads);
  }

  /** Runs a task of WORKER_FNS on this thread: the caller's share of a pool run. */
  readonly runLocal = (t: Task): void => this.exports[WORKER_FNS[t.fn]!]!(...t.args);

  setThreads(n: number): void {
    // Per-thread scratch sits below the arena: resizing would move live blocks.
    if (this.arenaBytes > 0) throw new ValueError(`setThreads(${n}): not possible while a compiled call holds Wasm memory`);
    this.pool.resize(n);
    this.ensure(this.operandBase());
  }

  get threads(): number {
    return this.pool.size;
  }

  /** Makes a further module's function (fused loops) runnable on the workers too; returns its task index. */
  addWorkerFunction(bytes: Uint8Array): number {
    const at = this.operandBase();
    if (!this.ensure(at + bytes.length)) throw new RangeError(`addWorkerFunction: ${bytes.length} bytes exceed the Wasm memory`);
    new Uint8Array(this.memory.buffer, at, bytes.length).set(bytes);
    return this.pool.addFunction(bytes, at);
  }

  /** Start of thread t's scratch: packed A, packed B, edge tile. */
  scratch(t: number): number {
    return align(MAILBOX_BYTES) + this.keptBytes + t * this.km.scratchBytes;
  }

  operandBase(): number {
    return this.scratch(this.pool.size) + this.arenaBytes;
  }

  /**
   * Reserves `bytes` (rounded up to 64, which kernels may touch past the
   * last element) in the call arena and returns its address; null when the
   * memory is not shared (growing an unshared one detaches every view), the
   * arena is full, or memory cannot grow.
   */
  reserveResident(bytes: number): number | null {
    const size = align(bytes);
    const at = this.operandBase();
    if (!isShared(this.memory.buffer) || this.arenaBytes + size > arenaConfig.maxBytes || !this.ensure(at + size)) return null;
    this.arenaBytes += size;
    this.arenaBlocks.set(at, bytes);
    this.residentBuffers.add(this.memory.buffer);
    return at;
  }

  /** Releases the whole arena: every view into it is dead after this. */
  releaseResident(): void {
    this.arenaBlocks.clear();
    this.arenaBytes = 0;
  }

  /**
   * A kept block of `bytes` (rounded up to 64) holding `make(address)`'s
   * view, freed once that view is collected; null while a call holds the
   * arena (the scratch above would move), on unshared memory, or when the
   * kept region is full.
   */
  keep<T extends ArrayBufferView>(bytes: number, make: (buffer: ArrayBufferLike, at: number) => T): T | null {
    if (this.arenaBytes > 0 || !isShared(this.memory.buffer)) return null;
    const size = align(bytes);
    let at = this.keptFree.get(size)?.pop();
    if (at === undefined) {
      if (this.keptBytes + size > arenaConfig.keptBytes || !this.ensure(this.operandBase() + size)) return null;
      at = align(MAILBOX_BYTES) + this.keptBytes;
      this.keptBytes += size;
    }
    this.keptBlocks.set(at, bytes);
    this.residentBuffers.add(this.memory.buffer);
    const view = make(this.memory.buffer, at);
    this.keptRelease.register(view, at);
    return view;
  }

  private freeKept(at: number): void {
    const size = align(this.keptBlocks.get(at)!);
    this.keptBlocks.delete(at);
    const list = this.keptFree.get(size);
    if (list) list.push(at);
    else this.keptFree.set(size, [at]);
  }

  /** Bytes of kept blocks in use (for tests and memory reports). */
  keptInUse(): number {
    let free = 0;
    for (const [size, list] of this.keptFree) free += size * list.length;
    return this.keptBytes - free;
  }

  /** The address of `a` in Wasm memory when it lives in a kept block or the call arena, else -1. */
  residentAddress(a: ArrayBufferView): number {
    return this.residentBuffers.has(a.buffer) ? a.byteOffset : -1;
  }

  /** True when `a` lives in the call arena (dies with the call). */
  inCallArena(a: ArrayBufferView): boolean {
    return this.residentAddress(a) >= this.scratch(this.pool.size);
  }

  /** True when `a` is a whole kept or arena block, so a kernel may write its padding too. */
  isResidentBlock(a: ArrayBufferView): boolean {
    return this.residentAddress(a) >= 0 && (this.arenaBlocks.get(a.byteOffset) ?? this.keptBlocks.get(a.byteOffset)) === a.byteLength;
  }

  /** Where a kernel reads elements [from, from + count) of `a`: where they lie when `a` is resident, else copied to `staged`. */
  operandAt(a: TypedArray, from: number, count: number, staged: number): number {
    const at = this.residentAddress(a);
    if (at >= 0) return at + from * a.BYTES_PER_ELEMENT;
    this.view(a, staged, count).set(a.subarray(from, from + count));
    return staged;
  }

  /** Where a kernel writes elements of `dst` from `from` on: in place when `dst` is a whole block, else at `staged` (then `landAt`). */
  resultAt(dst: TypedArray, from: number, staged: number): number {
    return this.isResidentBlock(dst) ? dst.byteOffset + from * dst.BYTES_PER_ELEMENT : staged;
  }

  /** Copies the `count` elements a kernel wrote at `addr` (from `resultAt`) into `dst` from `from`, unless they are already there. */
  landAt(dst: TypedArray, from: number, count: number, addr: number): void {
    if (addr !== this.resultAt(dst, from, -1)) dst.set(this.view(dst, addr, count), from);
  }

  /** A view of `count` elements at `addr` of the memory, of `like`'s element type. */
  private view(like: TypedArray, addr: number, count: number): TypedArray {
    return new (like.constructor as new (b: ArrayBufferLike, at: number, n: number) => TypedArray)(this.memory.buffer, addr, count);
  }

  /** Grows memory to at least `bytes`; false if that exceeds the maximum. */
  ensure(bytes: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return true;
    const pages = Math.ceil((bytes - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) return false;
    this.memory.grow(pages);
    return true;
  }

  get maxBytes(): number {
    return MAX_PAGES * PAGE;
  }
}

let runtime: WasmRuntime | null = null;
let requestedThreads: number | null = null;

function defaultThreads(): number {
  const fromEnv = Number(envVar("FLUXION_THREADS"));
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return fromEnv;
  return optionalNodeModule("node:os")?.availableParallelism() ?? (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

/** The process-wide runtime, made on first use. */
export function getRuntime(): WasmRuntime {
  if (!runtime) runtime = new WasmRuntime(requestedThreads ?? defaultThreads());
  return runtime;
}

/** Sets the number of threads Wasm kernels use (1 = the calling thread only). */
export function setThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`setThreads: expected an integer ≥ 1, got ${n}`);
  requestedThreads = n;
  if (runtime) runtime.setThreads(n);
}

/**
 * Resolves, once the worker threads have started, with the number of threads
 * kernels can use now. Workers start in the background: in Node kernels wait
 * for a booting worker, but in a browser a worker starts only after the page
 * returns to its event loop, and until then kernels run on the calling thread.
 *
 *   fx.setThreads(navigator.hardwareConcurrency);
 *   await fx.threadsReady(); // e.g. 4 (1 without cross-origin isolation)
 */
export function threadsReady(timeoutMs?: number): Promise<number> {
  return wasmFeatures().simd ? getRuntime().pool.whenReady(timeoutMs) : Promise.resolve(1);
}

export function getThreads(): number {
  return runtime ? runtime.threads : requestedThreads ?? defaultThreads();
}

/**
 * The Wasm runtime: one shared memory, the kernel module instantiated on the
 * calling thread, and the worker pool. Memory layout (bytes):
 *
 *   [mailboxes][scratch of thread 0]...[scratch of thread T-1][call arena][operands ...]
 *
 * Operands are staged per call from the bump pointer `operandBase()`: tensor
 * data lives in JS TypedArrays (see docs/memory.md), Wasm memory is scratch.
 * The exception is the call arena: while a compiled `jit` program runs, the
 * storage of its results is carved from here (arena.ts), so the next kernel
 * reads it where it lies; the whole arena is released when the call returns.
 */
import { kernelModule, MAX_PAGES, align, type KernelModule } from "./module.js";
import { MAILBOX_BYTES, ThreadPool } from "./threads.js";
import { wasmFeatures } from "./features.js";
import { ValueError } from "../../core/errors.js";

/** Exported functions the workers can run, by index. */
export const WORKER_FNS = ["gemm_f32_batched", "gemm_f64_batched", "im2col_runs", "transpose_f32", "transpose_f64",
  "winograd_input_f32", "winograd_output_f32", "winograd_input_f64", "winograd_output_f64"] as const;
export type WorkerFn = (typeof WORKER_FNS)[number];

const PAGE = 65536;
/** The call arena's bound; a call needing more gets JS storage for the rest (tests make it small). */
export const arenaConfig = { defaultMaxBytes: 384 * 2 ** 20, maxBytes: 384 * 2 ** 20 };

export class WasmRuntime {
  readonly km: KernelModule;
  readonly memory: WebAssembly.Memory;
  readonly exports: Record<WorkerFn, (...args: number[]) => void>;
  readonly pool: ThreadPool;
  /** Bytes of the call arena in use, and the blocks handed out (start → bytes asked for). */
  private arenaBytes = 0;
  private readonly blocks = new Map<number, number>();
  /** Every `memory.buffer` a resident view was made on (growing memory makes a new one). */
  private readonly residentBuffers = new WeakSet<ArrayBufferLike>();

  constructor(threads: number) {
    this.km = kernelModule();
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: wasmFeatures().threads } as WebAssembly.MemoryDescriptor);
    const inst = new WebAssembly.Instance(this.km.module, { env: { mem: this.memory } });
    this.exports = inst.exports as unknown as Record<WorkerFn, (...args: number[]) => void>;
    this.pool = new ThreadPool(this.km.module, this.memory, WORKER_FNS);
    this.setThreads(threads);
  }

  setThreads(n: number): void {
    // Per-thread scratch sits below the arena: resizing would move live blocks.
    if (this.arenaBytes > 0) throw new ValueError(`setThreads(${n}): not possible while a compiled call holds Wasm memory`);
    this.pool.resize(n);
    this.ensure(this.operandBase());
  }

  get threads(): number {
    return this.pool.size;
  }

  /** Start of thread t's scratch: packed A, packed B, edge tile. */
  scratch(t: number): number {
    return align(MAILBOX_BYTES) + t * this.km.scratchBytes;
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
    if (!(this.memory.buffer instanceof SharedArrayBuffer) || this.arenaBytes + size > arenaConfig.maxBytes || !this.ensure(at + size)) return null;
    this.arenaBytes += size;
    this.blocks.set(at, bytes);
    this.residentBuffers.add(this.memory.buffer);
    return at;
  }

  /** Releases the whole arena: every resident view is dead after this. */
  releaseResident(): void {
    this.arenaBytes = 0;
    this.blocks.clear();
  }

  /** The address of `a` in Wasm memory when it lives in the call arena, else -1. */
  residentAddress(a: ArrayBufferView): number {
    return this.arenaBytes > 0 && this.residentBuffers.has(a.buffer) ? a.byteOffset : -1;
  }

  /** True when `a` is a whole arena block, so a kernel may write its padding too. */
  isResidentBlock(a: ArrayBufferView): boolean {
    return this.residentAddress(a) >= 0 && this.blocks.get(a.byteOffset) === a.byteLength;
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
  const proc = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown; env?: Record<string, string | undefined> } }).process;
  const fromEnv = Number(proc?.env?.FLUXION_THREADS);
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return fromEnv;
  const os = proc?.getBuiltinModule?.("node:os") as { availableParallelism?: () => number } | undefined;
  return os?.availableParallelism?.() ?? (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
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

export function getThreads(): number {
  return runtime ? runtime.threads : requestedThreads ?? defaultThreads();
}
